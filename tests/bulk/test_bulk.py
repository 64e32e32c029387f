"""Bulk updates against the real emulator on loopback: every row reported, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter

import pandas as pd
import pytest

import trustly_nb as tnb
from trustly_nb import bulk, emulator

from ..factories import seeded_customers

ADA, MARIA, LIAM, NOAH, CHLOE, OMAR = (str(1001165729 + i) for i in (0, 1, 2, 4, 7, 8))
FAST = {"timeout": 5.0, "backoff": 0.001, "retry_after_cap": 0.01}


def _emails(ids: list[str], tag: str = "new") -> dict[str, dict[str, str]]:
    return {cid: {"email": f"{tag}.{cid}@example.com"} for cid in ids}


def _posts(emu: emulator.Emulator) -> Counter[str]:
    """POSTs received per customer id."""
    return Counter(r.path.rsplit("/", 1)[-1] for r in emu.requests if r.method == "POST")


def _assert_updated(emu: emulator.Emulator, changes: dict[str, dict[str, str]]) -> None:
    for cid, wanted in changes.items():
        assert emu.get(cid)["email"] == wanted["email"], cid


def _journal_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- the happy path and the result frame ------------------------------------------------


def test_all_ok_updates_every_customer_and_reports_each_once():
    """Every customer is updated once; the frame has one row each, typed as documented."""
    with emulator.serve(customers=seeded_customers(30)) as emu, emu.client(**FAST) as client:
        changes = _emails([c["customerId"] for c in emu.customers()])
        result = client.update_many(changes, max_workers=4, progress=False)
        _assert_updated(emu, changes)
        assert set(_posts(emu).values()) == {1}
    assert list(result.index) == list(changes)
    assert result.index.name == "customerId"
    assert list(result.columns) == list(bulk.COLUMNS)
    assert (result["status"] == "ok").all()
    assert str(result["error_code"].dtype) == "Int64"
    assert str(result["updatedAt"].dtype) == "datetime64[ms, UTC]"
    assert result["updatedAt"].notna().all()
    first = next(iter(changes))
    assert result.loc[first, "fields"].endswith(f"→ new.{first}@example.com")
    assert result.attrs["trustly_nb.summary"] == {"ok": 30}


def test_a_frame_sends_only_the_changed_rows_and_reports_every_row(client, emu):
    """Edited frame + original: unchanged rows are ok with no request; ids stay text."""
    frame = tnb.customers_to_frame(client.list_customers())
    edited = frame.copy()
    edited.loc[ADA, "address.zip"] = "02135"
    edited.loc[MARIA, "email"] = "maria.garcia@example.com"
    emu.reset_requests()
    result = client.update_many(edited, original=frame, progress=False)
    assert list(result.index) == list(frame.index)
    assert (result["status"] == "ok").all()
    assert set(_posts(emu)) == {ADA, MARIA}
    assert len(emu.requests) == 4  # a GET and a POST for each changed row, nothing else
    assert result.loc[ADA, "fields"] == "address.zip: 02134 → 02135"
    assert emu.get(ADA)["address"]["zip"] == "02135"
    assert result.loc[LIAM, "fields"] == ""


def test_sensitive_values_are_masked_in_the_frame_but_journaled_in_full(client, emu, tmp_path):
    """The fields column masks identity numbers; the 0600 journal keeps the real ones."""
    path = tmp_path / "journal.jsonl"
    result = client.update_many({ADA: {"taxId": "000-99-1234"}}, journal=path, progress=False)
    assert result.loc[ADA, "fields"] == "taxId: •••••••3456 → •••••••1234"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    done = _journal_lines(path)[-1]
    assert (done["status"], done["before"], done["after"]) == (
        "ok", {"taxId": "000-12-3456"}, {"taxId": "000-99-1234"}
    )  # fmt: skip


def test_nothing_to_change_is_ok_with_no_post(client, emu):
    """A change that matches the current data reads the customer and sends nothing."""
    email = emu.get(ADA)["email"]
    result = client.update_many({ADA: {"email": email}}, progress=False)
    assert (result.loc[ADA, "status"], result.loc[ADA, "fields"]) == ("ok", "")
    assert not _posts(emu)


# --- refused before sending -------------------------------------------------------------


def test_invalid_rows_are_refused_before_sending_and_the_rest_go_on(client, emu):
    """Validation failures are per row, with the reason; nothing is posted for them."""
    changes = {
        ADA: {"address.zip": "021"},
        MARIA: {"emial": "typo@example.com"},
        LIAM: {"updatedAt": 5},
        NOAH: {"phone": "+15555550104"},
        CHLOE: "Platinum",
    }
    result = client.update_many(changes, progress=False)
    assert result["status"].to_dict() == {
        ADA: "invalid", MARIA: "invalid", LIAM: "invalid", NOAH: "ok", CHLOE: "invalid"
    }  # fmt: skip
    assert "address.zip" in result.loc[ADA, "error_message"]
    assert "did you mean 'email'" in result.loc[MARIA, "error_message"]
    assert result.loc[ADA, "error_code"] is pd.NA
    assert set(_posts(emu)) == {NOAH}


def test_a_refused_frame_cell_makes_only_its_row_invalid(client, emu):
    """Editing a masked cell refuses that row; the other rows of the frame still go."""
    frame = tnb.customers_to_frame(client.list_customers())
    edited = frame.copy()
    edited.loc[ADA, "taxId"] = "000-11-2222"
    edited.loc[MARIA, "email"] = "maria.garcia@example.com"
    result = client.update_many(edited, original=frame, progress=False)
    assert result.loc[ADA, "status"] == "invalid"
    assert "masked" in result.loc[ADA, "error_message"]
    assert result.loc[MARIA, "status"] == "ok"
    assert set(_posts(emu)) == {MARIA}


def test_a_frame_without_original_or_a_duplicate_id_is_refused(client):
    """Input that cannot be read as one row per customer raises before any request."""
    frame = tnb.customers_to_frame(client.list_customers())
    with pytest.raises(TypeError, match="original="):
        client.update_many(frame)
    with pytest.raises(tnb.ValidationError):
        client.update_many({1001165729: {"vip": "1"}, "1001165729": {"vip": "2"}})


def test_dry_run_sends_nothing_and_returns_the_diff(client, emu, tmp_path):
    """A dry run reads, validates and reports the diff; no POST, no journal."""
    changes = {ADA: {"email": "ada@example.org"}, MARIA: {"address.zip": "1"}}
    result = client.update_many(changes, dry_run=True, journal=tmp_path / "j", progress=False)
    assert result["status"].to_dict() == {ADA: "dry-run", MARIA: "invalid"}
    assert result.loc[ADA, "fields"] == "email: ada.whitfield@example.com → ada@example.org"
    assert not _posts(emu)
    assert emu.get(ADA)["email"] == "ada.whitfield@example.com"
    assert not (tmp_path / "j").exists()


# --- stale writes -------------------------------------------------------------------------


def test_a_customer_changed_since_the_frame_was_read_is_a_conflict(client, emu):
    """A newer updatedAt on the fresh GET refuses the row; force=True overwrites."""
    frame = tnb.customers_to_frame(client.list_customers())
    emu.put({**emu.get(ADA), "phone": "+15555550999"})  # someone else's write
    edited = frame.copy()
    edited.loc[[ADA, MARIA], "externalTier"] = "Silver"
    result = client.update_many(edited, original=frame, progress=False)
    assert result.loc[ADA, "status"] == "conflict"
    assert result.loc[ADA, "updatedAt"] > frame.loc[ADA, "updatedAt"]
    assert "force=True" in result.loc[ADA, "error_message"]
    assert result.loc[MARIA, "status"] == "ok"
    assert set(_posts(emu)) == {MARIA}
    again = client.update_many({ADA: {"externalTier": "Silver"}}, original=frame, progress=False)
    assert again.loc[ADA, "status"] == "conflict"  # a dict takes its stamps from original too
    forced = client.update_many(edited, original=frame, force=True, progress=False)
    assert forced.loc[ADA, "status"] == "ok"
    assert emu.get(ADA)["externalTier"] == "Silver"


# --- failures, retries, reruns --------------------------------------------------------------


def test_503s_every_row_is_reported_and_reruns_with_skip_finish_the_job():
    """15 % of requests fail with 503: nothing is lost, and reruns with skip= end with all ok."""
    with (
        emulator.serve(customers=seeded_customers(60), fail_rate=0.15, seed=3) as emu,
        emu.client(max_retries=0, **FAST) as client,
    ):
        changes = _emails([c["customerId"] for c in emu.customers()])
        result = client.update_many(changes, progress=False)
        assert list(result.index) == list(changes)
        failed = result[result["status"] == "error"]
        assert len(failed) > 0, "the seed should make some rows fail"
        assert set(failed["error_code"]) == {503}
        assert set(result["status"]) == {"ok", "error"}
        for _ in range(10):
            result = client.update_many(changes, skip=result, progress=False)
            assert list(result.index) == list(changes)
            if set(result["status"]) <= {"ok", "skipped"}:
                break
        assert set(result["status"]) <= {"ok", "skipped"}
        _assert_updated(emu, changes)


def test_503s_with_retry_after_are_retried_within_one_run():
    """With the client's retries, 503 + Retry-After is honoured and every row ends ok."""
    with (
        emulator.serve(
            customers=seeded_customers(30), fail_rate=0.15, seed=5, retry_after=0.01
        ) as emu,
        emu.client(**FAST) as client,
    ):
        changes = _emails([c["customerId"] for c in emu.customers()])
        result = client.update_many(changes, progress=False)
        assert (result["status"] == "ok").all()
        assert any(r.method == "POST" for r in emu.requests)


