"""The small HTML the form shows: notes, the loaded record, the preview table.

Plain strings, so they are tested without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..timestamps import format_epoch_ms
from ._texts import _SHOWN

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["count", "diff_html", "listing", "note_html", "record_html"]


def count(n: int, noun: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def listing(problems: Mapping[str, str]) -> str:
    """``{field: why}`` as one sentence part: ``email is required; address.zip ...``."""
    return "; ".join(f"{name} {why}" for name, why in problems.items())


def note_html(error: str | None, warning: str | None) -> str:
    """The message beside an input: the error if any, else the warning."""
    if error:
        return f"<span style='color:#b91c1c'>✖ {html.escape(error)}</span>"
    if warning:
        return f"<span style='color:#a16207'>⚠ {html.escape(warning)}</span>"
    return ""


def record_html(loaded: Mapping[str, Any]) -> str:
    """customerId, the timestamps, and fields the schema does not list, read-only."""

    def row(key: str, value: Any) -> str:
        shown = "—" if value is None or value == "" else str(value)
        return f"<tr><td><code>{html.escape(key)}</code></td><td>{html.escape(shown)}</td></tr>"

    stamps = [(key, format_epoch_ms(loaded.get(key))) for key in ("createdAt", "updatedAt")]
    cells = "".join(row(k, v) for k, v in [("customerId", loaded.get("customerId")), *stamps])
    extra = [(k, v) for k, v in loaded.items() if k not in _SHOWN]
    if extra:
        cells += "<tr><td colspan='2'><i>Not in the schema, kept as they are:</i></td></tr>"
        cells += "".join(row(k, v) for k, v in extra)
    return f"<table style='border-spacing:8px 0'>{cells}</table>"


def diff_html(diff: pd.DataFrame, title: str, *, with_id: bool = False) -> str:
    """A diff as a small HTML table (no jinja2 needed, unlike ``DataFrame.style``).

    Long values wrap instead of being cut; a missing value is ``—``. ``with_id`` adds the
    ``customerId`` column (the grid's diff names many customers).
    """
    pad = "padding:2px 8px;vertical-align:top"

    def cell(value: Any, background: str) -> str:
        shown = "—" if value is None else str(value)
        style = f"{pad};background:{background};white-space:pre-wrap;word-break:break-word"
        return f"<td style='{style}'>{html.escape(shown)}</td>"

    names = ["customerId"] if with_id else []
    names += ["field", "before", "after"]
    rows = "".join(
        "<tr>"
        + (f"<td style='{pad};white-space:nowrap'>{html.escape(str(cid))}</td>" if with_id else "")
        + f"<td style='{pad};white-space:nowrap'><code>{html.escape(str(name))}</code></td>"
        f"{cell(before, '#fde8e8')}{cell(after, '#e3f6e8')}</tr>"
        for cid, name, before, after in zip(
            diff["customerId"], diff["field"], diff["before"], diff["after"], strict=True
        )
    )
    head = "".join(f"<th style='padding:2px 8px;text-align:left'>{h}</th>" for h in names)
    return (
        f"<div style='margin-top:4px'><b>{html.escape(title)}</b>"
        f"<table style='border-collapse:collapse;max-width:100%'><tr>{head}</tr>{rows}"
        "</table></div>"
    )
