"""The one place requests are made: the retry loop, and reading an answer (whole or streamed).

Every request of a :class:`~trustly_nb.Client` goes through :func:`send`: the timeout is
always passed, retries follow one policy table (:mod:`._transport`), and an error answer
becomes a :mod:`trustly_nb.errors` class right there. The answer's body is read inside
the retry loop, so a GET whose answer is cut off half-way is retried like one that never
arrived, streamed or not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from ..errors import CassetteError, RequestInfo
from ._prepare import builds_like_requests, prepare, send_settings
from ._source import response_source
from ._transport import (
    UNSENDABLE,
    Retry,
    api_error,
    json_body,
    may_retry_failure,
    may_retry_status,
    never_sent,
    transport_error,
    unsendable_error,
    wait_to_retry,
)

if TYPE_CHECKING:
    from ._client import Client
    from ._progress import Progress

__all__ = ["Environment", "read_json", "read_streamed", "send"]

logger = logging.getLogger("trustly_nb")

Reader = Callable[[requests.Response, RequestInfo], Any]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Environment:
    """The environment's proxy, no-proxy and CA-bundle settings for one base URL.

    ``requests`` reads them from ``os.environ`` on every request when the session trusts
    the environment (``HTTPS_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``, ...): about a
    third of a bulk update's CPU per row. They are read once, here, and passed on.
    """

    proxies: dict[str, str]
    verify: bool | str | None
    cert: Any

    @classmethod
    def read(cls, session: requests.Session, base_url: str) -> Environment:
        """Read the settings a request to ``base_url`` would use, and stop ``session``
        reading them again (``trust_env = False``; the settings read are passed instead)."""
        settings = session.merge_environment_settings(base_url, {}, None, None, None)
        session.trust_env = False
        return cls(dict(settings["proxies"]), settings["verify"], settings["cert"])


def read_json(response: requests.Response, info: RequestInfo) -> Any:
    """The answer's JSON body (an :class:`UnexpectedResponseError` if it is not JSON)."""
    return json_body(response, info)


def read_streamed(progress: Progress) -> Reader:
    """A reader that streams the body into one buffer, shown by ``progress`` when big."""

    def read(response: requests.Response, info: RequestInfo) -> bytearray:
        length = response.headers.get("Content-Length", "")
        body = bytearray()
        with progress.download(int(length) if length.isdigit() else None) as advance:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                body += chunk
                advance(len(chunk))
        return body

    return read


def send(
    client: Client,
    method: str,
    path: str,
    *,
    params: Mapping[str, str] | None = None,
    json: Any = None,
    retry: Retry,
    cancel: threading.Event | None = None,
    read: Reader = read_json,
    stream: bool = False,
) -> Any:
    """Send one request with the client's retry policy; ``read`` turns a 2xx into a result."""
    url = f"{client.base_url}{path}"
    info = RequestInfo(method, urlsplit(url).path)
    env, session = client._environment, client._session
    attempt = 0
    while True:
        started = time.perf_counter()
        try:
            if builds_like_requests(session):  # the same request, without the generic merges
                prepared = prepare(session, method, url, params, json)
                settings = send_settings(session, env, timeout=client.timeout, stream=stream)
                response = session.send(prepared, **settings)
            else:
                response = session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=client.timeout,
                    stream=stream,
                    proxies=env.proxies,
                    verify=env.verify,
                    cert=env.cert,
                )
            client._last_source = response_source(response, client.environment, client.base_url)
            status = response.status_code
            result = read(response, info) if 200 <= status < 300 else None
        except CassetteError as exc:
            # An expected situation: the user's frames, not 50 lines through requests.
            raise exc.with_traceback(None) from None
        except UNSENDABLE as exc:  # no retry: it would fail the same way
            raise unsendable_error(exc, info, session.headers) from None
        except requests.RequestException as exc:
            sent = not never_sent(exc)
            if attempt < client.max_retries and may_retry_failure(retry, sent):
                attempt += 1
                if wait_to_retry(client, attempt, None, info, type(exc).__name__, cancel):
                    continue
            raise transport_error(exc, info, sent, client.timeout) from None
        elapsed = (time.perf_counter() - started) * 1000
        logger.debug("%s → %s in %.1f ms (attempt %d)", info, status, elapsed, attempt + 1)
        if 200 <= status < 300:
            return result
        if attempt < client.max_retries and may_retry_status(retry, status):
            attempt += 1
            retry_after = response.headers.get("Retry-After")
            if wait_to_retry(client, attempt, retry_after, info, str(status), cancel):
                response.close()  # a streamed answer holds its connection until closed
                continue
        raise api_error(response, info)
