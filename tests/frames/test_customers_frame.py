"""client.customers_frame: the documented frame straight from the answer's bytes.

Every test compares with the slow, obvious oracle
``customers_to_frame([Customer.model_validate(d) for d in json.loads(body)["customers"]])``
(values, dtypes, column order, index, attrs), and with
``customers_to_frame(client.list_customers())``.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticValidationError

import trustly_nb as tnb
from tests.wire_data import (
    SHAPES,
    assert_same_frame,
    body_of,
    customer_dicts,
    oracle_frame,
)
from trustly_nb import emulator


@pytest.mark.parametrize("mask", [True, False], ids=["masked", "unmasked"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_customers_frame_equals_the_oracle_on_each_shape(wire, shape, mask):
    """customers_frame and customers_to_frame(list_customers()) both equal the oracle."""
    wire.body = body_of(SHAPES[shape](40))
    want = oracle_frame(wire.body, mask=mask)
    client = wire.client()
    assert_same_frame(client.customers_frame(mask=mask), want)
    assert_same_frame(tnb.customers_to_frame(client.list_customers(), mask=mask), want)


def test_an_empty_answer_still_has_every_documented_column(wire):
    """No customers: the documented columns, in order, and the customerId index."""
    wire.body = b'{"customers": []}'
    frame = wire.client().customers_frame()
    assert_same_frame(frame, oracle_frame(wire.body, mask=True))
    assert list(frame.columns) == list(tnb.frames.DOCUMENTED_COLUMNS)


def test_filters_reach_the_server_like_list_customers(emu, client):
    """external_id / customer_id are Get Customers' query parameters, as for list_customers."""
    some = emu.customers()[0]
    frame = client.customers_frame(customer_id=some["customerId"])
    assert list(frame.index) == [some["customerId"]]
    assert emu.requests[-1].path.endswith(f"customerId={some['customerId']}")


def test_the_emulator_frame_equals_the_frame_from_models(client):
    """On the emulator's seed data, with its timestamps, licences and customData."""
    frame = client.customers_frame()
    assert_same_frame(frame, tnb.customers_to_frame(client.list_customers()))
    assert str(frame["createdAt"].dtype) == "datetime64[ms, UTC]"
    assert frame.attrs["trustly_nb.masked"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(customer_dicts, max_size=6), st.booleans())
def test_generated_customers_give_the_oracle_frame(wire, customers, mask):
    """Any mix of fields, types, nulls and extras: the oracle's frame, or the same refusal."""
    wire.body = json.dumps({"customers": customers}).encode()
    try:
        want = oracle_frame(wire.body, mask=mask)
    except PydanticValidationError:
        with pytest.raises(tnb.UnexpectedResponseError):
            wire.client().customers_frame(mask=mask, progress=False)
        return
    assert_same_frame(wire.client().customers_frame(mask=mask, progress=False), want)


def test_a_recorded_get_customers_replays_into_the_same_frame(cassettes_dir):
    """Streamed through vcrpy: recorded against the emulator, replayed from the cassette
    (use_cassette, then connect()'s replay adapter), the frame is the same."""
    with emulator.serve() as emu, tnb.use_cassette("frame", mode="record"):
        recorded = emu.client().customers_frame()
    with tnb.use_cassette("frame"):
        replayed = emu.client().customers_frame()
    assert_same_frame(replayed, recorded)
    client = tnb.connect("frame")
    assert_same_frame(client.customers_frame(), recorded)
    assert_same_frame(tnb.customers_to_frame(client.list_customers()), recorded)
