"""The emulator, over real loopback HTTP with plain ``requests`` (no trustly_nb client)."""

from __future__ import annotations

import copy
import itertools
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import pytest
import requests

from trustly_nb import emulator
from trustly_nb.emulator import Emulator, Fault

from ..factories import valid_customer

INVALID = "com.trustly.merchantgateway.v1.exception.InvalidParameterException"
ACCESS = "com.trustly.merchantgateway.v1.exception.AccessControlException"
ADA = "1001165729"  # the first seed customer: complete and valid
VALID: dict[str, Any] = valid_customer(name="Test Person", email="test.person@example.com")


def _session(emu: Emulator) -> requests.Session:
    session = requests.Session()
    session.auth = (emu.access_id, emu.access_key)
    return session


@pytest.fixture
def http(emu: Emulator) -> Iterator[requests.Session]:
    """A keep-alive session carrying the emulator's credentials."""
    with _session(emu) as session:
        yield session


def _only_error(response: requests.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1
    return dict(errors[0])


def _with(**changes: Any) -> dict[str, Any]:
    """VALID with top-level changes; a value of ... deletes the key."""
    body = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


# --- the four endpoints ------------------------------------------------------------------


def test_get_customer_by_id(emu: Emulator, http: requests.Session) -> None:
    """GET /customers/{id} answers 200 {"customer": ...} with epoch-ms timestamps."""
    response = http.get(f"{emu.base_url}/customers/{ADA}")
    assert response.status_code == 200
    customer = response.json()["customer"]
    assert customer["customerId"] == ADA
    assert customer["name"] == "Ada Whitfield"
    assert customer["address"]["zip"] == "02134"
    assert isinstance(customer["createdAt"], int)
    assert customer["createdAt"] > 10**12


def test_list_customers_returns_every_customer_unpaged(emu: Emulator, http: requests.Session):
    """GET /customers answers {"customers": [...]} with all of them (no paging)."""
    response = http.get(f"{emu.base_url}/customers")
    assert response.status_code == 200
    listed = response.json()["customers"]
    assert [c["customerId"] for c in listed] == [c["customerId"] for c in emu.customers()]
    assert len(listed) == len(emulator.seed_customers())


def test_list_customers_filters(emu: Emulator, http: requests.Session) -> None:
    """externalId and customerId filter the list; no match is an empty list, not an error."""
    url = f"{emu.base_url}/customers"
    by_external = http.get(url, params={"externalId": "ext-1001"}).json()["customers"]
    assert [c["customerId"] for c in by_external] == [ADA]
    by_id = http.get(url, params={"customerId": "1001165730"}).json()["customers"]
    assert [c["externalId"] for c in by_id] == ["ext-1002"]
    both = http.get(url, params={"customerId": ADA, "externalId": "ext-1002"})
    assert both.status_code == 200
    assert both.json() == {"customers": []}
    assert http.get(url, params={"externalId": "nobody"}).json() == {"customers": []}


def test_create_customer(emu: Emulator, http: requests.Session) -> None:
    """POST /customers with a new customer creates it with a fresh numeric id."""
    response = http.post(f"{emu.base_url}/customers", json=VALID)
    assert response.status_code == 200
    created = response.json()["customer"]
    assert created["customerId"].isdigit()
    assert created["customerId"] not in {c["customerId"] for c in emulator.seed_customers()}
    assert created["createdAt"] == created["updatedAt"]
    assert {k: created[k] for k in VALID} == VALID
    assert emu.get(created["customerId"]) == created


def test_update_by_id_sets_given_fields_and_keeps_the_rest(emu: Emulator, http):
    """POST /customers/{id} sets the fields passed; omitted fields stay."""
    before = emu.get(ADA)
    assert before is not None
    response = http.post(f"{emu.base_url}/customers/{ADA}", json={"email": "ada@example.org"})
    assert response.status_code == 200
    after = response.json()["customer"]
    assert after["email"] == "ada@example.org"
    assert {k: v for k, v in after.items() if k not in ("email", "updatedAt")} == {
        k: v for k, v in before.items() if k not in ("email", "updatedAt")
    }
    assert emu.get(ADA) == after


def test_path_ids_are_percent_decoded(emu: Emulator, http: requests.Session) -> None:
    """An id in the path is percent-decoded before it is looked up."""
    emu.put({**VALID, "customerId": "odd id/1"})
    response = http.get(f"{emu.base_url}/customers/odd%20id%2F1")
    assert response.status_code == 200
    assert response.json()["customer"]["customerId"] == "odd id/1"


# --- auth, unknown ids, unknown endpoints -------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [None, ("emulator-access-id", "wrong"), ("wrong", "emulator-access-key")],
    ids=["missing", "wrong-key", "wrong-id"],
)
def test_bad_credentials_answer_401(emu: Emulator, auth: tuple[str, str] | None) -> None:
    """Missing or wrong Basic credentials answer 401 with Trustly's code 375 body."""
    response = requests.get(f"{emu.base_url}/customers/{ADA}", auth=auth, timeout=5)
    assert response.status_code == 401
    error = _only_error(response)
    assert error["domain"] == ACCESS
    assert error["code"] == 375
    assert error["message"] == "Access not authorized"  # the wording of Trustly's samples
    assert isinstance(error["occurredAt"], int)


