"""The emulator's HTTP layer: the server, its connections, and the wire format.

Kept apart from the API semantics (``_emulator.py``). The server reads a request off the
socket, gives it to :meth:`~trustly_nb.emulator.Emulator.arrive`, waits out the latency,
and writes back the :class:`Reply` that :meth:`~trustly_nb.emulator.Emulator.respond`
gives. The request line, keep-alive, ``Expect: 100-continue`` and the limits follow
``http.server`` and ``http.client``. This module imports the emulator for types only, so
the emulator may import it freely.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ._request import (
    MAX_LINE,
    METHODS,
    ProtocolError,
    Request,
    read_connection,
    read_headers,
    read_request_line,
)

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


class Server:
    """An HTTP/1.1 server on 127.0.0.1 for one emulator: one asyncio event loop, on its own
    daemon thread, serves every connection.

    One thread, not a thread per connection: handler threads sharing one GIL wake and hand
    it over for every request, and with a CPU-bound process beside them that slowed 8
    concurrent clients at 20 ms latency by 2-3 ms a round trip (``benchmarks/bulk.py``:
    update_many 6.5-6.6x the plain loop with the threaded server, 6.8-7.3x with this loop,
    on the 2-core development machine). A request's latency is a timer in the loop, not a
    sleeping thread.

    Args:
        emulator: answers the requests (:meth:`Emulator.arrive`, then
            :meth:`Emulator.respond` once the latency has passed).
        port: the port to listen on; 0 picks a free one.
        server_header: the ``Server`` header of every response.
    """

    def __init__(self, emulator: Emulator, port: int, server_header: str) -> None:
        self.emulator = emulator
        self.server_header = server_header
        # Listening from here on, so the port is known and a client may connect at once;
        # a backlog of 128: a thread pool opening its connections together loses no SYN
        # (each lost one costs a 1 s retransmit).
        self._socket = socket.create_server(("127.0.0.1", port), backlog=128)
        self._loop = asyncio.new_event_loop()
        self._connections: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._date: tuple[int, str] = (0, "")  # the Date header of the current second
        self._hook_threads: ThreadPoolExecutor | None = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._socket.getsockname()[1])

    def serve_in_background(self) -> None:
        """Start serving on a daemon thread; returns once the loop accepts connections."""
        started: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(started,), name=f"trustly_nb-emulator:{self.port}", daemon=True
        )
        self._thread.start()
        started.result()

    def _run(self, started: Future[None]) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._serve, sock=self._socket, limit=MAX_LINE)
            )
        except BaseException as exc:  # the caller of serve_in_background gets it
            started.set_exception(exc)
            return
        started.set_result(None)
        self._loop.run_forever()

    def stop(self) -> None:
        """Stop serving, cut every open connection (keep-alive ones, and requests still
        sleeping out their latency, which get no answer) and close the socket."""
        if self._thread is None or not self._thread.is_alive():
            self._socket.close()
            self._loop.close()
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()  # no new connections
        while self._connections:  # one accepted just now may start while others end
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._hook_threads is not None:
            self._hook_threads.shutdown(wait=False)  # a hook still holding one ends on its own

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests one after another until one of them ends it."""
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        # Else every keep-alive request stalls ~40 ms (Nagle against delayed ACKs).
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while await self._exchange(reader, writer):
                pass
        except (OSError, asyncio.IncompleteReadError):
            pass  # a client hanging up mid-request or mid-answer is normal
        except asyncio.CancelledError:
            # Stopping (nothing else cancels a connection): cut it, answered or not. Not
            # raised on: Python 3.11's stream callback logs a cancelled task as an error.
            writer.transport.abort()
        except Exception:
            logger.debug("connection failed", exc_info=True)
        finally:
            self._connections.discard(task)
            if writer.can_write_eof() and not writer.transport.is_closing():
                # As socketserver does: the end of the answer first, then the socket, so a
                # client that already sent its next request reads the end, not a reset.
                writer.write_eof()
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request, answer it; whether the connection stays open for another."""
        request = Request()
        try:
            try:
                raw = await reader.readline()
            except ValueError:  # a request line longer than the reader's limit
                request.version = ""  # http.server answers this one with a status line
                raise ProtocolError(HTTPStatus.REQUEST_URI_TOO_LONG) from None
            if not raw.strip():
                return False  # the client closed the connection (or sent nothing)
            read_request_line(raw, request)
            request.headers = await read_headers(reader)
            read_connection(request)
            body = await self._body(request, reader, writer)
        except ProtocolError as error:
            reply = self.emulator._protocol_error(error.status, error.message)
            await self._send(writer, request, reply, closing=True)
            return False
        if body is None:
            return False
        if request.method not in METHODS:  # as http.server's 501, in Trustly's JSON shape
            path = request.target.partition("?")[0]
            reply = self.emulator._protocol_error(404, f"No such endpoint: {request.method} {path}")
            await self._send(writer, request, reply, closing=True)
            return False
        emulator = self.emulator
        arrival = emulator.arrive(request.method, request.target, body)
        if emulator.latency_ms > 0:
            await asyncio.sleep(emulator.latency_ms / 1000)
        authorization = request.headers.get("Authorization")
        if emulator.faults is None:
            reply = emulator.respond(arrival, authorization)
        else:  # the hook is the caller's code and may block: not on the loop, for one request
            reply = await self._loop.run_in_executor(
                self._hooks(), emulator.respond, arrival, authorization
            )
        await self._send(writer, request, reply)
        return not request.close

    async def _body(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bytes | None:
        """The request's body (by its Content-Length); None when the client went away."""
        headers = request.headers
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            await self._send(
                writer, request, self.emulator._invalid([(None, _CHUNKED)]), closing=True
            )
            return None
        try:
            length = int(headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            await self._send(
                writer, request, self.emulator._invalid([(None, _BAD_LENGTH)]), closing=True
            )
            return None
        expect = (headers.get("Expect") or "").lower()
        if expect == "100-continue" and request.version >= "HTTP/1.1":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        return await reader.readexactly(length) if length else b""

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        request: Request,
        reply: Reply,
        *,
        closing: bool = False,
    ) -> None:
        """Write one answer (headers and body in one write); hang up after it when asked."""
        if reply.drop:
            request.close = True
            return  # the connection closes without an answer
        body = b"" if request.method == "HEAD" else reply.body
        if reply.cut:
            body = body[: len(body) // 2]
            request.close = True
        if request.version == "HTTP/0.9":  # no status line and no headers, as http.server
            writer.write(body)
        else:
            lines = [
                f"HTTP/1.1 {reply.status} {_phrase(reply.status)}",
                f"Server: {self.server_header}",
                f"Date: {self._now()}",
                f"Content-Type: {reply.content_type}",
                f"Content-Length: {len(reply.body)}",
                *(f"{key}: {value}" for key, value in reply.headers.items()),
                *(["Connection: close"] if closing else []),
            ]
            head = "\r\n".join([*lines, "", ""]).encode("latin-1")
            if len(body) <= _ONE_WRITE:  # one segment: the client reads it in one go
                writer.write(head + body)
            else:  # not joined: a body can be hundreds of MB (a million customers: 440 MB)
                writer.write(head)
                writer.write(body)
        await writer.drain()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug('"%s" %s %s', request.line, reply.status, len(body))

    def _hooks(self) -> ThreadPoolExecutor:
        """The threads that answer while a faults hook is set (made on first use)."""
        if self._hook_threads is None:
            self._hook_threads = ThreadPoolExecutor(
                _HOOK_THREADS, thread_name_prefix=f"trustly_nb-emulator:{self.port}-faults"
            )
        return self._hook_threads

    def _now(self) -> str:
        # Formatted once a second rather than once a response (email.utils is not cheap).
        second, text = self._date
        now = int(time.time())
        if now != second:
            text = email.utils.formatdate(now, usegmt=True)
            self._date = (now, text)
        return text


_ONE_WRITE = 64 * 1024
_HOOK_THREADS = 64  # as many requests as a test may hold in its hook at once
_CHUNKED = "chunked request bodies are not supported"
_BAD_LENGTH = "Content-Length is not a valid number"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
