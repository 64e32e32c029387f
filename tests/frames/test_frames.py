"""Customers ⇄ DataFrames: layout, masking, edited frames back to changes, diffs."""

from __future__ import annotations

import copy
import math
import pickle
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustly_nb as tnb
from trustly_nb.changes import merge
from trustly_nb.frames import (
    DOCUMENTED_COLUMNS,
    MASKED_ATTR,
    customers_to_frame,
    diff_customers,
    diff_frame,
    frame_to_changes,
    frame_warnings,
    read_stamps,
    style_diff,
)
from trustly_nb.models import SENSITIVE_FIELDS

MS = 1_555_696_836_548  # Trustly's sample timestamp

ADA: dict[str, Any] = {
    "customerId": "1001",
    "name": "Ada Lovelace",
    "taxId": "000-12-6790",
    "address": {
        "address1": "1 Main St",
        "city": "Boston",
        "state": "MA",
        "zip": "02134",
        "country": "US",
    },
    "phone": "+15555550100",
    "email": "ada@example.com",
    "dateOfBirth": "1915-12-10",
    "createdAt": MS,
    "updatedAt": MS + 1000,
    "enrollDate": MS - 1000,
    "externalId": "ext-1001",
    "driverLicense": {"number": "000123456", "state": "MA"},
    "customData": {"segment": "retail", "score": 61},
}
BOB: dict[str, Any] = {
    "customerId": "1002",
    "name": "Bob",
    "address": {"country": "CA", "state": "XX"},
    "phone": "555",
    "email": "bob@",
    "vip": "true",
    "createdAt": MS,
    "updatedAt": MS,
}


@pytest.fixture
def frame() -> pd.DataFrame:
    return customers_to_frame([ADA, BOB])


@pytest.fixture
def raw() -> pd.DataFrame:
    return customers_to_frame([ADA, BOB], mask=False)


# --- customers_to_frame ---------------------------------------------------------------


def test_documented_columns_in_schema_order_then_extras_then_custom_data(raw):
    """Dotted nested columns sit in schema order; customData keys come last, sorted."""
    assert list(raw.columns) == [*DOCUMENTED_COLUMNS, "customData.score", "customData.segment"]
    assert DOCUMENTED_COLUMNS[:4] == ("name", "taxId", "address.address1", "address.address2")
    assert raw.index.name == "customerId"
    assert list(raw.index) == ["1001", "1002"]
    assert "customerId" not in raw.columns


def test_timestamps_are_utc_milliseconds_and_missing_values_are_na(raw):
    """Epoch ms become datetime64[ms, UTC]; absent fields are NaN / NaT."""
    for column in ("createdAt", "updatedAt", "enrollDate"):
        assert str(raw[column].dtype) == "datetime64[ms, UTC]"
    assert raw.loc["1001", "updatedAt"] == pd.Timestamp(MS + 1000, unit="ms", tz="UTC")
    assert raw.loc["1001", "createdAt"].value // 10**6 == MS  # no precision lost
    assert pd.isna(raw.loc["1002", "enrollDate"])
    assert pd.isna(raw.loc["1002", "address.city"])
    assert raw.loc["1001", "address.zip"] == "02134"  # text stays text
    assert raw.loc["1001", "customData.score"] == 61


def test_empty_input_gives_every_documented_column():
    """No customers still gives the documented columns with their dtypes."""
    for empty in ([], {"customers": []}):
        frame = customers_to_frame(empty)
        assert frame.empty
        assert list(frame.columns) == list(DOCUMENTED_COLUMNS)
        assert frame.index.name == "customerId"
        assert str(frame["createdAt"].dtype) == "datetime64[ms, UTC]"
        assert frame["name"].dtype == object


def test_every_input_shape_gives_the_same_frame(raw):
    """A list, the raw response, Customer models and mappings all read the same."""
    pd.testing.assert_frame_equal(customers_to_frame({"customers": [ADA, BOB]}, mask=False), raw)
    models = [tnb.Customer.model_validate(c) for c in (ADA, BOB)]
    pd.testing.assert_frame_equal(customers_to_frame(models, mask=False), raw)
    one = customers_to_frame({"customer": ADA}, mask=False)
    pd.testing.assert_frame_equal(one, raw.loc[["1001"]])
    pd.testing.assert_frame_equal(models[0].to_frame(mask=False), one)


