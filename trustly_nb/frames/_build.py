"""Building the customers frame from dicts: one pass over the records into columns.

This is the engine behind :func:`trustly_nb.frames.customers_to_frame` for the API's
JSON dicts; the public module holds the documented API. The build reads every record's
values in one pass into one row-major table (:func:`_table_of`), then the nested objects'
values the same way, and ``_assemble`` gathers the frame's columns from those tables.
Reading column by column is simpler but touches every record's hash table once per
column, and on 100k records the cache misses make it ~40 % slower. pyarrow was
measured as an alternative: ``pyarrow.array(records)`` alone takes as long as this
whole build, and its strings would need converting back to objects, so it is not used.

String columns are ``object`` dtype, not pandas 3's ``str``: an analyst must be able to
put :data:`trustly_nb.CLEAR`, a number or a list in any cell, and the ``str`` dtype
refuses non-strings with a ``TypeError``. Missing values are ``NaN`` (``NaT`` for
timestamps). See `_cells` for what one cell means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, count, repeat
from operator import itemgetter
from typing import Any, Final

import numpy as np
import pandas as pd

from ..client.columns import Column, TableColumn, cells_are, table_of
from ..models import (
    CUSTOMER_FIELDS,
    FREE_FORM_FIELDS,
    NESTED_FIELDS,
    Customer,
)
from ._assemble import INDEX_NAME, assemble
from ._cells import NAN

NESTED: Final[dict[str, tuple[str, ...]]] = {
    **NESTED_FIELDS,
    **dict.fromkeys(FREE_FORM_FIELDS, ()),
}
"""Objects expanded into dotted columns (one level); every other object stays one cell."""

_EMPTY: Final[dict[str, Any]] = {}


def _documented_columns() -> tuple[str, ...]:
    columns: list[str] = []
    for field in CUSTOMER_FIELDS:
        if field == INDEX_NAME or field == "customData":
            continue  # the index; customData keys come after the extras
        if field in NESTED:
            columns.extend(f"{field}.{sub}" for sub in NESTED[field])
        else:
            columns.append(field)
    return tuple(columns)


DOCUMENTED_COLUMNS: Final = _documented_columns()
"""Every frame has these columns, in the schema's order (customerId is the index)."""


# --- input ---------------------------------------------------------------------------


def as_records(customers: Any) -> list[Any]:
    """Customers, one API response or one customer → a list of customers.

    The items are not checked here: :func:`build_frame` reads dicts directly and
    converts anything else with :func:`as_dicts`.

    Raises:
        TypeError: for anything that is not a Customer or a mapping.
    """
    items: Iterable[Any]
    if isinstance(customers, Customer):
        items = [customers]
    elif isinstance(customers, Mapping):
        if isinstance(customers.get("customers"), list):
            items = customers["customers"]
        elif isinstance(customers.get("customer"), Mapping):
            items = [customers["customer"]]
        else:
            items = [customers]
    elif isinstance(customers, str | bytes) or not isinstance(customers, Iterable):
        raise TypeError(
            "customers must be Customer models or the API's JSON dicts (a list, or the "
            f"{{'customers': [...]}} response), got {type(customers).__name__}"
        )
    else:
        items = customers
    return items if isinstance(items, list) else list(items)


def as_dicts(records: list[Any]) -> list[dict[str, Any]]:
    """Every item as a camelCase dict: Customers dumped, other mappings copied.

    Raises:
        TypeError: for an item that is neither.
    """
    return [_as_record(item) for item in records]


def _as_record(item: Any) -> dict[str, Any]:
    if type(item) is dict:
        return item
    if isinstance(item, Customer):
        return item.model_dump(by_alias=True)
    if isinstance(item, Mapping):
        return dict(item)
    raise TypeError(f"expected a Customer or a dict of the API's JSON, got {type(item).__name__}")


# --- the build ------------------------------------------------------------------------


