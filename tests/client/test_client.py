"""The client against the real emulator on loopback (and a scripted server for the rest)."""

from __future__ import annotations

import logging
import re

import pytest

import trustly_nb as tnb
from trustly_nb import emulator

from ..factories import valid_customer
from ..scripted_server import Reply, closed_port, scripted, silent_server

NEW = valid_customer(name="Grace Hopper", email="grace@example.com", phone="+15555550199")
NOT_FOUND = {
    "errors": [
        {
            "domain": "com.trustly.merchantgateway.v1.exception.InvalidParameterException",
            "code": 200,
            "message": "Could not find a customer using Id 9",
        }
    ]
}


# --- the four endpoints -----------------------------------------------------------------


def test_get_customer_returns_a_model(client, some_id):
    """Get Customer by ID gives a Customer with the id asked for."""
    customer = client.get_customer(some_id)
    assert isinstance(customer, tnb.Customer)
    assert customer.customer_id == some_id
    assert isinstance(customer.created_at, int)


def test_list_customers_all_and_filtered(client, emu):
    """Get Customers lists everyone, or filters by externalId / customerId."""
    everyone = client.list_customers()
    assert len(everyone) == len(emu.customers())
    with_ext = next(c for c in everyone if c.external_id)
    found = client.list_customers(external_id=with_ext.external_id)
    assert [c.customer_id for c in found] == [with_ext.customer_id]
    assert client.list_customers(customer_id=with_ext.customer_id)[0].name == with_ext.name
    assert client.list_customers(external_id="no-such-id") == []


def test_create_customer_then_upsert_by_external_id(client):
    """The documented upsert: create, then the same externalId updates the same customer."""
    created = client.create_customer({**NEW, "externalId": "ext-grace"})
    assert created.customer_id
    again = client.create_customer(tnb.Customer.model_validate({**NEW, "phone": "+15555550200"}),
                                   external_id="ext-grace")  # fmt: skip
    assert again.customer_id == created.customer_id
    assert again.phone == "+15555550200"


def test_create_customer_with_none_removes_a_field(client):
    """In an upsert dict, None is sent as null and removes the field."""
    client.create_customer({**NEW, "externalId": "ext-g2", "vip": "2"})
    updated = client.create_customer({**NEW, "externalId": "ext-g2", "vip": None})
    assert updated.vip is None


def test_update_customer_merges_changes_into_the_current_customer(client, emu, some_id):
    """update_customer(**changes) is get → merge → validate → post; other fields stay."""
    before = client.get_customer(some_id)
    after = client.update_customer(some_id, email="changed@example.com", **{"address.city": "Waco"})
    assert after.email == "changed@example.com"
    assert after.address is not None
    assert after.address.city == "Waco"
    assert after.name == before.name
    assert after.address.zip == before.address.zip  # type: ignore[union-attr]
    assert after.updated_at > before.updated_at  # type: ignore[operator]
    assert emu.get(some_id)["email"] == "changed@example.com"


def test_update_customer_with_a_whole_customer_posts_it_as_is(client, some_id):
    """Given a customer, update_customer posts it (validated) without reading first."""
    customer = client.get_customer(some_id)
    customer.name = "Renamed Person"
    assert client.update_customer(some_id, customer).name == "Renamed Person"


def test_update_that_changes_nothing_sends_nothing(client, emu, some_id):
    """Setting a field to its current value is not a write."""
    current = client.get_customer(some_id)
    emu.reset_requests()
    assert client.update_customer(some_id, email=current.email).updated_at == current.updated_at
    assert [method for method, *_ in emu.requests] == ["GET"]


def test_preview_update_sends_nothing_and_shows_before_after(client, emu, some_id):
    """preview_update reads but never writes, and lists field, before, after."""
    before = client.get_customer(some_id)
    emu.reset_requests()
    diff = client.preview_update(some_id, email="preview@example.com")
    assert [method for method, *_ in emu.requests] == ["GET"]
    row = diff[diff["field"] == "email"].iloc[0]
    assert (row["before"], row["after"]) == (before.email, "preview@example.com")
    assert emu.get(some_id)["email"] == before.email


