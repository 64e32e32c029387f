"""Where a client may connect: the environments, the base-URL rule, ids in paths.

Plain ``http://`` is accepted only for loopback (the local emulator); everything else
must be ``https://`` — the accessKey travels in every request's Basic auth header.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from ..errors import ConfigurationError, ValidationError
from ._transport import is_loopback

__all__ = ["ENVIRONMENTS", "checked_base_url", "environment_of", "escape_id"]

ENVIRONMENTS: dict[str, str] = {
    "sandbox": "https://sandbox.trustly.one/api/v1",
    "production": "https://api.trustly.one/api/v1",
}


def environment_of(base_url: str) -> str:
    for name, url in ENVIRONMENTS.items():
        if base_url.rstrip("/") == url:
            return name
    return "custom"


def checked_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return base_url.rstrip("/")
    if parts.scheme == "http" and is_loopback(host):
        return base_url.rstrip("/")
    raise ConfigurationError(
        f"base_url must be https:// (plain http:// is allowed only for loopback, such as "
        f"the local emulator), got {parts.scheme or 'no'} scheme for host {host or '?'!r}."
    )


def escape_id(customer_id: str | int) -> str:
    if isinstance(customer_id, bool) or not isinstance(customer_id, str | int):
        raise ValidationError(
            [("customerId", f"must be text or an integer, got {type(customer_id).__name__}")]
        )
    text = str(customer_id).strip()
    if not text:
        raise ValidationError([("customerId", "must not be empty")])
    return quote(text, safe="")