def test_auth_is_checked_before_routing(emu: Emulator) -> None:
    """An unknown endpoint under /api/v1 with bad credentials is a 401, not a 404."""
    response = requests.get(f"{emu.base_url}/nothing-here", timeout=5)
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_customer_id_answers_400_could_not_find(emu, http, method: str) -> None:
    """An unknown id (GET or POST by id) answers 400 "Could not find a customer using Id <id>"."""
    response = http.request(method, f"{emu.base_url}/customers/42", json={"name": "X"})
    assert response.status_code == 400
    error = _only_error(response)
    error.pop("occurredAt", None)
    assert error == {
        "domain": INVALID,
        "code": 200,
        "message": "Could not find a customer using Id 42",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/accounts"),
        ("GET", "/api/v1/customers/1001165729/extra"),
        ("GET", "/api/v2/customers"),
        ("GET", "/"),
        ("DELETE", "/api/v1/customers/1001165729"),
        ("PUT", "/api/v1/customers"),
        ("PATCH", "/api/v1/customers/1001165729"),
        ("BREW", "/api/v1/customers"),
    ],
)
def test_unknown_endpoint_or_method_answers_404(emu, http, method: str, path: str) -> None:
    """A path Trustly does not define, or a method the path does not support, is a 404."""
    root = emu.base_url.removesuffix("/api/v1")
    response = http.request(method, root + path)
    assert response.status_code == 404
    error = _only_error(response)
    assert isinstance(error["code"], int)
    assert error["domain"].startswith("com.trustly.")


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (_with(name=...), "name"),
        (_with(name=""), "name"),
        (_with(email=...), "email"),
        (_with(email=""), "email"),
        (_with(phone=...), "phone"),
        (_with(phone=5555550199), "phone"),
        (_with(address=...), "address"),
        (_with(address="1 Main St"), "address"),
        (_with(address={"city": "Austin"}), "address.country"),
        (_with(address={"country": "U"}), "address.country"),
        (_with(address={"country": "US", "address1": ""}), "address.address1"),
        (_with(address={"country": "US", "city": ""}), "address.city"),
        (_with(address={"country": "US", "state": "T"}), "address.state"),
        (_with(address={"country": "US", "zip": "7870"}), "address.zip"),
        (_with(address={"country": "US", "address2": 4}), "address.address2"),
        (_with(externalId=""), "externalId"),
        (_with(merchantId=""), "merchantId"),
        (_with(driverLicense={"number": "D000123456"}), "driverLicense.state"),
        (_with(driverLicense={"state": "TX"}), "driverLicense.number"),
        (_with(driverLicense="D000123456"), "driverLicense"),
        (_with(taxId=0), "taxId"),
        (_with(enrollDate="2024-01-01"), "enrollDate"),
        (_with(enrollDate=True), "enrollDate"),
        (_with(customData=["retail"]), "customData"),
        (_with(vip=True), "vip"),
    ],
)
def test_each_constraint_violation_answers_400_naming_the_field(emu, http, body, location):
    """A body breaking one schema constraint answers 400 code 200 located at that field."""
    before = len(emu.customers())
    response = http.post(f"{emu.base_url}/customers", json=body)
    assert response.status_code == 400
    error = _only_error(response)
    assert (error["domain"], error["code"], error["location"]) == (INVALID, 200, location)
    assert error["message"].startswith("Invalid parameter: ")
    assert location in error["message"]
    assert len(emu.customers()) == before


