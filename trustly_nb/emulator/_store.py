"""The emulator's store: customers in memory, thread safe, and the clock that stamps them.

Stored dicts are never changed in place (every write replaces them), so a reader may
serialise a reference outside the lock.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import _rules as rules
from ._seed import FIRST_CUSTOMER_ID

__all__ = ["FIXED_CLOCK_START_MS", "Clock", "Store", "wall_ms"]

FIXED_CLOCK_START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
FIXED_CLOCK_STEP_MS = 1000

JSON = dict[str, Any]
Problems = list[tuple[str | None, str]]


class Clock:
    """Timestamps: the wall clock, a caller's function, or a fixed clock for cassettes."""

    def __init__(self, kind: str, now_ms: Callable[[], int] | None) -> None:
        if kind not in ("wall", "fixed"):
            raise ValueError(f"clock must be 'wall' or 'fixed', got {kind!r}")
        if now_ms is not None and kind == "fixed":
            raise ValueError("pass either clock='fixed' or now_ms, not both")
        self._now_ms = now_ms
        self._fixed = kind == "fixed"
        self._last = FIXED_CLOCK_START_MS - FIXED_CLOCK_STEP_MS

    def read(self) -> int:
        """The time now (for ``occurredAt``); the fixed clock does not move on reads."""
        if self._fixed:
            return max(self._last, FIXED_CLOCK_START_MS)
        return self._now_ms() if self._now_ms else wall_ms()

    def tick(self) -> int:
        """The time of a write; the fixed clock moves one step per write."""
        if self._fixed:
            self._last += FIXED_CLOCK_STEP_MS
            return self._last
        return self.read()


def wall_ms() -> int:
    """The wall clock in epoch milliseconds."""
    return time.time_ns() // 1_000_000


class Store:
    """The customers, by id; every write stamps a strictly later ``updatedAt``."""

    def __init__(self, clock: Clock, customers: Iterable[Mapping[str, Any]]) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # guards the customers and the id counter
        self._customers: dict[str, JSON] = {}
        self._next_id = FIRST_CUSTOMER_ID
        for customer in customers:
            self._insert(copy.deepcopy(dict(customer)), keep_timestamps=True)

    def get(self, customer_id: str) -> JSON | None:
        """The stored customer (do not change it), or ``None``."""
        with self._lock:
            return self._customers.get(customer_id)

    def matching(
        self, external_id: str | None = None, customer_id: str | None = None
    ) -> list[JSON]:
        """Every customer, in order of creation, that has the given ids (when given)."""
        with self._lock:
            return [
                c
                for c in self._customers.values()
                if (external_id is None or c.get("externalId") == external_id)
                and (customer_id is None or c["customerId"] == customer_id)
            ]

    def put(self, customer: JSON) -> JSON:
        """Insert or replace a customer as given (not validated), bumping ``updatedAt``."""
        with self._lock:
            return self._insert(customer, keep_timestamps=False)

    def update(self, customer_id: str, patch: Mapping[str, Any]) -> tuple[JSON | None, Problems]:
        """Update by id: ``(stored, [])``, ``(None, problems)``, or ``(None, [])`` if unknown."""
        with self._lock:
            old = self._customers.get(customer_id)
            return (None, []) if old is None else self._write(old, patch)

    def upsert(self, data: JSON, query_external_id: str | None) -> tuple[JSON | None, Problems]:
        """Create or update by ``customerId`` or ``externalId``: ``(stored, [])`` or problems."""
        with self._lock:
            old = self._find(data.get("customerId"), query_external_id) or self._find(
                None, data.get("externalId")
            )
            if old is not None:
                return self._write(old, data)
            created = rules.merge({}, data)
            if query_external_id and "externalId" not in created:
                created["externalId"] = query_external_id
            if problems := rules.problems(created):
                return None, problems
            return self._insert(created, keep_timestamps=False), []

    # --- callers hold self._lock ----------------------------------------------------------

    def _write(self, old: JSON, patch: Mapping[str, Any]) -> tuple[JSON | None, Problems]:
        merged = rules.merge(old, patch)
        if problems := rules.problems(merged):
            return None, problems
        merged["updatedAt"] = self._stamp(old.get("updatedAt"))
        self._customers[old["customerId"]] = merged
        return merged, []

    def _stamp(self, previous: Any) -> int:
        now = self._clock.tick()
        # Strictly later than the last write, so stale-write checks see every change.
        if isinstance(previous, int) and now <= previous:
            now = previous + 1
        return now

    def _new_id(self) -> str:
        while str(self._next_id) in self._customers:
            self._next_id += 1
        self._next_id += 1
        return str(self._next_id - 1)

    def _insert(self, customer: JSON, *, keep_timestamps: bool) -> JSON:
        customer_id = str(customer.get("customerId") or self._new_id())
        old = self._customers.get(customer_id)
        body = {k: v for k, v in customer.items() if k not in rules.SERVER_SET}
        created = customer.get("createdAt") or (old or {}).get("createdAt")
        updated = customer.get("updatedAt")
        if not keep_timestamps or not isinstance(updated, int):
            previous = [t for t in ((old or {}).get("updatedAt"), updated) if isinstance(t, int)]
            updated = self._stamp(max(previous, default=None))
        stored = {"customerId": customer_id, **body}
        stored["createdAt"] = created if isinstance(created, int) else updated
        stored["updatedAt"] = updated
        # Stored dicts are never changed in place (writes replace them), so readers may
        # serialise a reference outside the lock.
        self._customers[customer_id] = stored
        return stored

    def _find(self, customer_id: Any, external_id: Any) -> JSON | None:
        if isinstance(customer_id, str) and customer_id in self._customers:
            return self._customers[customer_id]
        if isinstance(external_id, str):
            return next(
                (c for c in self._customers.values() if c.get("externalId") == external_id), None
            )
        return None
