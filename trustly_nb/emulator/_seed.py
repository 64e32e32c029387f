"""The emulator's seed data: a dozen synthetic customers with realistic variety.

Everything here is invented. Names are ordinary, emails use the reserved ``example.com``
/ ``example.org`` domains, phone numbers use the fictional 555-01xx range, and every
identity number (``taxId``, ``nationalId``, ``personId``, ``organizationNumber``, the
digits of ``driverLicense.number``) uses the never-issued area ``000``. ``merchantId``
is Trustly's sample merchant id, not a personal number.

Some records are deliberately imperfect so that data-quality checks have something to
find: an empty phone, a phone not in E.164 form, an email without a top-level domain,
two customers sharing one email, a date of birth not in ``YYYY-MM-DD`` form, an
``enrollDate`` after ``createdAt``, ``vip`` sent as text, and a field the schema does
not list (``loyaltyTier``).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

__all__ = ["FIRST_CUSTOMER_ID", "MERCHANT_ID", "seed_customers"]

FIRST_CUSTOMER_ID = 1001165729
MERCHANT_ID = "110005502"


def _ms(when: str) -> int:
    """Epoch milliseconds of a UTC ``YYYY-MM-DD HH:MM`` time, the API's timestamp unit."""
    return int(datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp() * 1000)


def _address(
    address1: str, city: str, state: str, zip_code: str, country: str, address2: str = ""
) -> dict[str, str]:
    address = {"address1": address1, "city": city, "state": state, "zip": zip_code}
    if address2:
        address["address2"] = address2
    address["country"] = country
    return address


