"""From the wire to a DataFrame: what an analyst types, end to end, next to the naive path.

One loopback server answers ``GET /api/v1/customers`` instantly with pre-built bytes (so
the server's own cost is out of the figures) for 10k, 100k and 1M customers of three
shapes: ``sparse`` (only the required fields and the server-set ones), ``seed`` (the
emulator's seed customers, cycled) and ``dense`` (every field, customData with five
keys, three fields the schema does not list, ``vip`` as a number). For each, in a fresh
process per run (median of ``--repeat`` runs, variants taking turns):

- ``naive``: ``pd.json_normalize(requests.get(url).json()["customers"])``
- ``customers_frame``: ``client.customers_frame()``
- ``to_frame(list)``: ``tnb.customers_to_frame(client.list_customers())``
- ``json``: ``requests.get(url).json()`` and ``models``: ``[c.email for c in
  client.list_customers()]`` (every model built and read)

with each run's peak RSS over the process's RSS before it (imports done). Then, in one
fresh process on dicts already in memory, ``customers_to_frame`` against
``json_normalize`` alone and against ``json_normalize`` plus what a user adds to get the
same frame (the documented columns, the ``customerId`` index, ``datetime64[ms, UTC]``
timestamps). A fresh process, because after the wire table has built and freed its
bodies the heap is another one: in this process every variant slowed, and
``customers_to_frame`` more (seed-shaped, 100k: 2.4x ``json_normalize`` there, 3.2x in a
fresh process, in one sitting).

Run: ``python benchmarks/wire_frame.py [--sizes 10000 100000 1000000] [--repeat 3]
[--shapes sparse seed dense] [--variants ...] [--dicts 100000]``.
Nothing is asserted; this prints tables.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from frames import _reset_peak, _status_kib  # the peak-RSS helpers

BASE_MS = 1_555_696_836_548
SHAPES = ("sparse", "seed", "dense")
VARIANTS = ("naive", "customers_frame", "to_frame(list)", "json", "models")
AUTH = ("bench-access-id", "bench-access-key")


# --- the customers ------------------------------------------------------------------


def _sparse(i: int) -> dict[str, Any]:
    return {
        "customerId": str(1_000_000_000 + i),
        "name": f"Customer {i:07d}",
        "address": {"country": "US"},
        "phone": f"+1555{i % 10**7:07d}",
        "email": f"customer{i}@example.com",
        "createdAt": BASE_MS + i * 1000,
        "updatedAt": BASE_MS + i * 2000,
    }


_SEED: list[dict[str, Any]] = []


def _seed(i: int) -> dict[str, Any]:
    if not _SEED:
        from trustly_nb import emulator

        _SEED.extend(emulator.seed_customers())
    customer = copy.deepcopy(_SEED[i % len(_SEED)])
    customer["customerId"] = str(2_000_000_000 + i)
    if "externalId" in customer:
        customer["externalId"] = f"ext-{i}"
    return customer


def _dense(i: int) -> dict[str, Any]:
    return {
        "customerId": str(3_000_000_000 + i),
        "name": f"Customer {i:07d}",
        "taxId": f"000-{10 + i % 90}-{1000 + i % 9000}",
        "address": {
            "address1": f"{1 + i % 9999} Main St",
            "address2": f"Apt {1 + i % 500}",
            "city": "Austin",
            "state": "TX",
            "zip": f"{10000 + i % 90000}",
            "country": "US",
        },
        "phone": f"+1555{i % 10**7:07d}",
        "email": f"customer{i}@example.com",
        "dateOfBirth": f"19{40 + i % 60}-0{1 + i % 9}-{10 + i % 19}",
        "createdAt": BASE_MS + i * 1000,
        "updatedAt": BASE_MS + i * 2000,
        "externalId": f"ext-{i}",
        "merchantId": "110005514",
        "enrollDate": BASE_MS - i * 1000,
        "vip": 1 + i % 3,  # a number, as Trustly's VIP guide sends it
        "currency": "USD",
        "balance": f"{i % 1000}.00",
        "organizationNumber": f"org-{i % 100}",
        "externalTier": "gold",
        "personId": f"000{i:06d}",
        "customData": {
            "segment": ("retail", "smb", "vip")[i % 3],
            "score": i % 100,
            "referrer": f"r{i % 7}",
            "optIn": i % 2 == 0,
            "tags": ["a", "b"],
        },
        "driverLicense": {"number": f"000{i % 10**6:06d}", "state": "TX"},
        "nationalId": f"000-{i % 10**6:06d}",
        "loyaltyTier": "silver",  # three fields the schema does not list
        "riskScore": i % 50,
        "channels": ["email", "sms"],
    }


MAKERS: dict[str, Callable[[int], dict[str, Any]]] = {
    "sparse": _sparse,
    "seed": _seed,
    "dense": _dense,
}


def customers(shape: str, n: int) -> list[dict[str, Any]]:
    return [MAKERS[shape](i) for i in range(n)]


def body_of(shape: str, n: int) -> bytes:
    """Get Customers' answer, built in chunks so a million dicts never live at once."""
    parts = []
    for start in range(0, n, 50_000):
        chunk = [MAKERS[shape](i) for i in range(start, min(n, start + 50_000))]
        parts.append(json.dumps(chunk)[1:-1].encode())
    return b'{"customers": [' + b", ".join(part for part in parts if part) + b"]}"


# --- the server ---------------------------------------------------------------------


