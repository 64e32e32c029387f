"""Bodies in and out: a customer as the JSON to send, and a response body as models.

Lenient on what we receive (a customer is never rejected for a constraint), strict on
what we send (the whole payload is validated first). A body that is not the documented
shape at all is an :class:`~trustly_nb.errors.UnexpectedResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from ..changes import CLEAR
from ..errors import RequestInfo, TrustlyErrorDetail, UnexpectedResponseError, ValidationError
from ..models import Customer

__all__ = ["customer_from", "parse", "payload_of", "unexpected"]


def payload_of(customer: Customer | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(customer, Customer):
        return customer.to_payload()
    if not isinstance(customer, Mapping):
        raise ValidationError(
            [("customer", f"must be a Customer or a dict, got {type(customer).__name__}")]
        )
    # A field given as None (or CLEAR) is set explicitly, so to_payload sends it as null.
    data = {key: None if value is CLEAR else value for key, value in customer.items()}
    try:
        model = Customer.model_validate(data)
    except PydanticValidationError as exc:
        problems = [(".".join(str(p) for p in err["loc"]), str(err["msg"])) for err in exc.errors()]
        raise ValidationError(problems) from None
    return model.to_payload()


def parse(item: Any, method: str, path: str) -> Customer:
    if not isinstance(item, dict):
        raise unexpected(method, path, f"a customer is {type(item).__name__}, not an object")
    try:
        return Customer.model_validate(item)
    except PydanticValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise unexpected(method, path, f"{where}: {first['msg']}") from None


def customer_from(body: Any, method: str, path: str) -> Customer:
    item = body.get("customer") if isinstance(body, dict) else None
    if item is None:
        raise unexpected(method, path, "no 'customer' object in the body")
    return parse(item, method, path)


def unexpected(method: str, path: str, why: str) -> UnexpectedResponseError:
    detail = TrustlyErrorDetail(message=why)
    return UnexpectedResponseError(200, [detail], RequestInfo(method, path))
