"""Building the customers frame, and the cell conversions frames.py shares.

This is the engine behind :func:`trustly_nb.frames.customers_to_frame`; the public
module holds the documented API. The build reads each record once, row by row, with
the inner loops in C (``list.extend(map(record.get, keys))``), into one object array,
then cuts that into columns. Reading column by column is simpler but touches every
record's hash table once per column, and on 100k records the cache misses make it
~40 % slower. The result is about 3x faster than ``pd.json_normalize`` while also
converting timestamps and building the index (``benchmarks/frames.py``). pyarrow was
measured as an alternative: ``pyarrow.array(records)`` alone takes as long as this
whole build, and its strings would need converting back to objects (below), so it is
not used.

String columns are ``object`` dtype, not pandas 3's ``str``: an analyst must be able to
put :data:`trustly_nb.CLEAR`, a number or a list in any cell, and the ``str`` dtype
refuses non-strings with a ``TypeError``. Missing values are ``NaN`` (``NaT`` for
timestamps).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Final

import numpy as np
import pandas as pd

from ..masking import SENSITIVE_FIELDS, mask_value
from ..models import (
    ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    DRIVER_LICENSE_FIELDS,
    TIMESTAMP_FIELDS,
    Customer,
)

MASKED_ATTR: Final = "trustly_nb.masked"
INDEX_NAME: Final = "customerId"
NAN: Final = float("nan")
NESTED: Final[dict[str, tuple[str, ...]]] = {
    "address": ADDRESS_FIELDS,
    "driverLicense": DRIVER_LICENSE_FIELDS,
    "customData": (),
}
"""Objects expanded into dotted columns (one level); every other object stays one cell."""

_EMPTY: Final[dict[str, Any]] = {}
_INT64_NAT: Final = np.iinfo(np.int64).min
_EPOCH: Final = pd.Timestamp(0, tz="UTC")
_MS: Final = pd.Timedelta(milliseconds=1)
_INT_TEXT: Final = re.compile(r"^[+-]?\d+$")


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


# --- scalar helpers, shared with frames.py ----------------------------------------------


def is_na(value: Any) -> bool:
    """Whether one cell is missing (None, NaN, NaT, pd.NA); containers never are."""
    if value is None or value is NAN:
        return True
    if isinstance(value, (str, list, tuple, dict, set, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_epoch_ms(value: Any) -> int | None:
    """A timestamp-like value as epoch milliseconds (``None`` for NA).

    Accepts the API's integers, numeric text, ISO 8601 text (naive means UTC), and
    datetime / date / pandas / numpy timestamps.

    Raises:
        ValueError: when the value cannot be read as a point in time.
    """
    if is_na(value):
        return None
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"expected a timestamp, got {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise ValueError(f"expected a timestamp, got {value!r}")
        return round(float(value))
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        value = text
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    try:
        stamp: Any = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"expected a timestamp, got {value!r}") from exc
    if stamp is pd.NaT:
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int((stamp - _EPOCH) // _MS)


def _lenient_ms(value: Any) -> int | None:
    # Reading is lenient: a timestamp the API sent in an odd shape is shown as NaT
    # rather than failing the whole frame.
    try:
        return to_epoch_ms(value)
    except ValueError:
        return None


def mask_cell(value: Any) -> Any:
    """The masked form of one cell; non-strings are masked as their text."""
    if is_na(value):
        return value
    return mask_value(value if isinstance(value, str) else str(value))


def to_wire(field: str, value: Any, like: Any = NAN) -> Any:
    """A cell's value as the API's JSON value for ``field``.

    Timestamps become epoch ms in ``createdAt``/``updatedAt``/``enrollDate`` and ISO
    8601 text elsewhere; numpy scalars become Python ones; text in a column that held
    numbers or booleans (``like``) becomes that type when it reads as one.

    Raises:
        ValueError: for a timestamp field whose value is not a point in time.
    """
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if field in TIMESTAMP_FIELDS:
        return to_epoch_ms(value)
    if isinstance(value, dt.datetime):
        is_midnight = value.time() == dt.time() and value.tzinfo is None
        return value.date().isoformat() if is_midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and not isinstance(like, str) and not is_na(like):
        return _text_as(value, like)
    if isinstance(value, float) and value.is_integer() and type(like) is int:
        return int(value)
    return value


def _text_as(text: str, like: Any) -> Any:
    """Text (e.g. from a CSV) read as the type the original cell had, when it reads so."""
    stripped = text.strip()
    if isinstance(like, bool | np.bool_):
        lowered = stripped.lower()
        return {"true": True, "false": False}.get(lowered, text)
    if isinstance(like, int | np.integer) and _INT_TEXT.match(stripped):
        return int(stripped)
    if isinstance(like, int | float | np.number):
        try:
            number = float(stripped)
        except ValueError:
            return text
        return int(number) if number.is_integer() and isinstance(like, int) else number
    return text


def same_value(field: str, new: Any, old: Any) -> bool:
    """Whether two non-NA cells hold the same API value."""
    try:
        a, b = to_wire(field, new, old), to_wire(field, old, old)
    except ValueError:
        return False
    if isinstance(a, str) != isinstance(b, str):
        return str(a) == str(b)  # e.g. a list read back from CSV as its text
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


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
    """One column: ``obj[key]`` for every object, NaN where the key is missing or null."""
    try:
        # itemgetter runs in C and is about twice as fast as dict.get; a missing key
        # anywhere raises, and the column is read again the tolerant way.
        column = list(map(itemgetter(key), objs))
    except KeyError:
        column = list(map(dict.get, objs, repeat(key), repeat(NAN)))
    if None in column:
        column = [NAN if value is None else value for value in column]
    return column


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
) -> tuple[np.ndarray[Any, np.dtype[np.object_]], dict[str, list[Any]], bool]:
    """One pass over the records: a 2-D object array of the top-level and documented
    address / driverLicense values, the nested objects for a second look, and whether
    any nested value is not a plain dict (null, text, another mapping).

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
    width = len(top) + len(address_keys) + len(licence_keys)
    table = np.fromiter(flat, dtype=object, count=len(flat)).reshape(len(records), width)
    if None in flat:  # an explicit JSON null shows as NaN, like a missing key
        table[pd.isna(table)] = NAN
    return table, nested, odd