@contextmanager
def serve(bodies: dict[str, bytes]) -> Iterator[str]:
    """A loopback server answering ``/<key>/api/v1/customers`` with ``bodies[key]``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            body = bodies[self.path.split("/")[1]]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(memoryview(body))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- one run in a fresh process -----------------------------------------------------


def child(variant: str, base: str) -> None:
    import pandas as pd
    import requests

    import trustly_nb as tnb
    import trustly_nb.frames  # imports are not the figure

    url = f"{base}/api/v1/customers"
    client = tnb.Client(*AUTH, base_url=f"{base}/api/v1")

    def naive() -> object:
        return pd.json_normalize(requests.get(url, auth=AUTH, timeout=600).json()["customers"])

    runs: dict[str, Callable[[], object]] = {
        "naive": naive,
        "customers_frame": lambda: client.customers_frame(progress=False),
        "to_frame(list)": lambda: tnb.customers_to_frame(client.list_customers(progress=False)),
        "json": lambda: requests.get(url, auth=AUTH, timeout=600).json(),
        "models": lambda: [c.email for c in client.list_customers(progress=False)],
    }
    gc.collect()
    reset = _reset_peak()
    before = _status_kib("VmRSS") or 0.0
    start = time.perf_counter()
    result = runs[variant]()
    elapsed = time.perf_counter() - start
    peak = (_status_kib("VmHWM") if reset else None) or 0.0
    del result
    print(json.dumps({"seconds": elapsed, "peak_mb": (peak - before) / 1024}))


def run(variant: str, base: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, base],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def wire_table(
    sizes: list[int], repeat: int, variants: tuple[str, ...], shapes: tuple[str, ...]
) -> None:
    print(f"Over loopback, a fresh process per run, median of {repeat} (seconds; +MB peak RSS)")
    names = "".join(f"{v:>24}" for v in variants)
    print(f"{'customers':>10} {'shape':>7}{names}   frame×  list×  models/json")
    for n in sizes:
        for shape in shapes:
            bodies = {shape: body_of(shape, n)}
            with serve(bodies) as server:
                base = f"{server}/{shape}"
                runs: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
                for _ in range(repeat):
                    for variant in variants:  # taking turns: a busy moment slows all alike
                        runs[variant].append(run(variant, base))
            del bodies
            secs = {v: statistics.median(r["seconds"] for r in runs[v]) for v in variants}
            peaks = {v: statistics.median(r["peak_mb"] for r in runs[v]) for v in variants}
            cells = "".join(f"{secs[v]:>11.2f} s {peaks[v]:>+7.0f} MB" for v in variants)
            naive = secs.get("naive")
            frame = listed = ""
            if naive and "customers_frame" in secs:
                frame = f"{naive / secs['customers_frame']:>6.1f}×"
            if naive and "to_frame(list)" in secs:
                listed = f"{naive / secs['to_frame(list)']:>6.1f}×"
            models = (
                f"{secs['models'] / secs['json']:>9.2f}×"
                if "models" in secs and "json" in secs
                else ""
            )
            print(f"{n:>10,} {shape:>7}{cells}  {frame} {listed} {models}", flush=True)


# --- from dicts already in memory ---------------------------------------------------


def _normalize_as_documented(records: list[dict[str, Any]]) -> Any:
    """json_normalize plus what a user adds to get the documented frame."""
    import pandas as pd

    from trustly_nb.frames import DOCUMENTED_COLUMNS

    frame = pd.json_normalize(records)
    extra = [c for c in frame.columns if c not in DOCUMENTED_COLUMNS and c != "customerId"]
    frame = frame.reindex(columns=["customerId", *DOCUMENTED_COLUMNS, *sorted(extra)])
    for name in ("createdAt", "updatedAt", "enrollDate"):
        frame[name] = pd.to_datetime(frame[name], unit="ms", utc=True).dt.as_unit("ms")
    return frame.set_index("customerId")


def dicts_table(n: int, repeat: int, shapes: tuple[str, ...]) -> None:
    import pandas as pd

    from trustly_nb import customers_to_frame

    print(f"\nFrom dicts already in memory, {n:,} customers, best of {repeat}")
    print(f"{'shape':>7} {'json_normalize':>15} {'+ reindex, times':>17} {'to_frame':>9}   ratios")
    for shape in shapes:
        records = customers(shape, n)
        customers_to_frame(records[:100])
        timings = [float("inf")] * 3
        for _ in range(repeat):
            for i, fn in enumerate(
                (
                    lambda r=records: pd.json_normalize(r),
                    lambda r=records: _normalize_as_documented(r),
                    lambda r=records: customers_to_frame(r, mask=False),
                )
            ):
                gc.collect()
                start = time.perf_counter()
                fn()
                timings[i] = min(timings[i], time.perf_counter() - start)
        plain, full, ours = timings
        print(
            f"{shape:>7} {plain:>13.3f} s {full:>15.3f} s {ours:>7.3f} s   "
            f"{plain / ours:.1f}× plain, {full / ours:.1f}× with reindex and timestamps"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=SHAPES)
    parser.add_argument("--dicts", type=int, default=100_000, help="0: skip that table")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"Python {sys.version.split()[0]}")
    if args.sizes:  # --sizes with none: only the table from dicts
        wire_table(args.sizes, args.repeat, tuple(args.variants), tuple(args.shapes))
    if args.dicts and args.sizes:  # the dicts table in a process of its own (see above)
        again = ["--sizes", "--dicts", str(args.dicts), "--repeat", str(args.repeat)]
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, *again, "--shapes", *args.shapes], check=True)
    elif args.dicts:
        dicts_table(args.dicts, args.repeat, tuple(args.shapes))


if __name__ == "__main__":
    main()