def test_every_failing_field_gets_its_own_error(emu: Emulator, http) -> None:
    """One error entry per failing field, all in one answer."""
    body = _with(name="", address={"country": "US", "zip": "1"}, vip=[])
    response = http.post(f"{emu.base_url}/customers", json=body)
    assert response.status_code == 400
    locations = sorted(e["location"] for e in response.json()["errors"])
    assert locations == ["address.zip", "name", "vip"]
    zip_error = next(e for e in response.json()["errors"] if e["location"] == "address.zip")
    assert zip_error["message"] == "Invalid parameter: address.zip must be at least 5 characters"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"', b"null"], ids=repr)
def test_body_that_is_not_a_json_object_answers_400(emu, http, raw: bytes) -> None:
    """A missing body, one that is not JSON, or JSON that is not an object, is a 400."""
    headers = {"Content-Type": "application/json"}
    before = emu.customers()
    for url in (f"{emu.base_url}/customers", f"{emu.base_url}/customers/{ADA}"):
        response = http.post(url, data=raw, headers=headers)
        assert response.status_code == 400
        assert _only_error(response)["code"] == 200
    assert emu.customers() == before


def test_vip_may_be_a_positive_integer_and_is_answered_as_a_string(
    emu: Emulator, http: requests.Session
) -> None:
    """vip is a string in the schema, a positive integer tier in Trustly's VIP guide: both
    are accepted, and the answer is always the schema's string."""
    for sent, answered in ((3, "3"), ("2", "2")):
        response = http.post(f"{emu.base_url}/customers/{ADA}", json={"vip": sent})
        assert response.status_code == 200
        assert response.json()["customer"]["vip"] == answered
        assert emu.get(ADA)["vip"] == answered


@pytest.mark.parametrize("vip", [0, -2, 1.5, True], ids=["zero", "negative", "float", "bool"])
def test_vip_that_is_no_tier_is_refused(emu: Emulator, http: requests.Session, vip) -> None:
    """vip 0, a negative, a fraction or a boolean is neither a string nor a tier: 400."""
    before = emu.get(ADA)
    response = http.post(f"{emu.base_url}/customers/{ADA}", json={"vip": vip})
    assert response.status_code == 400
    error = _only_error(response)
    assert error["location"] == "vip"
    assert "a string or positive integer" in error["message"]
    assert emu.get(ADA) == before


def test_customers_lookup_is_not_a_customer_id(emu: Emulator, http: requests.Session) -> None:
    """GET /customers/lookup is Trustly's Network Check API: a 404, not "no such customer"."""
    response = http.get(f"{emu.base_url}/customers/lookup", params={"email": "a@example.com"})
    assert response.status_code == 404
    assert _only_error(response)["code"] == 404
    assert "Could not find" not in response.text


def test_update_by_id_validates_the_merged_customer(emu, http) -> None:
    """An update leaving the customer invalid answers 400 and changes nothing."""
    before = emu.get(ADA)
    response = http.post(
        f"{emu.base_url}/customers/{ADA}", json={"name": None, "email": "new@example.com"}
    )
    assert response.status_code == 400
    error = _only_error(response)
    assert error["location"] == "name"
    assert error["message"] == "Invalid parameter: name is required"
    assert emu.get(ADA) == before


# --- update semantics ---------------------------------------------------------------------


def test_null_removes_a_field(emu: Emulator, http: requests.Session) -> None:
    """A top-level null removes the field; a later GET no longer has it."""
    response = http.post(f"{emu.base_url}/customers/{ADA}", json={"taxId": None, "vip": None})
    assert response.status_code == 200
    for customer in (response.json()["customer"], emu.get(ADA)):
        assert customer is not None
        assert "taxId" not in customer
        assert "vip" not in customer
        assert customer["name"] == "Ada Whitfield"


def test_nested_objects_are_replaced_whole(emu: Emulator, http: requests.Session) -> None:
    """A nested object in an update replaces the stored one; null keys inside it are dropped."""
    new_address = {"country": "US", "city": "Cambridge", "zip": "02139", "address2": None}
    response = http.post(
        f"{emu.base_url}/customers/{ADA}",
        json={"address": new_address, "customData": {"segment": "vip"}},
    )
    assert response.status_code == 200
    customer = response.json()["customer"]
    assert customer["address"] == {"country": "US", "city": "Cambridge", "zip": "02139"}
    assert customer["customData"] == {"segment": "vip"}
    assert customer["driverLicense"] == {"number": "D000123456", "state": "MA"}


