"""customers_to_frame against pandas.json_normalize on synthetic customers (not a test).

Prints, for 10k and 100k customers, the best-of-5 wall time of ``pd.json_normalize``,
of ``customers_to_frame(mask=False)`` (which also converts three epoch-ms columns to
``datetime64[ms, UTC]``, builds the ``customerId`` index and lays out the documented
columns) and of one bare Python pass over the records (the floor for anything that
reads every value in Python), then the peak RSS of each at 100k, measured in a fresh
process per variant.

Run: ``python benchmarks/frames.py`` (``make bench``); ``--repeat`` and ``--sizes`` to vary.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from trustly_nb import customers_to_frame, frame_to_changes

BASE_MS = 1_555_696_836_548  # Trustly's sample timestamp, epoch milliseconds
CITIES = [("Austin", "TX"), ("Boston", "MA"), ("Denver", "CO"), ("Seattle", "WA")]
CITIES += [("Toronto", "ON"), ("Vancouver", "BC"), ("Miami", "FL"), ("Chicago", "IL")]


def synthetic_customers(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """API-shaped customers: nested address, some licences / customData / externalId.

    Identity numbers use the never-issued area 000, like every number the project ships.
    """
    rng = random.Random(seed)
    customers = []
    for i in range(n):
        city, state = rng.choice(CITIES)
        created = BASE_MS + i * 60_000 + rng.randrange(60_000)
        day = rng.randrange(10, 29)
        customer: dict[str, Any] = {
            "customerId": str(1_000_000_000 + i),
            "name": f"Customer {i:06d}",
            "taxId": f"000-{rng.randrange(10, 100)}-{rng.randrange(1000, 10000)}",
            "address": {
                "address1": f"{rng.randrange(1, 9999)} Main St",
                "city": city,
                "state": state,
                "zip": f"{rng.randrange(10000, 100000)}",
                "country": "CA" if state in {"ON", "BC"} else "US",
            },
            "phone": f"+1555{rng.randrange(10**6, 10**7)}",
            "email": f"customer{i}@example.com",
            "dateOfBirth": f"19{rng.randrange(40, 100)}-0{rng.randrange(1, 10)}-{day}",
            "createdAt": created,
            "updatedAt": created + rng.randrange(10**9),
            "enrollDate": created - rng.randrange(10**9),
            "merchantId": "110005514",
        }
        if rng.random() < 0.3:
            customer["address"]["address2"] = f"Apt {rng.randrange(1, 500)}"
        if rng.random() < 0.6:
            customer["externalId"] = f"ext-{i}"
        if rng.random() < 0.25:
            customer["driverLicense"] = {
                "number": f"000{rng.randrange(10**5, 10**6)}",
                "state": state,
            }
        if rng.random() < 0.2:
            customer["customData"] = {
                "segment": rng.choice(["retail", "smb", "vip"]),
                "score": rng.randrange(100),
            }
        if rng.random() < 0.1:
            customer["vip"] = rng.choice(["true", "false"])
        if rng.random() < 0.01:
            customer["loyaltyTier"] = rng.choice(["gold", "silver"])  # not in the schema
        customers.append(customer)
    return customers


def bare_pass(records: list[dict[str, Any]]) -> int:
    """Touch every value once, nested ones included, and do nothing with it."""
    count = 0
    for record in records:
        for value in record.values():
            if type(value) is dict:
                for _ in value.values():
                    count += 1
            count += 1
    return count


def best_of(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """The best wall time of each run; the runs take turns, so a busy moment on the
    machine slows them alike instead of skewing the ratio."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            gc.collect()
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


VARIANTS: dict[str, Callable[[list[dict[str, Any]]], object]] = {
    "data only": lambda records: None,
    "json_normalize": pd.json_normalize,
    "customers_to_frame(mask=False)": lambda records: customers_to_frame(records, mask=False),
    "customers_to_frame(mask=True)": lambda records: customers_to_frame(records, mask=True),
}


def _status_kib(field: str) -> float | None:
    """A field of /proc/self/status in KiB (Linux), e.g. VmRSS (now) or VmHWM (peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark so the peak measured is the variant's own."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def rss_child(variant: str, n: int) -> None:
    records = synthetic_customers(n)
    gc.collect()
    reset = _reset_peak()
    before = _status_kib("VmRSS") or 0.0
    result = VARIANTS[variant](records)
    peak = _status_kib("VmHWM") if reset else None
    if peak is None:  # no /proc: the process's lifetime peak (ru_maxrss is KiB on Linux)
        peak = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    del result
    print(f"{peak / 1024:.0f} {before / 1024:.0f}")


def peak_rss_mb(variant: str, n: int) -> tuple[float, float]:
    """(peak RSS, RSS before the variant ran) in MB, from a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--rss-child", variant, "--sizes", str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    peak, before = out.stdout.split()
    return float(peak), float(before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.rss_child:
        rss_child(args.rss_child, args.sizes[0])
        return

    print(f"pandas {pd.__version__}, Python {sys.version.split()[0]}, best of {args.repeat}")
    header = (
        f"{'customers':>10} {'json_normalize':>15} {'to_frame(mask=False)':>21} "
        f"{'ratio':>7} {'to_frame(mask=True)':>20} {'bare pass':>10}"
    )
    print(header)
    for n in args.sizes:
        records = synthetic_customers(n)
        customers_to_frame(records[:100], mask=False)  # warm imports and caches
        normalize, ours, masked, bare = best_of(
            args.repeat,
            lambda r=records: pd.json_normalize(r),
            lambda r=records: customers_to_frame(r, mask=False),
            lambda r=records: customers_to_frame(r, mask=True),
            lambda r=records: bare_pass(r),
        )
        print(
            f"{n:>10,} {normalize:>13.3f} s {ours:>19.3f} s {normalize / ours:>6.1f}× "
            f"{masked:>18.3f} s {bare:>8.3f} s"
        )

    n = max(args.sizes)
    records = synthetic_customers(n)
    original = customers_to_frame(records)
    edited = original.copy()
    edited.loc[edited.index[::100], "address.city"] = "Austin"
    (back,) = best_of(args.repeat, lambda e=edited, o=original: frame_to_changes(e, o))
    print(f"\nframe_to_changes at {n:,} customers, 1% of rows edited: {back:.3f} s")

    print(f"\npeak RSS at {n:,} customers (a fresh process each; the records alone come first):")
    for variant in VARIANTS:
        peak, before = peak_rss_mb(variant, n)
        print(f"  {variant:<32} {peak:6.0f} MB  (+{peak - before:.0f} MB over the records)")


if __name__ == "__main__":
    main()
