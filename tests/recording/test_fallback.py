"""Replay that never dead-ends: a connect() client follows its cassette, then an emulator.

These run in the default (non-strict) replay mode against cassettes recorded here against
the real emulator, and against the shipped notebook cassettes.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pandas as pd
import pytest
import requests

import trustly_nb as tnb
from trustly_nb import emulator, recording

ROOT = Path(__file__).resolve().parents[2]
NOTICE = (
    "trustly_nb [replay → emulator] your request is not in the recording; answers now come "
    "from a local emulator seeded with the recorded customers"
)


def _record(name: str = "demo") -> list[str]:
    """Record: list, update the first customer's email; returns every id."""
    client = tnb.connect(name, mode="record")
    ids = [str(c.customer_id) for c in client.list_customers()]
    client.update_customer(ids[0], email="recorded@example.com")
    recording.disconnect()
    return ids


def test_an_own_request_is_answered_by_the_emulator_with_one_notice(cassettes_dir, capsys):
    """The first miss moves the client to the emulator, says so once, and it just works."""
    ids = _record()
    client = tnb.connect("demo")
    assert client.source == "cassette"
    client.list_customers()
    assert client.source == "cassette"
    updated = client.update_customer(ids[1], email="mine@example.net")
    assert updated.email == "mine@example.net"
    assert client.source == "emulator"
    assert client.get_customer(ids[1]).email == "mine@example.net"
    client.update_customer(ids[2], email="mine-too@example.net")
    out = capsys.readouterr().out
    assert out.count(NOTICE) == 1


def test_answers_after_the_switch_carry_the_emulator_server_header(cassettes_dir):
    """What answers after the switch is the emulator the repr names, and says so."""
    ids = _record()
    client = tnb.connect("demo")
    client.get_customer(ids[3])  # not recorded
    base_url = re.search(r"emulator (http://127\.0\.0\.1:\d+/api/v1)", repr(client))
    assert base_url is not None
    response = requests.get(
        f"{base_url.group(1)}/customers/{ids[3]}",
        auth=("replay-access-id", "replay-access-key"),
        timeout=5,
    )
    assert response.headers["Server"] == emulator.SERVER_HEADER
    assert response.json()["customer"]["customerId"] == ids[3]


def test_the_emulator_holds_the_customers_as_the_replay_left_them(cassettes_dir):
    """Seeded as the replayed answers last showed each customer: the recorded update counts."""
    ids = _record()
    client = tnb.connect("demo")
    client.list_customers()
    client.update_customer(ids[0], email="recorded@example.com")  # replayed
    assert client.source == "cassette"
    client.get_customer(ids[4])  # a miss: the emulator from here on
    assert client.source == "emulator"
    assert client.get_customer(ids[0]).email == "recorded@example.com"
    assert {str(c.customer_id) for c in client.list_customers()} == set(ids)


def test_a_customer_not_replayed_yet_is_as_the_cassette_first_shows_it(cassettes_dir):
    """Nothing replayed yet: each customer is seeded as the cassette first shows it."""
    ids = _record()
    client = tnb.connect("demo")
    client.get_customer(ids[4])  # the very first request misses
    first = client.get_customer(ids[0])
    assert first.email != "recorded@example.com"  # the recorded update was not replayed
    assert len(client.list_customers()) == len(ids)  # nothing invented, nothing lost