def test_models_changed_after_reading_show_their_new_values():
    """A field set on a model afterwards, by assignment or model_copy, is in the frame,
    however few models have it (the build from models reads only the fields some model
    has set)."""
    bob = tnb.Customer.model_validate(BOB)
    bob.email = "bob@example.com"
    bob.address = tnb.Address(city="Paris")
    ada = tnb.Customer.model_validate({"customerId": "1001"}).model_copy(
        update={"tax_id": "000-12-6790"}
    )
    frame = customers_to_frame([ada, bob], mask=False)
    assert frame.loc["1001", "taxId"] == "000-12-6790"
    assert frame.loc["1002", ["email", "address.city"]].tolist() == ["bob@example.com", "Paris"]
    assert frame.loc["1001", ["email", "address.city"]].isna().all()
    dumped = customers_to_frame([c.model_dump(by_alias=True) for c in (ada, bob)], mask=False)
    pd.testing.assert_frame_equal(frame, dumped)


def test_unknown_fields_are_kept_as_columns():
    """Extra top-level and address fields become columns; objects stay in one cell."""
    customer = {
        **BOB,
        "loyaltyTier": "gold",
        "tags": ["a", "b"],
        "meta": {"source": "import"},
        "address": {"country": "US", "county": "Suffolk"},
    }
    frame = customers_to_frame([customer, ADA])
    extras = list(frame.columns[len(DOCUMENTED_COLUMNS) :])
    assert extras == [
        "loyaltyTier",
        "meta",
        "tags",
        "address.county",
        "customData.score",
        "customData.segment",
    ]
    assert frame.loc["1002", "tags"] == ["a", "b"]
    assert frame.loc["1002", "meta"] == {"source": "import"}
    assert pd.isna(frame.loc["1001", "loyaltyTier"])


def test_odd_shapes_are_read_leniently():
    """Numeric ids, explicit nulls, odd timestamps and a non-object address do not fail."""
    frame = customers_to_frame(
        [
            {
                "customerId": 7,
                "name": None,
                "address": "somewhere",
                "createdAt": "2020-01-02T03:04:05Z",
                "updatedAt": "not a date",
                "enrollDate": 1.5e12,
            },
        ],
        mask=False,
    )
    assert list(frame.index) == ["7"]
    assert pd.isna(frame.loc["7", "name"])  # an explicit null is NaN, like a missing key
    assert frame.loc["7", "address"] == "somewhere"
    assert frame.loc["7", "createdAt"] == pd.Timestamp("2020-01-02T03:04:05Z")
    assert pd.isna(frame.loc["7", "updatedAt"])
    assert frame.loc["7", "enrollDate"] == pd.Timestamp(1_500_000_000_000, unit="ms", tz="UTC")


def test_anything_else_is_a_type_error():
    with pytest.raises(TypeError, match="Customer"):
        customers_to_frame(["not a customer"])
    with pytest.raises(TypeError):
        customers_to_frame("1001")


# --- masking -------------------------------------------------------------------------


def test_sensitive_columns_are_masked_by_default(frame, raw):
    """At most the last four characters show, and attrs say which columns are masked."""
    assert frame.loc["1001", "taxId"] == "•••••••6790"
    assert frame.loc["1001", "driverLicense.number"].endswith("3456")
    assert set(frame.attrs[MASKED_ATTR]) == set(SENSITIVE_FIELDS)
    assert raw.attrs[MASKED_ATTR] == []
    assert raw.loc["1001", "taxId"] == "000-12-6790"


def test_masked_values_never_leak_into_text_or_html(frame):
    """Neither to_string nor the notebook's HTML repr shows a raw identity number."""
    with pd.option_context("display.max_columns", None, "display.width", 10_000):
        shown = frame.to_string() + frame._repr_html_()
    for secret in ("000-12-6790", "000123456", "1915-12-10"):
        assert secret not in shown


def test_numbers_in_sensitive_fields_are_masked_too():
    frame = customers_to_frame([{"customerId": "1", "taxId": 123456789}])
    assert frame.loc["1", "taxId"] == "•••••6789"


