"""HTTP plumbing behind :class:`~trustly_nb.Client`: retry rules, error parsing, transport errors.

The retry rules: GET retries on 5xx, 429, connection failures and
read timeouts; POST only on 503/429 and on failures before the request was sent; a create
without an ``externalId`` never; 4xx (but 429) never; a request requests cannot build or
route (:data:`UNSENDABLE`: a bad header, a malformed proxy URL) never, as nothing was sent.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import threading
import time
from collections.abc import Mapping
from enum import Enum
from typing import Any, Protocol

import requests
from requests import exceptions as requests_errors
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ..errors import (
    APIError,
    ConfigurationError,
    RequestInfo,
    TransportError,
    TrustlyErrorDetail,
    UnexpectedResponseError,
    error_for_status,
)

__all__ = [
    "UNSENDABLE",
    "Retry",
    "api_error",
    "is_loopback",
    "json_body",
    "may_retry_failure",
    "may_retry_status",
    "never_sent",
    "parse_retry_after",
    "retry_delay",
    "transport_error",
    "unsendable_error",
    "wait_to_retry",
]

logger = logging.getLogger("trustly_nb")


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback (``localhost``, 127/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback  # "%": an IPv6 scope
    except ValueError:
        return False


class Retry(Enum):
    """Which failures a request may be retried on (the rules in this module's docstring)."""

    IDEMPOTENT = "idempotent"  # GET: 5xx, 429, connection failures, read timeouts
    SAFE_POST = "safe-post"  # POST: 503/429 and failures before the request was sent
    NEVER = "never"  # create without externalId: a retry could create a duplicate


def json_body(response: requests.Response, info: RequestInfo) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponseError(
            response.status_code, [], info, body_excerpt=_excerpt(response.text)
        ) from None


def api_error(response: requests.Response, info: RequestInfo) -> APIError:
    details: list[TrustlyErrorDetail] = []
    excerpt = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        details = [TrustlyErrorDetail.from_json(item) for item in body["errors"]]
    else:
        excerpt = _excerpt(response.text)
    request_id = response.headers.get("X-Request-Id") or response.headers.get("Request-Id")
    return error_for_status(
        response.status_code, details, info, body_excerpt=excerpt, request_id=request_id
    )


def _excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def never_sent(exc: requests.RequestException) -> bool:
    """Whether the failure happened before the request could reach the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def may_retry_failure(retry: Retry, sent: bool) -> bool:
    if retry is Retry.IDEMPOTENT:
        return True
    return retry is Retry.SAFE_POST and not sent


def may_retry_status(retry: Retry, status: int) -> bool:
    if retry is Retry.IDEMPOTENT:
        return status >= 500 or status == 429
    return retry is Retry.SAFE_POST and status in (429, 503)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_BACKOFF_CAP = 8.0


def retry_delay(attempt: int, retry_after: str | None, backoff: float, cap: float) -> float:
    """Seconds to wait before retry ``attempt``: ``Retry-After`` if given, else jittered
    exponential backoff; never more than ``cap``."""
    delay = parse_retry_after(retry_after)
    if delay is None:
        delay = min(backoff * 2 ** (attempt - 1), _BACKOFF_CAP)
        delay *= random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security
    return max(0.0, min(delay, cap))


class RetrySettings(Protocol):
    """What :func:`wait_to_retry` reads off a client."""

    backoff: float
    retry_after_cap: float


def wait_to_retry(
    settings: RetrySettings,
    attempt: int,
    retry_after: str | None,
    info: RequestInfo,
    why: str,
    cancel: threading.Event | None,
) -> bool:
    """Sleep before a retry; False when ``cancel`` was set (then the failure stands)."""
    delay = retry_delay(attempt, retry_after, settings.backoff, settings.retry_after_cap)
    logger.info("%s failed (%s); retry %d in %.2f s", info, why, attempt, delay)
    if cancel is None:
        time.sleep(delay)
        return True
    # A stopped bulk batch must not send a retry after it has returned.
    return not cancel.wait(delay)


def transport_error(
    exc: requests.RequestException, info: RequestInfo, sent: bool, timeout: float
) -> TransportError:
    if isinstance(exc, requests.Timeout):
        what = f"no answer within the {timeout:g} s timeout"
    elif not sent:
        what = "could not connect to the server"
    else:
        what = "the connection failed before a complete answer arrived"
    if info.method == "POST" and sent:
        todo = (
            "The update may or may not have been applied: get the customer to check "
            "before sending it again."
        )
    else:
        todo = "Check the network and the base URL, then try again."
    return TransportError(f"{info}: {what}. {todo}", request=info, sent=sent)


UNSENDABLE = (
    requests_errors.InvalidHeader,
    requests_errors.InvalidURL,  # InvalidProxyURL too
    requests_errors.InvalidSchema,
    requests_errors.MissingSchema,
    requests_errors.InvalidJSONError,
    requests_errors.URLRequired,
)
"""What requests raises for a request it cannot build or route: nothing was sent, and
sending it again fails the same way, so it is the caller's to fix, not the network's."""


def unsendable_error(
    exc: requests.RequestException, info: RequestInfo, headers: Mapping[str, Any]
) -> ConfigurationError:
    """The error for one of :data:`UNSENDABLE`, naming what to fix.

    requests' own message is left out: it quotes the header value, or the proxy URL, that
    it refused, and either may hold a secret.
    """
    if isinstance(exc, requests_errors.InvalidHeader):
        bad = [name for name, value in headers.items() if not _sendable(name, value)]
        named = ", ".join(map(repr, bad)) or "one of them"
        what = (
            f"the session's headers cannot be sent ({named}): a header's name and value must "
            "be text, with no line break and no leading space"
        )
        todo = "Fix the headers of the requests.Session given to the Client"
    elif isinstance(exc, requests_errors.InvalidJSONError):
        what = "the request body cannot be written as JSON"
        todo = "Send only text, numbers, booleans, lists and objects (no NaN or infinity)"
    else:
        what = f"requests cannot send to this URL or through this proxy ({type(exc).__name__})"
        todo = (
            "Check the base URL and the proxy settings (the HTTP(S)_PROXY variables, the "
            "session's proxies)"
        )
    return ConfigurationError(f"{info}: {what}. Nothing was sent. {todo}, then try again.")


def _sendable(name: Any, value: Any) -> bool:
    if value is None:  # dropped, as Session.request drops it
        return True
    try:
        requests.utils.check_header_validity((name, value))
    except requests_errors.InvalidHeader:
        return False
    return True
