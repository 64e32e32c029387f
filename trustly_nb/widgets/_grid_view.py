"""What the grid shows: each row's status and reason, the counts, which buttons are live.

Kept apart from the grid's behaviour (:mod:`._grid`) and its sending (:mod:`._grid_batch`);
every cell set from here goes through ipydatagrid's own API, so the page repaints it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..changes import flatten
from ._grid_cells import REASON, STATUS, display_frame, display_text, reason_text
from ._grid_layout import GridLayout
from ._html import count

__all__ = ["GridView"]


class GridView(GridLayout):
    """The grid's state as the page shows it; :class:`~trustly_nb.CustomerGrid` holds it."""

    _original: pd.DataFrame
    _edited: pd.DataFrame
    _ids: list[str]
    _row_of: dict[str, int]
    _changes: dict[str, dict[str, Any]]
    _errors: dict[str, dict[str, str]]
    _warnings: dict[str, dict[str, str]]
    _outcome: dict[str, tuple[str, str]]
    _busy: bool
    _syncing: bool
    _confirming: bool

    @property
    def errors(self) -> dict[tuple[str, str], str]:
        """``{(customerId, column): problem}`` that stop Submit (red cells)."""
        return {(cid, c): why for cid in self._ids for c, why in self._errors.get(cid, {}).items()}

    def _show_cell(self, cid: str, column: str, text: str) -> None:
        with self._quietly():
            self._table.set_cell_value_by_index(column, self._row_of[cid], text)

    def _row_texts(self, cid: str) -> tuple[str, str]:
        status, message = self._outcome.get(cid, ("", ""))
        if cid in self._errors:
            status = "invalid"
        elif not status and cid in self._changes:
            status = "edited"
        errors, warnings = self._errors.get(cid, {}), self._warnings.get(cid, {})
        return status, reason_text(errors, warnings, message)

    def _shown(self) -> pd.DataFrame:
        shown = display_frame(self._edited)
        for cid in {*self._errors, *self._changes, *self._warnings, *self._outcome}:
            status, reason = self._row_texts(cid)
            shown.at[cid, STATUS], shown.at[cid, REASON] = status, reason
        return shown

    def _show_row(self, cid: str, *, cells: bool = False) -> None:
        status, reason = self._row_texts(cid)
        self._show_cell(cid, STATUS, status)
        self._show_cell(cid, REASON, reason)
        if cells:  # read back: the server's values
            row = self._row_of[cid]
            for column in self._edited.columns:
                text = display_text(self._edited.at[cid, column])
                if self._table.get_cell_value_by_index(column, row) != text:
                    self._show_cell(cid, column, text)

    def _counts(self) -> str:
        if not self._changes:
            return "no changes"
        cells = sum(len(flatten(changes)) for changes in self._changes.values())
        return f"{count(len(self._changes), 'customer')} changed ({count(cells, 'cell')})"

    def _listing(self, cid: str | None = None) -> str:
        if cid is not None:
            return "; ".join(f"{c} {why}" for c, why in self._errors[cid].items())
        found = list(self.errors.items())
        more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
        return "; ".join(f"{c} of {r} {why}" for (r, c), why in found[:5]) + more

    def _refresh(self) -> None:
        parts = [self._counts()]
        if self._errors:
            bad = sum(map(len, self._errors.values()))
            parts.append(f"<span style='color:#b91c1c'>{count(bad, 'error')}</span>")
        amber = sum(len(self._warnings.get(cid, {})) for cid in self._changes)
        if amber:
            parts.append(f"<span style='color:#a16207'>{count(amber, 'warning')}</span>")
        self._summary.value = f"<span style='color:#4b5563'>{' · '.join(parts)}</span>"
        self._enable()

    def _enable(self) -> None:
        self._preview_button.disabled = self._busy
        self._reset_button.disabled = self._busy
        blocked = self._busy or bool(self._errors) or not self._changes
        self._dry_run_button.disabled = blocked
        self._submit_button.disabled = blocked
        self._submit_button.description = "Submit anyway" if self._confirming else "Submit"

    def _diff(self) -> pd.DataFrame:
        from ..frames import diff_frame

        rows = [cid for cid in self._ids if cid in self._changes]
        return diff_frame(self._original.loc[rows], self._edited.loc[rows])