# --- frame_to_changes ----------------------------------------------------------------


def test_an_unedited_copy_has_no_changes(frame):
    assert frame_to_changes(frame.copy(), frame) == {}


def test_only_changed_cells_come_back_in_the_nested_shape(raw):
    edited = raw.copy()
    edited.loc["1001", "address.city"] = "Austin"
    edited.loc["1001", "customData.segment"] = "vip"
    edited.loc["1002", "email"] = "bob@example.com"
    edited.loc["1002", "enrollDate"] = pd.Timestamp("2021-01-01", tz="UTC")
    assert frame_to_changes(edited, raw) == {
        "1001": {"address": {"city": "Austin"}, "customData": {"segment": "vip"}},
        "1002": {"email": "bob@example.com", "enrollDate": 1_609_459_200_000},
    }


def test_blank_and_nan_mean_no_change_never_null(raw):
    """NaN, None, NA, NaT and blank text are 'no change'; they never become null."""
    edited = raw.copy()
    edited.loc["1001", "name"] = np.nan
    edited.loc["1001", "email"] = None
    edited.loc["1001", "phone"] = pd.NA
    edited.loc["1001", "externalId"] = "   "
    edited.loc["1001", "enrollDate"] = pd.NaT
    assert frame_to_changes(edited, raw) == {}


def test_clear_and_the_clear_text_send_null(raw):
    edited = raw.copy()
    edited.loc["1001", "externalId"] = tnb.CLEAR
    edited.loc["1001", "address.zip"] = "<clear>"
    edited.loc["1002", "vip"] = " <clear> "
    edited.loc["1002", "externalId"] = tnb.CLEAR  # already unset: nothing to remove
    assert frame_to_changes(edited, raw) == {
        "1001": {"address": {"zip": None}, "externalId": None},
        "1002": {"vip": None},
    }


def test_editing_a_masked_cell_is_refused_with_a_clear_error(frame):
    """The customer, the field and what to do instead are all in the message."""
    edited = frame.copy()
    edited.loc["1001", "taxId"] = "000-12-9999"
    edited.loc["1001", "driverLicense.number"] = "•••9999"
    with pytest.raises(tnb.ValidationError) as info:
        frame_to_changes(edited, frame)
    message = str(info.value)
    assert info.value.fields == ["taxId", "driverLicense.number"]
    assert "customer 1001" in message
    assert "mask=False" in message
    assert "update_customer" in message


def test_a_masked_frame_can_clear_or_fill_an_empty_identity_field(frame):
    """Clearing or filling an empty masked cell never writes a mask back."""
    edited = frame.copy()
    edited.loc["1001", "taxId"] = tnb.CLEAR
    edited.loc["1002", "taxId"] = "000-98-7654"
    assert frame_to_changes(edited, frame) == {
        "1001": {"taxId": None},
        "1002": {"taxId": "000-98-7654"},
    }


def test_a_value_that_looks_masked_is_never_sent(raw):
    edited = raw.copy()
    edited.loc["1002", "nationalId"] = "#####6790"
    with pytest.raises(tnb.ValidationError, match="looks masked"):
        frame_to_changes(edited, raw)


def test_read_only_columns_cannot_be_edited(raw):
    edited = raw.copy()
    edited.loc["1001", "updatedAt"] = pd.Timestamp("2030-01-01", tz="UTC")
    with pytest.raises(tnb.ValidationError, match="updatedAt of customer 1001 is set by Trustly"):
        frame_to_changes(edited, raw)


def test_rows_must_come_from_the_original(raw):
    extra = pd.concat([raw, raw.loc[["1001"]].rename(index={"1001": "9999"})])
    with pytest.raises(tnb.ValidationError, match="9999: not in the original frame"):
        frame_to_changes(extra, raw)
    doubled = pd.concat([raw, raw.loc[["1001"]]])
    with pytest.raises(tnb.ValidationError, match="more than once"):
        frame_to_changes(doubled, raw)


def test_a_filtered_part_of_the_frame_is_fine(raw):
    edited = raw.loc[raw["name"] == "Bob"].copy()
    edited.loc["1002", "name"] = "Robert"
    assert frame_to_changes(edited, raw) == {"1002": {"name": "Robert"}}


