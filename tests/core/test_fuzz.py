"""Property-based fuzzing: arbitrary input gets a documented answer, never a crash.

- The emulator answers any body on any path with a Trustly-shaped 200/400/404, never a 500.
- The client turns any change set into an update or a documented error (``TrustlyError``);
  nothing else escapes, and a refused change sends no write.
- Any JSON the API might return parses, or fails as ``UnexpectedResponseError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustly_nb as tnb
from trustly_nb import emulator
from trustly_nb.models import ADDRESS_FIELDS, CUSTOMER_FIELDS

FUZZ = settings(
    max_examples=150,
    deadline=None,  # HTTP on 2 shared cores: no per-example deadline
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.text(min_size=5000, max_size=20000, alphabet="ab€𝄞\x00 ")  # huge and odd strings
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
field_names = st.sampled_from(
    [*CUSTOMER_FIELDS, *(f"address.{f}" for f in ADDRESS_FIELDS), "driverLicense.number",
     "driverLicense.state", "customData.note", "tax_id", "emial", "unknownField"]
)  # fmt: skip
change_sets = st.dictionaries(field_names, json_values, min_size=1, max_size=4)
bodies = st.one_of(
    st.dictionaries(st.sampled_from([*CUSTOMER_FIELDS, "extra"]), json_values, max_size=8),
    json_values,
)


@pytest.fixture(scope="module")
def fuzz_emu() -> Iterator[emulator.Emulator]:
    """One emulator for every example of this module: hypothesis runs many examples in one
    test call, so a per-test emulator would be shared anyway; one per module saves the
    start-up per test."""
    with emulator.serve() as emu:
        yield emu


@pytest.fixture(scope="module")
def raw(fuzz_emu) -> Iterator[requests.Session]:
    session = requests.Session()
    session.auth = (fuzz_emu.access_id, fuzz_emu.access_key)
    yield session
    session.close()


def _assert_trustly_shaped(response: requests.Response) -> None:
    assert response.status_code in (200, 400, 404), response.text[:300]
    body = response.json()
    if response.status_code == 200:
        assert "customer" in body or "customers" in body
    else:
        assert isinstance(body["errors"], list)
        assert body["errors"]
        for error in body["errors"]:
            assert isinstance(error["code"], int)
            assert isinstance(error["message"], str)


@FUZZ
@given(body=bodies, by_id=st.booleans())
def test_emulator_answers_any_body_without_crashing(fuzz_emu, raw, body, by_id):
    """Any JSON posted to either write endpoint gets a 200 or a Trustly 400, never a 500."""
    cid = fuzz_emu.customers()[0]["customerId"]
    path = f"/customers/{cid}" if by_id else "/customers"
    data = json.dumps(body, allow_nan=True)
    response = raw.post(
        fuzz_emu.base_url + path, data=data, headers={"Content-Type": "application/json"}
    )
    _assert_trustly_shaped(response)


@FUZZ
@given(raw_body=st.binary(max_size=200), path=st.text(max_size=30))
def test_emulator_answers_any_bytes_on_any_path(fuzz_emu, raw, raw_body, path):
    """Bytes that are not JSON, on paths that may not exist, still get a Trustly-shaped answer."""
    safe = requests.utils.quote(path, safe="")
    response = raw.post(f"{fuzz_emu.base_url}/customers/{safe}", data=raw_body)
    _assert_trustly_shaped(response)
    response = raw.get(f"{fuzz_emu.base_url}/{safe}")
    _assert_trustly_shaped(response)


@FUZZ
@given(changes=change_sets)
def test_client_turns_any_change_set_into_an_update_or_a_documented_error(fuzz_emu, changes):
    """update_customer succeeds or is refused before sending: the client's checks and the
    API's agree, so no change set it lets through is rejected by the server."""
    client = fuzz_emu.client(max_retries=0)
    cid = fuzz_emu.customers()[1]["customerId"]
    fuzz_emu.reset_requests()
    try:
        client.update_customer(cid, **changes)
    except tnb.ValidationError:
        assert all(r.method == "GET" for r in fuzz_emu.requests)


@settings(max_examples=300, deadline=None)
@given(item=json_values)
def test_any_json_the_api_returns_parses_or_is_reported(item):
    """Parsing a response never fails with anything but UnexpectedResponseError."""
    body = json.dumps({"customer": item}).encode()
    answer = emulator.Fault(status=200, body=body, content_type="application/json")
    with emulator.serve(faults=lambda method, path, k: answer) as emu:
        try:
            customer = emu.client(max_retries=0).get_customer("1")
        except tnb.UnexpectedResponseError as error:
            message = str(error)
            assert "GET /customers/1" in message
            return
        assert isinstance(customer.warnings, list)
