"""Customer, Address and DriverLicense: the Customers API's objects as pydantic v2 models.

The rule is *lenient on what we receive, strict on what we send*:

- ``Customer.model_validate(api_json)`` never fails because a value breaks one of the
  spec's constraints: Trustly may hold older or looser data. Numbers where strings are
  documented (``vip: 3``) become strings, fields the schema does not list are kept and
  sent back, and :attr:`Customer.warnings` reports what looks wrong.
- :meth:`Customer.to_payload` (and :func:`validate_payload` for a plain dict) checks the
  spec's machine-readable constraints on the whole payload before anything is sent and
  raises one :class:`~trustly_nb.errors.ValidationError` naming every failing field.

Example:
    >>> c = Customer.model_validate({"name": "Ada", "email": "ada@example.com",
    ...     "phone": "+15555550100", "address": {"country": "US"}, "loyalty": "gold"})
    >>> c.model_dump(by_alias=True, exclude_none=True)["loyalty"]
    'gold'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, create_model
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from . import soft_checks
from .errors import ValidationError
from .masking import mask_value
from .timestamps import to_epoch_ms

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_FIELDS",
    "DRIVER_LICENSE_FIELDS",
    "FREE_FORM_FIELDS",
    "IDENTITY_NUMBER_FIELDS",
    "NESTED_FIELDS",
    "READ_ONLY_FIELDS",
    "REQUIRED_FIELDS",
    "SENSITIVE_FIELDS",
    "SERVER_TIMESTAMPS",
    "SNAKE_TO_CAMEL",
    "TIMESTAMP_FIELDS",
    "Address",
    "Customer",
    "DriverLicense",
    "Spec",
    "validate_payload",
]


@dataclass(frozen=True)
class Spec:
    """What the Customers OpenAPI says of one field beyond its type, or what we add to it.

    Attached to a model field with ``Annotated``; every table of this module (and so every
    table of the package) is derived from these, so adding a field is one line here.

    Attributes:
        required: the API refuses a customer without it (inside an object: when the
            object is present).
        min_length: the schema's ``minLength`` for text.
        sensitive: personal data (a birth date): masked in frames, the form and reprs.
        identity_number: an identity number: sensitive, and scrubbed from cassettes.
        server_set: set by Trustly; never sent, never editable.
        timestamp: epoch milliseconds (given by the :data:`EpochMs` type).
    """

    required: bool = False
    min_length: int | None = None
    sensitive: bool = False
    identity_number: bool = False
    server_set: bool = False
    timestamp: bool = False


EpochMs = Annotated[int | None, BeforeValidator(to_epoch_ms), Spec(timestamp=True)]
"""Epoch milliseconds; ISO text, datetimes and numeric text are read too."""

_REQUIRED = Spec(required=True)
_NON_EMPTY = Spec(required=True, min_length=1)


class _ApiModel(BaseModel):
    """Shared configuration: camelCase on the wire, snake_case in Python, nothing dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        coerce_numbers_to_str=True,
        validate_assignment=True,
    )


class Address(_ApiModel):
    """A customer's mailing or billing address (``country`` is the only required key).

    Example:
        >>> Address(country="US", city="Austin", state="TX").city
        'Austin'
    """

    address1: Annotated[str | None, Spec(min_length=1)] = None
    address2: str | None = None
    city: Annotated[str | None, Spec(min_length=1)] = None
    state: Annotated[str | None, Spec(min_length=2)] = None
    zip: Annotated[str | None, Spec(min_length=5)] = None
    country: Annotated[str | None, Spec(required=True, min_length=2)] = None


class DriverLicense(_ApiModel):
    """A driver's licence; when present, ``number`` and ``state`` are both required.

    Example:
        >>> DriverLicense(number="000123456", state="CA").state
        'CA'
    """

    number: Annotated[str | None, Spec(required=True, identity_number=True)] = None
    state: Annotated[str | None, _REQUIRED] = None


