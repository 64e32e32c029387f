"""One run of a bulk update: the worker pool, what the workers report into, and the stop."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pandas as pd

from ..errors import AuthenticationError
from ._errors import BulkAuthenticationError, BulkInterrupted, JournalWriteError
from ._items import _Item
from ._journal import RERUN, SENDING, Row, append_line, open_journal
from ._results import _UNKNOWN, failed_row, frame, planned_row

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["Batch"]


# --- the batch ---------------------------------------------------------------------------


class Batch:
    """One run: the pool, the shared state the workers report into, and the stop logic."""

    def __init__(self, client: Client, *, dry_run: bool, force: bool, journal: Any) -> None:
        self.client, self.dry_run, self.force = client, dry_run, force
        self.journal_path = None if journal is None else Path(journal)
        self.journal: TextIO | None = None
        self.lock = threading.Lock()  # guards everything below and the journal file
        self.stop = threading.Event()
        self.outcomes: dict[str, Row] = {}
        self.in_flight: dict[str, Row | None] = {}  # None while reading; the row while posting
        self.abandoned: set[str] = set()  # reported before their worker came back
        self.counts = {"ok": 0, "failed": 0}
        self.fatal: Exception | None = None  # a 401, or a journal that cannot be written
        self.active = 0  # worker threads running; the last one out closes a finished journal
        self.closing = False

    def execute(
        self, items: list[_Item], *, max_workers: int, progress: bool, desc: str
    ) -> pd.DataFrame:
        """Run every item that has no preset row; return the frame of all of them."""
        from tqdm.auto import tqdm

        todo = [item for item in items if item.preset is None]
        workers = max(1, min(max_workers, self.client.concurrency_limit or max_workers, len(todo)))
        self.client.ensure_pool(workers)  # one pooled connection per thread
        bar = tqdm(total=len(todo), desc=desc, unit="customer", disable=not progress)
        pool = ThreadPoolExecutor(workers, thread_name_prefix="trustly_nb-bulk")
        interrupted = False
        try:
            self._open_journal(items)
            interrupted = self._drive(pool, todo, workers, bar)
        finally:
            self.stop.set()
            pool.shutdown(wait=False)
            self._tick(bar)
            bar.close()
            with self.lock:
                self.closing = True
                self._close_if_idle()
        return self._result(items, interrupted=interrupted)

    def _open_journal(self, items: list[_Item]) -> None:
        if self.journal_path is None:
            return
        self.journal = open_journal(self.journal_path)
        for item in items:  # invalid ones; skipped and unchanged rows are not news
            if item.preset is not None and item.preset.status == "invalid":
                self._write(item.customer_id, item.preset)

    def _drive(self, pool: ThreadPoolExecutor, todo: list[_Item], workers: int, bar: Any) -> bool:
        """Watch the workers until they finish or the batch stops; True on Ctrl-C."""
        # Each worker takes the next row when it is free; nothing is queued ahead, so a
        # 401 or a Ctrl-C leaves the rest unsent, and the main thread only watches.
        queue, running = iter(todo), []
        try:
            running = [pool.submit(self._work, queue) for _ in range(workers)]
            while not self.stop.is_set():
                # A timeout, so Ctrl-C is noticed even where a lock wait would swallow it.
                if not wait(running, timeout=0.1).not_done:
                    break
                self._tick(bar)
        except KeyboardInterrupt:
            self._halt(running)
            return True
        if self.stop.is_set():
            self._halt(running)
        return False

    def _result(self, items: list[_Item], *, interrupted: bool) -> pd.DataFrame:
        reason = "Ctrl-C" if self.fatal is None else "a 401 (bad credentials)"
        if isinstance(self.fatal, OSError):
            reason = f"a journal write failure ({self.fatal})"
        unsent = Row("not-sent", error_message=f"Not sent: the batch stopped at {reason}.")
        ids = [item.customer_id for item in items]
        rows = [item.preset or self.outcomes.get(item.customer_id, unsent) for item in items]
        result = frame(ids, rows, self.journal_path)
        if isinstance(self.fatal, AuthenticationError):
            raise BulkAuthenticationError(self.fatal, result) from None
        if isinstance(self.fatal, OSError):
            raise JournalWriteError(self.fatal, result) from None
        if interrupted:
            raise BulkInterrupted(result) from None
        return result

    def _work(self, queue: Iterator[_Item]) -> None:
        """A worker thread: rows one after another until none are left or the batch stops."""
        with self.lock:
            self.active += 1
        try:
            while True:
                with self.lock:
                    item = None if self.stop.is_set() else next(queue, None)
                    if item is None:
                        return  # the rest stay not-sent
                    self.in_flight[item.customer_id] = None
                self._run(item)
        finally:
            with self.lock:
                self.active -= 1
                self._close_if_idle()

    def _run(self, item: _Item) -> None:
        """One customer. Never raises: every outcome becomes a row."""
        cid, plan, attempt = item.customer_id, None, None
        try:
            plan = self.client.plan_update(
                cid, item.changes, read_updated_at=item.stamp, force=self.force, cancel=self.stop
            )
            if self.dry_run or not plan.changed:
                self._finish(cid, planned_row(plan, "dry-run" if self.dry_run else "ok"))
                return
            row = planned_row(plan, "ok")
            with self.lock:
                if self.stop.is_set():  # read, but the batch stopped: nothing is written
                    del self.in_flight[cid]
                    return
                row.attempt = attempt = uuid.uuid4().hex[:12]
                self.in_flight[cid] = row
                self._write(cid, row, SENDING)  # before the POST, so a dead kernel keeps it
            row.updated_at = self.client.send_update(plan, cancel=self.stop).updated_at
            self._finish(cid, row)
        except Exception as exc:  # every failure is a row; the batch goes on
            if isinstance(exc, AuthenticationError):
                with self.lock:
                    self.fatal = self.fatal or exc
                self.stop.set()
            failed = failed_row(exc, plan, posting=attempt is not None)
            failed.attempt = attempt
            self._finish(cid, failed)

    def _finish(self, cid: str, row: Row) -> None:
        with self.lock:
            self.in_flight.pop(cid, None)
            self.counts["ok" if row.status in ("ok", "dry-run") else "failed"] += 1
            if cid not in self.abandoned:
                self.outcomes[cid] = row
            # The truth goes to the journal even when it comes late: its last line wins.
            self._write(cid, row)

    def _write(self, cid: str, row: Row, status: str | None = None) -> None:
        if self.journal is None:
            return
        try:
            append_line(self.journal, row.record(cid, status))
        except OSError as exc:  # a full disk: stop rather than go on unrecorded
            self.fatal = self.fatal or exc
            self.stop.set()

    def _close_if_idle(self) -> None:
        # Late workers (after a stop) still journal their outcome, so close only when the
        # batch is over and the last of them is out.
        if self.closing and not self.active and self.journal is not None:
            self.journal.close()
            self.journal = None

    def _halt(self, running: list[Future[None]]) -> None:
        self.stop.set()
        # Let requests in flight answer, so fewer rows end unknown; a 2nd Ctrl-C skips this.
        with contextlib.suppress(KeyboardInterrupt):
            wait(running, timeout=self.client.stop_grace_seconds)
        with self.lock:
            for cid, row in self.in_flight.items():
                if row is not None:  # posting; a row still reading stays not-sent
                    message = _UNKNOWN + RERUN
                    lost = dataclasses.replace(row, status="unknown", error_message=message)
                    self.outcomes[cid] = lost
                    self._write(cid, lost)
            self.abandoned.update(self.in_flight)

    def _tick(self, bar: Any) -> None:
        with self.lock:
            done, ok, failed = len(self.outcomes), self.counts["ok"], self.counts["failed"]
        if done > bar.n:
            bar.set_postfix({"ok": ok, "failed": failed}, refresh=False)
            bar.update(done - bar.n)


# --- input ----------------------------------------------------------------------------


# --- rows and frames --------------------------------------------------------------------
