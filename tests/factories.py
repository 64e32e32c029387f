"""Test data made in one place: a valid new customer, and many of them.

Every identity number here uses the never-issued area 000, like all data the project ships.
"""

from __future__ import annotations

import copy
from typing import Any

from trustly_nb import emulator


def valid_customer(**fields: Any) -> dict[str, Any]:
    """A new customer (no id) that passes every hard and soft check, as the API's JSON.

    ``fields`` replace top-level values (a nested object is replaced whole).

    Example:
        >>> valid_customer(name="Grace Hopper")["address"]["zip"]
        '02134'
    """
    customer: dict[str, Any] = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+15555550100",
        "address": {
            "address1": "1 Main St",
            "city": "Austin",
            "state": "TX",
            "zip": "02134",  # a leading zero: ZIP codes are text
            "country": "US",
        },
    }
    customer.update(copy.deepcopy(fields))
    return customer


def seeded_customers(count: int) -> list[dict[str, Any]]:
    """``count`` valid synthetic customers with ids 3000000000, 3000000001, ...

    They cycle through the emulator's seed customers that have a valid phone.
    """
    seed = [c for c in emulator.seed_customers() if c["phone"].startswith("+")]
    made = []
    for i in range(count):
        customer = copy.deepcopy(seed[i % len(seed)])
        customer.update(customerId=str(3_000_000_000 + i), externalId=f"ext-bulk-{i}")
        made.append(customer)
    return made
