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

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any, Final

import numpy as np
import pandas as pd

from ..client.columns import Column, TableColumn, table_of
from ..models import (
    ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    DRIVER_LICENSE_FIELDS,
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


def key_columns(objs: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, Column]:
    """``obj.get(key, NaN)`` for every object and key: one column per key, NaN where an
    object has no such key (a null stays None here: assemble() makes it NaN).

    The objects are read one after the other, each one's values for all the keys
    together, in C, into one row-major table. A pass per key over 100k objects instead
    reads every object's hash table again for each key, and a key some objects lack
    cannot take ``itemgetter``'s fast path: for the seed's four ``customData`` keys that
    was 0.11 s against 0.03 s.
    """
    if not keys:
        return {}
    missing = (NAN,) * len(keys)
    rows = map(map, map(getattr, objs, repeat("get")), repeat(keys), repeat(missing))
    table = table_of(rows, len(objs), len(keys))
    return {key: TableColumn(table, position) for position, key in enumerate(keys)}


def _as_dicts(objs: list[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Nested values → dicts (empty where absent) and the non-object values found there."""
    dicts: list[dict[str, Any]] = []
    odd: list[Any] = []
    for obj in objs:
        is_map = isinstance(obj, Mapping)
        dicts.append(obj if type(obj) is dict else dict(obj) if is_map else _EMPTY)
        odd.append(NAN if is_map or obj is None else obj)
    return dicts, odd if any(value is not NAN for value in odd) else []


def _values(obj: Any, keys: tuple[str, ...], missing: tuple[float, ...]) -> Iterable[Any]:
    if isinstance(obj, Mapping):
        return map(obj.get, keys, missing)
    return missing


def _extract(
    records: list[dict[str, Any]], top: tuple[str, ...]
) -> tuple[list[Any], dict[str, list[Any]], bool]:
    """One pass over the records: the top-level and documented address / driverLicense
    values row after row (``flat[i::width]`` is a column), the nested objects for a
    second look, and whether any nested value is not a plain dict (null, text, another
    mapping).

    Row by row, not column by column: each record's hash table is read once while it
    is in the CPU cache, and ``extend(map(get, ...))`` keeps the inner loops in C.
    """
    flat: list[Any] = []
    extend = flat.extend
    nested: dict[str, list[Any]] = {head: [] for head in NESTED}
    add_address = nested["address"].append
    add_licence = nested["driverLicense"].append
    add_custom = nested["customData"].append
    top_na = (NAN,) * len(top)
    address_keys, address_na = ADDRESS_FIELDS, (NAN,) * len(ADDRESS_FIELDS)
    licence_keys, licence_na = DRIVER_LICENSE_FIELDS, (NAN,) * len(DRIVER_LICENSE_FIELDS)
    odd = False
    for record in records:
        get = record.get
        extend(map(get, top, top_na))
        address = get("address", _EMPTY)
        add_address(address)
        if address.__class__ is dict:
            extend(map(address.get, address_keys, address_na))
        else:
            odd = True
            extend(_values(address, address_keys, address_na))
        licence = get("driverLicense", _EMPTY)
        add_licence(licence)
        if licence is _EMPTY:  # most customers have none
            extend(licence_na)
        elif licence.__class__ is dict:
            extend(map(licence.get, licence_keys, licence_na))
        else:
            odd = True
            extend(_values(licence, licence_keys, licence_na))
        custom = get("customData", _EMPTY)
        add_custom(custom)
        if custom.__class__ is not dict:
            odd = True
    return flat, nested, odd


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
    flat, nested, odd = _extract(records, top)
    layout = (
        *top,
        *(f"address.{key}" for key in ADDRESS_FIELDS),
        *(f"driverLicense.{key}" for key in DRIVER_LICENSE_FIELDS),
    )
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
        objs, strays = _as_dicts(nested[head]) if odd else (nested[head], [])
        if strays:
            extras[head] = strays
        keys = _ordered(set().union(*objs).difference(documented))
        target = custom if head == "customData" else extras
        for key, column in key_columns(objs, keys).items():
            target[f"{head}.{key}"] = column
    return assemble(columns, extras, custom, len(records), mask=mask)
