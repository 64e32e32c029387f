"""Edited frames back to change sets: only the cells that differ, masks never sent.

The rules for edited cells are the package's (see :mod:`trustly_nb.frames`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ..changes import CLEAR, CLEAR_TEXT, nest, normalize_changes, to_camel_field
from ..errors import ValidationError
from ..masking import looks_masked
from ..models import READ_ONLY_FIELDS
from ._assemble import INDEX_NAME
from ._build import NESTED
from ._cells import MASKABLE, NAN, is_na, same_value, to_epoch_ms, to_wire

if TYPE_CHECKING:
    pass
from ._frames import masked_columns

_MAX_PROBLEMS: Final = 20

_MASKED_REASON: Final = "is masked in this frame; the mask cannot be edited or sent"

_SAME: Final = object()

_MASK_HINT: Final = (
    "Masked values cannot be edited in a masked frame: build it with "
    "customers_to_frame(..., mask=False), or call client.update_customer(id, field=...) "
    "with the full value."
)


def frame_to_changes(edited: pd.DataFrame, original: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The changes an edited frame asks for, per customer, in the API's nested shape.

    Args:
        edited: the frame after editing (a copy of ``original``, a filtered part of it,
            or the same rows read back from CSV with ``dtype=str``).
        original: the frame as :func:`customers_to_frame` built it.

    Returns:
        ``{customerId: change set}`` for the customers with at least one changed cell;
        change sets are nested camelCase (``{"address": {"city": "Austin"}}``) with
        ``None`` meaning "send ``null``", as :func:`trustly_nb.changes.normalize_changes`
        gives them. The rules for cells are in this module's docstring.

    Raises:
        ValidationError: naming every refused cell and its customer — an edited masked
            value, a read-only column (``createdAt``, ``updatedAt``), a value that cannot
            be read (a bad timestamp), an unknown column — or rows that are not in
            ``original``, duplicated or without an id.

    Example:
        >>> edited = frame.copy()
        >>> edited.loc["1001", "email"] = "ada@example.org"
        >>> edited.loc["1002", "vip"] = "<clear>"
        >>> frame_to_changes(edited, frame)
        {'1001': {'email': 'ada@example.org'}, '1002': {'vip': None}}
    """
    masked = masked_columns(original) | masked_columns(edited)
    edited, original = indexed_by_id(edited, "edited"), indexed_by_id(original, "original")
    unknown = edited.index[~edited.index.isin(original.index)].tolist()
    if unknown:
        listed = ", ".join(map(str, unknown[:10])) + (" ..." if len(unknown) > 10 else "")
        raise ValidationError(
            [("customerId", f"{listed}: not in the original frame")],
            hint="frame_to_changes only changes customers that were read; "
            "create new ones with client.create_customer().",
        )
    ids: list[str] = edited.index.tolist()  # text, by indexed_by_id
    flat: dict[str, dict[str, Any]] = {}
    new_fields: set[str] = set()
    problems: list[tuple[str, str]] = []
    if not edited.index.equals(original.index):  # a filtered or reordered part
        original = original.reindex(edited.index)
    for column in edited.columns:
        field, source = _field_for(str(column), original)
        before = original[source] if source is not None else None
        for row, new, old in _candidates(edited[column], before, na_is_no_change=True):
            try:
                value = _edited_value(field, new, old, masked=source in masked)
            except _RefusedError as refused:
                problems.append((field, f"of customer {ids[row]} {refused}"))
                continue
            if value is not _SAME:
                flat.setdefault(ids[row], {})[field] = value
                if source is None:
                    new_fields.add(field)
    if new_fields:  # unknown names get normalize_changes' "did you mean"
        known = {name.partition(".")[0]: None for name in map(str, original.columns)}
        normalize_changes(dict.fromkeys(sorted(new_fields), ""), known)
    changes: dict[str, dict[str, Any]] = {}
    for cid in ids:  # in the frame's row order
        fields = flat.get(cid)
        if not fields:
            continue
        try:
            changes[cid] = nest(fields, NESTED)
        except ValueError as refused:
            problems.append((str(refused), f"of customer {cid} is changed both whole and in part"))
    if problems:
        _raise(problems)
    return changes


def read_stamps(original: pd.DataFrame) -> dict[str, int | None]:
    """The ``updatedAt`` (epoch ms) each customer of a frame was read with.

    Bulk updates and the form compare it with a fresh GET to refuse stale writes.

    Example:
        >>> read_stamps(frame)
        {'1001': 1555696836548, '1002': None}
    """
    frame = indexed_by_id(original, "original")
    ids = [str(cid) for cid in frame.index]
    if "updatedAt" not in frame.columns:
        return dict.fromkeys(ids)
    column = frame["updatedAt"]
    if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
        ints = column.to_numpy(dtype="datetime64[ms]").view(np.int64)
        nat = np.iinfo(np.int64).min
        return {cid: None if v == nat else int(v) for cid, v in zip(ids, ints, strict=True)}
    stamps: dict[str, int | None] = {}
    for cid, value in zip(ids, column.tolist(), strict=True):
        try:
            stamps[cid] = to_epoch_ms(value)
        except ValueError:
            stamps[cid] = None
    return stamps


class _RefusedError(Exception):
    """One cell that cannot be turned into a change; the message says why."""


