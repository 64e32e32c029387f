"""Replay cost per request from a cassette: vcrpy's own matching vs trustly_nb's replay.

vcrpy compares every request with every recorded interaction, played ones included
(vcrpy #911), so replay slows down as a cassette grows. trustly_nb's replay looks only at
interactions with the same method, path and query. Both are measured here, in one run, on
cassettes of 10, 100 and 1000 interactions recorded against the emulator.

    python benchmarks/replay.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import vcr

import trustly_nb as tnb
from trustly_nb import emulator, recording


def record(folder: Path, size: int) -> tuple[str, list[str]]:
    """Record `size` GETs of distinct customers; returns the cassette name and the ids."""
    name = f"replay-{size}"
    customers = [
        {
            "name": f"Customer {i}",
            "email": f"c{i}@example.com",
            "phone": "+15555550100",
            "address": {"country": "US", "city": "Austin", "state": "TX", "zip": "73301"},
        }
        for i in range(size)
    ]
    with emulator.serve(customers=[]) as emu:
        client = emu.client()
        ids = [str(client.create_customer(c).customer_id) for c in customers]
        with tnb.use_cassette(name, mode="record"):
            for cid in ids:
                client.get_customer(cid)
    return name, ids


def per_request_ms(ids: list[str], use) -> float:
    client = tnb.Client("a", "b", base_url="https://sandbox.trustly.one/api/v1")
    with use():
        started = time.perf_counter()
        for cid in ids:
            client.get_customer(cid)
        return (time.perf_counter() - started) * 1000 / len(ids)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    os.environ["TRUSTLY_NB_CASSETTES"] = str(folder)
    print("replay cost per request (ms), GETs of distinct customers in recorded order")
    print(f"{'interactions':>12} {'vcrpy default':>14} {'trustly_nb':>11} {'ratio':>7}")
    for size in (10, 100, 1000):
        name, ids = record(folder, size)
        path = str(folder / f"{name}.yaml")
        plain = recording.configure_vcr(vcr.VCR(**recording.vcr_options()))
        vcrpy_ms = per_request_ms(
            ids, lambda p=path, v=plain: v.use_cassette(p, record_mode="none")
        )
        ours_ms = per_request_ms(ids, lambda n=name: tnb.use_cassette(n))
        print(f"{size:>12} {vcrpy_ms:>14.2f} {ours_ms:>11.2f} {vcrpy_ms / ours_ms:>6.1f}x")


if __name__ == "__main__":
    main()
