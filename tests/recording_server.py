"""A real loopback HTTP server (plain or TLS) that answers one customer and records each
request: its line, headers (and their order), body, and the client's port (one port per
connection). For tests of what the client puts on the wire and which connection it uses.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CUSTOMER = {"customerId": "42", "name": "Ada", "email": "ada@example.com",
            "phone": "+15555550100", "address": {"country": "US"}}  # fmt: skip


class RecordingServer(ThreadingHTTPServer):
    """Answers ``{"customer": CUSTOMER}`` (``{"customers": [CUSTOMER]}`` for the list) and
    appends to :attr:`seen` a dict per request: ``line``, ``headers``, ``order``, ``body``,
    ``port``. ``set_cookie``: a ``Set-Cookie`` header for every answer while it is set."""

    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.seen: list[dict[str, Any]] = []
        self.set_cookie: str | None = None
        super().__init__(("127.0.0.1", 0), _Handler)
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/v1"

    @property
    def connections(self) -> int:
        """How many connections the requests so far came on."""
        return len({request["port"] for request in self.seen})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        server: RecordingServer = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.append(
            {
                "line": self.requestline,
                "headers": dict(self.headers.items()),
                "order": list(self.headers.keys()),
                "body": body,
                "port": self.client_address[1],
            }
        )
        listing = self.path.partition("?")[0].endswith("/customers")
        answer = {"customers": [CUSTOMER]} if listing else {"customer": CUSTOMER}
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if server.set_cookie:
            self.send_header("Set-Cookie", server.set_cookie)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer  # noqa: N815


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[RecordingServer]:
    """A :class:`RecordingServer` serving on its own thread until the block ends."""
    server = RecordingServer(tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