def test_added_columns_are_field_changes_and_unknown_names_are_refused(raw):
    edited = raw.copy()
    edited["customData.channel"] = [np.nan, "web"]
    edited["external_tier"] = ["Gold", np.nan]  # snake_case is accepted
    assert frame_to_changes(edited, raw) == {
        "1001": {"externalTier": "Gold"},
        "1002": {"customData": {"channel": "web"}},
    }
    edited["emial"] = "x@example.com"
    with pytest.raises(tnb.ValidationError, match="did you mean 'email'"):
        frame_to_changes(edited, raw)


def test_unreadable_timestamps_are_refused(raw):
    edited = raw.copy()
    edited["enrollDate"] = edited["enrollDate"].astype(object)
    edited.loc["1001", "enrollDate"] = "next tuesday"
    with pytest.raises(tnb.ValidationError, match="enrollDate of customer 1001 cannot be read"):
        frame_to_changes(edited, raw)


def test_a_frame_read_back_from_csv_compares_by_meaning(frame, tmp_path: Path):
    """Text from read_csv(dtype=str) equals the original's timestamps, numbers and masks."""
    path = tmp_path / "customers.csv"
    frame.to_csv(path)
    edited = pd.read_csv(path, dtype=str, index_col="customerId")
    assert frame_to_changes(edited, frame) == {}
    edited.loc["1001", "enrollDate"] = "2021-01-01T00:00:00Z"
    edited.loc["1001", "customData.score"] = "62"
    edited.loc["1002", "address.city"] = "Toronto"
    assert frame_to_changes(edited, frame) == {
        "1001": {"enrollDate": 1_609_459_200_000, "customData": {"score": 62}},
        "1002": {"address": {"city": "Toronto"}},
    }
    # without index_col, customerId is a column: it is found there too
    plain = pd.read_csv(path, dtype=str)
    assert frame_to_changes(plain, frame) == {}


def test_read_stamps_gives_epoch_ms_per_customer(frame, tmp_path: Path):
    assert read_stamps(frame) == {"1001": MS + 1000, "1002": MS}
    path = tmp_path / "customers.csv"
    frame.to_csv(path)
    assert read_stamps(pd.read_csv(path, dtype=str, index_col="customerId")) == read_stamps(frame)
    no_stamps = customers_to_frame([{"customerId": "5", "name": "x"}])
    assert read_stamps(no_stamps) == {"5": None}


# --- diffs and warnings --------------------------------------------------------------


def test_diff_frame_lists_one_row_per_changed_cell(frame):
    edited = frame.copy()
    edited.loc["1001", "address.city"] = "Austin"
    edited.loc["1002", "externalId"] = "ext-1002"
    diff = diff_frame(frame, edited)
    assert list(diff.columns) == ["customerId", "field", "before", "after"]
    assert diff.to_dict("records") == [
        {"customerId": "1001", "field": "address.city", "before": "Boston", "after": "Austin"},
        {"customerId": "1002", "field": "externalId", "before": None, "after": "ext-1002"},
    ]
    assert diff_frame(frame, frame).empty


def test_diff_frame_keeps_masked_columns_masked(frame, raw):
    """A raw frame against a masked one shows both sides masked."""
    changed = customers_to_frame([{**ADA, "taxId": "000-99-1111"}, BOB], mask=False)
    diff = diff_frame(frame, changed)
    row = diff.set_index("field").loc["taxId"]
    assert (row["before"], row["after"]) == ("•••••••6790", "•••••••1111")
    assert "000-99-1111" not in diff.to_string()
    assert diff_frame(frame, raw).empty  # same values, one side masked


def test_diff_customers_compares_in_full_and_shows_masked():
    """A tax id change is listed even when its last four characters stay the same."""
    after = {**ADA, "taxId": "000-99-6790", "email": "ada@example.org", "updatedAt": MS + 5}
    diff = diff_customers(ADA, after)
    assert diff[["field", "before", "after"]].values.tolist() == [
        ["taxId", "•••••••6790", "•••••••6790"],
        ["email", "ada@example.com", "ada@example.org"],
    ]
    unmasked = diff_customers(tnb.Customer.model_validate(ADA), after, mask=False)
    assert unmasked.loc[0, "after"] == "000-99-6790"