def key_columns(
    objs: list[dict[str, Any]],
    keys: Sequence[str],
    *,
    rows: np.ndarray[Any, Any] | None = None,
    n: int = 0,
) -> dict[str, Column]:
    """``obj.get(key, NaN)`` for every object and key: one column per key, NaN where an
    object has no such key (a null stays None here: assemble() makes it NaN).

    The objects are read one after the other, each one's values for all the keys
    together, in C, into one row-major table. A pass per key over 100k objects instead
    reads every object's hash table again for each key, and a key some objects lack
    cannot take ``itemgetter``'s fast path: for the seed's four ``customData`` keys that
    was 0.11 s against 0.06-0.08 s in one process on the development machine. When every
    object has every key (as each of the first few does: :func:`_looks_uniform`), a row is
    one ``itemgetter`` call instead.

    ``rows``: when given, the objects are those rows of a table of ``n`` (the customers
    that have the object); every other row is NaN.
    """
    if not keys:
        return {}
    count, width = len(objs), len(keys)
    table = _whole_rows(objs, keys) if _looks_uniform(objs, width) else None
    if table is None:
        missing = (NAN,) * width
        values = map(map, map(getattr, objs, repeat("get")), repeat(keys), repeat(missing))
        table = table_of(values, count, width)
    if rows is not None:
        whole = np.full((n, width), NAN, dtype=object)
        whole[rows] = table
        table = whole
    return {key: TableColumn(table, position) for position, key in enumerate(keys)}


_PREFIX = 256


def _looks_uniform(dicts: list[dict[Any, Any]], width: int) -> bool:
    """Whether the first few dicts all have ``width`` keys (a cheap test before a pass)."""
    return set(map(len, dicts[:_PREFIX])) == {width}


def _whole_rows(dicts: list[dict[Any, Any]], keys: Sequence[Any]) -> np.ndarray[Any, Any] | None:
    """Every dict's values for ``keys`` as a row-major table, when each one has every key
    (None otherwise): one ``itemgetter`` call a row. A dict that lacks a key makes
    itemgetter raise; one that has other keys as well is the caller's to rule out."""
    get = itemgetter(*keys)
    rows = map(get, dicts) if len(keys) > 1 else zip(map(get, dicts))
    try:
        return table_of(rows, len(dicts), len(keys))
    except KeyError:
        return None


