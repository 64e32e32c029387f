"""The grid's widgets: the ipydatagrid table with its cell colours, the toolbar, the panel.

Building is kept apart from behaviour (:mod:`._grid`): this module only creates and
arranges widgets and wires each button to the grid's method of the same name.
ipydatagrid is imported here, when a grid is made, never by ``import trustly_nb``.
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Any, Final

import ipywidgets as w
import pandas as pd

from ._grid_cells import ERROR_MARK, REASON, STATUS, WARNING_MARK
from ._parts import WidgetParts

__all__ = ["GridLayout", "make_datagrid"]

_INSTALL: Final = (
    "The editable grid needs ipydatagrid: pip install 'trustly-nb[grid]' "
    "(or pip install ipydatagrid==1.4.0), then restart the kernel."
)
_RED, _AMBER, _GREEN, _GREY, _BLUE = "#fde8e8", "#fef3c7", "#e3f6e8", "#f3f4f6", "#e0ecff"
# Which rows' status is coloured how; the words are update_many's statuses and the grid's.
_STATUS_COLOURS: Final = {
    "ok": _GREEN,
    "dry-run": _BLUE,
    "edited": _BLUE,
    "error": _RED,
    "invalid": _RED,
    "conflict": _AMBER,
    "unknown": _AMBER,
    "not-sent": _AMBER,
    "skipped": _GREY,
}


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _status_colour() -> str:
    expression = "default_value"
    for status, colour in reversed(_STATUS_COLOURS.items()):
        expression = f"cell.value == {_quoted(status)} ? {_quoted(colour)} : ({expression})"
    return expression


def _cell_colour(column: str) -> str:
    """Red where the row's reason names this cell's error, amber for its warning."""
    reason = f"cell.metadata.data[{_quoted(REASON)}]"
    error = f"indexof({reason}, {_quoted(f'{ERROR_MARK} {column}:')}) >= 0"
    warning = f"indexof({reason}, {_quoted(f'{WARNING_MARK} {column}:')}) >= 0"
    return f"{error} ? {_quoted(_RED)} : ({warning} ? {_quoted(_AMBER)} : default_value)"


def _width(column: str, values: pd.Series[Any]) -> int:
    """A width that shows the header and typical values whole (7 px a character)."""
    if column == REASON:
        return 320
    sample = values.iloc[:200].map(len) if len(values) else pd.Series([0])
    longest = max(len(column), int(sample.quantile(0.9)) if len(sample) else 0)
    return max(70, min(260, 7 * longest + 24))


@functools.cache
def _table_class() -> Any:
    """ipydatagrid's DataGrid, told apart from its own echoes.

    The page answers every cell set from Python (``set_cell_value``, a put-back, a status)
    with a ``cell-changed`` message of its own, exactly like a person's edit. The grid
    counts what it sent, so an echo is dropped instead of being taken for typing (which
    would, for two quick sets of one cell, replay the older value after the newer one).
    """
    try:
        with warnings.catch_warnings():
            # bqscales 0.3 (under ipydatagrid) passes trait metadata the traitlets 4.0 way,
            # and traitlets warns once at import; the warning is about their code, not ours.
            warnings.filterwarnings(
                "ignore", "metadata .* was set from the constructor", DeprecationWarning
            )
            from ipydatagrid import DataGrid
    except ImportError as exc:  # pragma: no cover - the extra is installed in development
        raise ImportError(_INSTALL) from exc

    class EchoAwareDataGrid(DataGrid):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.echoes: Counter[tuple[int, str, str]] = Counter()
            super().__init__(*args, **kwargs)

        # ipydatagrid 1.4.0 (pinned) sends every Python-side cell set through this method.
        def _notify_cell_change(self, row: int, column: str, value: Any) -> None:
            super()._notify_cell_change(row, column, value)  # Python listeners run first
            self.echoes[(int(row), str(column), "" if value is None else str(value))] += 1

    return EchoAwareDataGrid


def make_datagrid(shown: pd.DataFrame, editable: Iterable[str]) -> Any:
    """The ipydatagrid ``DataGrid`` for a display frame, coloured like the form's notes.

    Editable cells turn red (a hard error) or amber (a soft warning) when the row's
    ``reason`` names them; read-only columns are grey; ``status`` is coloured by value.
    """
    table = _table_class()
    from ipydatagrid import TextRenderer, VegaExpr

    can_edit = set(editable)
    renderers: dict[str, Any] = {
        STATUS: TextRenderer(
            background_color=VegaExpr(_status_colour()), font="bold 12px sans-serif"
        ),
        REASON: TextRenderer(text_color="#374151", background_color=_GREY),
    }
    for column in shown.columns:
        if column in (STATUS, REASON):
            continue
        if column in can_edit:
            renderers[column] = TextRenderer(background_color=VegaExpr(_cell_colour(column)))
        else:
            renderers[column] = TextRenderer(text_color="#6b7280", background_color=_GREY)
    widths = {str(c): _width(str(c), shown[c]) for c in shown.columns}
    widths[str(shown.index.name)] = 110
    return table(
        shown,
        editable=True,
        selection_mode="cell",
        renderers=renderers,
        header_renderer=TextRenderer(font="bold 12px sans-serif", background_color="#e5e7eb"),
        column_widths=widths,
        base_row_size=24,
        base_column_header_size=26,
        # Tall enough for the rows and the scrollbar, at most ~15 rows (the grid scrolls).
        layout=w.Layout(height=f"{min(400, 26 + 24 * len(shown) + 22)}px", width="100%"),
    )


class GridLayout(WidgetParts):
    """Creates the grid's widgets; :class:`~trustly_nb.CustomerGrid` adds the behaviour."""

    def preview(self) -> Any:  # the subclass's
        raise NotImplementedError

    def dry_run(self) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def _submit_clicked(self) -> None:
        raise NotImplementedError

    _from_button = False

    def _clicked(self, action: Any) -> None:
        """Run a button's action; what it prints goes to the grid, not to a hidden log."""
        self._from_button = True
        try:
            action()
        finally:
            self._from_button = False

    def _button(self, name: str, label: str, icon: str, tip: str) -> Any:
        return self._make(
            w.Button, f"tnb-grid-{name}", description=label, icon=icon, tooltip=tip,
            layout=w.Layout(width="auto"),
        )  # fmt: skip

    def _build(self, table: Any) -> None:
        self._table = table
        self._created.append(table)
        table.add_class("tnb-grid-table")
        self._preview_button = self._button("preview", "Preview", "eye", "Show what would change")
        self._dry_run_button = self._button(
            "dry-run", "Dry run", "flask", "Read and validate everything; send nothing"
        )
        self._submit_button = self._button("submit", "Submit", "check", "Send the changes")
        self._submit_button.button_style = "primary"
        self._reset_button = self._button("reset", "Reset", "undo", "Back to the values read")
        self._summary = self._make(w.HTML, "tnb-grid-summary")
        self._preview_button.on_click(lambda _: self.preview())
        self._dry_run_button.on_click(lambda _: self._clicked(self.dry_run))
        self._submit_button.on_click(lambda _: self._clicked(self._submit_clicked))
        self._reset_button.on_click(lambda _: self.reset())
        buttons = [self._preview_button, self._dry_run_button, self._submit_button]
        toolbar = self._make(
            w.HBox, "tnb-grid-toolbar", children=[*buttons, self._reset_button, self._summary]
        )
        self._status_html = self._make(w.HTML, "tnb-grid-status")
        self._progress = self._make(w.Output, "tnb-grid-progress")
        self._panel = self._make(w.HTML, "tnb-grid-panel")
        self._root = self._make(
            w.VBox, "tnb-grid",
            children=[table, toolbar, self._status_html, self._progress, self._panel],
        )  # fmt: skip