def test_masked_values_from_the_api_are_not_written_back(client, emu, some_id):
    """A masked taxId the API returned is left out of the post, so the real one stays."""
    stored = emu.get(some_id)
    emu.put({**stored, "taxId": "#####3456"})
    emu.reset_requests()
    client.update_customer(some_id, phone="+15555550111")
    posted = next(body for method, _, body in emu.requests if method == "POST")
    assert "taxId" not in posted


# --- refused before sending --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": ""}, "email"),
        ({"name": None}, "name"),
        ({"phone": None}, "phone"),
        ({"address": None}, "address"),
        ({"address.country": None}, "address.country"),
        ({"address.country": "U"}, "address.country"),
        ({"address.address1": ""}, "address.address1"),
        ({"address.city": ""}, "address.city"),
        ({"address.state": "T"}, "address.state"),
        ({"address.zip": "123"}, "address.zip"),
        ({"externalId": ""}, "externalId"),
        ({"merchantId": ""}, "merchantId"),
        ({"driverLicense.number": None}, "driverLicense.number"),
        ({"enrollDate": "soon"}, "enrollDate"),
        ({"customData": "text"}, "customData"),
        ({"address.zip": 75001}, "address.zip"),
    ],
)
def test_each_constraint_is_checked_before_any_request(client, emu, some_id, changes, field):
    """A change breaking a documented constraint names the field, and no write is sent."""
    emu.reset_requests()
    with pytest.raises(tnb.ValidationError) as info:
        client.update_customer(some_id, **changes)
    assert field in info.value.fields
    assert all(method == "GET" for method, *_ in emu.requests)


def test_invalid_create_sends_no_request(client, emu):
    """A create missing required fields is refused, naming all of them, with no request."""
    emu.reset_requests()
    with pytest.raises(tnb.ValidationError) as info:
        client.create_customer({"name": "X"})
    assert set(info.value.fields) == {"address", "phone", "email"}
    assert emu.requests == []


@pytest.mark.parametrize("bad_id", ["", "  ", None, 1.5, True])
def test_bad_customer_ids_are_refused(client, bad_id):
    """An empty or non-text id is refused before any request."""
    with pytest.raises(tnb.ValidationError, match="customerId"):
        client.get_customer(bad_id)


# --- errors from the server --------------------------------------------------------------


def test_unknown_id_is_not_found_and_the_id_is_escaped(client):
    """An unknown id gives NotFoundError; ids are escaped in the path."""
    with pytest.raises(tnb.NotFoundError) as info:
        client.get_customer("a/b?c")
    assert info.value.status == 400
    assert info.value.code == 200
    assert "/customers/a%2Fb%3Fc" in str(info.value)
    assert "Could not find a customer using Id a/b?c" in str(info.value)


def test_wrong_credentials_raise_authentication_error_without_the_key(emu):
    """A 401 is AuthenticationError; nothing shows the key that was used."""
    secret = "wrong-secret-key-123"
    client = tnb.Client(emu.access_id, secret, base_url=emu.base_url)
    with pytest.raises(tnb.AuthenticationError) as info:
        client.list_customers()
    assert info.value.code == 375
    assert "TRUSTLY_ACCESS_KEY" in str(info.value)
    for text in (str(info.value), repr(info.value), repr(client), str(client)):
        assert secret not in text


def test_unknown_endpoint_is_a_plain_api_error(emu):
    """A 404 (an endpoint Trustly does not define) is APIError, not NotFoundError."""
    client = tnb.Client(emu.access_id, emu.access_key, base_url=emu.base_url + "/v9")
    with pytest.raises(tnb.APIError) as info:
        client.list_customers()
    assert type(info.value) is tnb.APIError
    assert info.value.status == 404


def test_non_json_error_body_still_gives_a_readable_error():
    """An HTML 500 becomes ServerError quoting the body briefly."""
    with scripted(Reply(500, "<html><body>Internal trouble</body></html>")) as (url, _):
        client = tnb.Client("id", "key", base_url=url, max_retries=0)
        with pytest.raises(tnb.ServerError) as info:
            client.list_customers()
    assert "Internal trouble" in str(info.value)
    assert "<html>" not in repr(info.value)


def test_a_success_without_a_customer_is_an_unexpected_response():
    """A 200 that is not the documented shape is reported, not half-parsed."""
    with scripted(Reply(200, {"client": {}})) as (url, _):
        client = tnb.Client("id", "key", base_url=url)
        with pytest.raises(tnb.UnexpectedResponseError, match="no 'customer' object"):
            client.get_customer("1")


