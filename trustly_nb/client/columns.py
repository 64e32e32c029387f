"""Decoded customers as columns for a frame: row-major tables, no dict per customer.

Used by ``trustly_nb.frames`` (``customers_frame``, and the frame of models or dicts),
and imported only there: it needs numpy, which a client alone does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from operator import is_, is_not
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
from pydantic import BaseModel

from ..models import Customer
from ._customers import fetch_customers, slow_models
from ._decode import Decoded, cells_are, decode, paused_gc, table_of, text
from ._progress import Progress
from ._structs import FIELDS, NESTED, OBJECT, Plan

__all__ = [
    "Column",
    "Columns",
    "TableColumn",
    "cells_are",
    "columns",
    "customer_columns",
    "table_of",
    "values_of",
]

if TYPE_CHECKING:
    from ._client import Client

_astuple = msgspec.structs.astuple


@dataclass(frozen=True)
class TableColumn:
    """Column ``position`` of a row-major 2-D object table (one row per customer).

    Decoding fills such a table row by row, each customer's values while they are in
    the CPU cache, and the frame gathers its columns row by row too: on 100k customers
    that is about twice as fast as going column by column over objects spread across
    hundreds of MB.
    """

    table: np.ndarray[Any, np.dtype[np.object_]]
    position: int

    def values(self) -> np.ndarray[Any, np.dtype[np.object_]]:
        """The column as a (strided) view of the table."""
        return self.table[:, self.position]


def values_of(column: TableColumn | Sequence[Any]) -> Sequence[Any] | np.ndarray[Any, Any]:
    """The values of a column, whichever way it is held."""
    return column.values() if isinstance(column, TableColumn) else column


Column = TableColumn | Sequence[Any]
"""A column of ``n`` values: in a row-major table, or a sequence of its own."""


@dataclass(frozen=True)
class Columns:
    """Decoded customers column by column, a fill value where a key is missing.

    Attributes:
        n: how many customers.
        fields: the documented top-level fields that are not objects, wire name →
            values (text fields already text), in the schema's order.
        nested: ``address`` / ``driverLicense`` → their documented fields' values
            (the fill for a customer without that object), then their extra fields.
        objects: free-form objects (``customData``) → the dict or the fill per customer.
        extras: top-level fields the schema does not list (only those some customer has).
        nulls: whether a value may be None (a JSON null); see :attr:`Decoded.nulls`.
    """

    n: int
    fields: dict[str, Column]
    nested: dict[str, dict[str, Column]]
    objects: dict[str, Column]
    extras: dict[str, Column]
    nulls: bool = True


def _table(items: list[Any], width: int, fill: Any) -> np.ndarray[Any, Any]:
    """The Structs' values row by row; an item that is ``fill`` or None (a customer
    without that object) gives ``fill`` in every column."""
    if True in map(is_, items, repeat(fill)) or True in map(is_, items, repeat(None)):
        absent = (fill,) * width
        rows: Iterable[Any] = (
            absent if item is fill or item is None else _astuple(item) for item in items
        )
    else:
        rows = map(_astuple, items)
    return table_of(rows, len(items), width)


def _split(
    items: list[Any], model: type[BaseModel], plan: Plan, fill: Any
) -> tuple[dict[str, Column], dict[str, Column]]:
    """``(documented fields, extra fields some item has)`` of Structs of ``model``."""
    specs = FIELDS[model]
    extras = plan.extras_of(model)
    table = _table(items, len(specs) + len(extras), fill)
    documented: dict[str, Column] = {}
    for position, spec in enumerate(specs):
        if (model, spec.attr) in plan.numbers:
            column = table[:, position]
            column[:] = np.fromiter(
                (v if v is fill else text(v) for v in column), dtype=object, count=len(column)
            )
        documented[spec.wire] = TableColumn(table, position)
    # An extra field some item has: a value that is not the fill (a null is None here).
    found: dict[str, Column] = {
        wire: TableColumn(table, position)
        for position, (_, wire) in enumerate(extras, start=len(specs))
        if True in map(is_not, table[:, position], repeat(fill))
    }
    return documented, found


def columns(decoded: Decoded) -> Columns:
    """The decoded customers column by column (see :class:`Columns`), with the value
    they were decoded with for a missing key (``decode(missing=...)``) as the fill."""
    fill = decoded.missing
    documented, extras = _split(decoded.items, Customer, decoded.plan, fill)
    fields: dict[str, Column] = {}
    nested: dict[str, dict[str, Column]] = {}
    objects: dict[str, Column] = {}
    for spec in FIELDS[Customer]:
        column = documented[spec.wire]
        if spec.kind == NESTED and spec.model is not None:
            inner, inner_extras = _split(list(values_of(column)), spec.model, decoded.plan, fill)
            nested[spec.wire] = {**inner, **inner_extras}
        elif spec.kind == OBJECT:
            objects[spec.wire] = column
        else:
            fields[spec.wire] = column
    return Columns(len(decoded.items), fields, nested, objects, extras, decoded.nulls)


@contextmanager
def customer_columns(
    client: Client,
    external_id: str | None = None,
    customer_id: str | None = None,
    *,
    progress: bool = True,
    fill: Any = None,
) -> Iterator[tuple[Columns | list[Customer], Any]]:
    """Get Customers as columns for a frame (models when the fast decoder declines).

    Yields ``(columns or models, step)``; call ``step()`` once the frame is built (the
    last step of the bar). ``fill`` is the columns' value for a missing key (a null
    is None).
    The garbage collector stays paused until the block ends.

    Example:
        >>> with customer_columns(client) as (data, step):
        ...     frame = build(data)
        ...     step()
    """
    bar = Progress(progress)
    body: bytearray | None = fetch_customers(client, external_id, customer_id, bar)
    assert body is not None
    with bar.build(["decoding", "reading columns", "building the frame"]) as step, paused_gc():
        decoded = decode(body, fill)
        step()
        data: Columns | list[Customer]
        if decoded is None:
            data = slow_models(body)
        else:
            body = None  # the Structs hold everything now: 440 MB less at a million
            data = columns(decoded)
            del decoded
        step()
        yield data, step
