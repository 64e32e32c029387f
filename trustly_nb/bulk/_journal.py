"""The bulk-update journal: its JSON-lines format, the private file, and folding it back.

:mod:`trustly_nb.bulk` runs the batch; this module holds what reaches the disk and how it
is read again: :class:`Row` (one customer's outcome, as a result row and as a journal line),
:func:`open_journal`, :func:`append_line` and :func:`read_trails`.

One line is one JSON object, appended and flushed as it happens::

    {"customerId": "1001165729", "status": "ok", "error_code": null,
     "error_message": null, "fields": "email: a@x → b@y", "changed": ["email"],
     "before": {"email": "a@x"}, "after": {"email": "b@y"}, "updatedAt": 1718000000000,
     "attempt": "3f2a9c0d1e4b", "at": "2024-06-10T09:13:20.123+00:00"}

``status`` is a result status (:data:`trustly_nb.bulk.STATUSES`), or ``"sending"`` on the
line written just before a POST; ``attempt`` pairs that line with its outcome's line.
``before``/``after`` hold the changed fields' values *unmasked* (dotted names; a nested
object that did not exist is its top-level name with ``null``), so the file is ``0600``.

Reading folds the lines per customer: the last line wins; a ``"sending"`` line with no
outcome after it (the process died mid-POST) reads as ``unknown``; each field keeps its
*earliest* before-value, which is what a revert puts back. A line that does not parse (torn
by a killed process) is skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

SENDING: Final = "sending"
"""The status of the line written before a POST; it never reaches a result frame."""

RERUN: Final = "A rerun reads the customer fresh and only sends what is still different."
"""Ends every message about a POST that may have landed."""


@dataclass
class Row:
    """One customer's outcome: a row of the result frame, and the journal line it becomes.

    ``changed``, ``before``, ``after`` and ``attempt`` only go to the journal; the frame
    shows the other fields.
    """

    status: str
    error_code: int | None = None
    error_message: str | None = None
    fields: str = ""
    updated_at: int | None = None
    changed: list[str] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    attempt: str | None = None

    def record(self, customer_id: str, status: str | None = None) -> dict[str, Any]:
        """The journal line for this row; ``status`` overrides the row's (``SENDING``)."""
        return {"customerId": customer_id, "status": status or self.status,
                "error_code": self.error_code, "error_message": self.error_message,
                "fields": self.fields, "changed": self.changed, "before": self.before,
                "after": self.after, "updatedAt": self.updated_at, "attempt": self.attempt,
                "at": datetime.now(UTC).isoformat(timespec="milliseconds")}  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Row:
        """A journal line as a row, with the fields a result frame shows."""
        return cls(str(record.get("status")), record.get("error_code"),
                   record.get("error_message"), record.get("fields") or "",
                   record.get("updatedAt"))  # fmt: skip


def open_journal(path: Path) -> TextIO:
    """Open ``path`` for appending, creating it ``0600``: journals hold personal data."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    handle = os.fdopen(os.open(path, flags, 0o600), "a", encoding="utf-8")
    if path.stat().st_size:
        with path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            if existing.read(1) != b"\n":
                handle.write("\n")  # a line torn by a killed process stays on its own
    return handle


def append_line(handle: TextIO, record: Mapping[str, Any]) -> None:
    """Write ``record`` as one line and flush it; an ``OSError`` (a full disk) propagates."""
    handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    handle.flush()  # in the OS's hands: survives the process dying (not a power cut)


@dataclass
class Trail:
    """One customer's journal lines, folded."""

    last: dict[str, Any] | None = None
    pending: dict[str, Any] | None = None  # a "sending" line whose outcome is not seen yet
    before: dict[str, Any] = field(default_factory=dict)
    stamp: int | None = None  # updatedAt of the last write, if it was ok
    wrote: bool = False

    def absorb(self, record: Mapping[str, Any], stamp: int | None) -> None:
        """Count ``record`` as a write that (may have) landed, stamped ``stamp``."""
        for name, value in (record.get("before") or {}).items():
            head = name.partition(".")[0]
            nested = name == head and any(k.startswith(f"{head}.") for k in self.before)
            if name not in self.before and head not in self.before and not nested:
                self.before[name] = value  # the earliest before-value wins
        self.stamp, self.wrote = stamp, True


def read_trails(path: Path) -> dict[str, Trail]:
    """The journal at ``path`` folded per customer, in the order customers first appear."""
    trails: dict[str, Trail] = {}
    for record in _records(path):
        trail = trails.setdefault(str(record.get("customerId")), Trail())
        pending, status = trail.pending, record.get("status")
        if pending is not None and (
            status == SENDING or record.get("attempt") != pending.get("attempt")
        ):
            trail.absorb(pending, None)  # that POST's outcome was never written
            trail.pending = pending = None
        if status == SENDING:
            trail.pending = record
            continue
        trail.pending = None  # the outcome of the pending POST, if any, is this line
        if status in ("ok", "unknown") and record.get("changed"):
            trail.absorb(record, record.get("updatedAt") if status == "ok" else None)
        trail.last = record
    for trail in trails.values():
        if trail.pending is not None:
            trail.absorb(trail.pending, None)
            message = "The process died with this POST in flight: it may have landed. " + RERUN
            trail.last = {**trail.pending, "status": "unknown", "error_message": message}
    return trails


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # blank, or torn by a killed process mid-write
            if isinstance(record, dict) and "customerId" in record:
                yield record
