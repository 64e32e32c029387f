"""``update_many`` at 8 workers next to a hand-written sequential get → post loop.

Both update the same 400 synthetic customers (one field each: get the customer, change
the field, post the whole object back, as Trustly documents) on a fresh emulator with
20 ms of latency per request. The loop uses one keep-alive ``requests.Session``, so the
ratio shows what concurrency buys, not connection reuse. The emulator runs in its own
process, as a real API would: in this process its handler threads would share the GIL
with the client's workers and measure the emulator's CPU, not the client's concurrency.
Target: at least 7x (8 workers cap it at 8x), also with one competing CPU-bound process
running on the machine (``--competing``, on by default: a second row; it is what a
notebook's other kernel or a build does to the client's CPU share). Each figure is the
median of ``--repeat`` runs, the loop and update_many taking turns. Nothing is asserted;
this prints a table.

Measured on the 2-core development machine (shared: ±10–30 % from run to run). The pooled
adapter and the leaner request building cut the client's CPU per request about 15 % (1.64 →
1.39 ms at 8 workers and 20 ms, ``time.process_time`` over update_many), yet the competing
row stayed at 6.5–6.8x: the emulator's thread per connection was what held it. Its handler
threads, sharing one GIL, woke and handed it over for every request, and with a CPU-bound
process beside them that added 2–3 ms to each round trip (nice-ing the emulator and the
burner, the client left at its own priority, gave 7.25x). With the emulator on one asyncio
loop (its voluntary context switches 2,200 → 800 over a run, its CPU a little higher),
five runs of the competing row in one sitting gave 7.30x, 7.03x, 6.97x, 7.06x and 6.81x
(median 7.03x; the threaded emulator 6.53x and 6.64x in the same sitting), and 7.24–7.45x
without: at the line, not over it with a margin.

Run: ``.venv/bin/python benchmarks/bulk.py [--customers 400] [--latency-ms 20] [--workers 8]``
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import tqdm.auto  # noqa: F401  # loaded before timing, as in a notebook

import trustly_nb.bulk  # noqa: F401  # (and pandas with it) so the timing is the requests
from trustly_nb import Client, emulator

_SERVER = """
import json, sys
from trustly_nb import emulator
customers = json.loads(open(sys.argv[1]).read())
with emulator.serve(latency_ms=float(sys.argv[2]), customers=customers) as emu:
    print(emu.base_url, flush=True)
    sys.stdin.read()  # serve until the benchmark closes our stdin
"""


def _customers(count: int) -> list[dict[str, Any]]:
    seed = [c for c in emulator.seed_customers() if c["phone"].startswith("+")]
    made = []
    for i in range(count):
        customer = copy.deepcopy(seed[i % len(seed)])
        customer.update(customerId=str(3_000_000_000 + i), externalId=f"ext-bench-{i}")
        made.append(customer)
    return made


def _changes(count: int) -> dict[str, dict[str, str]]:
    return {str(3_000_000_000 + i): {"email": f"bench.{i}@example.com"} for i in range(count)}


@contextmanager
def _emulator(count: int, latency_ms: float) -> Iterator[Client]:
    """A fresh emulator with ``count`` customers in a child process, and a client on it."""
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "customers.json"
        seed.write_text(json.dumps(_customers(count)))
        args = [sys.executable, "-c", _SERVER, str(seed), str(latency_ms)]
        with subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as child:
            assert child.stdout is not None
            assert child.stdin is not None
            base_url = child.stdout.readline().strip()
            try:
                with Client(
                    emulator.DEFAULT_ACCESS_ID, emulator.DEFAULT_ACCESS_KEY, base_url=base_url
                ) as client:
                    yield client
            finally:
                child.stdin.close()


def _sequential(client: Client, changes: dict[str, dict[str, str]]) -> float:
    """The loop an analyst would write by hand: one customer after another."""
    with requests.Session() as session:
        session.auth = (emulator.DEFAULT_ACCESS_ID, emulator.DEFAULT_ACCESS_KEY)
        started = time.perf_counter()
        for customer_id, fields in changes.items():
            url = f"{client.base_url}/customers/{customer_id}"
            response = session.get(url, timeout=30)
            response.raise_for_status()
            customer = response.json()["customer"]
            for key in ("customerId", "createdAt", "updatedAt"):
                customer.pop(key, None)
            customer.update(fields)
            session.post(url, json=customer, timeout=30).raise_for_status()
        return time.perf_counter() - started


def _bulk(client: Client, changes: dict[str, dict[str, str]], workers: int) -> float:
    started = time.perf_counter()
    result = client.update_many(changes, max_workers=workers, progress=False)
    elapsed = time.perf_counter() - started
    if not (result["status"] == "ok").all():
        raise SystemExit(f"update_many left rows undone: {result.status.value_counts()}")
    return elapsed


def _all_updated(client: Client, changes: dict[str, dict[str, str]]) -> bool:
    emails = {c.customer_id: c.email for c in client.list_customers()}
    return all(emails.get(cid) == fields["email"] for cid, fields in changes.items())


_BURNER = "while True: pass"  # one core's worth of competing CPU-bound work


@contextmanager
def _competing(enabled: bool) -> Iterator[None]:
    """One CPU-bound process running beside the benchmark while the block runs."""
    if not enabled:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", _BURNER])
    try:
        yield
    finally:
        burner.kill()
        burner.wait()


def _measure(args: argparse.Namespace, competing: bool) -> tuple[float, float, bool]:
    """Median seconds of the loop and of update_many, and whether every update landed."""
    changes = _changes(args.customers)
    loops, bulks, ok = [], [], True
    for _ in range(args.repeat):
        with _emulator(args.customers, args.latency_ms) as client, _competing(competing):
            loops.append(_sequential(client, changes))
            ok = ok and _all_updated(client, changes)
        with _emulator(args.customers, args.latency_ms) as client, _competing(competing):
            bulks.append(_bulk(client, changes, args.workers))
            ok = ok and _all_updated(client, changes)
    return statistics.median(loops), statistics.median(bulks), ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--competing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure with one competing CPU-bound process running",
    )
    args = parser.parse_args()
    requests_made = 2 * args.customers  # a GET and a POST per customer
    print(
        f"update {args.customers} customers (get → change → post, {requests_made} requests), "
        f"emulator latency {args.latency_ms:g} ms, median of {args.repeat}"
    )
    print(f"{'machine':<26}{'loop s':>9}{'update_many s':>15}{'req/s':>9}{'ratio':>8}")
    for competing in (False, True) if args.competing else (False,):
        sequential, concurrent, ok = _measure(args, competing)
        ratio = sequential / concurrent
        label = "+1 CPU-bound process" if competing else "as it is"
        verdict = "meets" if ratio >= 7 else "MISSES"
        print(
            f"{label:<26}{sequential:>9.2f}{concurrent:>15.2f}"
            f"{requests_made / concurrent:>9.1f}{ratio:>7.2f}x  {verdict} 7x"
            f"{'' if ok else '; NOT every customer was updated'}"
        )


if __name__ == "__main__":
    main()