class Customer(_ApiModel):
    """A Trustly customer, with every documented property and any the API adds.

    Attributes use snake_case (``customer.tax_id``); the API's camelCase names are the
    aliases (``Customer.model_validate({"taxId": ...})``, ``model_dump(by_alias=True)``).

    Example:
        >>> c = Customer(name="Ada", email="ada@example", phone="555",
        ...              address={"country": "USA"})
        >>> [w.split(":")[0] for w in c.warnings]
        ['phone', 'email', 'address.country']
    """

    name: Annotated[str | None, _NON_EMPTY] = None
    tax_id: Annotated[str | None, Spec(identity_number=True)] = None
    address: Annotated[Address | None, _REQUIRED] = None
    phone: Annotated[str | None, _REQUIRED] = None
    email: Annotated[str | None, _NON_EMPTY] = None
    date_of_birth: Annotated[str | None, Spec(sensitive=True)] = None
    created_at: Annotated[EpochMs, Spec(server_set=True)] = None
    updated_at: Annotated[EpochMs, Spec(server_set=True)] = None
    customer_id: Annotated[str | None, Spec(server_set=True)] = None
    external_id: Annotated[str | None, Spec(min_length=1)] = None
    merchant_id: Annotated[str | None, Spec(min_length=1)] = None
    enroll_date: EpochMs = None
    vip: str | None = None
    currency: str | None = None
    balance: str | None = None
    organization_number: str | None = None
    external_tier: str | None = None
    person_id: Annotated[str | None, Spec(identity_number=True)] = None
    custom_data: dict[str, Any] | None = None
    driver_license: DriverLicense | None = None
    national_id: Annotated[str | None, Spec(identity_number=True)] = None

    @property
    def warnings(self) -> list[str]:
        """Soft checks: what looks wrong but is not a spec violation (``"field: reason"``)."""
        return soft_checks.check(self.model_dump(by_alias=True, exclude_none=True))

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Fields the API returned that the schema does not list (kept and sent back)."""
        return dict(self.__pydantic_extra__ or {})

    def to_payload(self) -> dict[str, Any]:
        """The JSON body to send: camelCase, server-set timestamps left out, validated.

        Fields never set are left out; a field set to ``None`` is sent as ``null``,
        which removes it on Trustly's side.

        Raises:
            ValidationError: naming every field that breaks the spec's constraints.
        """
        payload = self.model_dump(by_alias=True, exclude_unset=True, mode="json")
        for key in SERVER_TIMESTAMPS:
            payload.pop(key, None)
        validate_payload(payload)
        return payload

    def to_frame(self, *, mask: bool = True) -> pd.DataFrame:
        """This customer as a one-row DataFrame (see :func:`trustly_nb.customers_to_frame`)."""
        from .frames import customers_to_frame

        return customers_to_frame([self], mask=mask)

    def __repr_args__(self) -> Any:
        # Identity numbers stay out of reprs, like in frames and the form.
        for key, value in super().__repr_args__():
            alias = SNAKE_TO_CAMEL.get(key or "", key)
            if alias in SENSITIVE_FIELDS and isinstance(value, str):
                yield key, mask_value(value)
            elif key == "driver_license" and isinstance(value, DriverLicense):
                number = mask_value(value.number) if value.number else None
                yield key, DriverLicense(number=number, state=value.state)
            else:
                yield key, value


# --- the tables, derived from the models above -----------------------------------------


def _spec(info: FieldInfo) -> Spec:
    """The field's :class:`Spec`s merged (``EpochMs`` brings one, the field may add one)."""
    merged: dict[str, Any] = {}
    for item in info.metadata:
        if isinstance(item, Spec):
            merged.update({k: v for k, v in vars(item).items() if v not in (False, None)})
    return Spec(**merged)