def test_a_server_that_never_answers_times_out():
    """The timeout always fires: a silent server gives TransportError."""
    with silent_server() as url:
        client = tnb.Client("id", "key", base_url=url, timeout=0.2, max_retries=0)
        with pytest.raises(tnb.TransportError, match=r"no answer within the 0\.2 s timeout"):
            client.get_customer("1")


def test_a_refused_connection_says_nothing_was_sent():
    """A closed port gives TransportError with sent=False."""
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    client = tnb.Client("id", "key", base_url=url, max_retries=1, backoff=0.001)
    with pytest.raises(tnb.TransportError) as info:
        client.update_customer("1", NEW)
    assert info.value.sent is False
    assert "could not connect" in str(info.value)


# --- retries -----------------------------------------------------------------------------


def test_get_is_retried_on_5xx_until_it_succeeds():
    """GET retries 500/503 and succeeds; max_retries counts retries, not attempts."""
    replies = [Reply(500, {}), Reply(503, {}), Reply(200, {"customers": []})]
    with scripted(*replies) as (url, script):
        client = tnb.Client("id", "key", base_url=url, max_retries=2, backoff=0.001)
        assert client.list_customers() == []
    assert len(script.seen) == 3


def test_retries_stop_at_max_retries():
    """After max_retries the last error is raised."""
    with scripted(Reply(503, {})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, max_retries=2, backoff=0.001)
        with pytest.raises(tnb.ServerError, match="overloaded"):
            client.list_customers()
    assert len(script.seen) == 3