def test_a_post_whose_answer_is_lost_is_unknown_and_a_rerun_is_safe():
    """A dropped connection after sending may have landed: unknown, and a rerun fixes it."""

    def drop_first_post(method, path, k):
        if method == "POST" and path.endswith(ADA) and k == 1:
            return emulator.Fault.dropped_connection()
        return None

    with emulator.serve(faults=drop_first_post) as emu, emu.client(**FAST) as client:
        changes = {ADA: {"email": "ada@example.org"}, MARIA: {"externalTier": "Gold"}}
        result = client.update_many(changes, progress=False)
        assert result["status"].to_dict() == {ADA: "unknown", MARIA: "ok"}
        assert "may" in result.loc[ADA, "error_message"]
        rerun = client.update_many(changes, skip=result, progress=False)
        assert rerun["status"].to_dict() == {ADA: "ok", MARIA: "skipped"}
        assert emu.get(ADA)["email"] == "ada@example.org"


def test_a_401_stops_the_batch_at_once():
    """Bad credentials: few requests, no POST, the rest not-sent, .result on the error."""
    with emulator.serve(customers=seeded_customers(40)) as emu:
        client = tnb.Client(emu.access_id, "wrong-key", base_url=emu.base_url, **FAST)
        changes = _emails([c["customerId"] for c in emu.customers()])
        with pytest.raises(tnb.AuthenticationError) as info:
            client.update_many(changes, max_workers=4, progress=False)
        requests_made = len(emu.requests)
    result = info.value.result
    assert list(result.index) == list(changes)
    assert set(result["status"]) == {"error", "not-sent"}
    assert set(result.loc[result["status"] == "error", "error_code"]) == {401}
    assert (result["status"] == "not-sent").sum() >= 30
    assert requests_made <= 8
    assert "401" in result.loc[result["status"] == "not-sent", "error_message"].iloc[0]


