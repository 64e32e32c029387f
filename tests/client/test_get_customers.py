"""Get Customers through the fast decoder: the same models as model_validate, every shape.

The oracle is the slow, obvious reading of the same bytes: ``json.loads`` and
``Customer.model_validate`` per customer. Answers come from a loopback server with
pre-built bytes (shapes the emulator never sends) and from the emulator itself.
"""

from __future__ import annotations

import gc
import json
import weakref

import msgspec
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticValidationError

import trustly_nb as tnb
from tests.wire_data import (
    SHAPES,
    assert_same_models,
    body_of,
    customer_dicts,
    oracle_models,
)
from trustly_nb import emulator
from trustly_nb.client._decode import cells_are, decode, paused_gc


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_list_customers_equals_model_validate_on_each_shape(wire, shape):
    """Every customer equals Customer.model_validate of its JSON: fields, fields set, extras."""
    wire.body = body_of(SHAPES[shape](60))
    got = wire.client().list_customers()
    assert_same_models(got, oracle_models(wire.body))
    assert all(type(c) is tnb.Customer for c in got)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_fast_decoder_reads_every_shape_itself(shape):
    """No test shape falls back to the models' validation (the fast path is the one
    measured), and ``nulls`` says whether the body has a null anywhere."""
    body = body_of(SHAPES[shape](20))
    decoded = decode(body)
    assert decoded is not None
    assert decoded.nulls == (b"null" in body)


class _Node:
    pass


def test_paused_gc_hands_what_it_built_to_the_oldest_generation():
    """What is built during the pause is not walked again as young (it moves to the
    oldest generation), and a cycle made there is still collected."""
    with paused_gc():
        assert not gc.isenabled()
        built = [_Node() for _ in range(2000)]
        cycle = _Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled()
    assert gc.get_count()[0] < 700  # no young collection is due
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in built)
    gc.collect()
    assert gone() is None


def test_paused_gc_leaves_a_programs_frozen_objects_frozen():
    gc.freeze()  # as a server that forks does
    try:
        frozen = gc.get_freeze_count()
        assert frozen
        with paused_gc():
            pass
        assert gc.get_freeze_count() == frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()


_CELLS = st.sampled_from([None, msgspec.UNSET, float("nan"), 0, "", "null", [None], {}])


@given(st.lists(_CELLS, max_size=40), st.sampled_from([None, msgspec.UNSET]))
def test_cells_are_is_identity_cell_by_cell(cells, value):
    table = np.empty(len(cells), dtype=object)
    table[:] = cells  # a list in a cell stays one value
    expected = [cell is value for cell in cells]
    assert cells_are(table, value).tolist() == expected
    assert cells_are(table[::2], value).tolist() == expected[::2]  # not contiguous
    square = np.empty((len(cells) // 4, 4), dtype=object)
    square[:] = table[: square.size].reshape(square.shape)
    assert cells_are(square, value).reshape(-1).tolist() == expected[: square.size]


def test_models_from_the_fast_path_behave_like_validated_ones(wire):
    """Assignment is validated, to_payload leaves out what the answer did not hold, and
    a repr still masks identity numbers."""
    wire.body = body_of(SHAPES["dense"](3))
    customer = wire.client().list_customers()[0]
    assert customer.vip == "1"
    assert customer.address is not None
    assert customer.address.zip == "78701"
    with pytest.raises(PydanticValidationError):
        customer.address = "not an address"  # type: ignore[assignment]
    customer.email = "new@example.com"
    assert "email" in customer.model_fields_set
    assert customer.extra_fields["loyaltyTier"] == "silver"
    assert "000-12-1000" not in repr(customer)
    sparse = body_of(SHAPES["sparse"](1))
    wire.body = sparse
    (plain,) = wire.client().list_customers()
    assert set(plain.model_dump(by_alias=True, exclude_unset=True)) == set(
        json.loads(sparse)["customers"][0]
    )


def test_the_emulator_answers_read_the_same_both_ways(emu, client):
    """Through the emulator (the project's reading of the spec), the models equal the oracle."""
    import requests

    auth = (emu.access_id, emu.access_key)
    body = requests.get(f"{emu.base_url}/customers", auth=auth, timeout=5).content
    assert_same_models(client.list_customers(), oracle_models(body))


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"customer": {}}',
        b'{"customers": 3}',
        b'{"customers": ["text"]}',
        b'{"customers": [{"name": "A", "address": "a street"}]}',
        b'{"customers": [{"name": true}]}',
        b'{"customers": [{"createdAt": "yesterday"}]}',
        b'{"customers": [{"customData": [1, 2]}]}',
        b"",
    ],
    ids=[
        "html",
        "no-list",
        "number",
        "text-item",
        "address-text",
        "bool",
        "bad-time",
        "list",
        "empty",
    ],
)
def test_an_answer_not_of_the_documented_shape_raises_inside_the_call(wire, body):
    """Not JSON, no customers list, a customer or address that is not an object, a value
    the models refuse: UnexpectedResponseError from the call itself, for models and frames."""
    wire.body = body
    with pytest.raises(tnb.UnexpectedResponseError):
        wire.client().list_customers()
    with pytest.raises(tnb.UnexpectedResponseError):
        wire.client().customers_frame()


