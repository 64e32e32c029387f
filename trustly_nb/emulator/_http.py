"""The emulator's HTTP layer: the threaded server, its connections, and the wire format.

Kept apart from the API semantics (``_emulator.py``). The handler reads a
request off the socket, gives it to :meth:`~trustly_nb.emulator.Emulator.handle` and
writes back the :class:`Reply` it gets. This module imports the emulator for types only,
so the emulator may import it freely.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import socket
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["Fault", "Reply", "Server", "basic_credentials", "parse_json"]

# The emulator's own logger, so configuring "trustly_nb.emulator" still covers the server.
logger = logging.getLogger("trustly_nb.emulator")


_HTML_500 = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
# One encoder for every reply: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass
class Reply:
    """One answer to send: the emulator's own, or one handed out by the ``faults`` hook
    (public as :class:`trustly_nb.emulator.Fault`, for failures the API can produce).

    Attributes:
        status: the HTTP status to send.
        body: the raw body (by default an HTML 500 page, like a proxy in front of an API).
        content_type: its ``Content-Type``.
        headers: extra response headers.
        drop: close the connection without answering (``status`` and body unused).
        cut: answer the request normally (a write lands), but hang up halfway through
            the body: the client cannot know whether its update was applied.

    Example:
        >>> Fault(503, b"{}", "application/json", {"Retry-After": "1"}).status
        503
    """

    status: int = 500
    body: bytes = _HTML_500
    content_type: str = "text/html"
    headers: Mapping[str, str] = field(default_factory=dict)
    drop: bool = False
    cut: bool = False

    @classmethod
    def json(cls, status: int, value: Any) -> Reply:
        """A JSON answer, written compactly (the emulator's normal replies)."""
        body = _ENCODER.encode(value).encode()
        return cls(status, body, "application/json")

    @classmethod
    def dropped_connection(cls) -> Reply:
        """Close the connection after reading the request, sending nothing back."""
        return cls(drop=True)

    @classmethod
    def cut_mid_response(cls) -> Reply:
        """Do the work, then close the connection halfway through the answer's body."""
        return cls(cut=True)


Fault = Reply
"""The ``faults`` hook's answer: the same type as every reply."""


def parse_json(raw: bytes) -> tuple[Any] | None:
    """``(value,)`` for a JSON body (so a JSON ``null`` is told from no body), else None."""
    if not raw.strip():
        return None
    try:
        return (json.loads(raw),)
    except (UnicodeDecodeError, ValueError):
        return None


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The ``(user, password)`` of an HTTP Basic ``Authorization`` header, else None."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


_MAX_LINE = 65536  # http.client's limits for a header line and for the number of headers
_MAX_HEADERS = 100


def _version(text: str) -> tuple[int, int] | None:
    """``HTTP/1.1`` → ``(1, 1)``; None for anything else."""
    name, _, number = text.partition("/")
    major, dot, minor = number.partition(".")
    if name != "HTTP" or not dot or not major.isdigit() or not minor.isdigit():
        return None
    return int(major), int(minor)


def _read_headers(rfile: Any) -> HTTPMessage | str:
    """The header block up to its blank line, or what is wrong with it (a 431's text)."""
    headers = HTTPMessage()
    for _ in range(_MAX_HEADERS + 1):
        line = rfile.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            return "Line too long"
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = str(line, "iso-8859-1").partition(":")
        if colon:  # a line that is not "name: value" (an obsolete folded one) is skipped
            headers[name.strip()] = value.strip()
    return "Too many headers"


class Server(ThreadingHTTPServer):
    """An HTTP/1.1 server on 127.0.0.1 for one emulator, serving on its own daemon thread.

    It tracks its open connections so :meth:`stop` can cut keep-alive ones too.

    Args:
        emulator: answers the requests (see :meth:`Emulator.handle`).
        port: the port to listen on; 0 picks a free one.
        server_header: the ``Server`` header of every response.
    """

    daemon_threads = True
    # The default backlog of 5 drops SYNs when a thread pool opens its connections at
    # once, and each dropped SYN costs a 1 s retransmit.
    request_queue_size = 128

    def __init__(self, emulator: Emulator, port: int, server_header: str) -> None:
        self.emulator = emulator
        self.server_header = server_header
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._serving: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def serve_in_background(self) -> None:
        """Start serving on a daemon thread."""
        # A short poll interval so stop() returns quickly (the default is 0.5 s).
        self._serving = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"trustly_nb-emulator:{self.port}",
            daemon=True,
        )
        self._serving.start()

    def stop(self) -> None:
        """Stop serving, close every open connection (keep-alive ones too) and the socket."""
        stopper = threading.Thread(target=self.shutdown)
        stopper.start()
        # serve_forever() notices the shutdown only at its next poll; a connection wakes it.
        with suppress(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        stopper.join()
        # shutdown() only stops accepting: handler threads on keep-alive connections
        # would go on serving, so cut their sockets (they then exit and close them).
        self._close_connections()
        self.server_close()
        if self._serving is not None:
            self._serving.join()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def _close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            # shutdown, not close: the handler thread owns the file descriptor and closes
            # it itself once its blocking read returns.
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-answer is normal; keep stderr quiet.
        logger.debug("connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # else every keep-alive request stalls ~40 ms
    # Buffered, so an answer's headers and body leave in one send when the handler is done
    # (handle_one_request flushes); a body bigger than the buffer is written straight.
    wbufsize = 64 * 1024

    def version_string(self) -> str:
        return cast(Server, self.server).server_header

    _date: tuple[int, str] = (0, "")  # the Date header of the current second

    def date_time_string(self, timestamp: float | None = None) -> str:
        if timestamp is not None:
            return super().date_time_string(timestamp)
        # Formatted once a second rather than once a response (email.utils is not cheap).
        second, text = _Handler._date
        now = int(time.time())
        if now != second:
            text = super().date_time_string(now)
            _Handler._date = (now, text)
        return text

    def parse_request(self) -> bool:
        """``BaseHTTPRequestHandler.parse_request`` with the headers split on ``:`` into an
        ``HTTPMessage``, not read through the ``email`` package's parser: 12 µs against
        78 µs a request, which under load is a tenth of the emulator's CPU per request.
        The request line, keep-alive and ``Expect: 100-continue`` are handled as there."""
        self.command = None  # type: ignore[assignment]  # as the standard library does
        self.request_version = self.default_request_version
        self.close_connection = True
        raw: bytes = self.raw_requestline  # type: ignore[attr-defined]  # set by the caller
        self.requestline = str(raw, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        if len(words) >= 3:
            version = _version(words[-1])
            if version is None:
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({words[-1]!r})")
                return False
            if version >= (2, 0):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED)
                return False
            self.close_connection = version < (1, 1)
            self.request_version = words[-1]
        if not 2 <= len(words) <= 3 or (len(words) == 2 and words[0] != "GET"):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({self.requestline!r})")
            return False
        self.command, self.path = words[:2]
        if len(words) == 2:  # HTTP/0.9
            self.close_connection = True
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        headers = _read_headers(self.rfile)
        if isinstance(headers, str):
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, headers)
            return False
        self.headers = headers
        connection = (headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        expect = (headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version >= "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        emulator = cast(Server, self.server).emulator
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._send(emulator._invalid([(None, "chunked request bodies are not supported")]))
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(emulator._invalid([(None, "Content-Length is not a valid number")]))
            return
        raw = self.rfile.read(length) if length else b""
        self._send(emulator.handle(self.command, self.path, self.headers.get("Authorization"), raw))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch  # noqa: N815

    def _send(self, reply: Reply, *, closing: bool = False) -> None:
        if reply.drop:
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if closing:
            self.send_header("Connection", "close")
        self.end_headers()
        # send_error() may run before a request line was parsed, when there is no command.
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(reply.body[: len(reply.body) // 2] if reply.cut else reply.body)
        if reply.cut:
            self.wfile.flush()
            self.close_connection = True
            with suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed requests and unknown methods: Trustly's JSON error shape, not HTML.
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        if code == HTTPStatus.NOT_IMPLEMENTED:  # an unknown method: like any unsupported one
            code, text = 404, f"No such endpoint: {self.command} {self.path.partition('?')[0]}"
        self._send(cast(Server, self.server).emulator._protocol_error(code, text), closing=True)