def test_fields_the_schema_does_not_list_are_kept(emu: Emulator, http) -> None:
    """Unknown fields are stored and returned, in seed data, creates and updates alike."""
    assert emu.get("1001165736")["loyaltyTier"] == "gold"  # type: ignore[index]
    created = http.post(f"{emu.base_url}/customers", json=_with(favouriteColour="teal"))
    customer_id = created.json()["customer"]["customerId"]
    http.post(f"{emu.base_url}/customers/{customer_id}", json={"email": "t@example.com"})
    fetched = http.get(f"{emu.base_url}/customers/{customer_id}").json()["customer"]
    assert fetched["favouriteColour"] == "teal"


def test_server_set_fields_in_a_body_are_ignored(emu: Emulator, http) -> None:
    """customerId, createdAt and updatedAt sent in a body do not overwrite the server's."""
    before = emu.get(ADA)
    assert before is not None
    body = {"customerId": "999", "createdAt": 1, "updatedAt": 2, "email": "a@example.org"}
    customer = http.post(f"{emu.base_url}/customers/{ADA}", json=body).json()["customer"]
    assert customer["customerId"] == ADA
    assert customer["createdAt"] == before["createdAt"]
    assert customer["updatedAt"] > before["updatedAt"]


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"externalId": "ext-1002"}, {"email": "maria.garcia@example.com"}),
        ({}, {"externalId": "ext-1002", "email": "maria.garcia@example.com"}),
        ({}, {"customerId": "1001165730", "email": "maria.garcia@example.com"}),
    ],
    ids=["query-externalId", "body-externalId", "body-customerId"],
)
def test_create_or_update_upserts_an_existing_customer(emu, http, params, body) -> None:
    """POST /customers with a known externalId (query or body) or customerId updates it."""
    before = len(emu.customers())
    response = http.post(f"{emu.base_url}/customers", params=params, json=body)
    assert response.status_code == 200
    customer = response.json()["customer"]
    assert customer["customerId"] == "1001165730"
    assert customer["email"] == "maria.garcia@example.com"
    assert customer["name"] == "Maria Garcia"
    assert len(emu.customers()) == before


def test_create_or_update_null_removes_on_update(emu: Emulator, http) -> None:
    """On create-or-update, a field set to null removes it from the existing customer."""
    response = http.post(
        f"{emu.base_url}/customers", params={"externalId": "ext-1001"}, json={"taxId": None}
    )
    assert response.status_code == 200
    assert "taxId" not in response.json()["customer"]


def test_create_stores_the_query_external_id(emu: Emulator, http) -> None:
    """Creating with ?externalId=... stores that externalId on the new customer."""
    response = http.post(f"{emu.base_url}/customers", params={"externalId": "ext-new"}, json=VALID)
    assert response.status_code == 200
    assert response.json()["customer"]["externalId"] == "ext-new"


def test_updated_at_strictly_increases_even_within_one_millisecond() -> None:
    """Every write moves updatedAt strictly forward, even when the clock stands still."""
    with emulator.serve(now_ms=lambda: 1_767_225_600_000) as emu, _session(emu) as http:
        seen = [emu.get(ADA)["updatedAt"]]  # type: ignore[index]
        for n in range(3):
            body = {"email": f"ada{n}@example.org"}
            seen.append(
                http.post(f"{emu.base_url}/customers/{ADA}", json=body).json()["customer"][
                    "updatedAt"
                ]
            )
        seen.append(emu.put(emu.get(ADA) or {})["updatedAt"])
    assert all(later > earlier for earlier, later in itertools.pairwise(seen))


def test_fixed_clock_starts_2026_and_moves_one_second_per_write() -> None:
    """clock="fixed" stamps writes from 2026-01-01T00:00:00Z, 1000 ms apart, for cassettes."""
    with emulator.serve(clock="fixed") as emu, _session(emu) as http:
        first = http.post(f"{emu.base_url}/customers", json=VALID).json()["customer"]
        second = http.post(f"{emu.base_url}/customers", json=VALID).json()["customer"]
        error = http.get(f"{emu.base_url}/customers/42").json()["errors"][0]
    assert first["createdAt"] == emulator.FIXED_CLOCK_START_MS
    assert second["createdAt"] == emulator.FIXED_CLOCK_START_MS + 1000
    assert error["occurredAt"] == second["createdAt"]


