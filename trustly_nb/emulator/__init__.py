"""A local, stateful emulator of the documented Customers API. It is **not** Trustly.

It runs on the standard library (one ``asyncio`` loop on a thread of its own serves every
connection), keeps customers in memory (thread safe), starts with a dozen synthetic
customers (:func:`seed_customers`), and can add latency and fail a reproducible share of
requests with 503. Tests, benchmarks, the ``emulator`` mode and the shipped cassettes use
it; every response carries a ``Server: trustly_nb-emulator/<version> (not Trustly)``
header so nobody mistakes it.

Documented by Trustly, and followed here:
    the four endpoints, their paths, query parameters and ``{"customer": ...}`` /
    ``{"customers": [...]}`` bodies; HTTP Basic auth with accessId / accessKey; the
    Customer schema's required fields and ``minLength`` constraints; ``null`` removing a
    field on create-or-update; upsert by ``customerId`` or ``externalId``; no paging;
    timestamps as epoch milliseconds; the error format ``{"errors": [{"domain",
    "code", "message", "location", "occurredAt"}]}`` with 400 / code 200 for invalid
    parameters, 401 / code 375 for access control, 500 / code 100, and 503.

Seen in Trustly's recorded samples and guides, and followed here:
    the 401 body ``AccessControlException`` / code 375 / "Access not authorized";
    ``vip`` sent as a positive integer tier by the VIP guide (accepted, and answered as
    the schema's string; ``0``, negatives and booleans are refused);
    ``GET /customers/lookup`` belonging to the Network Check API (a 404 here, never
    read as a customer id).

Inferred (Trustly does not document it; this is our best reading):
    an unknown customer id answers 400 "Could not find a customer using Id <id>"; the
    validation messages and their ``location`` values (one
    error per failing field); the 503 domain and the 404 body for an unknown path or a method
    a path does not support; update-by-id validating the *merged* customer; a nested
    object (``address``, ``driverLicense``, ``customData``) being replaced whole, with
    ``null`` keys inside it dropped; the shape of new customer ids; ``updatedAt`` strictly
    increasing on every write.

Example:
    >>> from trustly_nb import emulator
    >>> with emulator.serve() as emu:
    ...     client = emu.client()
    ...     client.get_customer("1001165729").name
    'Ada Whitfield'

Run it on its own with ``python -m trustly_nb.emulator --port 8787``.
"""

from ._cli import main
from ._emulator import (
    DEFAULT_ACCESS_ID,
    DEFAULT_ACCESS_KEY,
    INVALID_PARAMETER,
    SERVER_HEADER,
    Emulator,
    RecordedRequest,
    seed_customers,
    serve,
)
from ._http import Fault
from ._store import FIXED_CLOCK_START_MS

__all__ = [
    "DEFAULT_ACCESS_ID",
    "DEFAULT_ACCESS_KEY",
    "FIXED_CLOCK_START_MS",
    "INVALID_PARAMETER",
    "SERVER_HEADER",
    "Emulator",
    "Fault",
    "RecordedRequest",
    "main",
    "seed_customers",
    "serve",
]
