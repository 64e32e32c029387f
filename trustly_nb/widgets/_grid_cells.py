"""What the grid's cells mean: which columns can be edited, how a cell shows as text, what a
typed text asks for, and the problems of one row (the API's rules, the soft checks).

No ipywidgets here, so the rules are tested without a grid, and the grid module stays
about wiring.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from ..changes import CLEAR, CLEAR_TEXT
from ..errors import ValidationError
from ..masking import looks_masked
from ..models import CUSTOMER_FIELDS, READ_ONLY_FIELDS, SENSITIVE_FIELDS, validate_payload
from ..timestamps import format_epoch_ms
from ._checks import TARGETS

__all__ = [
    "REASON",
    "STATUS",
    "display_frame",
    "display_text",
    "editable_columns",
    "read_only_reason",
    "reason_text",
    "row_errors",
    "row_warnings",
    "typed_value",
]

STATUS: Final = "status"
"""The grid's first column: the row's state (edited, invalid, then the batch's status)."""
REASON: Final = "reason"
"""The grid's second column: why (each cell's problem, then the batch's message)."""

ERROR_MARK: Final = "✖"
WARNING_MARK: Final = "⚠"

_DOCUMENTED_TOPS: Final = frozenset(CUSTOMER_FIELDS)
_EPOCH: Final = pd.Timestamp(0, tz="UTC")
_MS: Final = pd.Timedelta(milliseconds=1)


def _epoch_ms(stamp: pd.Timestamp) -> int:
    when = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return int((when - _EPOCH) // _MS)


def _top(column: str) -> str:
    return column.partition(".")[0]


def editable_columns(frame: pd.DataFrame, masked: Iterable[str]) -> list[str]:
    """The columns an analyst may type into: documented, not server-set, not masked."""
    hidden = set(masked)
    return [
        str(c)
        for c in frame.columns
        if _top(str(c)) in _DOCUMENTED_TOPS
        and str(c) not in READ_ONLY_FIELDS
        and str(c) not in hidden
    ]


def read_only_reason(column: str, masked: Iterable[str]) -> str:
    """Why a column of the grid cannot be edited, as a sentence part after its name."""
    if column in (STATUS, REASON):
        return "is the grid's own report of each row"
    if column in READ_ONLY_FIELDS:
        return "is set by Trustly and cannot be changed"
    if column in set(masked):
        return (
            "is masked in this grid, and a mask is never sent: make the grid with "
            "mask=False to edit it, or use client.update_customer(id, field=...)"
        )
    if _top(column) not in _DOCUMENTED_TOPS:
        return "is not in the API's schema: it is kept as it is, not edited here"
    return "cannot be edited here"


def display_text(value: Any) -> str:
    """One cell as the grid shows it: ``""`` for missing, ISO 8601 UTC for timestamps."""
    if value is None or value is CLEAR:
        return CLEAR_TEXT if value is CLEAR else ""
    if isinstance(value, pd.Timestamp):
        if value is pd.NaT:
            return ""
        return format_epoch_ms(_epoch_ms(value))
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return ""
    return json.dumps(value, ensure_ascii=False, default=str)


def display_frame(edited: pd.DataFrame) -> pd.DataFrame:
    """The edited frame as text, one column per frame column, ``status`` and ``reason`` first.

    Text only, so the grid has one kind of editor and no timezone-aware column reaches
    bqplot (which warns on them); missing values are blank.
    """
    columns: dict[str, list[str]] = {STATUS: [""] * len(edited), REASON: [""] * len(edited)}
    for column in edited.columns:
        series = edited[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            texts = _stamp_texts(series)
        else:
            texts = [v if type(v) is str else display_text(v) for v in series.tolist()]
        columns[str(column)] = texts
    shown = pd.DataFrame(columns, index=edited.index.copy(), dtype=object)
    shown.index.name = edited.index.name
    return shown


def _stamp_texts(series: pd.Series[Any]) -> list[str]:
    """A timestamp column as :func:`display_text` writes each cell, in one pass."""
    utc = series.dt.tz_convert("UTC")
    text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S")
    millis = utc.dt.microsecond // 1000
    shown = text.where(millis == 0, text + "." + millis.astype("Int64").astype(str).str.zfill(3))
    return [t + "Z" if isinstance(t, str) else "" for t in shown.tolist()]


def typed_value(column: str, text: str, *, timestamp: bool) -> Any:
    """What a text typed into a cell asks for: a value for the edited frame.

    ``<clear>`` is :data:`~trustly_nb.CLEAR`; a timestamp column reads ISO 8601 or epoch
    milliseconds; other text stays text (the frame's rules read it by the original type).

    Raises:
        ValueError: the text cannot be read for that column; the message says why.
    """
    stripped = text.strip()
    if stripped == CLEAR_TEXT:
        return CLEAR
    if column in SENSITIVE_FIELDS and looks_masked(stripped):
        raise ValueError("looks masked: type the full value")
    if timestamp:
        try:
            if stripped.lstrip("-").isdigit():
                return pd.Timestamp(int(stripped), unit="ms", tz="UTC").as_unit("ms")
            stamp = pd.Timestamp(stripped)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                "is not a date/time: use 2024-02-10T15:30:00Z (UTC) or epoch milliseconds"
            ) from None
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.as_unit("ms")
    return text


def _customer_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """One frame row as the API's JSON (documented fields only), for the API's rules."""
    customer: dict[str, Any] = {}
    for column, value in row.items():
        name = str(column)
        if value is CLEAR or not _present(value) or _top(name) not in _DOCUMENTED_TOPS:
            continue
        if isinstance(value, pd.Timestamp):
            value = _epoch_ms(value)
        head, dot, tail = name.partition(".")
        if dot:
            customer.setdefault(head, {})[tail] = value
        else:
            customer[name] = value
    return customer


def _present(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    return not (isinstance(value, float) and math.isnan(value))


def row_errors(row: Mapping[str, Any], columns: Iterable[str]) -> dict[str, str]:
    """``{column: problem}``: the API's rules broken by a changed row, as Submit would send it.

    Stored values that break them show too (the update would be refused for them); a
    whole-object problem (``address is required``) is put on the cell that fixes it.
    """
    try:
        validate_payload(_customer_of(row))
    except ValidationError as exc:
        known = set(columns)
        found: dict[str, str] = {}
        for name, reason in exc.errors:
            target = name if name in known else TARGETS.get(name, name)
            found.setdefault(target, reason if target == name else f"{name} {reason}")
        return found
    return {}


def row_warnings(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """``{(customerId, column): warning}`` from the soft checks, for every row given."""
    from ..frames import frame_warnings

    found = frame_warnings(frame)
    return {
        (str(cid), str(field)): str(warning)
        for cid, field, warning in zip(
            found["customerId"], found["field"], found["warning"], strict=True
        )
    }


def reason_text(errors: Mapping[str, str], warnings: Mapping[str, str], message: str) -> str:
    """The ``reason`` cell: the batch's message, then every cell's error and warning."""
    parts = [message] if message else []
    parts += [f"{ERROR_MARK} {column}: {why}" for column, why in errors.items()]
    parts += [f"{WARNING_MARK} {column}: {why}" for column, why in warnings.items()]
    return " · ".join(parts)
