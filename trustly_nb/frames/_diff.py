"""Before/after tables: one row per changed field, and their styling for JupyterLab."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from ..models import READ_ONLY_FIELDS
from ._assemble import INDEX_NAME, MASKED_ATTR
from ._build import as_dicts, as_records, build_frame
from ._cells import MASKABLE, is_na, mask_cell, same_value
from ._edits import _candidates, indexed_by_id
from ._frames import masked_columns

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

DIFF_COLUMNS: Final = ("customerId", "field", "before", "after")
MISSING: Final = "—"
"""The one marker for a missing value in a styled table."""


def diff_frame(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The cells that differ between two frames of the same customers, in long form.

    NA counts as a value here (a field that disappeared is a change). Columns masked in
    either frame are compared and shown masked.

    Returns:
        Columns ``customerId``, ``field``, ``before``, ``after`` (``None`` where unset),
        one row per changed cell, in row then column order. ``style_diff`` colours it.

    Example:
        >>> diff_frame(frame, edited)
          customerId          field  before     after
        0       1001   address.city  Boston    Austin
    """
    masked = masked_columns(before) | masked_columns(after)
    return _diff(before, after, shown_masked=masked, compare_masked=True)


def diff_customers(
    before: Any, after: Any, *, mask: bool = True, partial: bool = False
) -> pd.DataFrame:
    """What changes from one customer to another, in :func:`diff_frame`'s long form.

    Used by ``Client.preview_update``, the form and bulk dry runs. Values are compared
    in full and only *shown* masked, so a changed tax id is listed even when its last
    four characters stay the same. Server-set fields (``createdAt``, ``updatedAt``) are
    left out.

    Args:
        before: the customer as it is (a Customer, its JSON, or ``{"customer": ...}``).
        after: the customer as it will be.
        mask: show sensitive values masked.
        partial: ``after`` is a POST body (e.g. from :func:`trustly_nb.changes.merge`):
            a top-level field it leaves out stays as it is.

    Example:
        >>> diff_customers(current, {**current, "email": "ada@example.org"})
          customerId  field           before            after
        0       1001  email  ada@example.com  ada@example.org
    """
    old, new = as_dicts(as_records(before)), as_dicts(as_records(after))
    if len(old) != 1 or len(new) != 1:
        raise TypeError("diff_customers compares one customer with one customer")
    b, a = old[0], new[0]
    if partial:
        a = {**b, **a}
    # A POST body may leave the id out, and a customer not created yet has none.
    customer_id = next((c[INDEX_NAME] for c in (b, a) if not is_na(c.get(INDEX_NAME))), "new")
    b, a = {**b, INDEX_NAME: customer_id}, {**a, INDEX_NAME: customer_id}
    frames = build_frame([b], mask=False), build_frame([a], mask=False)
    shown = MASKABLE if mask else frozenset()
    return _diff(*frames, shown_masked=shown, compare_masked=False, skip=READ_ONLY_FIELDS)


def style_frame(frame: pd.DataFrame) -> Styler:
    """Any frame styled for reading: one missing marker, long text wrapped, wide tables scroll.

    pandas' own HTML prints ``NaN``, ``None``, ``<NA>`` and ``NaT`` side by side and cuts
    text at 50 characters; here every missing value is ``—``, text wraps whole, and a
    table wider than the page scrolls inside its own box instead of running off it.

    Example:
        >>> style_frame(pd.concat({"current": current, "correction": fixes}, axis=1))
    """
    styler = frame.style.format(na_rep=MISSING)
    styler = styler.set_table_attributes(
        'style="display:block;max-width:100%;overflow-x:auto;border-collapse:collapse"'
    )
    return styler.set_table_styles(
        [
            {"selector": "td", "props": "vertical-align:top;text-align:left;"
             "white-space:pre-wrap;word-break:break-word;max-width:36em;"},
            {"selector": "th", "props": "white-space:nowrap;text-align:left;"},
        ]
    )  # fmt: skip


def style_diff(diff: pd.DataFrame) -> Styler:
    """A diff table coloured for JupyterLab: before in red, after in green, nothing cut off.

    Example:
        >>> style_diff(diff_frame(frame, edited))   # the last expression of a cell
    """
    styler = style_frame(diff).hide(axis="index")
    styler = styler.set_properties(
        subset=["before"], **{"background-color": "#fde8e8", "color": "#8a1c1c"}
    )
    styler = styler.set_properties(
        subset=["after"], **{"background-color": "#e3f6e8", "color": "#14532d"}
    )
    ids: list[Hashable] = [c for c in ("customerId", "field") if c in diff.columns]
    return styler.set_properties(subset=ids, **{"font-weight": "bold", "white-space": "nowrap"})


def _diff(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    shown_masked: frozenset[str],
    compare_masked: bool,
    skip: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    old, new = indexed_by_id(before, "before"), indexed_by_id(after, "after")
    if not old.index.equals(new.index):  # customers only on one side: union of rows
        union = old.index.append(new.index[~new.index.isin(old.index)])
        old, new = old.reindex(union), new.reindex(union)
    ids: list[str] = old.index.tolist()
    columns = [str(c) for c in dict.fromkeys([*old.columns, *new.columns]) if str(c) not in skip]
    old, new = old.reindex(columns=columns), new.reindex(columns=columns)
    found: list[tuple[int, int, str, str, Any, Any]] = []
    for position, field in enumerate(columns):
        is_masked = field in shown_masked
        for row, a, b in _candidates(new[field], old[field], na_is_no_change=False):
            if is_masked and compare_masked:
                b, a = mask_cell(b), mask_cell(a)
            if (is_na(b) and is_na(a)) or (
                not is_na(b) and not is_na(a) and same_value(field, a, b)
            ):
                continue
            shown_b, shown_a = (mask_cell(b), mask_cell(a)) if is_masked else (b, a)
            found.append((row, position, ids[row], field, _shown(shown_b), _shown(shown_a)))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    diff = pd.DataFrame([entry[2:] for entry in found], columns=list(DIFF_COLUMNS), dtype=object)
    diff.attrs[MASKED_ATTR] = sorted(shown_masked & set(columns))
    return diff


def _shown(value: Any) -> Any:
    return None if is_na(value) else value
