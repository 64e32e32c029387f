"""Bulk updates from a change dict or an edited DataFrame: concurrent, visible, resumable.

:func:`update_many` (``client.update_many``) runs get → merge → validate → post for each
customer on a small thread pool sharing the client's session, with a ``tqdm.auto``
progress bar, and returns one row per input customer, whatever happened:

============  ==========================================================================
``ok``        updated; an empty ``fields`` means it already had these values (nothing sent)
``error``     Trustly or the network refused it (``error_code`` is the HTTP status)
``invalid``   refused before sending: a bad field, a masked value, an unknown column
``conflict``  changed on Trustly's side since the frame was read (``force=True`` overwrites)
``skipped``   already ``ok`` in ``skip=`` (a result frame, a journal, or customer ids)
``not-sent``  the batch stopped first (a 401, or Ctrl-C)
``unknown``   a POST was in flight when the batch stopped, or its answer was lost: it may
              have landed. A rerun reads the customer fresh, so it is safe.
``dry-run``   what would change; nothing was sent
============  ==========================================================================

The journal (``journal=path``) is JSON lines, flushed as rows finish (all but skipped,
not-sent and unchanged rows; dry runs write none), plus a ``"sending"`` line before each
POST: ``customerId, status, error_code, error_message, fields, changed, before, after,
updatedAt, attempt, at``. ``before``/``after`` hold the changed fields' values *unmasked*
(dotted; a nested object that did not exist is its top-level name with ``null``), since
:func:`revert` needs them: journals hold personal data, so they are created ``0600``. The
last line per customer wins; a ``"sending"`` line with no outcome after it (the process
died mid-POST) counts as ``unknown``. A dead kernel loses nothing; a power cut may lose
the last lines (no fsync per row).

Example:
    >>> result = client.update_many({"1001165729": {"email": "ada@example.org"}},
    ...                             journal="fixes.jsonl")
    >>> result = client.update_many(changes, skip="fixes.jsonl", journal="fixes.jsonl")
    >>> client.revert("fixes.jsonl")                 # the before-values, put back
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

import pandas as pd

from ..changes import CLEAR, flatten
from ..errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    TransportError,
    TrustlyError,
    UnexpectedResponseError,
    ValidationError,
)
from ..frames import frame_to_changes, indexed_by_id, read_stamps
from ..masking import SENSITIVE_FIELDS, looks_masked, mask_value
from ._journal import RERUN, SENDING, Row, append_line, open_journal, read_trails

if TYPE_CHECKING:
    from ..changes import UpdatePlan
    from ..client import Client

__all__ = ["COLUMNS", "STATUSES", "BulkInterrupted", "read_journal",
           "revert", "summary", "update_many"]  # fmt: skip

STATUSES: Final = ("ok", "error", "invalid", "conflict", "skipped", "not-sent", "unknown",
                   "dry-run")  # fmt: skip
COLUMNS: Final = ("status", "error_code", "error_message", "fields", "updatedAt")
"""How long a stopped batch waits for requests in flight to answer (a 2nd Ctrl-C skips it)."""

_UNKNOWN: Final = "The POST was in flight when the batch stopped: it may have landed. "


class BulkInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a bulk update; ``.result`` is the frame of every row so far.

    It is a ``KeyboardInterrupt``, so a notebook cell still stops. In Jupyter the frame is
    ``sys.last_value.result``; the journal, when one was given, holds the same rows.
    """

    def __init__(self, result: pd.DataFrame) -> None:
        self.result = result
        counts = ", ".join(f"{n} {s}" for s, n in summary(result).items())
        super().__init__(
            f"Stopped by Ctrl-C: {counts}. Every row is in this exception's .result "
            "(sys.last_value.result in Jupyter) and in the journal, if one was given; rerun "
            "with skip=<that frame or the journal path> to finish."
        )


@dataclass
class _Item:
    customer_id: str
    changes: Mapping[str, Any]
    stamp: int | None = None
    preset: Row | None = None  # decided without a request (invalid, unchanged, skipped)


