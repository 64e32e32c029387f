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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import is_
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


def decode(body: bytes | bytearray | memoryview) -> Decoded | None:
    """The customers in ``body``, or None when only the models can read it exactly."""
    plan: Plan | None = STRICT
    while plan is not None:
        try:
            top = msgspec.json.decode(body, type=body_type(plan))
        except msgspec.ValidationError as exc:
            plan = learn(plan, str(exc))
            continue
        except msgspec.DecodeError:
            return None
        return Decoded(top.customers, plan)
    return None


def text(value: Any) -> Any:
    """A number where text belongs, as pydantic's ``coerce_numbers_to_str`` writes it."""
    return str(value) if value.__class__ is int or value.__class__ is float else value


# --- models ---------------------------------------------------------------------------


def _builder(model: type[BaseModel], plan: Plan) -> Callable[[Any], Any]:
    """A function Struct → ``model``, doing what ``model.model_validate`` does for it."""
    specs = FIELDS[model]
    extras = plan.extras_of(model)
    attrs = tuple(spec.attr for spec in specs)
    width = len(attrs)
    nested = [
        (spec.attr, _builder(spec.model, plan))
        for spec in specs
        if spec.kind == NESTED and spec.model is not None
    ]
    numbers = [spec.attr for spec in specs if (model, spec.attr) in plan.numbers]
    unsets = (_UNSET,) * width
    # Customers of one answer share a few patterns of missing keys: the names present
    # and the names to set to None are worked out once per pattern.
    patterns: dict[tuple[bool, ...], tuple[frozenset[str], tuple[str, ...]]] = {}

    def build(item: Any) -> Any:
        row = _astuple(item)
        key = tuple(map(is_, row, unsets))
        try:
            present, missing = patterns[key]
        except KeyError:
            present = frozenset(a for a, gone in zip(attrs, key, strict=False) if not gone)
            missing = tuple(a for a, gone in zip(attrs, key, strict=False) if gone)
            patterns[key] = present, missing
        values = dict(zip(attrs, row, strict=False))
        for attr in missing:
            values[attr] = None
        for attr in numbers:
            values[attr] = text(values[attr])
        for attr, inner in nested:
            value = values[attr]
            if value is not None:
                values[attr] = inner(value)
        fields_set = set(present)
        extra: dict[str, Any] = {}
        if extras:
            for (_, wire), value in zip(extras, row[width:], strict=True):
                if value is not _UNSET:
                    extra[wire] = value
                    fields_set.add(wire)
        # What BaseModel.model_construct ends with, without its per-field alias lookups:
        # the Struct holds the fields under their Python names, with the values the
        # models' validators produce for these types (tests compare with model_validate).
        instance = model.__new__(model)
        _setattr(instance, "__dict__", values)
        _setattr(instance, "__pydantic_fields_set__", fields_set)
        _setattr(instance, "__pydantic_extra__", extra)
        _setattr(instance, "__pydantic_private__", None)
        return instance

    return build


def to_models(decoded: Decoded) -> list[Customer]:
    """Every decoded customer as a :class:`~trustly_nb.Customer`."""
    return list(map(_builder(Customer, decoded.plan), decoded.items))


# --- columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Decoded customers column by column, ``None`` where a key is missing or null.

    Attributes:
        n: how many customers.
        fields: the documented top-level fields that are not objects, wire name →
            values (text fields already text), in the schema's order.
        nested: ``address`` / ``driverLicense`` → their documented fields' values
            (``None`` for a customer without that object), then their extra fields.
        objects: free-form objects (``customData``) → the dict or ``None`` per customer.
        extras: top-level fields the schema does not list (only those some customer has).
    """

    n: int
    fields: dict[str, list[Any]]
    nested: dict[str, dict[str, list[Any]]]
    objects: dict[str, list[Any]]
    extras: dict[str, list[Any]]


def _transpose(items: list[Any], width: int) -> list[list[Any]]:
    # Row by row into tuples, then one transpose in C: reading each Struct once while it
    # is in the CPU cache is several times faster than one pass over them per field.
    absent = (_UNSET,) * width
    rows = [absent if item is None else _astuple(item) for item in items]
    if not rows:
        return [[] for _ in range(width)]
    return [
        [None if value is _UNSET else value for value in column]
        if _UNSET in column or None in column
        else list(column)
        for column in zip(*rows, strict=True)
    ]


def _split(
    items: list[Any], model: type[BaseModel], plan: Plan
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """``(documented fields, extra fields some item has)`` of Structs of ``model``."""
    specs = FIELDS[model]
    extras = plan.extras_of(model)
    transposed = _transpose(items, len(specs) + len(extras))
    documented = {}
    for spec, column in zip(specs, transposed, strict=False):
        if (model, spec.attr) in plan.numbers:
            column = list(map(text, column))
        documented[spec.wire] = column
    found = {
        wire: column
        for (_, wire), column in zip(extras, transposed[len(specs) :], strict=True)
        if column.count(None) < len(column) or _had_key(items, wire, model, plan)
    }
    return documented, found


def _had_key(items: list[Any], wire: str, model: type[BaseModel], plan: Plan) -> bool:
    """Whether some item has the extra field ``wire`` (an explicit null counts)."""
    attr = {w: a for a, w in plan.extras_of(model)}[wire]
    return any(getattr(item, attr, _UNSET) is not _UNSET for item in items if item is not None)


def columns(decoded: Decoded) -> Columns:
    """The decoded customers column by column (see :class:`Columns`)."""
    documented, extras = _split(decoded.items, Customer, decoded.plan)
    fields: dict[str, list[Any]] = {}
    nested: dict[str, dict[str, list[Any]]] = {}
    objects: dict[str, list[Any]] = {}
    for spec in FIELDS[Customer]:
        column = documented[spec.wire]
        if spec.kind == NESTED and spec.model is not None:
            inner, inner_extras = _split(column, spec.model, decoded.plan)
            nested[spec.wire] = {**inner, **inner_extras}
        elif spec.kind == OBJECT:
            objects[spec.wire] = column
        else:
            fields[spec.wire] = column
    return Columns(len(decoded.items), fields, nested, objects, extras)
