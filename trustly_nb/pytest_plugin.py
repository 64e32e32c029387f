"""pytest fixtures for your own tests: a fresh local emulator of the Customers API per test.

Active as soon as trustly_nb is installed (entry point ``pytest11``); nothing to import.

* ``trustly_emulator``: a :class:`trustly_nb.emulator.Emulator` on 127.0.0.1, seeded with
  synthetic customers, started for the test and stopped after it.
* ``trustly_client``: a :class:`trustly_nb.Client` pointed at that emulator.
* ``@pytest.mark.trustly_emulator(latency_ms=…, fail_rate=…, seed=…, customers=[…])``
  configures that test's emulator (``customers`` replaces the seed data).

Example:
    >>> def test_fix_an_email(trustly_client, trustly_emulator):   # doctest: +SKIP
    ...     trustly_client.update_customer("1001165729", email="ada@example.org")
    ...     assert trustly_emulator.get("1001165729")["email"] == "ada@example.org"

This module imports only pytest: the emulator (standard library only) loads when a test
asks for the fixture, so collecting a suite costs nothing extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .client import Client
    from .emulator import Emulator

__all__ = ["MARKER", "pytest_configure", "trustly_client", "trustly_emulator"]

MARKER = "trustly_emulator"
_OPTIONS = frozenset({"latency_ms", "fail_rate", "seed", "customers"})


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` suites accept it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(latency_ms=0, fail_rate=0.0, seed=0, customers=None): configure the "
        "test's trustly_nb emulator (customers replaces the synthetic seed data)",
    )


def _options(node: Any) -> dict[str, Any]:  # a pytest Node (not exported by pytest)
    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes keyword arguments only ({', '.join(sorted(_OPTIONS))})"
            f", got positional {marker.args!r} on {node.nodeid}"
        )
    unknown = set(marker.kwargs) - _OPTIONS
    if unknown:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} accepts {', '.join(sorted(_OPTIONS))}; "
            f"got {', '.join(sorted(unknown))} on {node.nodeid}"
        )
    return dict(marker.kwargs)


@pytest.fixture
def trustly_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh emulator for one test, configured by ``@pytest.mark.trustly_emulator``.

    Example:
        >>> @pytest.mark.trustly_emulator(latency_ms=20, fail_rate=0.2, seed=7)
        ... def test_retries(trustly_emulator):
        ...     assert trustly_emulator.base_url.startswith("http://127.0.0.1:")
    """
    from .emulator import serve

    with serve(**_options(request.node)) as emulator:
        yield emulator


@pytest.fixture
def trustly_client(trustly_emulator: Emulator) -> Iterator[Client]:
    """A :class:`trustly_nb.Client` on the test's emulator, closed after the test.

    Example:
        >>> def test_lookup(trustly_client):
        ...     assert trustly_client.list_customers()
    """
    with trustly_emulator.client() as client:
        yield client
