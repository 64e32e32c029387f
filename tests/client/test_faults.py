"""Bad networks and bad servers: each fault gives the documented error and says what to do.

Faults are injected by the real emulator over loopback (its ``faults`` hook, latency and
503 knobs), not by mocking our own code.
"""

from __future__ import annotations

import logging
import zlib

import pytest
import requests

import trustly_nb as tnb
from trustly_nb import emulator
from trustly_nb.emulator import Fault

HTML_500 = Fault(status=500, body=b"<html><body><h1>Internal Server Error</h1></body></html>")


def _only(method: str, fault: Fault, *, first: int = 10**9):
    """A faults hook: the first ``first`` requests with ``method`` get ``fault``."""

    def hook(m: str, path: str, k: int) -> Fault | None:
        return fault if m == method and k <= first else None

    return hook


def test_latency_spike_past_the_timeout_is_a_transport_error():
    """A server slower than the timeout gives TransportError saying so, for GET and POST."""
    with emulator.serve(latency_ms=400) as emu:
        client = emu.client(timeout=0.1, max_retries=1, backoff=0.001)
        cid = emu.customers()[0]["customerId"]
        with pytest.raises(tnb.TransportError, match=r"no answer within the 0\.1 s timeout"):
            client.get_customer(cid)
        emu.latency_ms = 0
        plan = client.plan_update(cid, {"externalTier": "Gold"})
        emu.latency_ms = 400
        with pytest.raises(tnb.TransportError, match="may or may not have been applied"):
            client.send_update(plan)


def test_a_503_burst_is_ridden_out_by_retries():
    """Three 503s in a row on GET, then success: the caller sees only the answer."""
    with emulator.serve(faults=_only("GET", Fault(503, b"{}", "application/json"), first=3)) as emu:
        client = emu.client(max_retries=3, backoff=0.001)
        assert client.get_customer(emu.customers()[0]["customerId"]).name


def test_a_503_burst_longer_than_the_retries_says_wait_and_retry():
    """When the 503s outlast max_retries, ServerError says the service is overloaded."""
    with emulator.serve(fail_rate=1.0) as emu:
        client = emu.client(max_retries=2, backoff=0.001)
        with pytest.raises(tnb.ServerError, match="overloaded or in maintenance") as info:
            client.list_customers()
    assert info.value.status == 503
    assert len(emu.requests) == 3


@pytest.mark.parametrize(
    "fault", [Fault.dropped_connection(), Fault.cut_mid_response()], ids=["dropped", "cut"]
)
def test_a_get_without_a_whole_answer_is_retried(fault):
    """A GET whose connection closes before or during the answer is read again."""
    with emulator.serve(faults=_only("GET", fault, first=1)) as emu:
        client = emu.client(max_retries=2, backoff=0.001)
        assert len(client.list_customers()) == len(emu.customers())


@pytest.mark.parametrize(
    ("fault", "lands"),
    [(Fault.dropped_connection(), False), (Fault.cut_mid_response(), True)],
    ids=["dropped", "cut"],
)
def test_a_post_without_a_whole_answer_is_reported_and_never_resent(fault, lands):
    """A POST whose answer is lost may have landed (a cut one did): TransportError says to
    check, and it is never sent again."""
    with emulator.serve(faults=_only("POST", fault)) as emu:
        client = emu.client(max_retries=3, backoff=0.001)
        cid = emu.customers()[0]["customerId"]
        before = emu.get(cid).get("externalTier")
        with pytest.raises(tnb.TransportError, match="may or may not have been applied") as info:
            client.update_customer(cid, externalTier="Landed")
        assert emu.get(cid).get("externalTier") == ("Landed" if lands else before)
        posts = [r for r in emu.requests if r.method == "POST"]
    assert info.value.sent is True
    assert len(posts) == 1
    assert "get the customer to check" in str(info.value)