def test_concurrent_creates_get_distinct_ids(emu: Emulator) -> None:
    """The store is thread safe: 32 concurrent creates make 32 customers with distinct ids."""

    def create(n: int) -> str:
        with _session(emu) as http:
            body = _with(externalId=f"ext-c{n}")
            return str(
                http.post(f"{emu.base_url}/customers", json=body).json()["customer"]["customerId"]
            )

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(32)))
    assert len(set(ids)) == 32
    assert len(emu.customers()) == len(emulator.seed_customers()) + 32


# --- injected failures, latency, faults ---------------------------------------------------


def _statuses(seed: int, order: list[tuple[str, str]]) -> list[int]:
    with emulator.serve(fail_rate=0.4, seed=seed) as emu, _session(emu) as http:
        return [
            http.request(method, emu.base_url + path, json={"vip": "2"}).status_code
            for method, path in order
        ]


def test_fail_rate_is_reproducible_with_a_seed() -> None:
    """The same seed and request order give the same 503s, as predicted by would_fail()."""
    order = [("GET", f"/customers/{ADA}"), ("POST", f"/customers/{ADA}"), ("GET", "/customers")]
    order = order * 8
    first, second = _statuses(7, order), _statuses(7, order)
    assert first == second
    assert {200, 503} == set(first)
    probe = Emulator(fail_rate=0.4, seed=7)
    counts: dict[tuple[str, str], int] = {}
    expected = []
    for method, path in order:
        k = counts[method, path] = counts.get((method, path), 0) + 1
        expected.append(503 if probe.would_fail(method, "/api/v1" + path, k) else 200)
    assert first == expected


def test_fail_rate_is_the_same_under_threads() -> None:
    """Concurrent requests to one path fail exactly as often as the k-sequence predicts."""
    path = f"/api/v1/customers/{ADA}"
    with emulator.serve(fail_rate=0.3, seed=11) as emu:

        def fetch(_: int) -> int:
            with _session(emu) as http:
                return http.get(emu.base_url.removesuffix("/api/v1") + path).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(fetch, range(40)))
        predicted = sum(emu.would_fail("GET", path, k) for k in range(1, 41))
    assert statuses.count(503) == predicted


def test_injected_failures_happen_before_any_change() -> None:
    """An injected 503 leaves the data untouched, and carries Retry-After when asked."""
    with emulator.serve(fail_rate=1.0, retry_after=2) as emu, _session(emu) as http:
        before = emu.customers()
        update = http.post(f"{emu.base_url}/customers/{ADA}", json={"email": "x@example.org"})
        create = http.post(f"{emu.base_url}/customers", json=VALID)
        assert [update.status_code, create.status_code] == [503, 503]
        assert emu.customers() == before
    error = _only_error(update)
    assert error["code"] == 100
    assert error["message"] == "Service temporarily unavailable"
    assert update.headers["Retry-After"] == "2"


def _wait_for_requests(emu: Emulator, count: int) -> None:
    """Wait (10 s at most) until the emulator has recorded ``count`` requests."""
    for _ in range(2000):
        if len(emu.requests) >= count:
            return
        threading.Event().wait(0.005)


def test_latency_is_slept_outside_the_store_lock() -> None:
    """While a request sleeps out its latency, the store stays usable by others."""
    with emulator.serve(latency_ms=30_000) as emu:
        outcome: list[Any] = []

        def slow() -> None:
            try:
                outcome.append(requests.get(f"{emu.base_url}/customers/{ADA}", timeout=60))
            except requests.RequestException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=slow)
        worker.start()
        _wait_for_requests(emu, 1)  # the request is recorded on arrival, before the sleep
        assert emu.get(ADA) is not None  # would block for 30 s if the sleep held the lock
        assert worker.is_alive()
        assert not outcome
    worker.join(10)  # stopping wakes the sleeper and cuts its connection
    assert not worker.is_alive()


