"""Get Customers straight into the customers frame: :func:`customers_frame`.

The client decodes the answer's bytes into columns (``trustly_nb.client.customer_columns``,
no dict and no model per customer); this module lays them out exactly as
:func:`~trustly_nb.customers_to_frame` lays out the same customers' models — the same
columns in the same order, the same cells, dtypes, index and attrs — and hands them to
the same final step (``assemble`` in frames/_build.py). When the fast decoder declines an
answer, the client gives models instead and the frame is built from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
from pydantic import BaseModel

from ..client.columns import Column, Columns, TableColumn, customer_columns, table_of, values_of
from ..models import Customer
from ._assemble import INDEX_NAME, assemble
from ._build import DOCUMENTED_COLUMNS, NESTED, _ordered, build_frame, key_columns
from ._cells import NAN

if TYPE_CHECKING:
    from ..client import Client

__all__ = ["customers_frame", "frame_from_columns", "frame_from_models"]

_EMPTY: Final[dict[str, Any]] = {}


def customers_frame(
    client: Client,
    external_id: str | None = None,
    customer_id: str | None = None,
    *,
    mask: bool = True,
    progress: bool = True,
) -> pd.DataFrame:
    """Get Customers as the customers frame, built from the answer's bytes in one pass.

    The result equals ``customers_to_frame(client.list_customers(...), mask=mask)``
    (values, dtypes, index and attrs) and is faster to get, with less memory: no pydantic
    model is made per customer (2.7-4.0x ``pd.json_normalize(requests.get(url).json()
    ["customers"])`` at 100k customers, ``benchmarks/wire_frame.py``). Retries, errors,
    cassettes and the emulator work as for :meth:`Client.list_customers`.

    Args:
        client: the client to ask.
        external_id: only the customers with this ``externalId``.
        customer_id: only the customer with this ``customerId``.
        mask: mask identity numbers (see :func:`~trustly_nb.customers_to_frame`).
        progress: show a bar while a big answer (more than a few MB) downloads and builds.

    Raises:
        UnexpectedResponseError: the answer is not the documented shape.

    Example:
        >>> frame = client.customers_frame()
        >>> frame.loc["1001165729", "address.city"]
        'Austin'
    """
    opened = customer_columns(client, external_id, customer_id, progress=progress, fill=NAN)
    with opened as (data, step):
        if isinstance(data, Columns):
            frame = frame_from_columns(data, mask=mask)
        else:
            frame = build_frame(data, mask=mask)
        step()
    return frame


def frame_from_columns(data: Columns, *, mask: bool) -> pd.DataFrame:
    """The frame of decoded customers (NaN for a missing key, see ``customer_columns``;
    None for a null), laid out as the build from their models lays it out."""
    if not data.n:
        return build_frame([], mask=mask)
    columns: dict[str, Any] = dict.fromkeys(DOCUMENTED_COLUMNS)
    for name, column in data.fields.items():
        columns[name] = column
    extras: dict[str, Any] = {name: data.extras[name] for name in _ordered(data.extras)}
    nested_extras: dict[str, Any] = {}
    for head, fields in data.nested.items():
        documented = NESTED[head]
        for key, column in fields.items():
            if key in documented:
                columns[f"{head}.{key}"] = column
        for key in _ordered(key for key in fields if key not in documented):
            nested_extras[f"{head}.{key}"] = fields[key]
    extras.update(nested_extras)
    custom: dict[str, Any] = {}
    for head, objects in data.objects.items():
        dicts = [value if value.__class__ is dict else _EMPTY for value in values_of(objects)]
        keys = _ordered(set().union(*dicts).difference(NESTED.get(head, ())))
        for key, column in key_columns(dicts, keys).items():
            custom[f"{head}.{key}"] = column
    if INDEX_NAME not in columns:
        columns[INDEX_NAME] = None
    return assemble(columns, extras, custom, data.n, mask=mask, nulls=data.nulls)


# --- from models already in hand ---------------------------------------------------------


def _fields(model: type[BaseModel]) -> list[tuple[str, str, Any]]:
    """``(Python name, wire name, default)`` of each of ``model``'s fields."""
    fields = model.model_fields.items()
    return [(name, info.alias or name, info.default) for name, info in fields]


def _extras_of(models: list[Any]) -> dict[str, Column]:
    """Fields the schema does not list, by name, None where a model lacks one."""
    extras = list(map(getattr, models, repeat("__pydantic_extra__"), repeat(None)))
    names = set().union(*filter(None, extras))
    return {name: [e.get(name) if e else None for e in extras] for name in names}


def _rows(dicts: Iterable[dict[str, Any]], names: tuple[str, ...], n: int) -> Iterable[Any]:
    """The values of ``names`` in each dict, as tuples (in C)."""
    if not names:
        return repeat((), n)
    if len(names) == 1:  # itemgetter of one name gives the value, not a 1-tuple
        return zip(map(itemgetter(names[0]), dicts))
    return map(itemgetter(*names), dicts)


def _model_columns(
    models: list[Any], model: type[BaseModel]
) -> tuple[dict[str, Column], dict[str, Column]]:
    """(documented fields by wire name, extra fields) of models of one type (or None),
    None where a model has no value; a field no model has set is left out."""
    # A field no model has set holds its default in every model; when that is None,
    # leaving it out of the table spares a column of None to make NaN (a frame shows it
    # all NaN), which is most of a sparse answer.
    touched = set().union(*map(getattr, models, repeat("__pydantic_fields_set__"), repeat(())))
    kept = [
        (name, wire)
        for name, wire, default in _fields(model)
        if name in touched or default is not None
    ]
    names = tuple(name for name, _ in kept)
    # getattr's default stands in for a None (a customer without that object)
    dicts = map(getattr, models, repeat("__dict__"), repeat(dict.fromkeys(names)))
    table = table_of(_rows(dicts, names, len(models)), len(models), len(names))
    documented: dict[str, Column] = {
        wire: TableColumn(table, position) for position, (_, wire) in enumerate(kept)
    }
    return documented, _extras_of(models)


def frame_from_models(customers: list[Customer], *, mask: bool) -> pd.DataFrame | None:
    """The frame of Customer models, read from their attributes column by column (the
    build from dicts would dump each model first, the slowest part). None when a model
    holds something its type does not (then the caller dumps them)."""
    if not customers:
        return None
    try:
        documented, extras = _model_columns(customers, Customer)
    except (AttributeError, KeyError, TypeError):
        return None
    nested: dict[str, dict[str, Column]] = {}
    objects: dict[str, Column] = {}
    fields: dict[str, Column] = {}
    for name, info in Customer.model_fields.items():
        wire = info.alias or name
        column = documented.get(wire)
        if column is None:
            continue  # no customer has it
        inner = _nested_model(info.annotation)
        if inner is not None:
            objs = list(values_of(column))
            if not set(map(type, objs)) <= {inner, type(None)}:
                return None
            sub, sub_extras = _model_columns(objs, inner)
            nested[wire] = {**sub, **sub_extras}
        elif wire in NESTED:
            if not set(map(type, values_of(column))) <= {dict, type(None)}:
                return None
            objects[wire] = column
        else:
            fields[wire] = column
    data = Columns(len(customers), fields, nested, objects, extras, nulls=True)
    return frame_from_columns(data, mask=mask)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None
