"""CustomerGrid at 10k and 100k customers: what it takes to build, show and edit (not a test).

For each size it prints the wall time of building the grid from a ready frame (soft checks
on every row, the text frame the table shows, the widget), of serialising the table's
state as the kernel sends it to the page (``DataGrid.get_state()``, and its JSON size), of
one typed cell (``grid.set``: re-reading, re-checking and repainting its row), and of a
preview and the change sets with 100 edited rows. Numbers, not thresholds.

Run: ``python benchmarks/grid.py`` (``make bench``); ``--sizes`` to vary.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frames import synthetic_customers

import trustly_nb as tnb
from trustly_nb import emulator


def timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = action()
    print(f"  {label:<44} {time.perf_counter() - started:8.3f} s")
    return value


def measure(client: tnb.Client, n: int) -> None:
    print(f"{n:,} customers")
    frame = tnb.customers_to_frame(synthetic_customers(n))
    grid = timed(
        "build the grid (checks, text frame, widget)", lambda: tnb.CustomerGrid(client, frame)
    )
    state = timed("serialise the table for the page", grid.table.get_state)
    size = len(json.dumps(state["_data"], default=str)) / 1e6
    print(f"  {'  … the table state as JSON':<44} {size:8.1f} MB")
    ids = list(frame.index[:: max(1, n // 100)])[:100]
    started = time.perf_counter()
    for number, cid in enumerate(ids):
        grid.set(cid, "email", f"fixed{number}@example.org")
    per_edit = (time.perf_counter() - started) / len(ids) * 1000
    print(f"  {'one typed cell (mean of 100)':<44} {per_edit:8.1f} ms")
    timed("preview of 100 changed rows", grid.preview)
    timed("change sets of 100 changed rows", lambda: grid.changes)
    timed("reset (every cell repainted)", grid.reset)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'peak RSS of this process so far':<44} {peak:8.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    with emulator.serve() as emu, emu.client() as client:
        for n in args.sizes:
            measure(client, n)


if __name__ == "__main__":
    main()
