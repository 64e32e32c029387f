"""The errors trustly_nb raises, one tree with a common base::

    TrustlyError
    ├── ValidationError (also ValueError)     refused before any request: names every bad field
    ├── ConfigurationError (also ValueError)  a missing credential variable, an http:// URL, ...
    ├── ConflictError                         the customer changed since it was read
    ├── TransportError                        timeouts, refused or dropped connections
    ├── CassetteError                         a request a replay cassette does not hold
    └── APIError                              Trustly answered with an error
        ├── AuthenticationError               401: wrong accessId / accessKey
        ├── BadRequestError                   400: a missing or invalid parameter
        │   └── NotFoundError (also LookupError)  400 "Could not find a customer ..."
        ├── ServerError                       5xx: Trustly had a problem (503: overloaded)
        └── UnexpectedResponseError           a 2xx body that is not the documented shape

``str(error)`` is the sentence a person needs: what was asked, what came back, what to
do. ``repr(error)`` never includes headers or bodies, which can carry personal data.

Example:
    >>> try:
    ...     client.get_customer("999")
    ... except NotFoundError as exc:
    ...     print(exc.status, exc.code)
    400 200
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "CassetteError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "RequestInfo",
    "ServerError",
    "TransportError",
    "TrustlyError",
    "TrustlyErrorDetail",
    "UnexpectedResponseError",
    "ValidationError",
    "error_for_status",
]


class TrustlyError(Exception):
    """Base of every error trustly_nb raises.

    Example:
        >>> try:
        ...     client.update_customer("1001165729", email="")
        ... except tnb.TrustlyError as exc:
        ...     print(exc)            # the sentence a person needs, then what to do
    """


@dataclass(frozen=True)
class RequestInfo:
    """What was asked: method and path (with the customer id). No headers, no body."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class TrustlyErrorDetail:
    """One entry of Trustly's ``{"errors": [...]}`` list."""

    domain: str | None = None
    code: int | None = None
    message: str | None = None
    location: str | None = None
    occurred_at: int | None = None

    @classmethod
    def from_json(cls, item: Any) -> TrustlyErrorDetail:
        """Read one error entry, tolerating missing keys and wrong types."""
        if not isinstance(item, Mapping):
            return cls(message=str(item))
        code = item.get("code")
        occurred = item.get("occurredAt")
        return cls(
            domain=_text(item.get("domain")),
            code=code if isinstance(code, int) else _int_or_none(code),
            message=_text(item.get("message")),
            location=_text(item.get("location")),
            occurred_at=occurred if isinstance(occurred, int) else None,
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ValidationError(TrustlyError, ValueError):
    """Refused before any request was sent: one or more fields break the API's rules.

    Attributes:
        errors: ``[(field, reason), ...]`` with dotted camelCase field names.

    Example:
        >>> try:
        ...     client.update_customer("1001165729", **{"address.zip": "123"})
        ... except tnb.ValidationError as exc:
        ...     exc.fields
        ['address.zip']
    """

    def __init__(self, errors: Iterable[tuple[str, str]], *, hint: str | None = None) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        self.hint = hint
        super().__init__(self.errors)

    @property
    def fields(self) -> list[str]:
        """The failing fields, in order."""
        return [field for field, _ in self.errors]

    def __str__(self) -> str:
        count = len(self.errors)
        noun = "field is" if count == 1 else "fields are"
        details = "; ".join(f"{field} {reason}" for field, reason in self.errors)
        text = f"{count} {noun} invalid: {details}. Nothing was sent."
        return f"{text} {self.hint}" if self.hint else f"{text} Fix the value(s) and try again."

    def __repr__(self) -> str:
        return f"ValidationError(fields={self.fields!r})"


class ConfigurationError(TrustlyError, ValueError):
    """The client cannot be set up as asked (a missing variable, an insecure URL, ...).

    Example:
        >>> tnb.Client.from_env()     # with TRUSTLY_ACCESS_KEY unset
        Traceback (most recent call last):
        ConfigurationError: Missing environment variable(s): TRUSTLY_ACCESS_KEY. ...
    """


class ConflictError(TrustlyError):
    """The customer changed on Trustly's side since it was read; nothing was sent.

    Attributes:
        customer_id: the customer concerned.
        read_updated_at: the ``updatedAt`` (epoch ms) seen when it was read.
        current_updated_at: the ``updatedAt`` it has now.

    Example:
        >>> form.submit()            # someone else saved the customer meanwhile
        >>> form.status              # the form catches it: "Not saved: ... changed since ..."
        >>> client.update_many(edited, original=frame).status.eq("conflict").sum()
    """

    def __init__(
        self, customer_id: str, read_updated_at: int | None, current_updated_at: int | None
    ) -> None:
        self.customer_id = customer_id
        self.read_updated_at = read_updated_at
        self.current_updated_at = current_updated_at
        super().__init__(customer_id, read_updated_at, current_updated_at)

    def __str__(self) -> str:
        return (
            f"Customer {self.customer_id} changed since it was read (updatedAt "
            f"{self.read_updated_at} → {self.current_updated_at}); nothing was sent. "
            "Reload it and apply your edits again, or pass force=True to overwrite."
        )


class TransportError(TrustlyError):
    """No usable answer: a timeout, a refused or dropped connection.

    Attributes:
        request: what was asked.
        sent: whether the request may have reached the server (a POST that may have landed).

    Example:
        >>> tnb.Client("id", "key", base_url="http://127.0.0.1:9/api/v1").list_customers()
        Traceback (most recent call last):
        TransportError: GET /api/v1/customers: could not connect ...
    """

    def __init__(self, message: str, *, request: RequestInfo, sent: bool) -> None:
        self.request = request
        self.sent = sent
        super().__init__(message)

    def __repr__(self) -> str:
        return f"TransportError(request={str(self.request)!r}, sent={self.sent})"


class CassetteError(TrustlyError):
    """A replayed notebook or test made a request its cassette does not hold.

    Raised by strict replay (``use_cassette()``, ``connect(..., strict=True)``); the message
    names the cassette, the request, what differs, and the modes that would serve it.

    Example:
        >>> with tnb.use_cassette("01-quickstart"):
        ...     client.get_customer("42")
        Traceback (most recent call last):
        CassetteError: cassettes/01-quickstart.yaml has no GET /api/v1/customers/42 ...
    """


class APIError(TrustlyError):
    """Trustly answered with an error status.

    Attributes:
        status: the HTTP status code.
        errors: Trustly's ``errors[]`` entries (empty when the body was not JSON).
        request: the method and path that was asked.
        request_id: a request id header, when the server sent one.

    Example:
        >>> try:
        ...     client.get_customer("1001165729")
        ... except tnb.APIError as exc:
        ...     exc.status, exc.code, exc.message
    """

    what_to_do = "Check the request; if it keeps failing, contact Trustly support with the code."

    def __init__(
        self,
        status: int,
        errors: Sequence[TrustlyErrorDetail] = (),
        request: RequestInfo | None = None,
        *,
        body_excerpt: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.errors = list(errors)
        self.request = request
        self.request_id = request_id
        self._body_excerpt = body_excerpt
        super().__init__(status)

    @property
    def code(self) -> int | None:
        """Trustly's code of the first error (200 invalid parameter, 375 access control...)."""
        return self.errors[0].code if self.errors else None

    @property
    def message(self) -> str | None:
        """Trustly's message of the first error."""
        return self.errors[0].message if self.errors else None

    def _what_to_do(self) -> str:
        return self.what_to_do

    def __str__(self) -> str:
        asked = f"{self.request} → " if self.request else ""
        head = f"{asked}HTTP {self.status}"
        if self.errors:
            parts = []
            for err in self.errors:
                code = f"Trustly error {err.code}" if err.code is not None else "Trustly error"
                where = f" (at {err.location})" if err.location else ""
                parts.append(f"{code}: {err.message or 'no message'}{where}")
            said = "; ".join(parts)
        elif self._body_excerpt:
            said = f"the body was not Trustly's JSON error format: {self._body_excerpt!r}"
        else:
            said = "no error details in the body"
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        return f"{head}: {said}{rid}. {self._what_to_do()}"

    def __repr__(self) -> str:
        request = str(self.request) if self.request else None
        return f"{type(self).__name__}(status={self.status}, code={self.code}, request={request!r})"


class AuthenticationError(APIError):
    """401: Trustly did not accept the accessId / accessKey.

    Example:
        >>> tnb.Client("my-id", "wrong-key").get_customer("1001165729")
        Traceback (most recent call last):
        AuthenticationError: GET /api/v1/customers/1001165729 → HTTP 401: Trustly error 375 ...
    """

    what_to_do = (
        "Check TRUSTLY_ACCESS_ID and TRUSTLY_ACCESS_KEY (and that they belong to the "
        "environment you are calling: sandbox keys do not work in production)."
    )


class BadRequestError(APIError):
    """400: a parameter is missing or invalid (Trustly code 200).

    Example:
        >>> try:
        ...     client.create_customer(customer)
        ... except tnb.BadRequestError as exc:
        ...     [(e.location, e.message) for e in exc.errors]   # what Trustly refused, where
    """

    what_to_do = "Fix the field Trustly names and send again."


class NotFoundError(BadRequestError, LookupError):
    """400 "Could not find a customer ...": no customer has that id.

    It is a ``LookupError`` too, so ``except LookupError`` catches it.

    Example:
        >>> client.get_customer("999")
        Traceback (most recent call last):
        NotFoundError: GET /api/v1/customers/999 → HTTP 400: Trustly error 200: Could not find ...
    """

    what_to_do = "Check the customer id; client.list_customers() shows the ids that exist."


class ServerError(APIError):
    """5xx: Trustly failed (500) or is overloaded or in maintenance (503).

    Raised after the client's retries (GETs, and POSTs on 503) ran out.

    Example:
        >>> try:
        ...     client.list_customers()
        ... except tnb.ServerError as exc:
        ...     exc.status, exc.code                # e.g. (503, None)
    """

    def _what_to_do(self) -> str:
        if self.status == 503:
            return "Trustly is overloaded or in maintenance: wait a little and try again."
        return "This is on Trustly's side: try again later, and report the code if it persists."


class UnexpectedResponseError(APIError):
    """A successful status whose body is not the documented shape (not JSON, no customer).

    Example:
        >>> client.get_customer("1001165729")       # a proxy answered 200 with HTML
        Traceback (most recent call last):
        UnexpectedResponseError: GET /api/v1/customers/1001165729 → HTTP 200: ...
    """

    what_to_do = "The server did not answer like the Customers API; check the base URL."


def error_for_status(
    status: int,
    errors: Sequence[TrustlyErrorDetail],
    request: RequestInfo,
    *,
    body_excerpt: str | None = None,
    request_id: str | None = None,
) -> APIError:
    """The error class for an HTTP status and Trustly's error list (one table, one place)."""
    cls: type[APIError]
    if status == 401:
        cls = AuthenticationError
    elif status == 400:
        not_found = any((e.message or "").startswith("Could not find") for e in errors)
        cls = NotFoundError if not_found else BadRequestError
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIError
    return cls(status, errors, request, body_excerpt=body_excerpt, request_id=request_id)