def test_diff_customers_reads_a_post_body_as_partial():
    """A merge() payload leaves fields out (masked ones, timestamps): they are unchanged."""
    current = {**ADA, "taxId": "#####6790"}
    payload, _ = merge(current, {"address": {"city": "Austin"}})
    assert "taxId" not in payload
    diff = diff_customers(current, payload, partial=True)
    assert diff[["customerId", "field", "before", "after"]].values.tolist() == [
        ["1001", "address.city", "Boston", "Austin"],
    ]


def test_diff_frame_covers_rows_only_on_one_side(raw):
    """A customer only in one frame shows its set fields against None."""
    diff = diff_frame(raw.loc[["1001"]], raw)
    assert set(diff["customerId"]) == {"1002"}
    assert diff.loc[diff["field"] == "name", "after"].tolist() == ["Bob"]
    assert diff["before"].isna().all()


def test_style_diff_highlights_both_sides(frame):
    edited = frame.copy()
    edited.loc["1001", "name"] = "Ada King"
    html = style_diff(diff_frame(frame, edited)).to_html()
    assert "Ada King" in html
    assert "#fde8e8" in html
    assert "#e3f6e8" in html


def test_frame_warnings_reports_soft_checks_per_row(frame):
    warnings = frame_warnings(frame)
    assert list(warnings.columns) == ["customerId", "field", "warning"]
    assert warnings[["customerId", "field"]].values.tolist() == [
        ["1002", "phone"],
        ["1002", "email"],
        ["1002", "address.state"],
    ]
    assert frame_warnings(frame.loc[["1001"]]).empty


def test_a_customer_not_created_yet_still_has_a_frame_warnings_and_a_diff():
    """No customerId: the frame, its warnings and a diff all still work."""
    draft = tnb.Customer(
        name="Ada", phone="555", email="ada@example.com", address={"country": "USA"}
    )
    frame = draft.to_frame()
    assert frame.index.isna().all()
    assert frame_warnings(frame)["field"].tolist() == ["phone", "address.country"]
    diff = diff_customers(draft, {**draft.model_dump(by_alias=True), "name": "Ada L."})
    assert diff[["field", "after"]].values.tolist() == [["name", "Ada L."]]


def test_the_id_may_also_be_a_column(raw):
    """reset_index() or set_index(drop=False) frames are read by their customerId."""
    edited = raw.reset_index()
    edited.loc[0, "name"] = "Ada King"
    assert frame_to_changes(edited, raw) == {"1001": {"name": "Ada King"}}
    both = edited.set_index("customerId", drop=False)
    assert frame_to_changes(both, raw) == {"1001": {"name": "Ada King"}}


def test_frames_need_no_pyarrow(raw):
    """pyarrow is optional for pandas 3: the same frame comes out without it."""
    script = (
        "import sys, pickle; sys.modules['pyarrow'] = None\n"
        "from trustly_nb.frames import customers_to_frame\n"
        "from tests.frames.test_frames import ADA, BOB\n"
        "sys.stdout.buffer.write(pickle.dumps(customers_to_frame([ADA, BOB], mask=False)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    without = pickle.loads(out.stdout)  # noqa: S301 (our own bytes)
    # only the column labels differ: pandas 3 stores them as str, python-backed without it
    pd.testing.assert_frame_equal(without, raw, check_column_type=False)


# --- properties ----------------------------------------------------------------------

_WORD = st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=10).map(
    lambda s: "w" + s.strip()
)
_STAMP = st.integers(min_value=1_000_000_000_000, max_value=4_000_000_000_000)
_IDENTITY = st.tuples(st.integers(10, 99), st.integers(1000, 9999)).map(
    lambda p: f"000-{p[0]}-{p[1]}"
)


