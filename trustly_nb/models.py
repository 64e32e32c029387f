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

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from . import soft_checks
from .errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_FIELDS",
    "DRIVER_LICENSE_FIELDS",
    "READ_ONLY_FIELDS",
    "SERVER_TIMESTAMPS",
    "TIMESTAMP_FIELDS",
    "Address",
    "Customer",
    "DriverLicense",
    "validate_payload",
]


def _epoch_ms(value: Any) -> Any:
    """Accept the API's epoch-ms integers and the shapes a looser server might send."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp() * 1000)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            return _epoch_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return _epoch_ms(value.to_pydatetime())
    raise ValueError(f"expected epoch milliseconds (an integer), got {value!r}")


EpochMs = Annotated[int | None, BeforeValidator(_epoch_ms)]


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

    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None


class DriverLicense(_ApiModel):
    """A driver's licence; when present, ``number`` and ``state`` are both required.

    Example:
        >>> DriverLicense(number="000123456", state="CA").state
        'CA'
    """

    number: str | None = None
    state: str | None = None


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

    name: str | None = None
    tax_id: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    date_of_birth: str | None = None
    created_at: EpochMs = None
    updated_at: EpochMs = None
    customer_id: str | None = None
    external_id: str | None = None
    merchant_id: str | None = None
    enroll_date: EpochMs = None
    vip: str | None = None
    currency: str | None = None
    balance: str | None = None
    organization_number: str | None = None
    external_tier: str | None = None
    person_id: str | None = None
    custom_data: dict[str, Any] | None = None
    driver_license: DriverLicense | None = None
    national_id: str | None = None

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
        from .masking import SENSITIVE_FIELDS, mask_value

        for key, value in super().__repr_args__():
            alias = _SNAKE_TO_ALIAS.get(key or "", key)
            if alias in SENSITIVE_FIELDS and isinstance(value, str):
                yield key, mask_value(value)
            elif key == "driver_license" and isinstance(value, DriverLicense):
                number = mask_value(value.number) if value.number else None
                yield key, DriverLicense(number=number, state=value.state)
            else:
                yield key, value


CUSTOMER_FIELDS: tuple[str, ...] = tuple(
    info.alias or name for name, info in Customer.model_fields.items()
)
"""The documented Customer properties, camelCase, in the schema's order."""
ADDRESS_FIELDS: tuple[str, ...] = tuple(Address.model_fields)
DRIVER_LICENSE_FIELDS: tuple[str, ...] = tuple(DriverLicense.model_fields)
SERVER_TIMESTAMPS: tuple[str, ...] = ("createdAt", "updatedAt")
"""Set by Trustly on every write; never sent."""
READ_ONLY_FIELDS: frozenset[str] = frozenset({"customerId", *SERVER_TIMESTAMPS})
TIMESTAMP_FIELDS: tuple[str, ...] = ("createdAt", "updatedAt", "enrollDate")
_SNAKE_TO_ALIAS = {name: info.alias or name for name, info in Customer.model_fields.items()}


# --- strict validation of what we send -------------------------------------------------
# These mirror the OpenAPI schema's machine-readable constraints and nothing stricter.

_NonEmpty = Annotated[StrictStr, Field(min_length=1)]


class _StrictModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _StrictAddress(_StrictModel):
    address1: _NonEmpty | None = None
    address2: StrictStr | None = None
    city: _NonEmpty | None = None
    state: Annotated[StrictStr, Field(min_length=2)] | None = None
    zip: Annotated[StrictStr, Field(min_length=5)] | None = None
    country: Annotated[StrictStr, Field(min_length=2)]


class _StrictDriverLicense(_StrictModel):
    number: StrictStr
    state: StrictStr


class _StrictCustomer(_StrictModel):
    model_config = ConfigDict(extra="allow", strict=True, alias_generator=to_camel)

    name: _NonEmpty
    tax_id: StrictStr | None = None
    address: _StrictAddress
    phone: StrictStr
    email: _NonEmpty
    date_of_birth: StrictStr | None = None
    created_at: int | None = None
    updated_at: int | None = None
    customer_id: StrictStr | None = None
    external_id: _NonEmpty | None = None
    merchant_id: _NonEmpty | None = None
    enroll_date: int | None = None
    vip: StrictStr | None = None
    currency: StrictStr | None = None
    balance: StrictStr | None = None
    organization_number: StrictStr | None = None
    external_tier: StrictStr | None = None
    person_id: StrictStr | None = None
    custom_data: dict[str, Any] | None = None
    driver_license: _StrictDriverLicense | None = None
    national_id: StrictStr | None = None


_REQUIRED = {"name", "address", "phone", "email", "address.country"}


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    field = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":
        return field, "is required"
    if given is None and field in _REQUIRED:
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
    try:
        _StrictCustomer.model_validate(payload, by_alias=True)
    except PydanticValidationError as exc:
        problems = [_describe(err) for err in exc.errors(include_url=False)]
        raise ValidationError(problems) from None
