"""msgspec Struct types for Get Customers' answer, generated from the pydantic models.

The schema is stated once, in :mod:`trustly_nb.models`; this module reads it
(``model_fields``: names, aliases, annotations) and writes the matching msgspec types, so
a field added to the models reaches the fast decoder without a second table.

The types follow a :class:`Plan`: which text fields may arrive as numbers (``"vip": 2``)
and which fields the schema does not list (kept, like the models keep them). A plan
starts strict and learns from msgspec's own error messages (:func:`learn`), so a
response with the usual shape decodes in one pass and an unusual one in a few; anything
a plan cannot describe is left to the models (the decoder's caller falls back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, get_args, get_origin

import msgspec
from pydantic import BaseModel

from ..models import Customer

__all__ = ["FIELDS", "Field", "Plan", "body_type", "learn"]

TEXT: Final = "text"
INT: Final = "int"
OBJECT: Final = "object"
NESTED: Final = "nested"


@dataclass(frozen=True)
class Field:
    """One field of a model as the decoder sees it."""

    attr: str  # the pydantic field name, also the Struct attribute
    wire: str  # the API's camelCase name
    kind: str  # TEXT, INT, OBJECT or NESTED
    model: type[BaseModel] | None = None  # for NESTED: the nested model


def _kind(model: type[BaseModel], name: str, annotation: Any) -> tuple[str, Any]:
    args = tuple(arg for arg in get_args(annotation) if arg is not type(None))
    target = args[0] if len(args) == 1 else annotation
    if isinstance(target, type) and issubclass(target, BaseModel):
        return NESTED, target
    if target is str:
        return TEXT, None
    if target is int:  # epoch ms: its validator's other shapes (text, floats) go the slow way
        return INT, None
    if get_origin(target) is dict:
        return OBJECT, None
    raise TypeError(f"{model.__name__}.{name}: no wire rule for {annotation!r}; add one here")


def _fields(model: type[BaseModel]) -> tuple[Field, ...]:
    fields = []
    for name, info in model.model_fields.items():
        kind, nested = _kind(model, name, info.annotation)
        fields.append(Field(name, info.alias or name, kind, nested))
    return tuple(fields)


def _models(model: type[BaseModel]) -> dict[type[BaseModel], tuple[Field, ...]]:
    found = {model: _fields(model)}
    for field in found[model]:
        if field.model is not None:
            found.update(_models(field.model))
    return found


FIELDS: Final = _models(Customer)
"""Every model reachable from Customer → its fields, in the schema's order."""


@dataclass(frozen=True)
class Plan:
    """What the Struct types accept beyond the documented types.

    Attributes:
        numbers: ``(model, attr)`` of text fields that may arrive as numbers.
        extras: ``(model, wire name)`` of fields the schema does not list.
    """

    numbers: frozenset[tuple[type[BaseModel], str]] = frozenset()
    extras: tuple[tuple[type[BaseModel], str], ...] = ()

    def extras_of(self, model: type[BaseModel]) -> list[tuple[str, str]]:
        """``(Struct attribute, wire name)`` of ``model``'s extra fields."""
        names = [wire for owner, wire in self.extras if owner is model]
        return [(f"x__{i}", wire) for i, wire in enumerate(names)]


STRICT: Final = Plan()
MAX_LEARNED: Final = 64
"""Beyond this many extra fields and number-valued text fields, the models decode."""


def _wire_type(field: Field, plan: Plan, owner: type[BaseModel], missing: Any) -> Any:
    if field.kind == NESTED:
        assert field.model is not None
        return _struct(field.model, plan, missing) | None | msgspec.UnsetType
    if field.kind == INT:
        return int | None | msgspec.UnsetType
    if field.kind == OBJECT:
        return dict[str, Any] | None | msgspec.UnsetType
    if (owner, field.attr) in plan.numbers:
        return str | int | float | None | msgspec.UnsetType
    return str | None | msgspec.UnsetType


@lru_cache(maxsize=256)
def _struct(model: type[BaseModel], plan: Plan, missing: Any) -> Any:
    spec: list[tuple[str, Any, Any]] = [
        (field.attr, _wire_type(field, plan, model, missing), missing) for field in FIELDS[model]
    ]
    rename = {field.attr: field.wire for field in FIELDS[model]}
    for attr, wire in plan.extras_of(model):
        spec.append((attr, Any, missing))
        rename[attr] = wire
    # gc=False: a Struct holding only strings and numbers needs no cycle collector, and
    # 100k tracked objects fewer keep the collector from running during the decode.
    return msgspec.defstruct(
        f"{model.__name__}Wire",
        spec,
        rename=rename,
        forbid_unknown_fields=True,
        gc=False,
    )


@lru_cache(maxsize=256)
def body_type(plan: Plan, missing: Any = msgspec.UNSET) -> Any:
    """The Struct for the whole answer, ``{"customers": [...]}`` (other keys ignored).

    ``missing`` is the value of a key a customer does not have: ``UNSET`` for models
    (which must know which keys were there), NaN for a frame (which shows it as NaN).
    """
    customers: Any = list[_struct(Customer, plan, missing)]  # type: ignore[misc]
    return msgspec.defstruct("CustomersWire", [("customers", customers)])


_WHERE = r" - at `\$\.customers\[\d+\](?P<path>(?:\.[A-Za-z_]\w*)*)`$"
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>.+)`" + _WHERE)
_NUMBER = re.compile(r"^Expected `str \| null`, got `(?:int|float)`" + _WHERE)


def _walk(path: str) -> tuple[type[BaseModel], str | None] | None:
    """The model a path ``.address.zip`` ends in, and its last field (None: the model)."""
    model: type[BaseModel] = Customer
    parts = [part for part in path.split(".") if part]
    for i, part in enumerate(parts):
        field = next((f for f in FIELDS[model] if f.wire == part), None)
        if field is None:
            return None
        if field.model is None:
            return (model, field.attr) if i == len(parts) - 1 else None
        model = field.model
    return model, None


def learn(plan: Plan, message: str) -> Plan | None:
    """The plan that accepts what msgspec refused (``message``), or None if no plan can.

    Example:
        >>> learn(STRICT, "Object contains unknown field `tier` - at `$.customers[3]`")
        Plan(numbers=frozenset(), extras=((<class 'trustly_nb.models.Customer'>, 'tier'),))
    """
    if len(plan.numbers) + len(plan.extras) >= MAX_LEARNED:
        return None
    if unknown := _UNKNOWN.match(message):
        where = _walk(unknown["path"])
        name = unknown["name"]
        if where is None or where[1] is not None:
            return None
        model = where[0]
        # pydantic also fills a field from its Python name (populate_by_name): the models
        # must read such a customer, and a name seen before means the message was misread.
        if name in model.model_fields or (model, name) in plan.extras:
            return None
        return Plan(plan.numbers, (*plan.extras, (model, name)))
    if number := _NUMBER.match(message):
        where = _walk(number["path"])
        if where is None or where[1] is None or (where[0], where[1]) in plan.numbers:
            return None
        return Plan(plan.numbers | {(where[0], where[1])}, plan.extras)
    return None
