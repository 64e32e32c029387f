"""The pytest plugin's fixtures and marker, used by our own suite as a user would."""

from __future__ import annotations

import pytest

ONE = {
    "customerId": "77",
    "name": "Marked Customer",
    "email": "marked@example.org",
    "phone": "+15555550177",
    "address": {"address1": "1 A St", "city": "Boston", "state": "MA", "zip": "02134",
                "country": "US"},
}  # fmt: skip


def test_the_client_fixture_talks_to_the_emulator_fixture(trustly_client, trustly_emulator):
    """trustly_client is pointed at trustly_emulator, seeded with synthetic customers."""
    customers = trustly_client.list_customers()
    assert len(customers) == len(trustly_emulator.customers()) > 1
    assert trustly_client.base_url == trustly_emulator.base_url


@pytest.mark.trustly_emulator(customers=[ONE], latency_ms=1, seed=3)
def test_the_marker_configures_the_tests_emulator(trustly_client, trustly_emulator):
    """The marker's options reach the emulator (customers replace the seed data)."""
    assert [c.name for c in trustly_client.list_customers()] == ["Marked Customer"]
    assert trustly_emulator.latency_ms == 1
    assert trustly_emulator.seed == 3


@pytest.mark.trustly_emulator(fail_rate=1.0)
def test_emu_is_the_plugins_emulator(emu, trustly_emulator):
    """Our suite's ``emu`` is the plugin's fixture, not a copy (the marker reaches it)."""
    assert emu is trustly_emulator
    assert emu.fail_rate == 1.0