def test_requests_on_many_connections_wait_out_their_latency_together() -> None:
    """One loop serves every connection: 8 requests all arrive (are recorded) while none
    has been answered yet, each waiting out its own latency, and then all are answered."""
    with emulator.serve(latency_ms=1_500) as emu, ThreadPoolExecutor(8) as pool:
        url = f"{emu.base_url}/customers/{ADA}"
        auth = (emu.access_id, emu.access_key)
        pending = [pool.submit(requests.get, url, auth=auth, timeout=60) for _ in range(8)]
        _wait_for_requests(emu, 8)
        assert len(emu.requests) == 8
        assert not any(future.done() for future in pending)
        assert [future.result().status_code for future in pending] == [200] * 8


def test_a_faults_hook_that_blocks_holds_only_its_own_request() -> None:
    """While a faults hook is set, requests are answered on threads of their own: a hook
    holding one request leaves the others answered."""
    held, release = threading.Event(), threading.Event()

    def hold(method: str, path: str, k: int) -> None:
        if path.endswith(ADA):
            held.set()
            release.wait(30)

    with emulator.serve(faults=hold) as emu, _session(emu) as http, ThreadPoolExecutor(1) as pool:
        stuck = pool.submit(http.get, f"{emu.base_url}/customers/{ADA}", timeout=60)
        try:
            assert held.wait(10)
            other = requests.get(
                f"{emu.base_url}/customers", auth=(emu.access_id, emu.access_key), timeout=10
            )
            assert other.status_code == 200
            assert not stuck.done()
        finally:
            release.set()
        assert stuck.result().status_code == 200


def test_faults_hook_answers_html_or_drops_the_connection(emu: Emulator, http) -> None:
    """The faults hook can send an HTML 500 or drop the connection without an answer."""
    plan = {1: Fault(), 2: Fault.dropped_connection()}
    emu.faults = lambda method, path, k: plan.get(k)
    url = f"{emu.base_url}/customers"
    html = http.get(url)
    assert html.status_code == 500
    assert html.headers["Content-Type"] == "text/html"
    with pytest.raises(requests.ConnectionError):
        http.get(url)
    assert http.get(url).status_code == 200


def test_an_internal_error_answers_500_and_the_server_lives_on(emu: Emulator, http) -> None:
    """An exception while answering becomes a Trustly-shaped 500 (code 100)."""

    def broken(method: str, path: str, k: int) -> Fault | None:
        raise RuntimeError("boom")

    emu.faults = broken
    response = http.get(f"{emu.base_url}/customers")
    assert response.status_code == 500
    assert _only_error(response)["code"] == 100
    emu.faults = None
    assert http.get(f"{emu.base_url}/customers").status_code == 200


# --- the server itself --------------------------------------------------------------------


def test_every_answer_names_the_emulator_and_is_json(emu: Emulator, http) -> None:
    """Every response has the emulator's Server header, JSON type and a correct length."""
    responses = [
        http.get(f"{emu.base_url}/customers/{ADA}"),
        http.get(f"{emu.base_url}/customers/42"),
        http.get(f"{emu.base_url}/nothing"),
        requests.get(f"{emu.base_url}/customers", timeout=5),
    ]
    for response in responses:
        assert response.headers["Server"] == emulator.SERVER_HEADER
        assert response.headers["Server"].startswith("trustly_nb-emulator/")
        assert response.headers["Server"].endswith("(not Trustly)")
        assert response.headers["Content-Type"] == "application/json"
        assert int(response.headers["Content-Length"]) == len(response.content)
        json.loads(response.content)


def test_stopping_closes_open_keep_alive_connections(caplog) -> None:
    """Leaving serve() closes an idle keep-alive connection and refuses new ones, quietly."""
    with caplog.at_level(logging.WARNING), emulator.serve() as emu:
        sock = socket.create_connection(("127.0.0.1", emu.port), timeout=5)
        request = b"GET /api/v1/customers HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request)
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 401")
        port = emu.port
    with sock:
        try:
            while sock.recv(65536):  # the rest of the 401, then end of stream
                pass
        except ConnectionResetError:
            pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert caplog.records == []  # no "Task was cancelled" from asyncio's stream callback