def _inner(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _object_model(info: FieldInfo) -> type[_ApiModel] | None:
    inner = _inner(info.annotation)
    return inner if isinstance(inner, type) and issubclass(inner, _ApiModel) else None


def _camel(model: type[BaseModel]) -> dict[str, tuple[str, FieldInfo]]:
    return {info.alias or name: (name, info) for name, info in model.model_fields.items()}


_CUSTOMER = _camel(Customer)

CUSTOMER_FIELDS: tuple[str, ...] = tuple(_CUSTOMER)
"""The documented Customer properties, camelCase, in the schema's order."""
SNAKE_TO_CAMEL: dict[str, str] = {name: camel for camel, (name, _) in _CUSTOMER.items()}
"""``tax_id`` → ``taxId`` for every documented property."""
NESTED_FIELDS: dict[str, tuple[str, ...]] = {
    camel: tuple(_camel(model))
    for camel, (_, info) in _CUSTOMER.items()
    if (model := _object_model(info)) is not None
}
"""The documented objects and their keys: ``{"address": ("address1", ...), ...}``."""
ADDRESS_FIELDS: tuple[str, ...] = NESTED_FIELDS["address"]
DRIVER_LICENSE_FIELDS: tuple[str, ...] = NESTED_FIELDS["driverLicense"]
FREE_FORM_FIELDS: tuple[str, ...] = tuple(
    camel for camel, (_, info) in _CUSTOMER.items() if get_origin(_inner(info.annotation)) is dict
)
"""Free-form objects (``customData``): any keys, kept as given."""


def _dotted(test: Any) -> tuple[str, ...]:
    """Dotted camelCase names (objects expanded one level) whose :class:`Spec` passes."""
    found = []
    for camel, (_, info) in _CUSTOMER.items():
        if test(_spec(info), None):
            found.append(camel)
        model = _object_model(info)
        for key, (_, inner) in _camel(model).items() if model else ():
            if test(_spec(inner), _spec(info)):
                found.append(f"{camel}.{key}")
    return tuple(found)


SENSITIVE_FIELDS: tuple[str, ...] = _dotted(
    lambda spec, parent: spec.sensitive or spec.identity_number
)
"""Dotted fields masked by default in frames, the form and reprs."""
IDENTITY_NUMBER_FIELDS: tuple[str, ...] = _dotted(lambda spec, parent: spec.identity_number)
"""Dotted fields holding identity numbers (tax id, national id, licence number, ...)."""
REQUIRED_FIELDS: tuple[str, ...] = _dotted(
    lambda spec, parent: spec.required and (parent is None or parent.required)
)
"""Dotted fields every customer sent must have (``driverLicense`` keys only with one)."""
TIMESTAMP_FIELDS: tuple[str, ...] = _dotted(lambda spec, parent: spec.timestamp)
"""Epoch-millisecond fields (``datetime64[ms, UTC]`` columns in frames)."""
READ_ONLY_FIELDS: frozenset[str] = frozenset(_dotted(lambda spec, parent: spec.server_set))
"""Set by Trustly: never sent, never editable."""
SERVER_TIMESTAMPS: tuple[str, ...] = tuple(f for f in TIMESTAMP_FIELDS if f in READ_ONLY_FIELDS)
"""Set by Trustly on every write; never sent."""


# --- strict validation of what we send -------------------------------------------------
# A mirror of the models with the spec's machine-readable constraints and nothing
# stricter, generated from the same fields: text must be text (no numbers), required
# fields present, minLength kept.


def _strict(model: type[_ApiModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        spec, inner = _spec(info), _inner(info.annotation)
        nested = _object_model(info)
        if nested is not None:
            kind: Any = _strict(nested)
        elif inner is str:
            kind = Annotated[StrictStr, Field(min_length=spec.min_length or 0)]
        else:
            kind = inner  # int for timestamps, dict for customData
        fields[name] = (kind, ...) if spec.required else (kind | None, None)
    config = ConfigDict(extra="allow", strict=True, alias_generator=to_camel)
    strict: type[BaseModel] = create_model(f"Strict{model.__name__}", __config__=config, **fields)
    return strict


_STRICT_CUSTOMER = _strict(Customer)


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    field = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":
        return field, "is required"
    if given is None and field in REQUIRED_FIELDS:
        return field, "is required and cannot be removed (null)"
    if kind == "string_too_short":
        return field, f"must be at least {ctx.get('min_length')} character(s), got {given!r}"
    if kind in {"string_type", "int_type", "dict_type", "model_type", "model_attributes_type"}:
        expected = {"string_type": "text", "int_type": "an integer", "dict_type": "an object"}
        wanted = expected.get(kind, "an object")
        return field, f"must be {wanted}, got {type(given).__name__} {given!r}"
    return field, str(error["msg"])


def validate_payload(payload: Mapping[str, Any]) -> None:
    """Check a Customer JSON body against the spec's constraints, all fields at once.

    Args:
        payload: the camelCase JSON that is about to be sent.

    Raises:
        ValidationError: one error whose ``.errors`` lists ``(field, reason)`` for every
            failing field, e.g. ``("address.zip", "must be at least 5 character(s) ...")``.

    Example:
        >>> validate_payload({"name": "", "address": {"country": "US"}, "phone": "1",
        ...                   "email": "a@b.co"})
        Traceback (most recent call last):
        ...
        trustly_nb.errors.ValidationError: 1 field is invalid: name must be at least ...
    """
    if not isinstance(payload, Mapping):
        raise ValidationError([("customer", f"must be an object, got {type(payload).__name__}")])
    problems: list[tuple[str, str]] = []
    try:
        _STRICT_CUSTOMER.model_validate(payload, by_alias=True)
    except PydanticValidationError as exc:
        problems = [_describe(err) for err in exc.errors(include_url=False)]
    # JSON has no NaN or Infinity: requests would refuse the body only once it is sent,
    # as a transport error that hides which field it was (customData may hold anything).
    problems += [
        (field, f"must be a finite number (JSON has no {value!r}); remove it or set a number")
        for field, value in _non_finite(payload)
    ]
    if problems:
        raise ValidationError(problems)


_CANNOT_HOLD_A_FLOAT: Final = frozenset({str, int, bool, type(None)})


def _non_finite(payload: Any) -> list[tuple[str, float]]:
    """``(dotted path, value)`` of every NaN or infinite float inside a JSON value."""
    found: list[tuple[str, float]] = []
    _find_non_finite(payload, "", found)
    return found


def _find_non_finite(value: Any, path: str, found: list[tuple[str, float]]) -> None:
    # Once per update on the whole payload: text, integers and nulls (nearly every value)
    # are passed over by their exact type, not walked into.
    if isinstance(value, float):
        if not math.isfinite(value):
            found.append((path or "customer", value))
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if type(inner) not in _CANNOT_HOLD_A_FLOAT:
                _find_non_finite(inner, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            if type(inner) not in _CANNOT_HOLD_A_FLOAT:
                _find_non_finite(inner, f"{path}[{i}]", found)