@st.composite
def customers(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=0, max_value=6))
    out = []
    for i in range(count):
        address = {"country": draw(st.sampled_from(["US", "CA", "USA"]))}
        for key in ("address1", "address2", "city", "state", "zip"):
            if draw(st.booleans()):
                address[key] = draw(_WORD)
        customer: dict[str, Any] = {
            "customerId": str(1000 + i),
            "name": draw(_WORD),
            "address": address,
            "phone": draw(_WORD),
            "email": draw(_WORD),
            "createdAt": draw(_STAMP),
            "updatedAt": draw(_STAMP),
        }
        optional = {
            "taxId": _IDENTITY,
            "nationalId": _IDENTITY,
            "personId": _IDENTITY,
            "dateOfBirth": st.dates(
                min_value=pd.Timestamp("1900-01-01").date(),
                max_value=pd.Timestamp("1950-12-31").date(),
            ).map(str),
            "enrollDate": _STAMP,
            "externalId": _WORD,
            "vip": _WORD,
            "loyaltyTier": _WORD,
            "customData": st.dictionaries(
                st.sampled_from(["a", "b", "c"]), _WORD | st.integers(0, 100), min_size=1
            ),
            "driverLicense": st.fixed_dictionaries({"number": _IDENTITY, "state": _WORD}),
        }
        for key, strategy in optional.items():
            if draw(st.booleans()):
                customer[key] = draw(strategy)
        out.append(customer)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=customers(), reverse=st.booleans())
def test_layout_is_stable_whatever_the_order(data, reverse):
    """Same customers, any order: the same columns in the same order, the same rows."""
    frame = customers_to_frame(data, mask=False)
    other = customers_to_frame(data[::-1] if reverse else data, mask=False)
    assert list(frame.columns) == list(other.columns)
    assert list(frame.columns[: len(DOCUMENTED_COLUMNS)]) == list(DOCUMENTED_COLUMNS)
    pd.testing.assert_frame_equal(frame, other.loc[frame.index])