def test_requests_are_recorded_and_can_be_reset(emu: Emulator, http) -> None:
    """emu.requests lists (method, path with query, parsed JSON body) for every request."""
    http.get(f"{emu.base_url}/customers", params={"externalId": "ext-1001"})
    http.post(f"{emu.base_url}/customers/{ADA}", json={"vip": "2"})
    requests.get(f"{emu.base_url}/customers", timeout=5)  # unauthenticated: recorded too
    assert emu.requests == [
        ("GET", "/api/v1/customers?externalId=ext-1001", None),
        ("POST", f"/api/v1/customers/{ADA}", {"vip": "2"}),
        ("GET", "/api/v1/customers", None),
    ]
    emu.reset_requests()
    assert emu.requests == []


def test_direct_store_access_returns_copies(emu: Emulator) -> None:
    """get/put/customers work on copies: changing them does not change the store."""
    customer = emu.get(ADA)
    assert customer is not None
    customer["address"]["city"] = "Nowhere"
    assert emu.get(ADA)["address"]["city"] == "Boston"  # type: ignore[index]
    stored = emu.put({**VALID})
    assert stored["customerId"].isdigit()
    assert emu.get(stored["customerId"]) == stored
    emu.customers()[0]["name"] = "changed"
    assert emu.customers()[0]["name"] == "Ada Whitfield"


def test_custom_initial_customers_and_credentials() -> None:
    """customers= replaces the seed data; access_id/access_key= change the credentials."""
    with emulator.serve(customers=[], access_id="me", access_key="pw") as emu:
        with requests.Session() as http:
            http.auth = ("me", "pw")
            assert http.get(f"{emu.base_url}/customers").json() == {"customers": []}
        assert (emu.access_id, emu.access_key) == ("me", "pw")


def test_client_helper_points_at_the_emulator(emu: Emulator) -> None:
    """emu.client() is a trustly_nb Client on the emulator's base URL and credentials."""
    try:
        import trustly_nb.client  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"trustly_nb.client does not import yet: {exc}")
    client = emu.client(timeout=5.0)
    assert client.base_url == emu.base_url
    assert client.access_id == emu.access_id


# --- seed data ----------------------------------------------------------------------------

# Nine digits, each group optionally separated by one space or hyphen ("000-12-3456",
# "000 123 458", "000123456"), not part of a longer number.
_NINE_DIGITS = re.compile(r"(?<![\d])(?:\d[ -]?){8}\d(?![\d])")


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    else:
        yield key, str(value)


def test_seed_identity_numbers_use_only_area_000() -> None:
    """Every 9-digit run in the seed data (formatted or not) starts with 000."""
    found = [
        run
        for key, text in _strings(emulator.seed_customers())
        if key != "merchantId"  # Trustly's sample merchant id, not a personal number
        for run in _NINE_DIGITS.findall(text)
    ]
    digits = [re.sub(r"\D", "", run) for run in found]
    assert len(digits) >= 8  # the scan does see the identity numbers
    assert all(d.startswith("000") for d in digits), digits


def test_seed_data_is_deterministic_varied_and_fresh() -> None:
    """seed_customers() returns equal fresh copies with the variety demos rely on."""
    first, second = emulator.seed_customers(), emulator.seed_customers()
    assert first == second
    assert first is not second
    first[0]["address"]["zip"] = "changed"
    assert emulator.seed_customers()[0]["address"]["zip"] == "02134"
    emails = [c["email"] for c in second]
    assert len(emails) != len(set(emails))  # a shared email
    assert {c["address"]["country"] for c in second} == {"US", "CA"}
    assert "" in {c["phone"] for c in second}
    assert all(isinstance(c["updatedAt"], int) for c in second)
    # Reserved example domains only ("...@example" is the deliberately broken email).
    assert all(re.search(r"@([\w-]+\.)*example(\.com|\.org)?$", email) for email in emails)


