"""Get Customers' answer, from bytes to models or to columns, without a dict per customer.

:func:`decode` reads the body into msgspec Structs (types from :mod:`._structs`); it
answers None when the body is not something those types can describe exactly (not UTF-8
JSON, a timestamp as text, ``true`` where text belongs, ...), and the caller then takes
the models' own path (``json.loads`` and ``Customer.model_validate``), which decides.
So the fast path never changes what a customer reads as: it only skips work for the
shapes it knows, and every other shape gets the models' answer, error included.

:func:`to_models` builds real :class:`~trustly_nb.Customer` models from the Structs as
``Customer.model_validate`` would for the same JSON: numbers in text fields become their
text, extra fields are kept, ``model_fields_set`` holds exactly the keys the JSON had.
:func:`columns` reads them column by column for a frame.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress, repeat
from operator import is_, is_not, itemgetter
from typing import Any

import msgspec
from pydantic import BaseModel

from ..models import Customer
from ._structs import FIELDS, NESTED, OBJECT, STRICT, Plan, body_type, learn

__all__ = ["Columns", "Decoded", "columns", "decode", "paused_gc", "text", "to_models"]

_UNSET = msgspec.UNSET
_astuple = msgspec.structs.astuple
_setattr = object.__setattr__


@dataclass(frozen=True)
class Decoded:
    """The customers of one answer as Structs, and the plan their types followed."""

    items: list[Any]
    plan: Plan
    missing: Any = _UNSET


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while building 100k objects that hold no cycles.

    Each collection walks every tracked object; building a million models or columns
    would trigger hundreds of them and spend more time there than in the build.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def decode(body: bytes | bytearray | memoryview, missing: Any = _UNSET) -> Decoded | None:
    """The customers in ``body``, or None when only the models can read it exactly.

    ``missing``: what a Struct holds for a key its customer does not have (see
    :func:`._structs.body_type`).
    """
    plan: Plan | None = STRICT
    while plan is not None:
        try:
            top = msgspec.json.decode(body, type=body_type(plan, missing))
        except msgspec.ValidationError as exc:
            plan = learn(plan, str(exc))
            continue
        except msgspec.DecodeError:
            return None
        return Decoded(top.customers, plan, missing)
    return None


def text(value: Any) -> Any:
    """A number where text belongs, as pydantic's ``coerce_numbers_to_str`` writes it."""
    return str(value) if value.__class__ is int or value.__class__ is float else value


# --- models ---------------------------------------------------------------------------