_CUSTOMERS: list[dict[str, Any]] = [
    {
        "name": "Ada Whitfield",
        "email": "ada.whitfield@example.com",
        "phone": "+15555550100",
        "address": _address("48 Harvard Ave", "Boston", "MA", "02134", "US"),
        "taxId": "000-12-3456",
        "dateOfBirth": "1986-03-14",
        "externalId": "ext-1001",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-02-10 15:30"),
        "vip": "1",
        "currency": "USD",
        "balance": "250.00",
        "customData": {"segment": "retail", "loyaltyPoints": 120},
        "driverLicense": {"number": "D000123456", "state": "MA"},
        "createdAt": _ms("2025-01-06 09:12"),
        "updatedAt": _ms("2025-03-18 14:05"),
    },
    {
        "name": "Maria Garcia",
        "email": "maria.garcia@example",
        "phone": "+15555550101",
        "address": _address("1100 Congress Ave", "Austin", "TX", "78701", "US"),
        "taxId": "000123457",
        "dateOfBirth": "1979-11-02",
        "externalId": "ext-1002",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-05-22 11:00"),
        "currency": "USD",
        "customData": {"segment": "retail", "loyaltyPoints": 45},
        "createdAt": _ms("2025-01-14 16:40"),
        "updatedAt": _ms("2025-01-14 16:40"),
    },
    {
        "name": "Liam Tremblay",
        "email": "liam.tremblay@example.org",
        "phone": "+15145550102",
        "address": _address("350 Rue Sherbrooke O", "Montréal", "QC", "H2X 1Y4", "CA"),
        "nationalId": "000 123 458",
        "dateOfBirth": "1992-07-21",
        "externalId": "ext-1003",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-08-03 13:45"),
        "currency": "CAD",
        "driverLicense": {"number": "T000654321", "state": "QC"},
        "createdAt": _ms("2025-02-02 10:00"),
        "updatedAt": _ms("2025-06-30 08:20"),
    },
    {
        "name": "Priya Raman",
        "email": "priya.raman@example.com",
        "phone": "(555) 010-0142",
        "address": _address("1501 4th Ave", "Seattle", "WA", "98101", "US", "Apt 4B"),
        "taxId": "000-45-6789",
        "externalId": "ext-1004",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-11-19 18:10"),
        "currency": "USD",
        "balance": "0.00",
        "createdAt": _ms("2025-02-20 12:30"),
        "updatedAt": _ms("2025-04-01 09:00"),
    },
    {
        "name": "Noah Bennett",
        "email": "noah.bennett@example.com",
        "phone": "",
        "address": _address("233 S Wacker Dr", "Chicago", "IL", "60606", "US"),
        "externalId": "ext-1005",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2025-01-08 07:55"),
        "currency": "USD",
        "customData": {"segment": "smb", "loyaltyPoints": 0},
        "createdAt": _ms("2025-03-03 15:15"),
        "updatedAt": _ms("2025-03-03 15:15"),
    },
    {
        "name": "Sofia Rossi",
        "email": "rossi.family@example.org",
        "phone": "+15555550105",
        "address": _address("1600 Glenarm Pl", "Denver", "CO", "80202", "US", "Unit 12"),
        "taxId": "000-67-8901",
        "dateOfBirth": "1990-01-30",
        "externalId": "ext-1006",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2025-02-14 20:00"),
        "currency": "USD",
        "createdAt": _ms("2025-03-21 11:11"),
        "updatedAt": _ms("2025-05-05 17:45"),
    },
    {
        "name": "Ethan Rossi",
        "email": "rossi.family@example.org",
        "phone": "+15555550106",
        "address": _address("1600 Glenarm Pl", "Denver", "CO", "80202", "US", "Unit 12"),
        "dateOfBirth": "1988-09-09",
        "externalId": "ext-1007",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2025-02-14 20:05"),
        "currency": "USD",
        "createdAt": _ms("2025-03-21 11:20"),
        "updatedAt": _ms("2025-03-21 11:20"),
    },
    {
        "name": "Chloé Martin",
        "email": "chloe.martin@example.com",
        "phone": "+14165550107",
        "address": _address("290 Bremner Blvd", "Toronto", "ON", "M5V 3L9", "CA"),
        "personId": "000234567",
        "externalId": "ext-1008",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2025-04-01 12:00"),
        "currency": "CAD",
        "externalTier": "Gold",
        "loyaltyTier": "gold",
        "customData": {"segment": "retail", "loyaltyPoints": 980, "newsletter": True},
        "createdAt": _ms("2025-04-10 09:30"),
        "updatedAt": _ms("2025-08-12 10:10"),
    },
    {
        "name": "Omar Haddad",
        "email": "omar.haddad@example.com",
        "phone": "+15555550108",
        "address": _address("200 S Biscayne Blvd", "Miami", "FL", "33131", "US"),
        "taxId": "000-89-0123",
        "dateOfBirth": "1975-05-17",
        "externalId": "ext-1009",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-03-27 16:20"),
        "vip": "3",
        "currency": "USD",
        "balance": "1200.00",
        "externalTier": "Diamond",
        "driverLicense": {"number": "H000345678", "state": "FL"},
        "createdAt": _ms("2025-05-02 14:00"),
        "updatedAt": _ms("2025-09-09 13:30"),
    },
    {
        "name": "Northwind Traders LLC",
        "email": "billing@northwind.example.com",
        "phone": "+14155550109",
        "address": _address("535 Mission St", "San Francisco", "CA", "94105", "US", "Floor 14"),
        "organizationNumber": "00-0987654",
        "externalId": "ext-1010",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2024-09-30 09:00"),
        "currency": "USD",
        "balance": "15890.25",
        "customData": {"segment": "business", "accountManager": "team-west"},
        "createdAt": _ms("2025-06-16 08:45"),
        "updatedAt": _ms("2025-06-16 08:45"),
    },
    {
        "name": "Hannah Kim",
        "email": "hannah.kim@example.org",
        "phone": "+15035550110",
        "address": _address("1120 SW 5th Ave", "Portland", "OR", "97204", "US"),
        "dateOfBirth": "12/31/1979",
        "enrollDate": _ms("2025-07-04 10:30"),
        "currency": "USD",
        "customData": {"segment": "retail", "loyaltyPoints": 310},
        "createdAt": _ms("2025-07-07 19:00"),
        "updatedAt": _ms("2025-10-21 07:40"),
    },
    {
        "name": "Lucas Silva",
        "email": "lucas.silva@example.com",
        "phone": "+16045550111",
        "address": _address("800 Robson St", "Vancouver", "BC", "V6Z 3B7", "CA"),
        "taxId": "000 555 123",
        "externalId": "ext-1012",
        "merchantId": MERCHANT_ID,
        "enrollDate": _ms("2026-01-15 12:00"),
        "vip": "2",
        "currency": "CAD",
        "driverLicense": {"number": "B000987654", "state": "BC"},
        "createdAt": _ms("2025-11-28 16:25"),
        "updatedAt": _ms("2025-12-19 11:05"),
    },
]


def seed_customers() -> list[dict[str, Any]]:
    """The seed customers as the API returns them (camelCase JSON, ``customerId`` first).

    Returns:
        A fresh deep copy on every call, so callers may change it freely. Ids are
        consecutive numeric strings from ``"1001165729"``.

    Example:
        >>> [c["customerId"] for c in seed_customers()][:2]
        ['1001165729', '1001165730']
    """
    return [
        {"customerId": str(FIRST_CUSTOMER_ID + index), **copy.deepcopy(customer)}
        for index, customer in enumerate(_CUSTOMERS)
    ]