def test_one_worker_while_recording():
    """client.concurrency_limit = 1 (record mode) runs the batch on one thread."""
    active, peak, lock = 0, 0, threading.Lock()

    def count(method, path, k):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01)
        with lock:
            active -= 1

    with emulator.serve(customers=seeded_customers(12), faults=count) as emu:
        client = emu.client(**FAST)
        changes = _emails([c["customerId"] for c in emu.customers()])
        client.update_many(changes, max_workers=4, progress=False)
        assert peak > 1
        peak = 0
        client.concurrency_limit = 1
        client.update_many(_emails(list(changes), "again"), max_workers=4, progress=False)
        assert peak == 1


# --- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_keeps_finished_rows_and_marks_the_post_in_flight_unknown(tmp_path):
    """KeyboardInterrupt: finished rows kept, the POST in flight unknown, the rest not-sent."""
    held, release = threading.Event(), threading.Event()
    ids = [c["customerId"] for c in seeded_customers(40)]
    stuck = ids[3]

    def hold(method, path, k):
        if method == "POST" and path.endswith(stuck):
            held.set()
            release.wait(10)

    def press_ctrl_c():
        # The POST is held in the server, so update_many is certainly still running.
        if held.wait(10):
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    path = tmp_path / "journal.jsonl"
    with (
        emulator.serve(customers=seeded_customers(40), latency_ms=5, faults=hold) as emu,
        emu.client(**FAST) as client,
    ):
        client.stop_grace_seconds = 0.3
        changes = _emails(ids)
        threading.Thread(target=press_ctrl_c, daemon=True).start()
        try:
            with pytest.raises(KeyboardInterrupt) as info:
                client.update_many(changes, max_workers=2, progress=False, journal=path)
        finally:
            release.set()
        result = info.value.result
        assert isinstance(info.value, bulk.BulkInterrupted)
        assert list(result.index) == ids
        assert result.loc[stuck, "status"] == "unknown"
        statuses = result["status"].value_counts()
        assert set(statuses.index) == {"ok", "unknown", "not-sent"}
        assert statuses["not-sent"] >= 20
        posted = _posts(emu)
        for cid, status in result["status"].items():
            if status == "ok":
                assert emu.get(cid)["email"] == changes[cid]["email"]
            elif status == "not-sent":
                assert cid not in posted, f"{cid} was posted but reported not-sent"
        # The held POST lands once released; its worker journals the truth, which wins.
        deadline = time.monotonic() + 10
        while bulk.read_journal(path).loc[stuck, "status"] != "ok":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        finish = client.update_many(changes, skip=result, progress=False)
        assert finish.loc[stuck, "status"] == "ok"
        assert finish.loc[stuck, "fields"] == ""  # it had landed: nothing sent twice
        _assert_updated(emu, changes)
        assert set(_posts(emu).values()) == {1}