def test_a_500_with_an_html_body_is_a_readable_server_error():
    """An HTML 500 (a proxy's page) becomes ServerError quoting a short excerpt."""
    with emulator.serve(faults=_only("GET", HTML_500)) as emu:
        client = emu.client(max_retries=1, backoff=0.001)
        with pytest.raises(tnb.ServerError) as info:
            client.list_customers()
    text = str(info.value)
    assert "HTTP 500" in text
    assert "not Trustly's JSON error format" in text
    assert "Internal Server Error" in text
    assert "try again later" in text


def test_bulk_under_every_fault_accounts_for_every_row_and_a_rerun_finishes():
    """503s, dropped and cut connections and HTML 500s: every row is reported, none is
    lost, and rerunning with skip= ends with every customer updated exactly as asked."""
    injected: dict[str, int] = {}
    plan = {2: Fault.dropped_connection(), 3: HTML_500, 4: Fault.cut_mid_response()}

    def faults(method: str, path: str, k: int) -> Fault | None:
        # Per customer path: its first GET may drop; its POST may 500 or be cut.
        chosen = plan.get(zlib.crc32(f"{method} {path}".encode()) % 7)
        chosen = chosen if method == "POST" or k == 1 else None
        if chosen is not None:
            injected[repr(chosen)[:40]] = injected.get(repr(chosen)[:40], 0) + 1
        return chosen

    with emulator.serve(fail_rate=0.15, seed=3, faults=faults) as emu:
        ids = [c["customerId"] for c in emu.customers()]
        changes = {cid: {"externalTier": f"Tier-{cid[-2:]}"} for cid in ids}
        client = emu.client(max_retries=1, backoff=0.001)
        first = client.update_many(changes, progress=False)
        assert sorted(first.index) == sorted(ids)  # every row, exactly once
        assert set(first["status"]) <= {"ok", "error", "unknown"}
        assert sum(injected.values()) > 0
        assert (first["status"] != "ok").any()  # the faults reached the batch
        emu.faults, emu.fail_rate = None, 0.0
        second = client.update_many(changes, skip=first, progress=False)
        assert set(second["status"]) <= {"ok", "skipped"}
        for cid in ids:
            assert emu.get(cid)["externalTier"] == f"Tier-{cid[-2:]}"


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Note", "tok-4242\nInjected: 1"), ("X-Note", " tok-4242"), ("X-Note", 424242)],
)
def test_an_unsendable_session_header_is_a_configuration_error_at_once(header, value, caplog):
    """A header requests refuses to send is the caller's to fix: ConfigurationError names
    it (never its value, which may be a secret), nothing reaches the server, no retry."""
    session = requests.Session()
    with emulator.serve() as emu:
        client = emu.client(session=session, max_retries=3, backoff=0.001)
        cid = emu.customers()[0]["customerId"]
        session.headers[header] = value
        emu.reset_requests()
        with caplog.at_level(logging.INFO, logger="trustly_nb"):
            for call in (lambda: client.get_customer(cid), client.list_customers):
                with pytest.raises(tnb.ConfigurationError, match="Nothing was sent") as info:
                    call()
                assert "'X-Note'" in str(info.value)
                assert "4242" not in str(info.value)
        assert emu.requests == []
        assert not [r for r in caplog.records if "retry" in r.getMessage()]
        del session.headers[header]
        assert client.get_customer(cid).customer_id == cid  # the same client, once fixed


def test_a_malformed_proxy_url_is_a_configuration_error_without_the_url():
    """A proxy URL requests cannot parse: ConfigurationError says to check the proxy
    settings and does not quote the URL (it may hold a password); nothing is sent."""
    session = requests.Session()
    session.proxies = {"http": "http://user:s3cret@proxy.example:99999"}  # no such port
    with emulator.serve() as emu:
        client = emu.client(session=session, max_retries=3, backoff=0.001)
        with pytest.raises(tnb.ConfigurationError, match="proxy settings") as info:
            client.list_customers()
        assert "s3cret" not in str(info.value)
        assert emu.requests == []
