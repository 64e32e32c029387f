"""A merchant's own test file, as the README shows it: run under pytest in the fresh venv."""

import os

import pytest

import trustly_nb


def test_trustly_nb_comes_from_the_installed_wheel():
    """The package under test is the wheel's copy, not the repository's."""
    assert trustly_nb.__file__.startswith(os.environ["EXPECTED_PREFIX"])


def test_an_update_reaches_the_emulator(trustly_client, trustly_emulator):
    """The client fixture talks to the emulator fixture."""
    customer_id = trustly_client.list_customers()[0].customer_id
    trustly_client.update_customer(customer_id, email="fixed@example.org")
    assert trustly_emulator.get(customer_id)["email"] == "fixed@example.org"


@pytest.mark.trustly_emulator(
    customers=[
        {
            "customerId": "42",
            "name": "Only One",
            "email": "only@example.org",
            "phone": "+15555550199",
            "address": {
                "address1": "1 Main St",
                "city": "Austin",
                "state": "TX",
                "zip": "78701",
                "country": "US",
            },
        }
    ]
)
def test_the_marker_sets_the_emulators_customers(trustly_client):
    """@pytest.mark.trustly_emulator(customers=[...]) replaces the seed data."""
    assert [c.name for c in trustly_client.list_customers()] == ["Only One"]
