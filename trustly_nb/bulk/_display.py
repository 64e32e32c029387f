"""Result frames for reading at a glance: a Styler that colours statuses and wraps reasons.

pandas' own HTML cuts every cell after 50 characters ("address.zip must be at lea…"),
lets a status such as ``dry-run`` wrap at its hyphen, and prints ``<NA>``, ``None`` and
``NaT`` for the one idea "missing". :func:`style_result` shows the same frame whole.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["MISSING", "STATUS_COLOURS", "style_result"]

MISSING: Final = "—"
"""The one marker for a missing value in every styled table."""

STATUS_COLOURS: Final = {  # status -> (text, background); the grid uses the same words
    "ok": ("#14532d", "#e3f6e8"),
    "dry-run": ("#1e3a8a", "#e0ecff"),
    "skipped": ("#374151", "#f3f4f6"),
    "error": ("#8a1c1c", "#fde8e8"),
    "invalid": ("#8a1c1c", "#fde8e8"),
    "conflict": ("#713f12", "#fef3c7"),
    "unknown": ("#713f12", "#fef3c7"),
    "not-sent": ("#713f12", "#fef3c7"),
}

_LONG: Final = ("error_message", "fields")


def _status_style(value: Any) -> str:
    text, background = STATUS_COLOURS.get(str(value), ("#1f2937", "transparent"))
    return f"color:{text};background-color:{background};font-weight:bold;white-space:nowrap"


def _stamp(value: Any) -> str:
    if not isinstance(value, pd.Timestamp) or value is pd.NaT:
        return MISSING
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _code(value: Any) -> str:
    return MISSING if value is None or value is pd.NA else str(value)


def style_result(result: pd.DataFrame) -> Styler:
    """A bulk result frame (``update_many``, ``revert``, a grid's Submit) styled for reading.

    Statuses are coloured and never wrap; ``error_message`` and ``fields`` wrap whole
    instead of being cut off; every missing value shows as ``—``; timestamps read as UTC.
    The frame itself is unchanged.

    Example:
        >>> result = client.update_many(changes, original=frame)
        >>> tnb.bulk.style_result(result)        # the last expression of a cell
    """
    styler = result.style.format(na_rep=MISSING)
    stamps: list[Hashable] = [
        c for c in result.columns if isinstance(result[c].dtype, pd.DatetimeTZDtype)
    ]
    if stamps:
        styler = styler.format(_stamp, subset=stamps)
        styler = styler.set_properties(subset=stamps, **{"white-space": "nowrap"})
    if "error_code" in result.columns:
        codes: list[Hashable] = ["error_code"]
        styler = styler.format(_code, subset=codes)
    if "status" in result.columns:
        styler = styler.map(_status_style, subset=["status"])
    long: list[Hashable] = [c for c in _LONG if c in result.columns]
    if long:
        styler = styler.set_properties(
            subset=long,
            **{"white-space": "pre-wrap", "word-break": "break-word", "min-width": "16em",
               "max-width": "42em"},
        )  # fmt: skip
    return styler.set_table_styles(
        [
            {"selector": "td", "props": "vertical-align: top; text-align: left;"},
            {"selector": "th", "props": "white-space: nowrap; text-align: left;"},
        ]
    )
