"""Models: lenient on what the API returns, strict on what is sent."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trustly_nb as tnb
from trustly_nb.models import CUSTOMER_FIELDS, validate_payload

from ..factories import valid_customer

VALID = valid_customer()


def test_all_21_documented_properties_in_schema_order():
    """The model lists every documented Customer property, camelCase, in the spec's order."""
    assert CUSTOMER_FIELDS == (
        "name", "taxId", "address", "phone", "email", "dateOfBirth", "createdAt",
        "updatedAt", "customerId", "externalId", "merchantId", "enrollDate", "vip",
        "currency", "balance", "organizationNumber", "externalTier", "personId",
        "customData", "driverLicense", "nationalId",
    )  # fmt: skip


def test_camel_case_in_snake_case_attributes_out():
    """API JSON is read by alias; attributes are snake_case; dumping by alias round-trips."""
    data = {**VALID, "taxId": "000-12-3456", "createdAt": 1555696836548, "externalId": "e-1"}
    customer = tnb.Customer.model_validate(data)
    assert customer.tax_id == "000-12-3456"
    assert customer.created_at == 1555696836548
    assert customer.model_dump(by_alias=True, exclude_none=True) == data


def test_unknown_fields_are_kept_and_sent_back():
    """Fields the schema does not list survive parsing and appear in the payload."""
    data = {**VALID, "loyaltyTier": "gold", "address": {**VALID["address"], "county": "Travis"}}
    customer = tnb.Customer.model_validate(data)
    assert customer.extra_fields == {"loyaltyTier": "gold"}
    payload = customer.to_payload()
    assert payload["loyaltyTier"] == "gold"
    assert payload["address"]["county"] == "Travis"


def test_vip_as_number_is_accepted_and_sent_as_text():
    """The API may send vip as a number; it is read as text and sent as documented."""
    customer = tnb.Customer.model_validate({**VALID, "vip": 3})
    assert customer.vip == "3"
    assert customer.to_payload()["vip"] == "3"


def test_parsing_never_fails_on_constraints():
    """A customer breaking every constraint still parses; warnings say what looks wrong."""
    loose = {"name": "", "email": "nope", "phone": "555", "address": {"country": "USA"}}
    customer = tnb.Customer.model_validate(loose)
    assert customer.name == ""
    assert {w.split(":")[0] for w in customer.warnings} == {"phone", "email", "address.country"}


def test_timestamps_read_leniently_as_epoch_ms():
    """Numeric strings and ISO datetimes become epoch milliseconds."""
    customer = tnb.Customer.model_validate(
        {"createdAt": "1555696836548", "updatedAt": "2019-04-19T18:00:36.548Z"}
    )
    assert customer.created_at == 1555696836548
    assert customer.updated_at == 1555696836548


def test_validation_names_every_failing_field_at_once():
    """One ValidationError lists every broken constraint, with dotted field names."""
    bad = {
        "name": "",
        "address": {"city": "", "state": "T", "zip": "123"},
        "email": "",
        "externalId": "",
        "driverLicense": {"state": "CA"},
    }
    with pytest.raises(tnb.ValidationError) as info:
        validate_payload(bad)
    assert set(info.value.fields) == {
        "name", "phone", "email", "externalId", "address.city", "address.state",
        "address.zip", "address.country", "driverLicense.number",
    }  # fmt: skip
    assert "Nothing was sent" in str(info.value)
    assert "address.zip must be at least 5" in str(info.value)


def test_nan_and_infinity_are_refused_before_sending_with_their_field(emu, client):
    """JSON has no NaN or Infinity: the field is named, and nothing reaches the server
    (requests would refuse the body only after the connection, as a transport error)."""
    (target,) = [c for c in client.list_customers() if c.customer_id][:1]
    with pytest.raises(tnb.ValidationError) as info:
        client.update_customer(
            target.customer_id, customData={"score": math.nan, "tags": [1, math.inf]}
        )
    assert set(info.value.fields) == {"customData.score", "customData.tags[1]"}
    assert "finite number" in str(info.value)
    assert client.get_customer(target.customer_id) == target


def test_required_field_cannot_be_removed_with_null():
    """Sending null for a required field is refused with a reason that says so."""
    with pytest.raises(tnb.ValidationError, match="email is required and cannot be removed"):
        validate_payload({**VALID, "email": None})


def test_optional_field_may_be_null():
    """null removes an optional field: that is allowed."""
    validate_payload({**VALID, "taxId": None, "driverLicense": None})


def test_wrong_types_are_refused():
    """Numbers where text is documented are refused on the way out (a zip loses zeros)."""
    with pytest.raises(tnb.ValidationError) as info:
        validate_payload({**VALID, "address": {**VALID["address"], "zip": 2134}})
    assert info.value.fields == ["address.zip"]
    assert "must be text" in str(info.value)


def test_to_payload_leaves_out_server_timestamps():
    """createdAt/updatedAt are set by Trustly and never sent."""
    customer = tnb.Customer.model_validate({**VALID, "createdAt": 1, "updatedAt": 2})
    payload = customer.to_payload()
    assert "createdAt" not in payload
    assert "updatedAt" not in payload


def test_repr_masks_identity_numbers():
    """A customer's repr never shows a full identity number."""
    customer = tnb.Customer.model_validate(
        {**VALID, "taxId": "000-12-3456", "driverLicense": {"number": "D000123456", "state": "CA"}}
    )
    text = repr(customer)
    assert "000-12-3456" not in text
    assert "D000123456" not in text
    assert "3456" in text


def test_soft_checks_for_us_states_and_licence():
    """State codes are checked against the country; warnings are strings, never raised."""
    customer = tnb.Customer.model_validate(
        {
            **VALID,
            "address": {**VALID["address"], "state": "XX"},
            "driverLicense": {"number": "1", "state": "California"},
            "dateOfBirth": "31/01/1990",
        }
    )
    assert customer.warnings == [
        "address.state: not a US state or province code",
        "driverLicense.state: not a two-letter state code",
        "dateOfBirth: not in YYYY-MM-DD form",
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*CUSTOMER_FIELDS, "extra"]), json_values))
def test_fuzz_parse_then_validate_only_raises_documented_errors(data):
    """Arbitrary JSON parses or fails with pydantic's error; validation only raises ours."""
    try:
        validate_payload(data)
    except tnb.ValidationError as exc:
        problems = exc.errors
        assert problems, "a ValidationError always names at least one field"
    try:
        customer = tnb.Customer.model_validate(data)
    except ValueError:
        return  # not the documented shape at all (e.g. address is a list): the client reports it
    assert isinstance(customer.warnings, list)
    repr(customer)