def _consume(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def _models(items: list[Any], model: type[BaseModel], plan: Plan) -> list[Any]:
    """Structs of ``model`` → ``model`` instances, as ``model.model_validate`` builds them.

    Every loop over the customers is a ``map`` in C: a Python function per customer
    would cost more than msgspec's whole decode.
    """
    specs = FIELDS[model]
    attrs = tuple(spec.attr for spec in specs)
    width = len(attrs)
    n = len(items)
    rows = list(map(_astuple, items))
    unsets = (_UNSET,) * width
    # bytes, not tuples: a bytes object keeps its hash, and each key is looked up thrice.
    keys = list(map(bytes, map(map, repeat(is_), rows, repeat(unsets))))
    # Customers of one answer share a few patterns of missing keys: the names present,
    # and the None to write over UNSET, are worked out once per pattern.
    present: dict[bytes, frozenset[str]] = {}
    named: dict[bytes, tuple[str, ...]] = {}
    selectors: dict[bytes, bytes] = {}
    for key in set(keys):
        selectors[key] = bytes(1 - gone for gone in key)
        named[key] = tuple(compress(attrs, selectors[key]))
        present[key] = frozenset(named[key])
    # Each __dict__ starts as a copy of one all-None dict (a copy of a dict of the same
    # keys is a memcpy) and takes only the values present: no resizing, no UNSET pass.
    template = dict.fromkeys(attrs)
    dicts = list(map(dict.copy, repeat(template, n)))
    values = map(compress, rows, map(selectors.__getitem__, keys))
    _consume(map(dict.update, dicts, map(zip, map(named.__getitem__, keys), values)))
    for spec in specs:
        if (model, spec.attr) in plan.numbers:
            column = list(map(text, map(itemgetter(spec.attr), dicts)))
            _consume(map(dict.__setitem__, dicts, repeat(spec.attr), column))
        elif spec.kind == NESTED and spec.model is not None:
            column = list(map(itemgetter(spec.attr), dicts))
            flags = list(map(is_not, column, repeat(None)))
            built = iter(_models(list(compress(column, flags)), spec.model, plan))
            has = list(compress(dicts, flags))
            _consume(map(dict.__setitem__, has, repeat(spec.attr), built))
    fields_set = list(map(set, map(present.__getitem__, keys)))
    extras: list[dict[str, Any]] = [{} for _ in range(n)]
    for (_, wire), position in zip(plan.extras_of(model), range(width, 10**9), strict=False):
        for row, extra, names in zip(rows, extras, fields_set, strict=True):
            if row[position] is not _UNSET:
                extra[wire] = row[position]
                names.add(wire)
    instances = list(map(model.__new__, repeat(model, n)))
    # What BaseModel.model_construct ends with, without its per-field alias lookups: the
    # Structs hold the fields under their Python names, with the values the models'
    # validators produce for these types (tests compare with model_validate).
    _consume(map(_setattr, instances, repeat("__dict__"), dicts))
    _consume(map(_setattr, instances, repeat("__pydantic_fields_set__"), fields_set))
    _consume(map(_setattr, instances, repeat("__pydantic_extra__"), extras))
    _consume(map(_setattr, instances, repeat("__pydantic_private__"), repeat(None, n)))
    return instances


def to_models(decoded: Decoded) -> list[Customer]:
    """Every decoded customer as a :class:`~trustly_nb.Customer`."""
    return _models(decoded.items, Customer, decoded.plan)


# --- columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Decoded customers column by column, a fill value where a key is missing or null.

    Attributes:
        n: how many customers.
        fields: the documented top-level fields that are not objects, wire name →
            values (text fields already text), in the schema's order.
        nested: ``address`` / ``driverLicense`` → their documented fields' values
            (the fill for a customer without that object), then their extra fields.
        objects: free-form objects (``customData``) → the dict or the fill per customer.
        extras: top-level fields the schema does not list (only those some customer has).
    """

    n: int
    fields: dict[str, list[Any]]
    nested: dict[str, dict[str, list[Any]]]
    objects: dict[str, list[Any]]
    extras: dict[str, list[Any]]


def _transpose(items: list[Any], width: int, fill: Any) -> list[list[Any]]:
    """Columns of Structs whose missing keys hold ``fill`` (or ``fill`` for an absent
    object), with ``fill`` for a null too."""
    # Row by row into tuples, then one transpose in C: reading each Struct once while it
    # is in the CPU cache is several times faster than one pass over them per field.
    absent = (fill,) * width
    rows = (
        list(map(_astuple, items))
        if True not in map(is_, items, repeat(fill))
        else [absent if item is fill else _astuple(item) for item in items]
    )
    if not rows:
        return [[] for _ in range(width)]
    columns = []
    for values in zip(*rows, strict=True):
        # Identity, not ==: comparing text with None by == is several times slower.
        if True in map(is_, values, repeat(None)):
            columns.append([fill if value is None else value for value in values])
        else:
            columns.append(list(values))
    return columns


def _numbers_as_text(column: list[Any], fill: Any) -> list[Any]:
    return [v if v is fill else text(v) for v in column]


def _split(
    items: list[Any], model: type[BaseModel], plan: Plan, fill: Any
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """``(documented fields, extra fields some item has)`` of Structs of ``model``."""
    specs = FIELDS[model]
    extras = plan.extras_of(model)
    transposed = _transpose(items, len(specs) + len(extras), fill)
    documented = {}
    for spec, column in zip(specs, transposed, strict=False):
        if (model, spec.attr) in plan.numbers:
            column = _numbers_as_text(column, fill)
        documented[spec.wire] = column
    found = {
        wire: column
        for (_, wire), column in zip(extras, transposed[len(specs) :], strict=True)
        if column.count(fill) < len(column) or _had_key(items, wire, model, plan, fill)
    }
    return documented, found


def _had_key(items: list[Any], wire: str, model: type[BaseModel], plan: Plan, fill: Any) -> bool:
    """Whether some item has the extra field ``wire`` (an explicit null counts)."""
    attr = {w: a for a, w in plan.extras_of(model)}[wire]
    return any(getattr(item, attr) is None for item in items if item is not fill)


def columns(decoded: Decoded) -> Columns:
    """The decoded customers column by column (see :class:`Columns`), with the value
    they were decoded with for a missing key (``decode(missing=...)``) for nulls too."""
    fill = decoded.missing
    documented, extras = _split(decoded.items, Customer, decoded.plan, fill)
    fields: dict[str, list[Any]] = {}
    nested: dict[str, dict[str, list[Any]]] = {}
    objects: dict[str, list[Any]] = {}
    for spec in FIELDS[Customer]:
        column = documented[spec.wire]
        if spec.kind == NESTED and spec.model is not None:
            inner, inner_extras = _split(column, spec.model, decoded.plan, fill)
            nested[spec.wire] = {**inner, **inner_extras}
        elif spec.kind == OBJECT:
            objects[spec.wire] = column
        else:
            fields[spec.wire] = column
    return Columns(len(decoded.items), fields, nested, objects, extras)