def test_cli_prints_url_and_credentials_and_stops_on_ctrl_c() -> None:
    """python -m trustly_nb.emulator serves until SIGINT, printing where and with what."""
    process = subprocess.Popen(
        [sys.executable, "-m", "trustly_nb.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        base_url = lines[0].split()[-1]
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")
        assert emulator.DEFAULT_ACCESS_KEY in lines[2]
        auth = (emulator.DEFAULT_ACCESS_ID, emulator.DEFAULT_ACCESS_KEY)
        assert requests.get(f"{base_url}/customers/{ADA}", auth=auth, timeout=5).ok
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_answers_carry_the_current_date_and_compact_json(emu: Emulator, http: requests.Session):
    """Each answer has an HTTP-date of now (formatted once a second, so still current) and a
    compact UTF-8 JSON body."""
    import email.utils
    import time

    emu.put({**valid_customer(), "customerId": "77", "name": "Zoë"})
    for attempt in range(2):
        if attempt:
            time.sleep(1.05 - time.time() % 1)  # the next answer falls in a later second
        before = time.time()
        response = http.get(f"{emu.base_url}/customers/77")
        after = time.time()
        when = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
        assert int(before) <= when <= after
    assert response.content.startswith(b'{"customer":{"customerId":"77","name":"Zo\xc3\xab"')


# --- the wire, byte by byte ---------------------------------------------------------------


def _read_answer(reader: Any) -> tuple[int, dict[str, str], bytes] | None:
    status_line = reader.readline()
    if not status_line:
        return None  # the server closed the connection
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("iso-8859-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(status_line.split()[1])
    body = b"" if status == 100 else reader.read(int(headers.get("content-length", 0)))
    return status, headers, body


def _exchange(emu: Emulator, *requests_sent: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Send raw requests on one connection, each after the previous answer; every answer
    (an interim 100 included), until the server closes the connection."""
    answers: list[tuple[int, dict[str, str], bytes]] = []
    with (
        socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock,
        sock.makefile("rb") as reader,
    ):
        for raw in requests_sent:
            try:
                sock.sendall(raw)
            except OSError:  # closed after the previous answer
                break
            while (answer := _read_answer(reader)) is not None:
                answers.append(answer)
                if answer[0] != 100:
                    break
            if answer is None:
                break
        with suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        assert reader.read() == b""  # and then the server closes
    return answers


def _authorization(emu: Emulator) -> bytes:
    return (
        requests.Request("GET", "http://x", auth=(emu.access_id, emu.access_key))
        .prepare()
        .headers["Authorization"]
        .encode()
    )


def test_keep_alive_and_closing_follow_the_request(emu: Emulator) -> None:
    """HTTP/1.1 keeps the connection (header names in any case), ``Connection: close``
    and HTTP/1.0 end it after the answer."""
    get = b"GET /api/v1/customers/" + ADA.encode() + b" HTTP/1.1\r\nHost: x\r\n"
    auth = b"aUtHoRiZaTiOn: " + _authorization(emu) + b"\r\n"
    answers = _exchange(emu, get + auth + b"\r\n", get + auth + b"Connection: close\r\n\r\n")
    assert [status for status, _, _ in answers] == [200, 200]
    assert json.loads(answers[0][2])["customer"]["customerId"] == ADA
    old = b"GET /api/v1/customers/" + ADA.encode() + b" HTTP/1.0\r\n" + auth + b"\r\n"
    assert [status for status, _, _ in _exchange(emu, old, old)] == [200]


def test_a_body_is_read_by_its_content_length_and_expect_continue_is_answered(emu) -> None:
    body = json.dumps({"email": "wire.test@example.com"}).encode()
    post = (
        b"POST /api/v1/customers/" + ADA.encode() + b" HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: " + _authorization(emu) + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nExpect: 100-continue\r\n"
        b"Connection: close\r\n\r\n" + body
    )
    answers = _exchange(emu, post)
    assert [status for status, _, _ in answers] == [100, 200]
    stored = {customer["customerId"]: customer for customer in emu.customers()}
    assert stored[ADA]["email"] == "wire.test@example.com"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET /api/v1 /customers HTTP/1.1\r\n\r\n", 400),
        (b"GET /api/v1/customers HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET /api/v1/customers HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
    ],
    ids=["four words", "long header line", "101 headers"],
)
def test_a_malformed_request_gets_a_json_error_and_a_closed_connection(emu, raw, status) -> None:
    answers = _exchange(emu, raw)
    assert len(answers) == 1
    got, headers, body = answers[0]
    assert got == status
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["errors"]


@pytest.mark.parametrize("version", [b"HTTP/x.y", b"HTTP/2.0"])
def test_a_request_in_no_http_1_version_gets_the_bare_json_error(emu, version) -> None:
    """No status line, as http.server answers a version it cannot speak (HTTP/0.9 style)."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(b"GET /api/v1/customers " + version + b"\r\n\r\n")
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    assert json.loads(answer)["errors"]