def test_post_is_retried_on_503_but_not_on_500():
    """POST retries only when the server says it did nothing (503/429)."""
    with scripted(Reply(503, {}), Reply(200, {"customer": NEW})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        client.update_customer("1", NEW)
    assert len(script.seen) == 2
    with scripted(Reply(500, {})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        with pytest.raises(tnb.ServerError):
            client.update_customer("1", NEW)
    assert len(script.seen) == 1


def test_create_without_external_id_is_never_retried():
    """A create that could duplicate the customer is sent once, even on 503."""
    with scripted(Reply(503, {})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        with pytest.raises(tnb.ServerError):
            client.create_customer(NEW)
    assert len(script.seen) == 1
    with scripted(Reply(503, {}), Reply(200, {"customer": NEW})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        client.create_customer(NEW, external_id="ext-1")
    assert len(script.seen) == 2


def test_post_is_not_retried_after_a_read_timeout():
    """A POST that may have landed is not sent again; the error says so."""
    with scripted(Reply(200, {"customer": NEW}, delay=0.5)) as (url, script):
        client = tnb.Client("id", "key", base_url=url, timeout=0.1, backoff=0.001)
        with pytest.raises(tnb.TransportError) as info:
            client.update_customer("1", NEW)
    assert info.value.sent is True
    assert "may or may not have been applied" in str(info.value)
    assert len(script.seen) == 1


def test_4xx_is_never_retried_but_429_is():
    """400 is final; 429 is retried."""
    with scripted(Reply(400, NOT_FOUND)) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        with pytest.raises(tnb.NotFoundError):
            client.get_customer("9")
    assert len(script.seen) == 1
    with scripted(Reply(429, {}), Reply(200, {"customers": []})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, backoff=0.001)
        assert client.list_customers() == []
    assert len(script.seen) == 2


def test_retry_after_is_honoured_up_to_the_cap():
    """A long Retry-After is capped (here to 10 ms), so the retry still happens promptly."""
    replies = [Reply(503, {}, headers={"Retry-After": "3600"}), Reply(200, {"customers": []})]
    with scripted(*replies) as (url, script):
        client = tnb.Client("id", "key", base_url=url, retry_after_cap=0.01)
        assert client.list_customers() == []
    assert len(script.seen) == 2


def test_flaky_emulator_is_absorbed_by_retries():
    """With 30 % of requests failing with 503, reads and updates still succeed."""
    with emulator.serve(fail_rate=0.3, seed=7) as emu:
        client = emu.client(max_retries=8, backoff=0.001)
        for customer in emu.customers()[:5]:
            cid = customer["customerId"]
            assert client.update_customer(cid, externalTier="Gold").external_tier == "Gold"


# --- stale writes ----------------------------------------------------------------------------


def test_plan_update_refuses_a_stale_write_unless_forced(client, emu, some_id):
    """If updatedAt moved since it was read, the update is a ConflictError (or forced)."""
    read = client.get_customer(some_id)
    emu.put({**emu.get(some_id), "externalTier": "Someone else"})
    with pytest.raises(tnb.ConflictError):
        client.plan_update(some_id, {"phone": "+15555550123"}, read_updated_at=read.updated_at)
    plan = client.plan_update(
        some_id, {"phone": "+15555550123"}, read_updated_at=read.updated_at, force=True
    )
    assert client.send_update(plan).phone == "+15555550123"


# --- configuration and secrets ---------------------------------------------------------------


def test_sandbox_by_default_production_only_when_named():
    """The default is the sandbox; production must be named."""
    assert tnb.Client("id", "key").base_url == "https://sandbox.trustly.one/api/v1"
    prod = tnb.Client("id", "key", environment="production")
    assert prod.base_url == "https://api.trustly.one/api/v1"
    assert "production" in repr(prod)
    with pytest.raises(tnb.ConfigurationError, match="environment must be one of"):
        tnb.Client("id", "key", environment="prod")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/api/v1", True),
        ("http://127.0.0.1:8787/api/v1", True),
        ("http://127.9.9.9/api/v1", True),
        ("http://localhost:8787/api/v1", True),
        ("http://[::1]:8787/api/v1", True),
        ("http://sandbox.trustly.one/api/v1", False),
        ("http://10.0.0.1/api/v1", False),
        ("ftp://127.0.0.1/x", False),
        ("sandbox.trustly.one", False),
    ],
)
def test_plain_http_only_for_loopback(url, ok):
    """Credentials never travel over plain HTTP to anything but this machine."""
    if ok:
        tnb.Client("id", "key", base_url=url)
    else:
        with pytest.raises(tnb.ConfigurationError, match="https://"):
            tnb.Client("id", "key", base_url=url)


def test_from_env_names_each_missing_variable(monkeypatch):
    """from_env says exactly which variables are missing."""
    monkeypatch.delenv("TRUSTLY_ACCESS_ID", raising=False)
    monkeypatch.delenv("TRUSTLY_ACCESS_KEY", raising=False)
    with pytest.raises(tnb.ConfigurationError, match="TRUSTLY_ACCESS_ID, TRUSTLY_ACCESS_KEY"):
        tnb.Client.from_env()
    monkeypatch.setenv("TRUSTLY_ACCESS_ID", "someone")
    with pytest.raises(tnb.ConfigurationError) as info:
        tnb.Client.from_env()
    assert "TRUSTLY_ACCESS_KEY" in str(info.value)
    assert "TRUSTLY_ACCESS_ID," not in str(info.value)
    monkeypatch.setenv("TRUSTLY_ACCESS_KEY", "k")
    monkeypatch.setenv("TRUSTLY_ENVIRONMENT", "production")
    assert tnb.Client.from_env().environment == "production"


def test_the_key_is_in_no_repr_str_or_log_line(emu, caplog, some_id):
    """With debug logging on, the access key appears in no repr, str or log record."""
    caplog.set_level(logging.DEBUG)
    client = emu.client()
    client.update_customer(some_id, email="log@example.com")
    with pytest.raises(tnb.NotFoundError) as info:
        client.get_customer("0")
    texts = [repr(client), str(client), str(info.value), repr(info.value), caplog.text]
    for text in texts:
        assert emu.access_key not in text
    assert re.search(r"GET /api/v1/customers/\d+ → 200", caplog.text)


def test_a_cancelled_wait_sends_no_retry():
    """Once the cancel event is set (a stopped bulk batch), a pending retry is not sent."""
    import threading

    from trustly_nb.changes import UpdatePlan

    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    with scripted(Reply(503, {}, headers={"Retry-After": "3600"})) as (url, script):
        client = tnb.Client("id", "key", base_url=url, retry_after_cap=3600)
        plan = UpdatePlan("1", tnb.Customer.model_validate(NEW), dict(NEW), ["email"])
        with pytest.raises(tnb.ServerError):
            client.send_update(plan, cancel=cancel)
    assert len(script.seen) == 1