def _ordered(keys: Iterable[Any]) -> list[Any]:
    # Extra fields and customData keys are sorted: the same data gives the same columns
    # whichever customer comes first, so frames line up for diffs and concatenation.
    return sorted(keys, key=str)


def _timestamps(column: Sequence[Any] | np.ndarray[Any, Any]) -> pd.Series:
    kinds = set(map(type, column))
    ints: np.ndarray[Any, np.dtype[np.int64]] | None = None
    if kinds <= {int}:
        try:
            ints = np.array(column, dtype=np.int64)
        except OverflowError:
            ints = None
    elif kinds <= {int, float}:
        floats = np.array(column, dtype=np.float64)  # epoch ms fit a float64 exactly
        bad = ~np.isfinite(floats)
        floats[bad] = 0  # NaN cannot be cast to an integer; these become NaT below
        ints = floats.astype(np.int64)
        ints[bad] = _INT64_NAT
    if ints is None:
        converted = [_lenient_ms(value) for value in column]
        ints = np.array([_INT64_NAT if v is None else v for v in converted], dtype=np.int64)
    array = pd.array(ints.view("M8[ms]")).tz_localize("UTC")
    return pd.Series(array, copy=False)


def _object_series(column: list[Any] | np.ndarray[Any, Any]) -> pd.Series:
    # fromiter keeps list values as single cells (np.array would nest them), and an
    # explicit object dtype stops pandas 3 from inferring its str dtype.
    if not isinstance(column, np.ndarray):
        column = np.fromiter(column, dtype=object, count=len(column))
    return pd.Series(column, dtype=object, copy=False)


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
    table, nested, odd = _extract(records, top)
    layout = (
        *top,
        *(f"address.{key}" for key in ADDRESS_FIELDS),
        *(f"driverLicense.{key}" for key in DRIVER_LICENSE_FIELDS),
    )
    columns: dict[str, Any] = dict.fromkeys(DOCUMENTED_COLUMNS)  # None: no customer has it
    extras: dict[str, Any] = {}
    for position, name in enumerate(layout):
        target = columns if name in columns or name == INDEX_NAME else extras
        target[name] = table[:, position]
    custom: dict[str, Any] = {}
    for head, documented in NESTED.items():
        if head not in present:
            continue
        objs, strays = _as_dicts(nested[head]) if odd else (nested[head], [])
        if strays:
            extras[head] = strays
        for key in _ordered(set().union(*objs).difference(documented)):
            target = custom if head == "customData" else extras
            target[f"{head}.{key}"] = _take(objs, key)
    ids = columns.pop(INDEX_NAME, None)
    n = len(records)
    series: dict[str, pd.Series] = {}
    masked: list[str] = []
    for name, column in chain(columns.items(), extras.items(), custom.items()):
        values = np.full(n, NAN, dtype=object) if column is None else column
        if name in TIMESTAMP_FIELDS:
            series[name] = _timestamps(values)
            continue
        if mask and (name in SENSITIVE_FIELDS or name == "driverLicense"):
            masked.append(name)
            if column is not None:
                values = [
                    mask_value(value) if value.__class__ is str else mask_cell(value)
                    for value in values
                ]
        series[name] = _object_series(values)
    frame = pd.DataFrame(series, copy=False)
    frame.index = _index(ids, n)
    frame.attrs[MASKED_ATTR] = masked
    return frame


def _index(ids: np.ndarray[Any, Any] | None, n: int) -> pd.Index[Any]:
    index: pd.Index[Any] = pd.Index([None] * n if ids is None else ids, dtype=object)
    if n and index.inferred_type != "string":
        # Ids are numeric strings on the wire; a number becomes its text so lookups by
        # id behave the same whichever way it arrived. A customer not yet created has none.
        index = pd.Index([None if is_na(value) else str(value) for value in index], dtype=object)
    return index.rename(INDEX_NAME)