def _as_dicts(objs: list[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Nested values → dicts (empty where absent) and the non-object values found there."""
    dicts: list[dict[str, Any]] = []
    odd: list[Any] = []
    for obj in objs:
        is_map = isinstance(obj, Mapping)
        dicts.append(obj if type(obj) is dict else dict(obj) if is_map else _EMPTY)
        odd.append(NAN if is_map or obj is None else obj)
    return dicts, odd if any(value is not NAN for value in odd) else []


def _table_of(dicts: list[dict[Any, Any]]) -> tuple[dict[Any, int], np.ndarray[Any, Any]]:
    """Every dict's values as one row-major table: ``(key → column, table)``, None
    where a dict has no such key (a null is None too: assemble() makes both NaN).

    Records of one answer share a few patterns of keys, so each dict's pattern is found
    (``tuple(d)``, numbered in C) and its values are read in its own key order
    (``dict.values``), with no lookup per key; numpy then puts every value in its
    column. On 100k sparse records this is 1.5x a row loop of ``map(record.get, keys)``,
    on the seed's shape and on dense ones the same.

    When every dict has the first one's keys and no others (each as many, and itemgetter
    finds them all), the table is one ``itemgetter`` call a row and no pattern is worked
    out: 0.10 s against 0.23 s for 100k dense records. A quick look at the first few
    (:func:`_looks_uniform`) keeps that try off answers of many shapes, like the seed's.
    """
    n = len(dicts)
    keys = tuple(dicts[0]) if dicts else ()
    if keys and _looks_uniform(dicts, len(keys)):
        # Each with as many keys as the first has the same keys, if it has all of those.
        same_size = (np.fromiter(map(len, dicts), np.intp, n) == len(keys)).all()
        table = _whole_rows(dicts, keys) if same_size else None
        if table is not None:
            return {key: i for i, key in enumerate(keys)}, table
    first_of: dict[tuple[Any, ...], int] = {}  # pattern → the first row that has it
    firsts = np.fromiter(map(first_of.setdefault, map(tuple, dicts), count()), np.intp, n)
    patterns = list(first_of)
    positions = {key: i for i, key in enumerate(dict.fromkeys(chain.from_iterable(patterns)))}
    number = np.empty(n, np.intp)  # a pattern's first row → the pattern's number
    number[list(first_of.values())] = np.arange(len(patterns))
    rows = number[firsts]
    at = np.full((len(patterns), len(positions)), -1, np.intp)  # where a key sits in a row
    for i, pattern in enumerate(patterns):
        at[i, [positions[key] for key in pattern]] = np.arange(len(pattern))
    lengths = np.array([len(pattern) for pattern in patterns], np.intp)[rows]
    starts = np.cumsum(lengths) - lengths  # where each row's values begin
    total = int(lengths.sum())
    # Every value row after row, and one None at the end for the keys a row lacks.
    values = np.fromiter(
        chain(chain.from_iterable(map(dict.values, dicts)), (None,)), object, total + 1
    )
    # The index is as big as the table (8 bytes a cell), which is small beside the dicts.
    index = at[rows]
    absent = index < 0
    index += starts[:, None]
    index[absent] = total
    return positions, values.take(index)


def _ordered(keys: Iterable[Any]) -> list[Any]:
    # Extra fields and customData keys are sorted: the same data gives the same columns
    # whichever customer comes first, so frames line up for diffs and concatenation.
    return sorted(keys, key=str)


def build_frame(records: list[Any], *, mask: bool) -> pd.DataFrame:
    """The frame for a list of customers (see ``customers_to_frame``)."""
    try:
        # Checking every item's type first costs a pass over 100k records; reading them
        # as dicts fails on anything else (dict.values refuses it), so try that.
        return _build(records, mask=mask)
    except (AttributeError, TypeError):
        if all(type(record) is dict for record in records):
            raise
    return _build(as_dicts(records), mask=mask)


def _build(records: list[dict[str, Any]], *, mask: bool) -> pd.DataFrame:
    if records and records[0].__class__ is not dict:
        raise TypeError("not dicts")  # build_frame reads them as dicts first
    positions, table = _table_of(records)
    columns: dict[str, Any] = dict.fromkeys(DOCUMENTED_COLUMNS)  # None: no customer has it
    extras: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    documented_top = [key for key in CUSTOMER_FIELDS if key in positions and key not in NESTED]
    for name in (*documented_top, *_ordered(set(positions).difference(CUSTOMER_FIELDS, NESTED))):
        target = columns if name in columns or name == INDEX_NAME else extras
        target[name] = TableColumn(table, positions[name])
    for head, documented in NESTED.items():
        if head not in positions:
            continue
        column = np.ascontiguousarray(table[:, positions[head]])
        absent = cells_are(column, None)  # no such object, or a null: no values
        # Only the customers that have the object are read (a third have a driverLicense
        # in the seed's shape); the others' cells stay NaN.
        rows = np.flatnonzero(~absent) if absent.any() else None
        objs = (column if rows is None else column[rows]).tolist()
        if not set(map(type, objs)) <= {dict}:  # odd values: read every row as a dict
            column[absent] = _EMPTY
            objs, strays = _as_dicts(column.tolist())
            rows = None
            if strays:
                extras[head] = strays
        keys = set().union(*objs)
        found = [key for key in documented if key in keys]
        target = custom if head == "customData" else extras
        ordered = (*found, *_ordered(keys - set(documented)))
        for key, values in key_columns(objs, ordered, rows=rows, n=len(records)).items():
            (columns if key in documented else target)[f"{head}.{key}"] = values
    return assemble(columns, extras, custom, len(records), mask=mask)