# --- the journal ---------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import json, sys
    from trustly_nb import Client
    base_url, key, changes_file, journal = sys.argv[1:]
    changes = json.load(open(changes_file))
    client = Client("emulator-access-id", key, base_url=base_url, backoff=0.001)
    client.update_many(changes, max_workers=2, progress=False, journal=journal)
    """
)


def test_a_journal_survives_a_killed_process_and_resumes(tmp_path):
    """SIGKILL mid-batch, resume with skip=journal: every customer updated once, revertible."""
    journal = tmp_path / "journal.jsonl"
    with emulator.serve(customers=seeded_customers(60), latency_ms=40) as emu:
        originals = {c["customerId"]: c["email"] for c in emu.customers()}
        changes = _emails(list(originals))
        (tmp_path / "changes.json").write_text(json.dumps(changes))
        args = [emu.base_url, emu.access_key, str(tmp_path / "changes.json"), str(journal)]
        child = subprocess.Popen([sys.executable, "-c", _CHILD, *args])
        try:
            deadline = time.monotonic() + 60
            while not journal.exists() or journal.read_text().count('"status": "ok"') < 10:
                assert child.poll() is None, "the child ended before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.01)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL
        time.sleep(0.3)  # POSTs the child had sent land in the emulator after its latency
        with emu.client(**FAST) as client:
            done_before = set(bulk.read_journal(journal).query("status == 'ok'").index)
            result = client.update_many(changes, skip=journal, journal=journal, progress=False)
            assert list(result.index) == list(changes)
            assert set(result.index[result["status"] == "skipped"]) == done_before
            assert set(result["status"]) == {"ok", "skipped"}
            _assert_updated(emu, changes)
            assert set(_posts(emu).values()) == {1}, "a customer was written twice"
            assert (bulk.read_journal(journal)["status"] == "ok").all()
            reverted = client.revert(journal)
            assert set(reverted["status"]) == {"ok"}
            assert {cid: emu.get(cid)["email"] for cid in originals} == originals


def test_a_torn_line_and_a_post_without_outcome_are_read_safely(client, emu, tmp_path):
    """A line cut by a kill is ignored and not glued to the next; a lone 'sending' is unknown."""
    path = tmp_path / "journal.jsonl"
    sending = {"customerId": ADA, "status": "sending", "changed": ["email"],
               "before": {"email": "ada.whitfield@example.com"}, "attempt": "x"}  # fmt: skip
    path.write_text(json.dumps(sending) + '\n{"customerId": "1001165730", "sta')
    assert bulk.read_journal(path)["status"].to_dict() == {ADA: "unknown"}
    emu.put({**emu.get(ADA), "email": "ada@example.org"})  # as if that POST had landed
    client.update_many({MARIA: {"externalTier": "Gold"}}, journal=path, progress=False)
    lines = path.read_text().splitlines()
    assert lines[1] == '{"customerId": "1001165730", "sta'
    assert json.loads(lines[-1])["customerId"] == MARIA
    assert bulk.read_journal(path)["status"].to_dict() == {ADA: "unknown", MARIA: "ok"}
    bulk.revert(client, path, progress=False)
    assert emu.get(ADA)["email"] == "ada.whitfield@example.com"
    assert "externalTier" not in emu.get(MARIA)


def test_skip_takes_a_result_a_journal_or_ids(client, emu, tmp_path):
    """skip= accepts a previous result, a journal path (missing: nothing) or an id list."""
    path = tmp_path / "journal.jsonl"
    changes = {ADA: {"externalTier": "Gold"}, MARIA: {"externalTier": "Gold"}}
    first = client.update_many(changes, skip=path, journal=path, progress=False)
    assert set(first["status"]) == {"ok"}
    for skip in (first, path, str(path), [int(ADA), MARIA]):
        again = client.update_many(changes, skip=skip, progress=False)
        assert set(again["status"]) == {"skipped"}, skip
    assert set(_posts(emu).values()) == {1}
    with pytest.raises(TypeError, match="status"):
        client.update_many(changes, skip=pd.DataFrame(index=[ADA]), progress=False)


# --- revert -------------------------------------------------------------------------------


def test_revert_restores_the_before_values(client, emu, tmp_path):
    """Changed, added, nested and cleared fields all go back to what they were."""
    before = {cid: emu.get(cid) for cid in (ADA, MARIA, NOAH, CHLOE, OMAR)}
    path = tmp_path / "journal.jsonl"
    changes = {
        ADA: {"email": "ada@example.org", "address.zip": "02135"},
        MARIA: {"externalTier": "Silver"},
        NOAH: {"driverLicense": {"number": "D000999888", "state": "IL"}},
        CHLOE: {"customData": {"segment": "vip"}},
        OMAR: {"vip": tnb.CLEAR},
    }
    assert set(client.update_many(changes, journal=path, progress=False)["status"]) == {"ok"}
    assert "vip" not in emu.get(OMAR)
    assert emu.get(NOAH)["driverLicense"]["state"] == "IL"
    reverted = client.revert(path)
    assert sorted(reverted.index) == sorted(changes)  # in journal order
    assert set(reverted["status"]) == {"ok"}
    for cid, old in before.items():
        now = emu.get(cid)
        assert {**now, "updatedAt": 0} == {**old, "updatedAt": 0}, cid


def test_revert_refuses_a_customer_changed_since_and_a_masked_before_value(tmp_path):
    """Revert checks for stale writes too, and never writes a mask back."""
    people = emulator.seed_customers()[:2]
    people[0]["taxId"] = "#####6790"  # the API may answer identity numbers masked
    path = tmp_path / "journal.jsonl"
    with emulator.serve(customers=people) as emu, emu.client(**FAST) as client:
        changes = {ADA: {"taxId": "000-12-6790"}, MARIA: {"externalTier": "Gold"}}
        client.update_many(changes, journal=path, progress=False)
        emu.put({**emu.get(MARIA), "phone": "+15555550998"})
        emu.reset_requests()
        reverted = bulk.revert(client, path, progress=False)
        assert reverted["status"].to_dict() == {ADA: "invalid", MARIA: "conflict"}
        assert "masked" in reverted.loc[ADA, "error_message"]
        assert not _posts(emu)
        assert emu.get(ADA)["taxId"] == "000-12-6790"


# --- the progress bar ----------------------------------------------------------------------


def test_progress_bar_shows_ok_and_failed_counts(client, capsys):
    """progress=True draws a tqdm bar (text outside Jupyter) with the counts, no warnings."""
    changes = {ADA: {"externalTier": "Gold"}, MARIA: {"address.zip": "1"}}
    client.update_many(changes)
    err = capsys.readouterr().err
    assert "update_many" in err
    assert "ok=1, failed=1" in err


def test_journals_are_private_even_in_a_shared_folder(client, tmp_path):
    """A new journal is readable by its owner only (it holds unmasked values)."""
    old = os.umask(0)
    try:
        client.update_many({ADA: {"vip": "2"}}, journal=tmp_path / "j.jsonl", progress=False)
    finally:
        os.umask(old)
    assert (tmp_path / "j.jsonl").stat().st_mode & 0o077 == 0
