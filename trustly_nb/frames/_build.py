"""Building the customers frame from dicts: one pass over the records into columns.

This is the engine behind :func:`trustly_nb.frames.customers_to_frame` for the API's
JSON dicts; the public module holds the documented API. The build reads each record
once, row by row, with the inner loops in C (``list.extend(map(record.get, keys))``),
into one row-major table, and ``_assemble`` gathers the frame's columns from it.
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

from collections.abc import Iterable, Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, Final

import numpy as np
import pandas as pd

from ..client.columns import TableColumn
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


def _take(objs: list[dict[str, Any]], key: str) -> list[Any]:
    """One column: ``obj[key]`` for every object, NaN where the key is missing."""
    try:
        # itemgetter runs in C and is about twice as fast as dict.get; a missing key
        # anywhere raises, and the column is read again the tolerant way.
        column = list(map(itemgetter(key), objs))
    except KeyError:
        column = list(map(dict.get, objs, repeat(key), repeat(NAN)))
    return column  # a null stays None here: assemble() makes it NaN with the rest


def _as_dicts(objs: list[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Nested values → dicts (empty where absent) and the non-object values found there."""
    dicts: list[dict[str, Any]] = []
    odd: list[Any] = []
    for obj in objs:
        is_map = isinstance(obj, Mapping)
        dicts.append(obj if type(obj) is dict else dict(obj) if is_map else _EMPTY)
        odd.append(NAN if is_map or obj is None else obj)
    return dicts, odd if any(value is not NAN for value in odd) else []


def _extract(
    records: list[dict[str, Any]], top: tuple[str, ...]
) -> tuple[
    list[Any], tuple[str, ...], dict[str, list[dict[str, Any]]], dict[str, Any], dict[str, set[str]]
]:
    """The records' values row after row, and what the rows hold.

    Returns ``(values, layout, objects, strays, keys)``: the values of the top-level keys
    ``top`` and of the documented address / driverLicense keys some customer has, row
    after row; their column names in that order; each object field's values as dicts
    (empty where a customer has none); and the object fields where some customer holds
    something else (text, a number), by name, NaN for the rest; and the keys found in
    each object field.

    Row by row, not column by column: each record's hash table is read once while it
    is in the CPU cache, and ``extend(map(get, ...))`` keeps the inner loops in C.
    """
    objects: dict[str, list[dict[str, Any]]] = {}
    strays: dict[str, Any] = {}
    for head in NESTED:
        values = list(map(dict.get, records, repeat(head), repeat(_EMPTY)))
        if set(map(type, values)) != {dict}:  # null, text, another mapping
            values, found = _as_dicts(values)
            if found:
                strays[head] = found
        objects[head] = values
    keys = {head: set().union(*objs) for head, objs in objects.items()}
    inner = {
        head: tuple(key for key in NESTED[head] if key in keys[head]) for head in NESTED_FIELDS
    }
    flat: list[Any] = []
    extend = flat.extend
    top_na = (NAN,) * len(top)
    address_keys, licence_keys = inner["address"], inner["driverLicense"]
    address_na, licence_na = (NAN,) * len(address_keys), (NAN,) * len(licence_keys)
    rows = zip(records, objects["address"], objects["driverLicense"], strict=True)
    for record, address, licence in rows:
        extend(map(record.get, top, top_na))
        extend(map(address.get, address_keys, address_na))
        extend(map(licence.get, licence_keys, licence_na))
    layout = (
        *top,
        *(f"address.{key}" for key in address_keys),
        *(f"driverLicense.{key}" for key in licence_keys),
    )
    return flat, layout, objects, strays, keys


def _ordered(keys: Iterable[Any]) -> list[Any]:
    # Extra fields and customData keys are sorted: the same data gives the same columns
    # whichever customer comes first, so frames line up for diffs and concatenation.
    return sorted(keys, key=str)


def build_frame(records: list[Any], *, mask: bool) -> pd.DataFrame:
    """The frame for a list of customers (see ``customers_to_frame``)."""
    try:
        # Checking every item's type first costs a pass over 100k records; reading them
        # as dicts fails fast on anything else (a Customer has no .get), so try that.
        return _build(records, mask=mask)
    except (AttributeError, TypeError):
        if all(type(record) is dict for record in records):
            raise
    return _build(as_dicts(records), mask=mask)


def _build(records: list[dict[str, Any]], *, mask: bool) -> pd.DataFrame:
    # set.union is twice as fast as an ordered dict.fromkeys here; order comes after.
    present = set().union(*records)
    documented_top = [key for key in CUSTOMER_FIELDS if key in present and key not in NESTED]
    extra_top = _ordered(present.difference(CUSTOMER_FIELDS, NESTED))
    top = (*documented_top, *extra_top)
    flat, layout, objects, strays, keys = _extract(records, top)
    columns: dict[str, Any] = dict.fromkeys(DOCUMENTED_COLUMNS)  # None: no customer has it
    extras: dict[str, Any] = {}
    table = np.fromiter(flat, dtype=object, count=len(flat)).reshape(len(records), len(layout))
    del flat
    for position, name in enumerate(layout):
        target = columns if name in columns or name == INDEX_NAME else extras
        target[name] = TableColumn(table, position)
    custom: dict[str, Any] = {}
    for head, documented in NESTED.items():
        if head not in present:
            continue
        if head in strays:
            extras[head] = strays[head]
        for key in _ordered(keys[head].difference(documented)):
            target = custom if head == "customData" else extras
            target[f"{head}.{key}"] = _take(objects[head], key)
    return assemble(columns, extras, custom, len(records), mask=mask)
