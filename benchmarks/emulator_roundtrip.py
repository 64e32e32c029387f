"""Per-request round trip of the emulator next to a bare ``http.server`` baseline.

Both servers run in this process on loopback with HTTP/1.1 keep-alive and Nagle's
algorithm off, and both are driven by one reused ``requests.Session``, so the ratio shows
what the emulator's own work (auth, routing, the store, JSON) costs. Target: under 2 ms
per request. Nothing is asserted; this prints a table.

Run: ``.venv/bin/python benchmarks/emulator_roundtrip.py [--requests 2000]``
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from trustly_nb import emulator

_BODY = b'{"customer":{"customerId":"1001165729","name":"Ada Whitfield"}}'


class _Baseline(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(_BODY)))
        self.end_headers()
        self.wfile.write(_BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _baseline() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Baseline)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/customers/1001165729"
    finally:
        server.shutdown()
        server.server_close()


def _measure(url: str, auth: tuple[str, str] | None, count: int, warmup: int) -> list[float]:
    with requests.Session() as session:
        session.auth = auth
        for _ in range(warmup):
            session.get(url, timeout=5).raise_for_status()
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            session.get(url, timeout=5).raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _row(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    mean = statistics.fmean(timings)
    median = statistics.median(timings)
    return f"{name:<22}{len(timings):>9}{mean:>11.3f}{median:>11.3f}{p95:>11.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()

    with _baseline() as url:
        base = _measure(url, None, args.requests, args.warmup)
    with emulator.serve() as emu:
        auth = (emu.access_id, emu.access_key)
        emu_url = f"{emu.base_url}/customers/1001165729"
        emulated = _measure(emu_url, auth, args.requests, args.warmup)

    print("GET /customers/{id}, one keep-alive requests.Session, times in ms per request")
    print(f"{'server':<22}{'requests':>9}{'mean':>11}{'median':>11}{'p95':>11}")
    print(_row("http.server baseline", base))
    print(_row("trustly_nb emulator", emulated))
    ratio = statistics.fmean(emulated) / statistics.fmean(base)
    verdict = "within" if statistics.fmean(emulated) < 2.0 else "OVER"
    print(f"ratio emulator / baseline (mean): {ratio:.2f}x; {verdict} the 2 ms target")


if __name__ == "__main__":
    main()
