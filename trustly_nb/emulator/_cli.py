"""The emulator's command line: serve in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence

from ._emulator import Emulator


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m trustly_nb.emulator``: serve in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m trustly_nb.emulator",
        description="A local emulator of the Trustly Customers API (not Trustly).",
    )
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--seed", default="0")
    parser.add_argument("--retry-after", type=float, default=None)
    parser.add_argument("--clock", choices=("wall", "fixed"), default="wall")
    args = parser.parse_args(argv)
    emulator = Emulator(
        port=args.port,
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        seed=args.seed,  # "7" and 7 draw the same failures
        retry_after=args.retry_after,
        clock=args.clock,
    )
    try:
        emulator.start()
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; try --port 0")
        return 1
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C and kill stop it cleanly even when started with SIGINT ignored (`cmd &`).
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.default_int_handler)
    with emulator:
        print(f"trustly_nb emulator (not Trustly) listening on {emulator.base_url}", flush=True)
        print(f"  accessId:  {emulator.access_id}", flush=True)
        print(f"  accessKey: {emulator.access_key}   (emulator-only dummy credentials)", flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped.", flush=True)
    return 0
