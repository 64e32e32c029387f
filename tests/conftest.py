"""Shared fixtures: a real emulator on loopback and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import trustly_nb as tnb
from trustly_nb import emulator


@pytest.fixture
def emu() -> Iterator[emulator.Emulator]:
    """A fresh emulator (seed data, no latency, no failures) for one test."""
    with emulator.serve() as server:
        yield server


@pytest.fixture
def client(emu: emulator.Emulator) -> Iterator[tnb.Client]:
    """A client on the emulator with short timeouts and near-instant backoff."""
    with emu.client(timeout=5.0, backoff=0.001, retry_after_cap=0.01) as c:
        yield c


@pytest.fixture
def some_id(emu: emulator.Emulator) -> str:
    """The id of a seeded customer with a complete, valid record."""
    for customer in emu.customers():
        if not tnb.Customer.model_validate(customer).warnings:
            return str(customer["customerId"])
    raise AssertionError("the emulator's seed data has no customer without warnings")
