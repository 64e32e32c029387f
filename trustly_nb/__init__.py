"""trustly_nb: the Trustly North America Customers API, made for Jupyter.

Look customers up, review them as pandas DataFrames, correct one in a form or many from
a DataFrame, see exactly what will change before anything is sent, and replay every
example from recorded cassettes with no credentials and no network.

Example:
    >>> import trustly_nb as tnb
    >>> client = tnb.connect(cassette="01-quickstart")      # replay mode by default
    >>> client.customers_frame()                           # every customer, one row each

Heavy modules (pandas, ipywidgets, vcrpy, the emulator) load only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .changes import CLEAR
from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    CassetteError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    ServerError,
    TransportError,
    TrustlyError,
    UnexpectedResponseError,
    ValidationError,
)
from .models import Address, Customer, DriverLicense
from .version import __version__

if TYPE_CHECKING:
    from . import bulk, emulator, frames, recording
    from .client import Client
    from .frames import customers_to_frame, diff_frame, frame_to_changes
    from .recording import connect, use_cassette
    from .widgets import CustomerForm, CustomerGrid


__all__ = [
    "CLEAR",
    "APIError",
    "Address",
    "AuthenticationError",
    "BadRequestError",
    "CassetteError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Customer",
    "CustomerForm",
    "CustomerGrid",
    "DriverLicense",
    "NotFoundError",
    "ServerError",
    "TransportError",
    "TrustlyError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
    "bulk",
    "connect",
    "customers_to_frame",
    "diff_frame",
    "emulator",
    "frame_to_changes",
    "frames",
    "recording",
    "use_cassette",
]

_SUBPACKAGES = frozenset({"bulk", "emulator", "frames", "recording"})

# name -> module that defines it; loaded on first attribute access (PEP 562).
_LAZY = {
    "Client": "client",
    "connect": "recording",
    "use_cassette": "recording",
    "customers_to_frame": "frames",
    "frame_to_changes": "frames",
    "diff_frame": "frames",
    "CustomerForm": "widgets",
    "CustomerGrid": "widgets",
}


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'trustly_nb' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
