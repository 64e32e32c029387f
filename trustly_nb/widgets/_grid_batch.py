"""The grid's sending: Dry run and Submit through ``update_many``, each row's outcome shown
in the grid, and the rows that went ``ok`` read back as the new original.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..changes import flatten
from ..errors import TrustlyError
from ._grid_cells import row_warnings
from ._grid_view import GridView
from ._html import count
from ._parts import Level

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["GridBatch"]

logger = logging.getLogger("trustly_nb")


class GridBatch(GridView):
    """Dry run and Submit for :class:`~trustly_nb.CustomerGrid`."""

    client: Client
    journal: Any
    _masked: frozenset[str]
    _bad: dict[tuple[str, str], str]
    _result: pd.DataFrame | None

    def _submit_clicked(self) -> None:
        """The button: asks once when the changes only have soft warnings."""
        warned = [(cid, c) for cid, c in self._warned_cells()]
        if warned and not self._confirming and not self._errors:
            self._confirming = True
            self._enable()
            listed = "; ".join(f"{c} of {cid} {self._warnings[cid][c]}" for cid, c in warned[:5])
            text = f"{count(len(warned), 'changed cell')} look wrong: {listed}."
            self._say("warning", f"{text} Click “Submit anyway” to send, or fix the amber cells.")
            return
        self._send(dry_run=False, options={})

    def _warned_cells(self) -> list[tuple[str, str]]:
        """The changed cells with a soft warning: what the Submit button asks about."""
        return [
            (cid, column)
            for cid in self._ids
            if cid in self._changes
            for column in flatten(self._changes[cid])
            if column in self._warnings.get(cid, {})
        ]

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        self._busy = True
        self._enable()
        try:
            yield
        finally:
            self._busy = False
            self._confirming = False
            self._enable()

    def _send(self, *, dry_run: bool, options: dict[str, Any]) -> pd.DataFrame | None:
        what = "Dry run" if dry_run else "Submit"
        if self._busy:
            self._say("warning", "A batch is already running; wait for it to finish.")
            return None
        if self._errors:
            self._say("error", f"{what}: not sent; fix first: {self._listing()}.")
            return None
        changes = {cid: self._changes[cid] for cid in self._ids if cid in self._changes}
        if not changes:
            self._say("info", f"Nothing to {what.lower()}: every cell has the value read.")
            return None
        if not dry_run:
            options.setdefault("journal", self.journal)
        warned = [f"{c} of {cid} {self._warnings[cid][c]}" for cid, c in self._warned_cells()]
        self._panel.value = ""
        self._say("info", f"{what}: {count(len(changes), 'customer')}…")
        with self._in_flight():
            self._progress.clear_output()
            # From a button, prints and the tqdm bar would land in a log nobody sees: they go
            # into the grid. From code, they go where the code runs, like update_many's.
            shown = self._progress if self._from_button else contextlib.nullcontext()
            try:
                with shown:
                    result = self.client.update_many(
                        changes, original=self._original, dry_run=dry_run, **options
                    )
            except TrustlyError as exc:  # a 401 or a journal failure: what finished is kept
                stopped: pd.DataFrame | None = getattr(exc, "result", None)
                if stopped is None:
                    self._say("error", f"{what} failed: {exc} Your edits are kept.")
                    return None
                result = stopped
                self._say("error", f"{what} stopped: {exc}")
            except Exception as exc:  # a button's action: report, never raise
                logger.exception("CustomerGrid: unexpected error in %s", what)
                self._say("error", f"{what} failed: unexpected {type(exc).__name__}: {exc}")
                return None
            self._result = result
            ok = self._absorb(result, dry_run=dry_run)
        self._refresh()
        summary = result.attrs.get("trustly_nb.summary", {})
        counts = ", ".join(f"{n} {s}" for s, n in summary.items())
        sent = "Nothing was sent." if dry_run else f"{count(ok, 'customer')} read back."
        level: Level = "success" if set(result["status"]) <= {"ok", "dry-run"} else "warning"
        text = f"{what}: {counts}. {sent}"
        if warned and not dry_run:
            text += f" Sent with {count(len(warned), 'warning')}: {'; '.join(warned[:5])}."
        # A replay client that left its recording: say who answered, as the form does.
        if self.client.source == "emulator" and self.client.environment != "custom":
            text += " Answered by the local emulator: these edits are not in the recording."
        if not self._status.startswith(f"{what} stopped"):
            self._say(level, text + self._hint(result))
        return result

    @staticmethod
    def _hint(result: pd.DataFrame) -> str:
        statuses = set(result["status"])
        if "conflict" in statuses:
            return (" A conflict means the customer changed on Trustly since the grid read "
                    "it: nothing was sent, the edit is kept; submit(force=True) overwrites, "
                    "or load a fresh grid.")  # fmt: skip
        if statuses & {"error", "unknown", "not-sent"}:
            return " Fix or retry: a second Submit sends only what did not go ok."
        return ""

    def _absorb(self, result: pd.DataFrame, *, dry_run: bool) -> int:
        """Each row's outcome into the grid; ``ok`` rows read back as the new original."""
        ok = [] if dry_run else [str(c) for c, s in result["status"].items() if s == "ok"]
        for cid, status, message, fields in zip(
            map(str, result.index), result["status"], result["error_message"], result["fields"],
            strict=True,
        ):  # fmt: skip
            text = message if isinstance(message, str) and message else ""
            if not text and isinstance(fields, str):
                text = fields
            self._outcome[cid] = (str(status), text)
        if ok:
            self._read_back(ok)
        for cid in map(str, result.index):
            self._show_row(cid, cells=cid in ok)
        return len(ok)

    def _read_back(self, ids: list[str]) -> None:
        from ..frames import customers_to_frame

        workers = max(1, min(8, self.client.concurrency_limit or 8, len(ids)))
        with ThreadPoolExecutor(workers, thread_name_prefix="trustly_nb-grid") as pool:
            customers = list(pool.map(self.client.get_customer, ids))
        fresh = customers_to_frame(customers, mask=bool(self._masked))
        for frame in (self._original, self._edited):
            rows = fresh.reindex(index=ids, columns=frame.columns)  # a new key is not shown
            for column in frame.columns:
                new, old = rows[column], frame[column]
                if old.dtype.kind == "M" and new.dtype == old.dtype:
                    frame.loc[ids, column] = new.array
                    continue
                if old.dtype != object:
                    frame[column] = old.astype(object)
                frame.loc[ids, column] = new.to_numpy(dtype=object)
        for cid in ids:
            self._changes.pop(cid, None)
            self._errors.pop(cid, None)
            self._bad = {k: v for k, v in self._bad.items() if k[0] != cid}
        self._warnings.update(
            {cid: {} for cid in ids}
            | {
                cid: {c: w for (r, c), w in row_warnings(self._edited.loc[[cid]]).items()}
                for cid in ids
            }
        )
