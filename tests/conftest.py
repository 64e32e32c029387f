"""Shared fixtures: a real emulator on loopback and a client pointed at it.

The emulator is the one our pytest plugin gives every user (``trustly_emulator``, entry point
``pytest11``, active because trustly_nb is installed); ``emu`` is its short name here, so
``@pytest.mark.trustly_emulator(...)`` configures it in our tests too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import trustly_nb as tnb
from trustly_nb import emulator


@pytest.fixture
def emu(trustly_emulator: emulator.Emulator) -> emulator.Emulator:
    """The plugin's fresh emulator (seed data, no latency, no failures unless marked)."""
    return trustly_emulator


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


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, object]:
    """pytest-recording uses the project's one VCR configuration (scrubbing, matching)."""
    from trustly_nb import recording

    return recording.vcr_options()


def pytest_recording_configure(config: pytest.Config, vcr: object) -> None:
    """Register the project's readable-YAML serializer with pytest-recording's VCR."""
    from trustly_nb import recording

    recording.configure_vcr(vcr)  # type: ignore[arg-type]


@pytest.fixture
def cassettes_dir(tmp_path, monkeypatch):
    """An empty cassettes folder for one test, found through TRUSTLY_NB_CASSETTES."""
    from trustly_nb import recording

    folder = tmp_path / "cassettes"
    folder.mkdir()
    monkeypatch.setenv("TRUSTLY_NB_CASSETTES", str(folder))
    monkeypatch.delenv("TRUSTLY_NB_MODE", raising=False)
    monkeypatch.delenv("TRUSTLY_ACCESS_ID", raising=False)
    monkeypatch.delenv("TRUSTLY_ACCESS_KEY", raising=False)
    yield folder
    recording.disconnect()


@pytest.fixture(scope="module")
def wire():
    """A loopback server answering Get Customers instantly with pre-built bytes (one per
    module; see tests/wire_data.py)."""
    from tests.wire_data import serve_bytes

    with serve_bytes() as server:
        yield server