def indexed_by_id(frame: pd.DataFrame, which: str, *, strict: bool = True) -> pd.DataFrame:
    """The frame indexed by customerId as text (a CSV may have it as a column, as ints).

    ``strict``: every row needs an id, and each only once (to send changes by id).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{which} must be a pandas DataFrame, got {type(frame).__name__}")
    if frame.index.name != INDEX_NAME and INDEX_NAME in frame.columns:
        frame = frame.set_index(INDEX_NAME)
    elif INDEX_NAME in frame.columns:  # e.g. set_index(drop=False): the index is the id
        frame = frame.drop(columns=INDEX_NAME)
    index = frame.index
    if index.inferred_type == "string":  # all text already: the usual case, kept as is
        index = index.astype(object).rename(INDEX_NAME)
    else:
        index = pd.Index([_id_text(cid) for cid in index], dtype=object, name=INDEX_NAME)
    missing = int(np.count_nonzero(index.isna()))
    if strict and missing:
        raise ValidationError(
            [("customerId", f"is missing on {missing} row(s) of the {which} frame")],
            hint="Every row needs the customerId it was read with (the frame's index).",
        )
    if strict and index.has_duplicates:
        dupes = ", ".join(map(str, index[index.duplicated()].unique()[:10]))
        raise ValidationError([("customerId", f"{dupes} appear more than once in {which}")])
    return frame.set_axis(index, axis=0)


def _id_text(value: Any) -> str | None:
    if is_na(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # a CSV column of ids with a gap reads as floats
    return str(value.item() if isinstance(value, np.generic) else value)


def _field_for(column: str, original: pd.DataFrame) -> tuple[str, str | None]:
    """An edited column's camelCase field and the original column it compares with."""
    if column in original.columns:
        return column, column
    field = to_camel_field(column)
    return field, field if field in original.columns else None


def _candidates(
    new: pd.Series[Any], old: pd.Series[Any] | None, *, na_is_no_change: bool
) -> Iterator[tuple[int, Any, Any]]:
    """``(position, new, old)`` for the cells that may differ, found column-wise.

    Cells whose values are plainly equal are skipped in one vectorized step, so only
    the few that may have changed are looked at one by one (by ``same_value``).
    """
    new_na = new.isna().to_numpy(dtype=bool)
    if old is None:
        positions = np.flatnonzero(~new_na)
        olds: list[Any] = [NAN] * len(positions)
    else:
        maybe = ~_plainly_equal(new, old)
        if na_is_no_change:
            maybe &= ~new_na
        else:
            maybe &= ~(new_na & old.isna().to_numpy(dtype=bool))
        positions = np.flatnonzero(maybe)
        olds = old.iloc[positions].tolist()
    news = new.iloc[positions].tolist()
    yield from zip(positions.tolist(), news, olds, strict=True)


def _plainly_equal(new: pd.Series[Any], old: pd.Series[Any]) -> np.ndarray[Any, Any]:
    """Cell by cell, whether two columns hold equal values (False when unsure)."""
    try:
        if new.dtype.kind == "M" and old.dtype.kind == "M":
            return (new == old).to_numpy(dtype=bool)
        if new.dtype.kind == "M" or old.dtype.kind == "M":
            # Text (from a CSV) against timestamps: parse the whole column at once.
            text, stamps = (old, new) if new.dtype.kind == "M" else (new, old)
            parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
            return (parsed == stamps).to_numpy(dtype=bool)
        equal = np.equal(new.to_numpy(dtype=object), old.to_numpy(dtype=object))
        return np.asarray(equal, dtype=bool)
    except (TypeError, ValueError):  # tz-naive against aware, arrays or pd.NA in cells
        return np.zeros(len(new), dtype=bool)


def _is_clear(value: Any) -> bool:
    return value is CLEAR or (isinstance(value, str) and value.strip() == CLEAR_TEXT)


def _edited_value(field: str, new: Any, old: Any, *, masked: bool) -> Any:
    """The value to send for one cell, or ``_SAME`` when it asks for no change.

    Raises:
        _RefusedError: when the cell cannot be sent (masked, read-only, unreadable).
    """
    if is_na(new) or (isinstance(new, str) and not new.strip()):
        return _SAME  # blank means "no change", never null
    had_value = not is_na(old)
    if _is_clear(new):
        if not had_value:
            return _SAME  # nothing to remove
        value = None
    else:
        if had_value and same_value(field, new, old):
            return _SAME
        try:
            value = to_wire(field, new, old)
        except ValueError as exc:
            raise _RefusedError(f"cannot be read: {exc}") from None
    if field in READ_ONLY_FIELDS:
        raise _RefusedError("is set by Trustly and cannot be changed")
    if masked and had_value and value is not None:
        raise _RefusedError(_MASKED_REASON)
    if (masked or field in MASKABLE) and looks_masked(value):
        raise _RefusedError(f"looks masked ({value!r}); give the full value")
    return value


def _raise(problems: list[tuple[str, str]]) -> None:
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > _MAX_PROBLEMS:
        shown.append(("...", f"and {len(problems) - _MAX_PROBLEMS} more cell(s)"))
    masked = any(_MASKED_REASON in reason for _, reason in problems)
    raise ValidationError(shown, hint=_MASK_HINT if masked else None)
