"""Cassettes: modes, scrubbing, honest provenance, replay that never reaches the network."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import trustly_nb as tnb
from trustly_nb import emulator, recording
from trustly_nb.recording import find_identity_leaks

ROOT = Path(__file__).resolve().parents[2]


def _record_demo() -> str:
    """Record a small session against the emulator; returns a customer id."""
    client = tnb.connect("demo", mode="record")
    cid = str(client.list_customers()[0].customer_id)
    client.update_customer(cid, email="recorded@example.com")
    with pytest.raises(tnb.NotFoundError):
        client.get_customer("404404")
    recording.disconnect()
    return cid


# --- modes -------------------------------------------------------------------------------


def test_mode_precedence_argument_then_variable_then_replay(monkeypatch):
    """mode= wins over TRUSTLY_NB_MODE, which wins over the default, replay."""
    monkeypatch.delenv("TRUSTLY_NB_MODE", raising=False)
    assert recording.resolve_mode() == "replay"
    monkeypatch.setenv("TRUSTLY_NB_MODE", "emulator")
    assert recording.resolve_mode() == "emulator"
    assert recording.resolve_mode("live") == "live"


def test_credentials_alone_never_switch_to_live(monkeypatch, cassettes_dir):
    """With credentials set and no mode asked for, connect() still replays."""
    monkeypatch.setenv("TRUSTLY_ACCESS_ID", "someone")
    monkeypatch.setenv("TRUSTLY_ACCESS_KEY", "secret")
    (cassettes_dir / "x.yaml").write_text("version: 1\ninteractions: []\n")
    client = tnb.connect("x")
    assert client.base_url == "https://sandbox.trustly.one/api/v1"
    assert client.access_id == "replay-access-id"


def test_an_unknown_mode_lists_the_modes(monkeypatch):
    """A typo in the mode names the four modes."""
    monkeypatch.setenv("TRUSTLY_NB_MODE", "relpay")
    with pytest.raises(tnb.ConfigurationError, match="replay, live, record, emulator"):
        recording.resolve_mode()


def test_connect_never_reaches_production(monkeypatch, cassettes_dir):
    """Even with TRUSTLY_ENVIRONMENT=production, connect() refuses to go there."""
    monkeypatch.setenv("TRUSTLY_ACCESS_ID", "someone")
    monkeypatch.setenv("TRUSTLY_ACCESS_KEY", "secret")
    monkeypatch.setenv("TRUSTLY_ENVIRONMENT", "production")
    with pytest.raises(tnb.ConfigurationError, match="only talks to the sandbox"):
        tnb.connect("x", mode="live")


def test_live_without_credentials_names_the_missing_variables(cassettes_dir):
    """live mode with no credentials says which variables to set."""
    with pytest.raises(tnb.ConfigurationError, match="TRUSTLY_ACCESS_ID, TRUSTLY_ACCESS_KEY"):
        tnb.connect("x", mode="live")


def test_emulator_mode_needs_nothing(cassettes_dir):
    """emulator mode runs a local emulator with seed data; no cassette, no credentials."""
    client = tnb.connect("anything", mode="emulator")
    assert client.base_url.startswith("http://127.0.0.1:")
    assert len(client.list_customers()) >= 10


# --- record, then replay -----------------------------------------------------------------------


def test_record_then_replay_gives_the_same_answers(cassettes_dir):
    """A recorded session replays with the same results, errors included."""
    cid = _record_demo()
    client = tnb.connect("demo")
    assert str(client.list_customers()[0].customer_id) == cid
    assert client.update_customer(cid, email="recorded@example.com").email == "recorded@example.com"
    with pytest.raises(tnb.NotFoundError):
        client.get_customer("404404")


def test_a_request_not_in_the_cassette_names_cassette_request_and_modes(cassettes_dir):
    """A strict replay miss is a CassetteError that says what to do, not vcrpy's exception."""
    cid = _record_demo()
    client = tnb.connect("demo", strict=True)
    with pytest.raises(tnb.CassetteError) as info:
        client.get_customer(str(int(cid) + 1))
    text = str(info.value)
    assert "'demo'" in text
    assert f"GET /api/v1/customers/{int(cid) + 1}" in text
    assert "mode='emulator'" in text
    assert "make record" in text
    assert "CannotOverwriteExistingCassetteException" not in text


def test_a_missing_cassette_says_how_to_get_one(cassettes_dir):
    """Replaying a cassette that does not exist says how to record it."""
    with pytest.raises(tnb.CassetteError, match="make record"):
        tnb.connect("nothing-here")


def test_rerunning_a_cell_replays_the_last_answer_again(cassettes_dir):
    """Once every matching interaction is played, the last one is replayed (re-run cells)."""
    cid = _record_demo()
    client = tnb.connect("demo")
    for _ in range(3):
        assert str(client.list_customers()[0].customer_id) == cid