@pytest.mark.parametrize(
    "odd",
    [
        {"createdAt": "1555696836548"},
        {"createdAt": "2019-04-19T18:00:36Z"},
        {"updatedAt": 1555696836548.0},
        {"tax_id": "000-12-3456"},  # pydantic fills a field from its Python name too
        {"vip": 10**30},
        {"email": "\ud800"},
        {"weird `name` - at `$.customers[0]`": 1},
    ],
)
def test_shapes_only_the_models_read_get_the_models_answer(wire, odd):
    """Values the Struct types cannot describe exactly still read as model_validate reads
    them (the decoder hands the whole answer to the models)."""
    customers = SHAPES["seed"](3)
    customers[1].update(odd)
    wire.body = json.dumps({"customers": customers}).encode()
    assert_same_models(wire.client().list_customers(), oracle_models(wire.body))


# --- generated customers ----------------------------------------------------------------


def _oracle_or_error(body: bytes) -> list[tnb.Customer] | None:
    try:
        return oracle_models(body)
    except PydanticValidationError:
        return None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(customer_dicts, max_size=6))
def test_generated_customers_read_as_model_validate_reads_them(wire, customers):
    """Any mix of fields, types, nulls and extras: the same models, or the same refusal."""
    wire.body = json.dumps({"customers": customers}).encode()
    want = _oracle_or_error(wire.body)
    if want is None:
        with pytest.raises(tnb.UnexpectedResponseError):
            wire.client().list_customers(progress=False)
    else:
        assert_same_models(wire.client().list_customers(progress=False), want)


# --- the transport: retries, progress, the environment ------------------------------------


def test_get_customers_rides_out_503s_and_cut_answers():
    """Streamed or not, a GET whose answer fails or is cut off half-way is read again."""
    faults = {
        1: emulator.Fault(503, b"{}", "application/json"),
        2: emulator.Fault.cut_mid_response(),
    }
    with emulator.serve(faults=lambda m, p, k: faults.get(k) if m == "GET" else None) as emu:
        client = emu.client(max_retries=3, backoff=0.001)
        assert len(client.customers_frame()) == len(emu.customers())
        assert len(emu.requests) == 3


def test_a_big_answer_shows_download_and_build_bars_a_small_one_nothing(wire, capsys):
    """Over a few MB: a bar with the bytes, then the build's steps. Small, or
    progress=False: nothing at all."""
    wire.body = body_of(SHAPES["dense"](8_000))
    assert len(wire.body) > 4 << 20
    wire.client().customers_frame()
    shown = capsys.readouterr().err
    assert "Get Customers" in shown
    assert "Building customers" in shown
    wire.client().list_customers(progress=False)
    wire.client().customers_frame(progress=False)
    wire.body = body_of(SHAPES["dense"](50))
    wire.client().customers_frame()
    wire.client().list_customers()
    assert capsys.readouterr().err == ""


def test_the_environment_is_read_once_when_the_client_is_made(emu, monkeypatch):
    """A proxy set after the client was made changes nothing; one set before is used."""
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = emu.client(max_retries=0)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    assert client.list_customers()
    proxied = emu.client(max_retries=0)
    with pytest.raises(tnb.TransportError):
        proxied.list_customers()
