"""CustomerGrid: fix many customers in an editable grid, see the diff, send it safely.

The grid holds two frames: :attr:`CustomerGrid.original` (the customers as read) and
:attr:`CustomerGrid.edited` (with the typed cells). Every edit is read as the frames read
cells (:func:`trustly_nb.frame_to_changes`), checked on its row against the API's rules
(errors, red) and the soft checks (warnings, amber), and Submit sends the changes through
``client.update_many`` with the original's ``updatedAt`` as the stale-write guard. Rows
that went ``ok`` are read back and become the new original, so a second Submit sends only
what is new, unsent or failed. Sorting and filtering in the page change the view, never
which row a cell belongs to: the cells are addressed by their row in the data, not on
screen.

Example:
    >>> grid = client.grid()                      # or tnb.CustomerGrid(client, frame)
    >>> grid                                      # the last expression of a cell shows it
    >>> grid.set("1001165730", "email", "maria.garcia@example.com")
    >>> grid.preview()                            # customerId, field, before, after
    >>> grid.submit(journal="fixes.jsonl")        # the result frame; statuses in the grid
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..changes import CLEAR, CLEAR_TEXT
from ..errors import ValidationError
from ._grid_batch import GridBatch
from ._grid_cells import (
    REASON,
    STATUS,
    display_text,
    editable_columns,
    read_only_reason,
    row_errors,
    row_warnings,
    typed_value,
)
from ._grid_layout import make_datagrid
from ._html import count, diff_html

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["CustomerGrid"]


class CustomerGrid(GridBatch):
    """An editable grid of many customers (ipydatagrid); it displays itself in JupyterLab.

    Double-click a cell to edit it, Enter to keep the text. ``customerId``, ``createdAt``,
    ``updatedAt``, masked identity numbers and fields the schema does not list are
    read-only: an edit there is put back at once, and the status line says why. A blank
    cell means "no change"; type ``<clear>`` to remove a value. **Preview** shows the diff,
    **Dry run** reads and validates every changed customer and sends nothing, **Submit**
    sends (it asks once when the changes only have warnings), **Reset** goes back to the
    values read. Buttons carry the CSS classes ``tnb-grid-preview``, ``tnb-grid-dry-run``,
    ``tnb-grid-submit``, ``tnb-grid-reset``; messages ``tnb-grid-status`` and
    ``tnb-grid-panel``.

    Args:
        client: the :class:`~trustly_nb.Client` to read and write with.
        frame: a :func:`~trustly_nb.customers_to_frame` frame (a filtered part is fine);
            ``None`` reads every customer.
        mask: for ``frame=None``, show identity numbers masked (a given frame keeps its
            own masking).
        journal: the JSON-lines journal Submit appends to (see ``update_many``).

    Example:
        >>> frame = client.customers_frame()
        >>> grid = tnb.CustomerGrid(client, frame)
        >>> grid.set("1001165739", "address.zip", "9720")
        >>> grid.errors
        {('1001165739', 'address.zip'): "must be at least 5 character(s), got '9720'"}
    """

    def __init__(
        self,
        client: Client,
        frame: pd.DataFrame | None = None,
        *,
        mask: bool = True,
        journal: Any = None,
    ) -> None:
        from ..frames import indexed_by_id, masked_columns

        self.client = client
        """The client the grid reads and writes with."""
        self.journal = journal
        """The journal Submit appends to (``None``: none); ``submit(journal=...)`` overrides."""
        if frame is None:
            frame = client.customers_frame(mask=mask)
        self._original = indexed_by_id(frame, "frame").copy()
        self._original.attrs = dict(frame.attrs)
        self._edited = self._original.copy()
        self._masked = masked_columns(self._original)
        self._ids: list[str] = list(self._original.index)
        self._row_of = {cid: position for position, cid in enumerate(self._ids)}
        self._editable = set(editable_columns(self._original, self._masked))
        self._changes: dict[str, dict[str, Any]] = {}
        self._errors: dict[str, dict[str, str]] = {}
        self._bad: dict[tuple[str, str], str] = {}
        self._warnings: dict[str, dict[str, str]] = {}
        for (cid, column), warning in row_warnings(self._original).items():
            self._warnings.setdefault(cid, {})[column] = warning
        self._outcome: dict[str, tuple[str, str]] = {}
        self._result: pd.DataFrame | None = None
        super().__init__()
        self._busy, self._confirming = False, False
        self._build(make_datagrid(self._shown(), self._editable))
        self._table.on_cell_change(self._typed)
        self._refresh()
        issues = sum(map(len, self._warnings.values()))
        found = f" {count(issues, 'cell')} look wrong (amber)." if issues else ""
        self._say("info", f"Loaded {count(len(self._ids), 'customer')}.{found} "
                  "Double-click a cell to edit it, then Preview and Submit.")  # fmt: skip

    # --- the programmatic face --------------------------------------------------------

    @property
    def original(self) -> pd.DataFrame:
        """The customers as read (rows that went ``ok`` are read back into it)."""
        return self._original.copy()

    @property
    def edited(self) -> pd.DataFrame:
        """:attr:`original` with the typed cells; same index, columns and dtypes."""
        return self._edited.copy()

    @property
    def changes(self) -> dict[str, dict[str, Any]]:
        """``{customerId: change set}`` of the rows Submit would send, in grid order."""
        return {cid: self._changes[cid] for cid in self._ids if cid in self._changes}

    @property
    def warnings(self) -> dict[tuple[str, str], str]:
        """``{(customerId, column): warning}`` from the soft checks (amber cells)."""
        return {(cid, c): w for cid in self._ids for c, w in self._warnings.get(cid, {}).items()}

    @property
    def result(self) -> pd.DataFrame | None:
        """The last dry run's or Submit's result frame (``update_many``'s), or ``None``."""
        return self._result

    @property
    def status(self) -> str:
        """The message the grid shows: what the last edit, preview or submit did."""
        return self._status

    @property
    def widget(self) -> Any:
        """The root ``ipywidgets.VBox``; :attr:`table` is the ipydatagrid ``DataGrid``."""
        return self._root

    @property
    def table(self) -> Any:
        """The ipydatagrid ``DataGrid`` showing the cells (``set_cell_value`` edits too)."""
        return self._table

    def set(self, customer_id: str | int, column: str, value: Any) -> None:
        """Put a value in a cell, as typing it would; it is checked the same way.

        Text is read as a typed cell (``"<clear>"`` removes the value, a timestamp column
        reads ISO 8601 or epoch ms); other values are typed as their text; ``None`` and
        :data:`~trustly_nb.CLEAR` mean ``<clear>``. A value that breaks a rule is not
        refused here: it shows as an error on its cell.

        Raises:
            ValidationError: the customer is not in the grid, or the column does not
                exist or cannot be edited (masked, set by Trustly). Nothing is set then.

        Example:
            >>> grid.set("1001165730", "email", "maria.garcia@example.com")
            >>> list(grid.changes)
            ['1001165730']
        """
        cid = str(customer_id).strip()
        if cid not in self._row_of:
            raise ValidationError([("customerId", f"{cid!r} is not in this grid")])
        if column not in self._edited.columns:
            known = ", ".join(map(str, self._edited.columns[:8]))
            raise ValidationError([(column, f"is not a column of this grid ({known}, ...)")])
        if column not in self._editable:
            raise ValidationError([(column, read_only_reason(column, self._masked))])
        text = CLEAR_TEXT if value is None or value is CLEAR else display_text(value)
        self._table.set_cell_value_by_index(column, self._row_of[cid], text)

    def preview(self) -> pd.DataFrame:
        """What Submit would change, shown in the panel and returned. Sends nothing.

        Returns:
            :func:`~trustly_nb.diff_frame`'s ``customerId, field, before, after``, one row
            per changed cell, masked columns masked.
        """
        diff = self._diff()
        if diff.empty:
            self._panel.value = ""
            self._say("info", "Nothing to preview: every cell has the value read.")
            return diff
        title = f"Preview: {count(len(diff), 'field')} of {count(len(self._changes), 'customer')}"
        self._panel.value = diff_html(diff, title, with_id=True)
        if self._errors:
            self._say("warning", f"Preview only; fix before Submit: {self._listing()}.")
        else:
            self._say("info", f"{title} would change. Nothing sent.")
        return diff

    def dry_run(self, **options: Any) -> pd.DataFrame | None:
        """Read and validate every changed customer, send nothing; statuses in the grid.

        Options are ``update_many``'s. Returns its result frame (``dry-run`` rows), or
        ``None`` when there is nothing to check (:attr:`status` says why).
        """
        return self._send(dry_run=True, options=options)

    def submit(self, **options: Any) -> pd.DataFrame | None:
        """Send the changes with ``update_many``; each row then shows its status. Never raises.

        The grid's original is ``original=``, so a customer changed on Trustly since it
        was read is a ``conflict``, not overwritten (``force=True`` overwrites). Rows that
        went ``ok`` are read back and become the new original. From code this sends even
        when the changes have soft warnings (:attr:`status` lists them); the button asks.

        Args:
            options: ``update_many``'s (``journal=``, ``max_workers=``, ``force=``, ...).

        Returns:
            The result frame (also :attr:`result`), or ``None`` when nothing was sent:
            invalid cells, no changes, or a batch already running (:attr:`status` says).
        """
        return self._send(dry_run=False, options=options)

    def reset(self) -> None:
        """Every cell back to the value read; the statuses are cleared."""
        self._edited = self._original.copy()
        self._changes.clear()
        self._errors.clear()
        self._bad.clear()
        self._outcome.clear()
        self._warnings.clear()
        for (cid, column), warning in row_warnings(self._original).items():
            self._warnings.setdefault(cid, {})[column] = warning
        with self._quietly():
            self._table.data = self._shown()
        self._refresh()
        self._say("info", "Reset: every cell shows the value read again.")

    def __repr__(self) -> str:
        return f"<CustomerGrid customers={len(self._ids)} changed={len(self._changes)}>"

    # --- typing ------------------------------------------------------------------------
    def _typed(self, cell: Mapping[str, Any]) -> None:
        """A cell changed in the page (or through the DataGrid's own API, or :meth:`set`)."""
        if self._syncing:
            return
        column, row = str(cell["column"]), int(cell["row"])
        cid = self._ids[row]
        text = "" if cell["value"] is None else str(cell["value"])
        if self._table.echoes[(row, column, text)]:  # the page repeating a cell set here
            self._table.echoes[(row, column, text)] -= 1
            return
        if self._busy or column not in self._editable:
            shown = display_text(self._edited.at[cid, column]) if column in self._edited else ""
            if column in (STATUS, REASON):
                shown = self._row_texts(cid)[0 if column == STATUS else 1]
            self._show_cell(cid, column, shown)
            why = "a batch is running" if self._busy else read_only_reason(column, self._masked)
            self._say("warning", f"{column} of customer {cid} put back: {column} {why}.")
            return
        self._bad.pop((cid, column), None)
        original = self._original.at[cid, column]
        if not text.strip():
            self._put(cid, column, original)
            self._show_cell(cid, column, display_text(original))
            note = f"A blank cell means “no change”: {column} of customer {cid} shows the "
            self._recheck(cid, note + f"value read. Type {CLEAR_TEXT} to remove a value.")
            return
        timestamp = isinstance(self._original[column].dtype, pd.DatetimeTZDtype)
        try:
            self._put(cid, column, typed_value(column, text, timestamp=timestamp))
        except ValueError as exc:
            self._put(cid, column, original)
            self._bad[(cid, column)] = str(exc)
        self._recheck(cid, None)

    def _put(self, cid: str, column: str, value: Any) -> None:
        series = self._edited[column]
        keeps_dtype = series.dtype == object or (
            series.dtype.kind == "M" and isinstance(value, pd.Timestamp)
        )
        if not keeps_dtype:  # CLEAR or text in a typed column: pandas would refuse it
            self._edited[column] = series.astype(object)
        self._edited.at[cid, column] = value

    def _recheck(self, cid: str, message: str | None) -> None:
        """One row's changes, errors and warnings, after one of its cells changed."""
        from ..frames import frame_to_changes

        self._outcome.pop(cid, None)
        self._confirming = False
        self._panel.value = ""  # a preview of other inputs would describe the past
        errors = {c: why for (r, c), why in self._bad.items() if r == cid}
        self._changes.pop(cid, None)
        try:
            found = frame_to_changes(self._edited.loc[[cid]], self._original.loc[[cid]])
        except ValidationError as exc:
            prefix = f"of customer {cid} "
            errors.update((c, why.removeprefix(prefix)) for c, why in exc.errors if c != "...")
            found = {}
        if found.get(cid):
            self._changes[cid] = found[cid]
            row = {str(k): v for k, v in self._edited.loc[cid].items()}
            for column, why in row_errors(row, self._edited.columns).items():
                errors.setdefault(column, why)
        if errors:
            self._errors[cid] = errors
        else:
            self._errors.pop(cid, None)
        self._warnings[cid] = {c: w for (_, c), w in row_warnings(self._edited.loc[[cid]]).items()}
        self._show_row(cid)
        self._refresh()
        if message:
            self._say("info", message)
        elif cid in self._errors:
            self._say("error", f"Customer {cid}: {self._listing(cid)}.")
        else:
            state = "changed" if cid in self._changes else "back to the values read"
            self._say("info", f"Customer {cid} {state}. {self._counts()}; Preview, then Submit.")