def test_replay_is_safe_on_many_threads(cassettes_dir):
    """Replay serves concurrent requests (bulk work uses 8 workers)."""
    with emulator.serve() as emu, tnb.use_cassette("threads", mode="record"):
        client = emu.client()
        ids = [c["customerId"] for c in emu.customers()]
        expected = {cid: client.get_customer(cid).name for cid in ids}
    replaying = tnb.Client("a", "b", base_url="https://sandbox.trustly.one/api/v1")
    with tnb.use_cassette("threads"), ThreadPoolExecutor(8) as pool:
        names = dict(zip(ids, pool.map(lambda c: replaying.get_customer(c).name, ids), strict=True))
    assert names == expected


def test_recording_runs_bulk_work_on_one_worker(cassettes_dir):
    """In record mode the client limits bulk concurrency to one thread (vcrpy #849)."""
    assert tnb.connect("x", mode="record").concurrency_limit == 1


# --- what is written ---------------------------------------------------------------------------


def test_cassette_holds_no_credentials_and_says_where_it_was_recorded(cassettes_dir):
    """The Authorization header is replaced; the file says it came from the emulator."""
    _record_demo()
    text = (cassettes_dir / "demo.yaml").read_text()
    token = base64.b64encode(
        f"{emulator.DEFAULT_ACCESS_ID}:{emulator.DEFAULT_ACCESS_KEY}".encode()
    ).decode()
    assert emulator.DEFAULT_ACCESS_KEY not in text
    assert token not in text
    assert "Basic " not in text
    assert "[redacted]" in text
    assert text.startswith("# Recorded ")
    assert "local emulator (NOT Trustly)" in text


def test_json_bodies_are_stored_readably(cassettes_dir):
    """Bodies are YAML structures, not escaped JSON strings."""
    _record_demo()
    data = yaml.safe_load((cassettes_dir / "demo.yaml").read_text())
    post = next(i for i in data["interactions"] if i["request"]["method"] == "POST")
    assert post["request"]["body"]["json"]["email"] == "recorded@example.com"
    assert post["response"]["body"]["json"]["customer"]["email"] == "recorded@example.com"


def test_real_identity_numbers_are_masked_and_still_replay(cassettes_dir):
    """A non-000 SSN is masked in requests and responses, and the scrubbed request matches."""
    real = "123-45-6789"
    with emulator.serve() as emu:
        cid = emu.customers()[0]["customerId"]
        with tnb.use_cassette("ssn", mode="record"):
            client = emu.client()
            client.update_customer(cid, taxId=real)
            assert client.get_customer(cid).tax_id == real
    text = (cassettes_dir / "ssn.yaml").read_text()
    assert real not in text
    assert find_identity_leaks(yaml.safe_load(text)) == []
    replaying = tnb.Client("a", "b", base_url="https://sandbox.trustly.one/api/v1")
    with tnb.use_cassette("ssn"):
        replaying.update_customer(cid, taxId=real)
        assert replaying.get_customer(cid).tax_id == "•••••••6789"


def test_rerecording_with_the_emulator_is_deterministic(cassettes_dir):
    """Recording the same session twice writes the same interactions."""
    _record_demo()
    first = (cassettes_dir / "demo.yaml").read_text().split("\n", 1)[1]
    _record_demo()
    second = (cassettes_dir / "demo.yaml").read_text().split("\n", 1)[1]
    assert first == second


# --- the network stays off --------------------------------------------------------------------


def test_replay_in_a_blocked_process_never_reaches_the_network(cassettes_dir):
    """With TRUSTLY_NB_BLOCK_NETWORK=1 a replay works, so does its emulator on loopback, and
    any outside connection fails."""
    _record_demo()
    code = textwrap.dedent(
        """
        import socket, trustly_nb as tnb
        client = tnb.connect("demo")
        client.list_customers()
        client.get_customer(client.list_customers()[1].customer_id)  # not recorded
        print("answered by", client.source)
        try:
            socket.create_connection(("192.0.2.1", 443), timeout=1)
        except OSError as exc:
            print("blocked:", exc)
        """
    )
    env = {**os.environ, "TRUSTLY_NB_BLOCK_NETWORK": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "answered by emulator" in result.stdout
    assert "blocked: trustly_nb blocked a name lookup" in result.stdout or (
        "blocked: trustly_nb blocked a connection" in result.stdout
    )


# --- pytest-recording uses the same configuration -----------------------------------------------


@pytest.mark.vcr
def test_client_replays_from_a_pytest_recording_cassette(request):
    """Client tests can use pytest-recording cassettes (tests/recording/cassettes/, emulator-made).

    Re-record: pytest tests/recording/test_cassettes.py -k pytest_recording --record-mode=rewrite
    """
    if request.config.getoption("--record-mode") in (None, "none"):
        client = tnb.Client("a", "b", base_url="https://sandbox.trustly.one/api/v1")
        customers = client.list_customers(external_id="ext-1001")
    else:
        with emulator.serve(clock="fixed") as emu:
            customers = emu.client().list_customers(external_id="ext-1001")
    assert [c.external_id for c in customers] == ["ext-1001"]
