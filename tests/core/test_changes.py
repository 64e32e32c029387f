"""Change sets: names, merging into the current customer, masked values never written back."""

from __future__ import annotations

import pickle

import pytest

import trustly_nb as tnb
from trustly_nb.changes import flatten, merge, normalize_changes

CURRENT = {
    "customerId": "1001",
    "name": "Ada",
    "taxId": "#####6790",
    "address": {"country": "US", "city": "Austin", "address2": "#402"},
    "phone": "+15555550100",
    "email": "ada@example.com",
    "driverLicense": {"number": "#####4567", "state": "CA"},
    "customData": {"segment": "retail"},
    "loyaltyTier": "gold",
    "createdAt": 1,
    "updatedAt": 2,
}


def test_snake_case_dotted_and_nested_names_normalize_to_camel_case():
    """snake_case, camelCase, dotted keys and dicts all give the API's nested shape."""
    changes = {"external_tier": "Gold", "address.city": "Dallas", "address": {"zip": "75001"}}
    assert normalize_changes(changes) == {
        "externalTier": "Gold",
        "address": {"city": "Dallas", "zip": "75001"},
    }


def test_none_and_clear_both_mean_send_null():
    """None and tnb.CLEAR are the two ways to ask for null."""
    assert normalize_changes({"taxId": None, "vip": tnb.CLEAR}) == {"taxId": None, "vip": None}


def test_unknown_and_read_only_names_are_refused_with_a_suggestion():
    """A typo gets 'did you mean'; server-set fields cannot be changed."""
    with pytest.raises(tnb.ValidationError) as info:
        normalize_changes({"emial": "x", "updatedAt": 3, "address.town": "y"})
    text = str(info.value)
    assert "did you mean 'email'" in text
    assert "updatedAt is set by Trustly" in text
    assert "address.town is not a field of address" in text


def test_fields_already_on_the_customer_may_be_changed():
    """An undocumented field the customer has can be changed like any other."""
    assert normalize_changes({"loyaltyTier": "silver"}, CURRENT) == {"loyaltyTier": "silver"}


def test_merge_keeps_everything_and_drops_masked_values_not_set():
    """The posted object is whole, without timestamps or masked values, and says what changed."""
    payload, changed = merge(CURRENT, normalize_changes({"address.city": "Dallas"}))
    assert payload["address"] == {"country": "US", "city": "Dallas", "address2": "#402"}
    assert "taxId" not in payload
    assert "driverLicense" not in payload
    assert "createdAt" not in payload
    assert payload["loyaltyTier"] == "gold"
    assert changed == ["address.city"]


def test_merge_sends_a_masked_field_the_caller_set():
    """A value the caller gives is sent, even in a field that was masked."""
    payload, changed = merge(CURRENT, normalize_changes({"taxId": "000-11-2222"}))
    assert payload["taxId"] == "000-11-2222"
    assert changed == ["taxId"]


def test_changing_licence_state_while_number_is_masked_asks_for_the_number():
    """driverLicense is replaced whole: without the real number the change is refused."""
    with pytest.raises(tnb.ValidationError, match=r"driverLicense\.number is masked"):
        merge(CURRENT, normalize_changes({"driverLicense.state": "NY"}))


def test_null_inside_a_nested_object_removes_that_key():
    """address.address2=None drops the key from the whole address that is sent."""
    payload, changed = merge(CURRENT, normalize_changes({"address.address2": None}))
    assert payload["address"] == {"country": "US", "city": "Austin"}
    assert changed == ["address.address2"]


def test_top_level_null_is_sent_and_counts_as_a_change():
    """A cleared field is sent as null."""
    payload, changed = merge(CURRENT, normalize_changes({"loyaltyTier": tnb.CLEAR}, CURRENT))
    assert payload["loyaltyTier"] is None
    assert changed == ["loyaltyTier"]


def test_custom_data_is_merged_key_by_key():
    """customData given as a dict merges into the current one; its keys are not renamed."""
    payload, _ = merge(CURRENT, normalize_changes({"customData": {"tax_id": 1}}))
    assert payload["customData"] == {"segment": "retail", "tax_id": 1}


def test_flatten_gives_dotted_names():
    """Nested objects become dotted keys."""
    assert flatten({"a": {"b": 1}, "c": 2}) == {"a.b": 1, "c": 2}


def test_clear_is_a_singleton_that_survives_pickling():
    """CLEAR compares by identity, even after a round trip through pickle."""
    assert pickle.loads(pickle.dumps(tnb.CLEAR))  # noqa: S301 - our own bytes is tnb.CLEAR
    assert repr(tnb.CLEAR) == "tnb.CLEAR"


def test_an_undocumented_nested_key_the_customer_has_may_be_changed():
    """address.county is not in the schema, but a customer that has it may change it."""
    current = {**CURRENT, "address": {**CURRENT["address"], "county": "Travis"}}
    assert normalize_changes({"address.county": "Hays"}, current) == {"address": {"county": "Hays"}}


def test_merge_shares_nothing_mutable_with_its_inputs():
    """The payload is a deep copy: changing it (or the masked-key removal inside merge)
    never reaches the current customer or the change set."""
    current = {"name": "Ada", "address": {"country": "US", "zip": "#####6790"},
               "customData": {"tags": ["a", {"deep": 1}]}}  # fmt: skip
    changes = {"customData": {"more": [1, 2]}}
    payload, _ = merge(current, changes)
    payload["customData"]["tags"][1]["deep"] = 2
    payload["customData"]["more"].append(3)
    payload["address"]["city"] = "Austin"
    assert current == {"name": "Ada", "address": {"country": "US", "zip": "#####6790"},
                       "customData": {"tags": ["a", {"deep": 1}]}}  # fmt: skip
    assert changes == {"customData": {"more": [1, 2]}}
    assert "zip" not in payload["address"]  # masked and not set: left out


def test_flatten_reads_any_mapping_and_keeps_empty_objects():
    """Mappings of any type nest; an empty object stays one field; text is never split."""
    from types import MappingProxyType

    customer = {"address": MappingProxyType({"city": "Austin"}), "customData": {}, "name": "Ada"}
    assert flatten(customer) == {"address.city": "Austin", "customData": {}, "name": "Ada"}
