"""Get Customers answers of several shapes, served as pre-built bytes over loopback.

The emulator always answers in the documented schema (``vip`` as text, no fields it does
not store); the decoder must also read what Trustly's looser data may hold, so these
tests serve the bytes themselves from a real HTTP server on loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pandas as pd
from hypothesis import strategies as st

import trustly_nb as tnb
from trustly_nb import emulator
from trustly_nb.models import ADDRESS_FIELDS, CUSTOMER_FIELDS, DRIVER_LICENSE_FIELDS

BASE_MS = 1_555_696_836_548
AUTH = ("wire-access-id", "wire-access-key")


def sparse(n: int) -> list[dict[str, Any]]:
    """Only the required fields and the server-set ones."""
    return [
        {
            "customerId": str(1_000 + i),
            "name": f"Customer {i}",
            "address": {"country": "US"},
            "phone": f"+1555000{i:04d}",
            "email": f"c{i}@example.com",
            "createdAt": BASE_MS + i,
            "updatedAt": BASE_MS + 2 * i,
        }
        for i in range(n)
    ]


def seed(n: int) -> list[dict[str, Any]]:
    """The emulator's seed customers, cycled with fresh ids."""
    base = emulator.seed_customers()
    made = []
    for i in range(n):
        customer = json.loads(json.dumps(base[i % len(base)]))
        customer["customerId"] = str(2_000 + i)
        made.append(customer)
    return made


def dense(n: int) -> list[dict[str, Any]]:
    """Every field, customData with several keys, extra fields, ``vip`` as a number,
    an extra field in the address, an explicit null and a customer without an address."""
    made = []
    for i in range(n):
        customer: dict[str, Any] = {
            "customerId": str(3_000 + i),
            "name": f"Customer {i}",
            "taxId": f"000-12-{1000 + i}",
            "address": {
                "address1": f"{i} Main St",
                "address2": "Apt 1",
                "city": "Austin",
                "state": "TX",
                "zip": 78701 + i,  # a number where text belongs
                "country": "US",
                "county": "Travis",  # not in the schema
            },
            "phone": f"+1555000{i:04d}",
            "email": f"c{i}@example.com",
            "dateOfBirth": "1980-01-02",
            "createdAt": BASE_MS + i,
            "updatedAt": BASE_MS + 2 * i,
            "customerIdAlt": None,
            "externalId": f"ext-{i}",
            "merchantId": "110005514",
            "enrollDate": BASE_MS - i,
            "vip": 1 + i % 3,
            "currency": "USD",
            "balance": 12.5 + i,
            "organizationNumber": "org-1",
            "externalTier": "gold",
            "personId": f"000{i:06d}",
            "customData": {"segment": "smb", "score": i, "tags": ["a"], "nested": {"k": 1}},
            "driverLicense": {"number": f"000{i:06d}", "state": "TX"},
            "nationalId": None,
            "loyaltyTier": "silver",
            "riskScore": i % 7,
            "channels": ["email"],
        }
        if i % 5 == 4:
            customer["address"] = None
            customer.pop("customData")
        made.append(customer)
    return made


def dense_without_nulls(n: int) -> list[dict[str, Any]]:
    """Dense customers without any JSON null (a null-valued key is left out instead):
    the decoders then take None for a missing key."""
    return [
        {key: value for key, value in customer.items() if value is not None}
        for customer in dense(n)
    ]


def null_in_text(n: int) -> list[dict[str, Any]]:
    """Sparse customers whose text says ``null`` though no value is a JSON null."""
    return [{**customer, "name": f"null {i}"} for i, customer in enumerate(sparse(n))]


SHAPES = {
    "sparse": sparse,
    "seed": seed,
    "dense": dense,
    "dense-without-nulls": dense_without_nulls,
    "null-in-text": null_in_text,
}


def body_of(customers: list[dict[str, Any]]) -> bytes:
    return json.dumps({"customers": customers}).encode()


def oracle_models(body: bytes) -> list[tnb.Customer]:
    """The slow, obvious reading: json.loads, then model_validate per customer."""
    return [tnb.Customer.model_validate(d) for d in json.loads(body)["customers"]]


def oracle_frame(body: bytes, *, mask: bool) -> pd.DataFrame:
    """customers_to_frame of the oracle's models, each dumped to the API's JSON first (the
    obvious build, independent of the column-wise reading of models)."""
    dumped = [c.model_dump(by_alias=True) for c in oracle_models(body)]
    return tnb.customers_to_frame(dumped, mask=mask)


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Values, dtypes, column order, index and attrs all equal."""
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name
    assert got.attrs == want.attrs


def assert_same_models(got: list[tnb.Customer], want: list[tnb.Customer]) -> None:
    """Equal models, the same fields set, extras and dumps (what to_payload relies on)."""
    assert got == want
    assert [c.model_fields_set for c in got] == [c.model_fields_set for c in want]
    assert [c.extra_fields for c in got] == [c.extra_fields for c in want]
    for a, b in zip(got, want, strict=True):
        assert a.model_dump(by_alias=True, exclude_unset=True) == b.model_dump(
            by_alias=True, exclude_unset=True
        )
        for name in ("address", "driver_license"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None)
            if x is not None:
                assert x.model_fields_set == y.model_fields_set
                assert x.__pydantic_extra__ == y.__pydantic_extra__


@dataclass
class BytesServer:
    """A loopback server answering Get Customers with ``body`` (set it between calls)."""

    base_url: str
    body: bytes = b'{"customers": []}'
    status: int = 200
    requests: int = 0

    def client(self, **options: Any) -> tnb.Client:
        return tnb.Client(*AUTH, base_url=self.base_url, **options)


@contextmanager
def serve_bytes() -> Iterator[BytesServer]:
    holder: list[BytesServer] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            state = holder[0]
            state.requests += 1
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(BytesServer(f"http://127.0.0.1:{server.server_address[1]}/api/v1"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()


# --- generated customers (hypothesis) ------------------------------------------------

_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
_json = st.recursive(
    _scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
_text = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)
_time = st.one_of(st.integers(-(10**13), 10**13), st.none())
_odd_time = st.one_of(_time, st.sampled_from(["1555696836548", 1555696836548.0, True]))
_extra_names = st.sampled_from(["loyaltyTier", "riskScore", "x y", "_private", "Name"])


def _object(fields: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    documented = st.fixed_dictionaries({}, optional=dict.fromkeys(fields, _text))
    extras = st.dictionaries(_extra_names, _json, max_size=2)
    return st.builds(lambda a, b: {**b, **a}, documented, extras)


_TIMES = ("createdAt", "updatedAt", "enrollDate")
_OBJECTS = ("address", "driverLicense", "customData")
customer_dicts = st.builds(
    lambda fields, extras: {**extras, **fields},
    st.fixed_dictionaries(
        {},
        optional={
            **{f: _text for f in CUSTOMER_FIELDS if f not in _TIMES + _OBJECTS},
            **dict.fromkeys(_TIMES, _odd_time),
            "address": st.one_of(st.none(), _object(ADDRESS_FIELDS)),
            "driverLicense": st.one_of(st.none(), _object(DRIVER_LICENSE_FIELDS)),
            "customData": st.one_of(st.none(), st.dictionaries(st.text(max_size=5), _json)),
        },
    ),
    st.dictionaries(_extra_names, _json, max_size=3),
)
"""Customers of any mix of fields, types (numbers and booleans where text belongs, odd
timestamps), nulls, nested and unknown fields: some the models read, some they refuse."""