def _reference_frame(data: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame built the slow, obvious way, one record and one field at a time."""
    rows: dict[str, dict[str, Any]] = {}
    for customer in data:
        row: dict[str, Any] = {}
        for key, value in customer.items():
            if key in ("address", "driverLicense", "customData") and isinstance(value, dict):
                row.update({f"{key}.{sub}": inner for sub, inner in value.items()})
            elif key != "customerId":
                row[key] = value
        rows[customer["customerId"]] = row
    seen = {key for row in rows.values() for key in row} - set(DOCUMENTED_COLUMNS)
    top = sorted(k for k in seen if "." not in k)
    nested = sorted(k for k in seen if "." in k and not k.startswith("customData."))
    custom = sorted(k for k in seen if k.startswith("customData."))
    columns = [*DOCUMENTED_COLUMNS, *top, *nested, *custom]
    frame = pd.DataFrame(
        {c: pd.Series([r.get(c, np.nan) for r in rows.values()], dtype=object) for c in columns}
    )
    for column in ("createdAt", "updatedAt", "enrollDate"):
        stamps = pd.to_datetime(frame[column].astype("float64"), unit="ms", utc=True)
        frame[column] = stamps.dt.as_unit("ms")
    frame.index = pd.Index(list(rows), dtype=object, name="customerId")
    return frame


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=customers())
def test_the_fast_build_matches_the_obvious_one(data):
    """The columnar build gives what a per-record loop gives, from dicts and from models."""
    expected = _reference_frame(data)
    pd.testing.assert_frame_equal(customers_to_frame(data, mask=False), expected)
    models = [tnb.Customer.model_validate(c) for c in data]
    pd.testing.assert_frame_equal(tnb.customers_to_frame(models, mask=False), expected)


def _odd_one(customer: dict[str, Any], odd: str) -> dict[str, Any]:
    """``customer`` with its keys changed as ``odd`` says (same data otherwise)."""
    changed = copy.deepcopy(customer)
    if odd == "reordered":
        changed = dict(reversed(list(changed.items())))
    elif odd == "extra":
        changed["zzExtra"] = "x"
    elif odd == "swapped":  # as many keys as the others, one of them another
        del changed["email"]
        changed["zzExtra"] = "x"
    elif odd == "short":
        del changed["phone"]
    elif odd == "nested swapped":
        changed["address"] = {**{k: v for k, v in changed["address"].items() if k != "country"}}
        changed["address"]["zzExtra"] = "x"
    return changed


_ODD = ["none", "reordered", "extra", "swapped", "short", "nested swapped"]


@pytest.mark.parametrize("at", [0, 1, 299], ids=["first", "second", "past the first 256"])
@pytest.mark.parametrize("odd", _ODD)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=customers())
def test_records_of_one_shape_and_one_odd_one_match_the_obvious_build(data, odd, at):
    """300 records with the keys of the first (which take a faster read), one of them
    changed anywhere, past the first few hundred too: read as the obvious loop reads them."""
    if not data:
        return
    records = [{**copy.deepcopy(data[0]), "customerId": str(5000 + i)} for i in range(300)]
    records[at] = _odd_one(records[at], odd)
    expected = _reference_frame(records)
    pd.testing.assert_frame_equal(customers_to_frame(records, mask=False), expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=customers())
def test_masking_never_leaks_a_raw_value(data):
    frame = customers_to_frame(data)
    with pd.option_context(
        "display.max_columns",
        None,
        "display.max_rows",
        None,
        "display.width",
        10_000,
        "display.max_colwidth",
        None,
    ):
        shown = frame.to_string() + frame._repr_html_()
    for customer in data:
        secrets = [customer.get(f) for f in ("taxId", "nationalId", "personId", "dateOfBirth")]
        secrets.append((customer.get("driverLicense") or {}).get("number"))
        for secret in filter(None, secrets):
            assert secret not in shown


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=customers(), picks=st.data())
def test_frame_to_changes_round_trips_through_merge(data, picks):
    """Edited frame → changes → merged customers hold exactly the edited values."""
    original = customers_to_frame(data, mask=False)
    edited = original.copy()
    # A datetime64 column refuses CLEAR and text: clearing a timestamp needs object dtype.
    edited["enrollDate"] = edited["enrollDate"].astype(object)
    editable = [c for c in original.columns if c not in ("createdAt", "updatedAt")]
    expected: dict[tuple[str, str], Any] = {}
    if len(original):
        cells = picks.draw(
            st.lists(
                st.tuples(st.sampled_from(list(original.index)), st.sampled_from(editable)),
                max_size=8,
            )
        )
        for cid, column in cells:
            kind = picks.draw(st.sampled_from(["text", "clear", "nan"]))
            if column == "enrollDate":
                value: Any = {
                    "text": pd.Timestamp(picks.draw(_STAMP), unit="ms", tz="UTC"),
                    "clear": tnb.CLEAR,
                    "nan": pd.NaT,
                }[kind]
            else:
                value = {"text": picks.draw(_WORD), "clear": "<clear>", "nan": np.nan}[kind]
            edited.loc[cid, column] = value
            expected[(cid, column)] = value
    changes = frame_to_changes(edited, original)
    by_id = {c["customerId"]: c for c in data}
    for cid, change in changes.items():
        assert any(key[0] == cid for key in expected)
        payload, _ = merge(by_id[cid], change)
        merged = customers_to_frame([{**payload, "customerId": cid}], mask=False)
        for column in editable:
            want = edited.loc[cid, column]
            got = merged.loc[cid, column] if column in merged.columns else np.nan
            cleared = want is tnb.CLEAR or want == "<clear>"
            if cleared or (pd.isna(want) and pd.isna(original.loc[cid, column])):
                assert pd.isna(got), (column, got)
            elif pd.isna(want):  # NaN means "no change": the original value stays
                assert got == original.loc[cid, column], column
            else:
                assert got == want, (column, got, want)
    # NaN never becomes null: a None in a change set always comes from CLEAR / "<clear>"
    cleared_cells = {
        key
        for key, value in expected.items()
        if (value is tnb.CLEAR or value == "<clear>") and not _is_na(original.loc[key])
    }
    for cid, change in changes.items():
        for field, value in _flatten(change):
            if value is None:
                assert (cid, field) in cleared_cells


def _is_na(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _flatten(change: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for key, value in change.items():
        if isinstance(value, dict) and key in ("address", "driverLicense", "customData"):
            out.extend((f"{key}.{k}", v) for k, v in value.items())
        else:
            out.append((key, value))
    return out