def test_writes_after_the_switch_are_newer_than_anything_recorded(cassettes_dir):
    """The emulator's clock carries on after the recording, so no false stale-write conflict."""
    ids = _record()
    client = tnb.connect("demo")
    frame = tnb.customers_to_frame(client.list_customers())
    recorded_latest = int(frame["updatedAt"].max().value // 1_000_000)
    updated = client.update_customer(ids[1], email="later@example.net")
    assert updated.updated_at is not None
    assert updated.updated_at > recorded_latest


def test_reconnecting_starts_on_the_recording_again(cassettes_dir, capsys):
    """Re-running the first cell: the recording again, and a fresh emulator on the next miss."""
    ids = _record()
    client = tnb.connect("demo")
    client.update_customer(ids[1], email="mine@example.net")
    assert client.source == "emulator"
    again = tnb.connect("demo")
    assert again.source == "cassette"
    assert str(again.list_customers()[0].customer_id) == ids[0]
    assert again.source == "cassette"
    assert again.get_customer(ids[1]).email != "mine@example.net"  # a fresh emulator
    assert capsys.readouterr().out.count(NOTICE) == 2
    with pytest.raises(tnb.CassetteError, match="was closed"):
        client.get_customer(ids[1])  # the old client never falls through to the network


def test_repr_says_cassette_then_emulator_and_never_credentials(cassettes_dir):
    """The repr names the cassette and that it was recorded against the emulator, then the
    emulator it fell back to; no credential appears in it."""
    ids = _record()
    client = tnb.connect("demo")
    text = repr(client)
    assert "cassettes/demo.yaml" in text
    assert "recorded against trustly_nb's local emulator" in text
    assert "sandbox.trustly.one" not in text
    client.get_customer(ids[5])
    text = repr(client)
    assert text.startswith("<trustly_nb.Client emulator http://127.0.0.1:")
    assert "cassettes/demo.yaml" in text
    for secret in ("replay-access-key", emulator.DEFAULT_ACCESS_KEY):
        assert secret not in text


def test_bulk_on_8_workers_leaving_the_recording_mid_batch_sees_one_world(cassettes_dir):
    """update_many on 8 workers, part recorded and part not: every row ok, no false
    conflict, and afterwards every change is there."""
    client = tnb.connect("bulk", mode="record")
    frame = tnb.customers_to_frame(client.list_customers())
    ids = list(frame.index)
    recorded = {cid: {"email": f"bulk-{n}@example.com"} for n, cid in enumerate(ids[:4])}
    assert (client.update_many(recorded, original=frame, progress=False)["status"] == "ok").all()
    recording.disconnect()

    client = tnb.connect("bulk")
    frame = tnb.customers_to_frame(client.list_customers())
    edited = frame.copy()
    for n, cid in enumerate(ids):  # the first four as recorded, the rest of our own
        edited.at[cid, "email"] = f"bulk-{n}@example.com"
    result = client.update_many(edited, original=frame, max_workers=8, progress=False)
    assert list(result["status"].unique()) == ["ok"], result[["status", "error_message"]]
    assert client.source == "emulator"
    after = tnb.customers_to_frame(client.list_customers())
    expected = pd.Series({cid: f"bulk-{n}@example.com" for n, cid in enumerate(ids)})
    assert after.loc[ids, "email"].tolist() == expected.loc[ids].tolist()


def test_use_cassette_stays_strict(cassettes_dir):
    """use_cassette() (tests, pytest-recording) never falls back: a miss is an error."""
    ids = _record()
    plain = tnb.Client("a", "b", base_url="https://sandbox.trustly.one/api/v1")
    with tnb.use_cassette("demo"), pytest.raises(Exception, match=r"(?i)cassette"):
        plain.get_customer(ids[6])


# --- strict ------------------------------------------------------------------------------


def test_strict_is_on_with_the_argument_or_the_variable(cassettes_dir, monkeypatch):
    """strict=True, or TRUSTLY_NB_STRICT=1, turns the fallback off; strict=False wins."""
    ids = _record()
    monkeypatch.setenv("TRUSTLY_NB_STRICT", "1")
    with pytest.raises(tnb.CassetteError):
        tnb.connect("demo").get_customer(ids[6])
    assert tnb.connect("demo", strict=False).get_customer(ids[6]).customer_id == ids[6]
    monkeypatch.delenv("TRUSTLY_NB_STRICT")
    with pytest.raises(tnb.CassetteError):
        tnb.connect("demo", strict=True).get_customer(ids[6])


def test_a_strict_miss_names_the_differing_fields_with_both_values_whole(cassettes_dir):
    """The fields that differ from the nearest recorded request, both values in full."""
    ids = _record()
    client = tnb.connect("demo", strict=True)
    long_email = "ada.lovelace.with.a.rather.long.address@example.net"
    with pytest.raises(tnb.CassetteError) as info:
        client.update_customer(ids[0], email=long_email)
    text = str(info.value)
    assert f"POST /api/v1/customers/{ids[0]}" in text
    assert f'email: recorded "recorded@example.com", yours "{long_email}"' in text
    assert "in 1 field:" in text
    assert "strict=True" in text
    assert "mode='emulator'" in text
    assert "make record" in text


def test_no_full_identity_number_in_a_strict_miss(cassettes_dir):
    """A differing identity number is masked the way frames mask it, on both sides."""
    ids = _record()
    client = tnb.connect("demo", strict=True)
    with pytest.raises(tnb.CassetteError) as info:
        client.update_customer(ids[0], email="recorded@example.com", taxId="000-98-7654")
    text = str(info.value)
    assert "taxId: recorded " in text
    assert "7654" in text
    assert "000-98-7654" not in text
    assert "000987654" not in text
    for customer in emulator.seed_customers():
        for value in (customer.get("taxId"), customer.get("nationalId")):
            assert not value or value not in text


def test_a_strict_miss_has_a_short_traceback(cassettes_dir):
    """An expected situation: the traceback stops at the client, not deep in requests."""
    ids = _record()
    client = tnb.connect("demo", strict=True)
    with pytest.raises(tnb.CassetteError) as info:
        client.get_customer(ids[6])
    files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert not [f for f in files if "/requests/" in f or "/vcr/" in f], files
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


# --- the shipped notebook cassettes -----------------------------------------------------


@pytest.fixture
def shipped(monkeypatch):
    """The repository's cassettes, in the default replay mode."""
    monkeypatch.setenv("TRUSTLY_NB_CASSETTES", str(ROOT / "cassettes"))
    for name in ("TRUSTLY_NB_MODE", "TRUSTLY_NB_STRICT", "TRUSTLY_ACCESS_ID"):
        monkeypatch.delenv(name, raising=False)
    yield
    recording.disconnect()


def test_the_form_saves_and_reloads_an_own_edit_in_replay(shipped):
    """02's form: Submit of the learner's own values says Saved; Reload shows them."""
    client = tnb.connect("02-update-form")
    customer_id = min((c.customer_id for c in client.list_customers()), key=int)
    form = tnb.CustomerForm(client, customer_id)
    form.set(email="my.own@example.net", **{"address.city": "Cambridge"})
    assert form.submit() is not None
    assert form.status.startswith("Saved"), form.status
    assert client.source == "emulator"
    form.reload()
    assert form.values["email"] == "my.own@example.net"
    assert form.values["address"]["city"] == "Cambridge"
    assert client.get_customer(customer_id).email == "my.own@example.net"