def update_many(
    client: Client,
    changes: Mapping[Any, Mapping[str, Any]] | pd.DataFrame,
    *,
    original: pd.DataFrame | None = None,
    max_workers: int = 8,
    progress: bool = True,
    dry_run: bool = False,
    skip: pd.DataFrame | str | os.PathLike[str] | Iterable[Any] | None = None,
    journal: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Update many customers concurrently: get → merge → validate → post, one row each.

    Args:
        client: the client whose session (and retry rules) every request uses.
        changes: ``{customerId: {field: value}}`` (what ``frame_to_changes`` returns), or an
            edited frame with ``original=`` the frame it came from. A frame row whose cells
            all match the original is ``ok`` with no request; a row whose cells cannot be
            sent (an edited masked value, an unknown column) is ``invalid``.
        original: the frame as read; its ``updatedAt`` values are the stale-write stamps
            (also when ``changes`` is a dict). Without it there is no stale-write check.
        max_workers: threads; capped by ``client.concurrency_limit`` (1 while recording).
        progress: show a ``tqdm.auto`` bar with ok/failed counts (a widget in JupyterLab).
        dry_run: read and validate only, and report what would change; nothing is posted.
        skip: customers already done: a previous result (its ``ok`` rows), a journal path
            (its ``ok`` customers; a missing file skips nothing), or a list of ids.
        journal: a JSON-lines file to append every finished row to (see the module doc).
        force: overwrite customers that changed since ``original`` was read.

    Returns:
        A frame indexed by ``customerId`` (text) in input order with :data:`COLUMNS`:
        ``status`` (one of :data:`STATUSES`), ``error_code`` (HTTP status, Int64),
        ``error_message``, ``fields`` (``"email: a@x → b@y; address.zip: … → …"``, identity
        numbers masked) and ``updatedAt`` (``datetime64[ms, UTC]``). ``attrs`` holds
        ``"trustly_nb.summary"`` (counts per status) and ``"trustly_nb.journal"``.

    Raises:
        AuthenticationError: a 401 stopped the batch; its ``.result`` is the frame, the
            unsent rows ``not-sent``.
        BulkInterrupted: Ctrl-C (a ``KeyboardInterrupt``) stopped it; ``.result`` likewise.
        ValidationError: the input names a customer twice or has rows without an id.

    Example:
        >>> result = client.update_many(edited, original=frame, journal="fixes.jsonl")
        >>> result[result.status != "ok"]
        >>> client.update_many(edited, original=frame, skip=result)   # finish the job
    """
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, got {max_workers!r}")
    if isinstance(changes, pd.DataFrame):
        if original is None:
            raise TypeError(
                "update_many(frame) needs original=, the frame it was edited from, to tell "
                "which cells changed; or pass tnb.frame_to_changes(edited, original)."
            )
        items = _frame_items(changes, original, dry_run)
    elif isinstance(changes, Mapping):
        items = _dict_items(changes, read_stamps(original) if original is not None else {})
    else:
        raise TypeError(f"changes must be a dict or a DataFrame, got {type(changes).__name__}")
    done = _skip_ids(skip)
    for item in items:
        if item.customer_id in done:
            item.preset = Row("skipped", error_message="Already ok in skip=; not sent again.")
    desc = "dry run" if dry_run else "update_many"
    batch = _Batch(client, dry_run=dry_run, force=force, journal=None if dry_run else journal)
    return batch.execute(items, max_workers=max_workers, progress=progress, desc=desc)


def revert(
    client: Client,
    journal_path: str | os.PathLike[str],
    *,
    max_workers: int = 8,
    progress: bool = True,
    journal: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Put back the before-values a bulk update's journal recorded, concurrently.

    Every customer the journal wrote to (``ok`` rows that changed something, ``unknown``
    rows, POSTs cut off by a dead process) gets each changed field's *earliest* recorded
    before-value back; a field that did not exist is removed. A customer changed since
    the journal's last ``ok`` write is a ``conflict`` unless ``force=True``. A before-value
    the API returned masked is never written back: that row is ``invalid``.

    Returns:
        The same frame as :func:`update_many`, one row per reverted customer.

    Example:
        >>> client.revert("fixes.jsonl")
    """
    items: list[_Item] = []
    for cid, trail in read_trails(Path(journal_path)).items():
        if not trail.wrote:
            continue
        item = _Item(cid, {k: CLEAR if v is None else v for k, v in trail.before.items()})
        item.stamp = trail.stamp
        masked = sorted(name for name, value in trail.before.items() if looks_masked(value))
        if masked:
            item.preset = Row("invalid", error_message=f"{', '.join(masked)} was read masked; "
                              "a mask is never written back. Nothing was sent.")  # fmt: skip
        items.append(item)
    batch = _Batch(client, dry_run=False, force=force, journal=journal)
    return batch.execute(items, max_workers=max_workers, progress=progress, desc="revert")


def read_journal(journal_path: str | os.PathLike[str]) -> pd.DataFrame:
    """A journal as a result frame: the last row per customer (see :func:`update_many`).

    Example:
        >>> tnb.bulk.read_journal("fixes.jsonl").status.value_counts()
    """
    # Here, not in _journal: the fold is the journal's, the result frame is this module's.
    trails = read_trails(Path(journal_path))
    rows = [Row.from_record(t.last) for t in trails.values() if t.last is not None]
    return _frame([cid for cid, t in trails.items() if t.last is not None], rows, None)


def summary(result: pd.DataFrame) -> pd.Series[int]:
    """Rows per status, in :data:`STATUSES` order, leaving out statuses with none.

    Example:
        >>> summary(result)
        status
        ok         7
        invalid    1
        Name: count, dtype: int64
    """
    counts = result["status"].value_counts()
    return counts.reindex([s for s in STATUSES if s in counts.index])


# --- the batch ---------------------------------------------------------------------------


class _Batch:
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
        from tqdm.auto import tqdm

        todo = [item for item in items if item.preset is None]
        workers = max(1, min(max_workers, self.client.concurrency_limit or max_workers, len(todo)))
        self.client.ensure_pool(workers)  # one pooled connection per thread
        interrupted = False
        bar = tqdm(total=len(todo), desc=desc, unit="customer", disable=not progress)
        pool = ThreadPoolExecutor(workers, thread_name_prefix="trustly_nb-bulk")
        try:
            if self.journal_path is not None:
                self.journal = open_journal(self.journal_path)
                for item in items:  # invalid ones; skipped and unchanged rows are not news
                    if item.preset is not None and item.preset.status == "invalid":
                        self._write(item.customer_id, item.preset)
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
                interrupted = True
            if interrupted or self.stop.is_set():
                self._halt(running)
        finally:
            self.stop.set()
            pool.shutdown(wait=False)
            self._tick(bar)
            bar.close()
            with self.lock:
                self.closing = True
                self._close_if_idle()
        reason = "Ctrl-C" if self.fatal is None else "a 401 (bad credentials)"
        if isinstance(self.fatal, OSError):
            reason = f"a journal write failure ({self.fatal})"
        unsent = Row("not-sent", error_message=f"Not sent: the batch stopped at {reason}.")
        ids = [item.customer_id for item in items]
        rows = [item.preset or self.outcomes.get(item.customer_id, unsent) for item in items]
        result = _frame(ids, rows, self.journal_path)
        if self.fatal is not None:
            self.fatal.result = result  # type: ignore[attr-defined]  # OSError takes it too
            raise self.fatal
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
                self._finish(cid, _planned(plan, "dry-run" if self.dry_run else "ok"))
                return
            row = _planned(plan, "ok")
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
            failed = _failed(exc, plan, posting=attempt is not None)
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


def _dict_items(changes: Mapping[Any, Any], stamps: Mapping[str, int | None]) -> list[_Item]:
    items: dict[str, _Item] = {}
    for key, wanted in changes.items():
        cid = str(key).strip()
        if cid in items or not cid:
            raise ValidationError([("customerId", f"{cid!r} is empty or given twice")])
        items[cid] = item = _Item(cid, wanted if isinstance(wanted, Mapping) else {})
        item.stamp = stamps.get(cid)
        if not isinstance(wanted, Mapping):
            message = f"The changes must be a dict of fields, got {type(wanted).__name__}."
            item.preset = Row("invalid", error_message=message)
    return list(items.values())


def _frame_items(edited: pd.DataFrame, original: pd.DataFrame, dry_run: bool) -> list[_Item]:
    stamps = read_stamps(original)
    ids = [str(cid) for cid in indexed_by_id(edited, "edited").index]  # ids as text, no duplicates
    refused: dict[str, str] = {}
    try:
        found = frame_to_changes(edited, original)
    except ValidationError:
        # One ValidationError names every refused cell; find which rows, so only they
        # are refused (row by row is slower, and only taken when something is wrong).
        found = {}
        mine, theirs = indexed_by_id(edited, "edited"), indexed_by_id(original, "original")
        for position, cid in enumerate(ids):
            source = theirs.loc[[cid]] if cid in theirs.index else theirs.iloc[:0]
            try:
                found.update(frame_to_changes(mine.iloc[[position]], source))
            except ValidationError as exc:
                refused[cid] = str(exc)
    items = []
    for cid in ids:
        item = _Item(cid, found.get(cid, {}), stamps.get(cid))
        if cid in refused:
            item.preset = Row("invalid", error_message=refused[cid])
        elif cid not in found:  # nothing edited in this row: nothing to send
            item.preset = Row("dry-run" if dry_run else "ok", updated_at=item.stamp)
        items.append(item)
    return items


def _skip_ids(skip: Any) -> set[str]:
    if skip is None:
        return set()
    if isinstance(skip, pd.DataFrame):
        if "status" not in skip.columns:
            raise TypeError("skip= takes a result frame (with a status column), a journal "
                            "path or customer ids; this frame has no status column.")  # fmt: skip
        done = skip["status"].isin(["ok", "skipped"])  # skipped: it was ok in a run before
        return {str(cid) for cid in skip.index[done]}
    if isinstance(skip, str | os.PathLike):
        path = Path(skip)
        if not path.exists():  # the first run of `skip=path, journal=path`
            return set()
        return {c for c, t in read_trails(path).items() if t.last and t.last["status"] == "ok"}
    return {str(cid).strip() for cid in skip}


# --- rows and frames --------------------------------------------------------------------


def _planned(plan: UpdatePlan, status: str) -> Row:
    """A row for a planned update: what changes, before (journal form) and after."""
    current = plan.before.model_dump(by_alias=True, exclude_none=True)
    old, new = flatten(current), flatten(plan.payload)
    before: dict[str, Any] = {}
    for name in plan.changed:
        head = name.partition(".")[0]
        if name != head and head not in current:
            before[head] = None  # a new nested object: a revert removes it whole
        else:
            before[name] = old.get(name)
    shown = "; ".join(
        f"{n}: {_shown(n, old.get(n))} → {_shown(n, new.get(n))}" for n in plan.changed
    )
    after = {name: new.get(name) for name in plan.changed}
    return Row(status, fields=shown, updated_at=plan.before.updated_at,
               changed=list(plan.changed), before=before, after=after)  # fmt: skip


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        text = mask_value(value) if name in SENSITIVE_FIELDS else value
        return text if text else '""'
    return json.dumps(value, ensure_ascii=False, default=str)


def _failed(exc: Exception, plan: UpdatePlan | None, *, posting: bool) -> Row:
    lost = isinstance(exc, UnexpectedResponseError) or (
        isinstance(exc, TransportError) and exc.sent
    )
    if isinstance(exc, ValidationError):
        status = "invalid"
    elif isinstance(exc, ConflictError):
        status = "conflict"
    else:  # a POST whose answer was lost may have landed
        status = "unknown" if posting and lost else "error"
    row = _planned(plan, status) if plan is not None else Row(status)
    row.error_code = exc.status if isinstance(exc, APIError) else None
    row.error_message = str(exc) if isinstance(exc, TrustlyError) else f"{exc!r}"
    if status == "unknown" and isinstance(exc, UnexpectedResponseError):
        row.error_message += " The update may have landed: get the customer to check."
    if isinstance(exc, ConflictError):
        row.updated_at = exc.current_updated_at
    return row


def _frame(ids: list[str], rows: list[Row], journal: Path | None) -> pd.DataFrame:
    index = pd.Index(ids, dtype=object, name="customerId")
    stamps = pd.Series([r.updated_at for r in rows], index=index, dtype="Int64")
    frame = pd.DataFrame(
        {name: pd.Series([getattr(r, name) for r in rows], index=index, dtype=object)
         for name in ("status", "error_code", "error_message", "fields")}, index=index
    ).astype({"error_code": "Int64"})  # fmt: skip
    # pandas 3 converts to datetime64[us]; frames use ms throughout.
    frame["updatedAt"] = pd.to_datetime(stamps, unit="ms", utc=True).dt.as_unit("ms")
    frame.attrs["trustly_nb.summary"] = summary(frame).to_dict()
    frame.attrs["trustly_nb.journal"] = None if journal is None else str(journal)
    return frame
