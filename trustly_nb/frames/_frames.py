"""Customers ⇄ DataFrames: review many customers at once, edit cells, see what changes.

- :func:`customers_to_frame` — one row per customer, indexed by ``customerId``, nested
  objects as dotted columns, timestamps as ``datetime64[ms, UTC]``, identity numbers
  masked by default.
- :func:`frame_to_changes` — an edited copy of that frame back to per-customer change
  sets (only the cells that differ), ready for ``client.update_many``.
- :func:`diff_frame` / :func:`diff_customers` — long before/after tables, one row per
  changed field; :func:`style_diff` highlights them in JupyterLab.
- :func:`read_stamps` — the ``updatedAt`` each row was read with, for stale-write checks.
- :func:`frame_warnings` — the soft-check warnings (odd phone, email, country, state)
  of a frame's rows, edited or not. They are not a column of the frame, so a frame
  round-trips to changes without carrying them along.

Rules for edited cells (:func:`frame_to_changes`):

- NaN, NA, NaT and blank text mean *no change*; they never become ``null``.
- :data:`trustly_nb.CLEAR` or the text ``"<clear>"`` means "send ``null``" (remove it).
- Masked columns (``frame.attrs["trustly_nb.masked"]``) are never sent; changing one of
  their values is refused. Clearing one, or filling one that was empty, is allowed:
  neither writes a mask back. A value that still looks masked is never sent.
- Text is compared with the original by meaning, so a frame read back with
  ``pd.read_csv(..., dtype=str)`` works: ``"2019-04-19 18:00:36.548+00:00"`` equals that
  timestamp, ``"3"`` equals ``3``. A changed timestamp goes out as epoch milliseconds;
  changed text in a column that held numbers or booleans goes out as that type when it
  reads as one. A date/time put in any other column goes out as ISO 8601 text.
- The timestamp columns are ``datetime64[ms, UTC]``, which pandas keeps for timestamps
  only: to clear one, make the column ``object`` first
  (``edited["enrollDate"] = edited["enrollDate"].astype(object)``), then put
  ``tnb.CLEAR`` in the cell.

Example:
    >>> frame = tnb.customers_to_frame(client.list_customers())
    >>> edited = frame.copy()
    >>> edited.loc["1001", "address.city"] = "Austin"
    >>> tnb.frame_to_changes(edited, frame)
    {'1001': {'address': {'city': 'Austin'}}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from .. import soft_checks
from ..changes import CLEAR, CLEAR_TEXT, normalize_changes, to_camel_field
from ..errors import ValidationError
from ..masking import SENSITIVE_FIELDS, looks_masked
from ..models import READ_ONLY_FIELDS
from ._build import (
    DOCUMENTED_COLUMNS,
    INDEX_NAME,
    MASKED_ATTR,
    NAN,
    NESTED,
    as_dicts,
    as_records,
    build_frame,
    is_na,
    mask_cell,
    same_value,
    to_epoch_ms,
    to_wire,
)

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = [
    "DOCUMENTED_COLUMNS",
    "MASKED_ATTR",
    "customers_to_frame",
    "diff_customers",
    "diff_frame",
    "frame_to_changes",
    "frame_warnings",
    "indexed_by_id",
    "masked_columns",
    "read_stamps",
    "style_diff",
]

DIFF_COLUMNS: Final = ("customerId", "field", "before", "after")
_MASKABLE: Final = frozenset({*SENSITIVE_FIELDS, "driverLicense"})
_MAX_PROBLEMS: Final = 20
_MASKED_REASON: Final = "is masked in this frame; the mask cannot be edited or sent"
_SAME: Final = object()
_MASK_HINT: Final = (
    "Masked values cannot be edited in a masked frame: build it with "
    "customers_to_frame(..., mask=False), or call client.update_customer(id, field=...) "
    "with the full value."
)


def customers_to_frame(customers: Any, *, mask: bool = True) -> pd.DataFrame:
    """Customers as a DataFrame: one row each, indexed by ``customerId``.

    Args:
        customers: :class:`~trustly_nb.Customer` models or the API's JSON dicts — a list,
            the raw ``{"customers": [...]}`` response, or a single customer.
        mask: show ``taxId``, ``nationalId``, ``personId``, ``dateOfBirth`` and
            ``driverLicense.number`` masked (at most the last 4 characters visible);
            the masked columns are listed in ``frame.attrs["trustly_nb.masked"]``.

    Returns:
        Every documented field as a column in the schema's order (``address.city``,
        ``driverLicense.state`` dotted in place), then fields the schema does not list,
        then ``customData.<key>`` for the keys present. ``createdAt``, ``updatedAt`` and
        ``enrollDate`` are ``datetime64[ms, UTC]``; other columns are ``object`` so any
        value, :data:`~trustly_nb.CLEAR` included, can be put in a cell. Missing values
        are NaN / NaT. Soft-check warnings: :func:`frame_warnings`.

    Example:
        >>> df = customers_to_frame([{"customerId": "1001", "name": "Ada",
        ...     "taxId": "000-12-6790", "address": {"city": "Austin", "country": "US"}}])
        >>> df.loc["1001", ["address.city", "taxId"]].tolist()
        ['Austin', '•••••••6790']
    """
    return build_frame(as_records(customers), mask=mask)


def masked_columns(frame: pd.DataFrame) -> frozenset[str]:
    """The columns a frame shows masked (from ``frame.attrs["trustly_nb.masked"]``)."""
    return frozenset(str(name) for name in frame.attrs.get(MASKED_ATTR) or ())


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
            changes[cid] = _nest(fields)
        except _RefusedError as refused:
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
    shown = _MASKABLE if mask else frozenset()
    return _diff(*frames, shown_masked=shown, compare_masked=False, skip=READ_ONLY_FIELDS)


def style_diff(diff: pd.DataFrame) -> Styler:
    """A diff table coloured for JupyterLab: before in red, after in green.

    Example:
        >>> style_diff(diff_frame(frame, edited))   # the last expression of a cell
    """
    styler = diff.style.hide(axis="index").format(na_rep="—")
    styler = styler.set_properties(
        subset=["before"], **{"background-color": "#fde8e8", "color": "#8a1c1c"}
    )
    styler = styler.set_properties(
        subset=["after"], **{"background-color": "#e3f6e8", "color": "#14532d"}
    )
    return styler.set_properties(subset=["field"], **{"font-weight": "bold"})


def frame_warnings(frame: pd.DataFrame) -> pd.DataFrame:
    """Soft-check warnings for every row: what looks wrong without breaking the spec.

    Works on edited frames too, so it shows what an edit would send that looks odd.

    Returns:
        Columns ``customerId``, ``field``, ``warning``; one row per warning.

    Example:
        >>> frame_warnings(frame)
          customerId  field                                            warning
        0       1002  phone  not in E.164 form (+ and up to 15 digits, e.g. ...)
    """
    data = indexed_by_id(frame, "frame", strict=False)
    ids = list(data.index)
    countries = (
        data["address.country"].tolist() if "address.country" in data.columns else [None] * len(ids)
    )
    found: list[tuple[int, int, str, str, str]] = []
    for order, field in enumerate(soft_checks.CHECKED_FIELDS):
        if field not in data.columns:
            continue
        for row, (value, country) in enumerate(zip(data[field].tolist(), countries, strict=True)):
            if not isinstance(value, str):
                continue  # the soft checks are about text; NaN is simply unset
            context = {"address": {"country": country}} if field == "address.state" else None
            warning = soft_checks.check_field(field, value, context)
            if warning:
                found.append((row, order, ids[row], field, warning.removeprefix(f"{field}: ")))
    found.sort()
    rows = [entry[2:] for entry in found]
    return pd.DataFrame(rows, columns=["customerId", "field", "warning"], dtype=object)


# --- internals -----------------------------------------------------------------------


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
    if (masked or field in _MASKABLE) and looks_masked(value):
        raise _RefusedError(f"looks masked ({value!r}); give the full value")
    return value


def _nest(fields: dict[str, Any]) -> dict[str, Any]:
    """Dotted fields → the API's nested shape (``address.city`` → ``{"address": {...}}``)."""
    nested: dict[str, Any] = {}
    for field, value in fields.items():
        head, dot, tail = field.partition(".")
        if dot and head in NESTED:
            target = nested.setdefault(head, {})
            if not isinstance(target, dict):
                raise _RefusedError(head)
            target[tail] = value
        elif isinstance(nested.get(field), dict):
            raise _RefusedError(field)
        else:
            nested[field] = value
    return nested


def _raise(problems: list[tuple[str, str]]) -> None:
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > _MAX_PROBLEMS:
        shown.append(("...", f"and {len(problems) - _MAX_PROBLEMS} more cell(s)"))
    masked = any(_MASKED_REASON in reason for _, reason in problems)
    raise ValidationError(shown, hint=_MASK_HINT if masked else None)


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
