"""The emulator's reading of the Customers schema: what a write does and what it must satisfy.

Kept apart from the HTTP server in :mod:`trustly_nb.emulator`. These are the schema's
machine-readable constraints and nothing stricter; the merge rules for updates are our
reading of Trustly's documentation (see the emulator's module docstring).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

JSON = dict[str, Any]
SERVER_SET = ("customerId", "createdAt", "updatedAt")
NESTED = frozenset({"address", "driverLicense", "customData"})


def merge(current: Mapping[str, Any], patch: Mapping[str, Any]) -> JSON:
    """``current`` with ``patch`` applied: top-level set / null removes / nested replaced."""
    result = dict(current)
    for key, value in patch.items():
        if key in SERVER_SET:
            continue
        if value is None:
            result.pop(key, None)
        elif key == "vip" and _positive_integer(value):
            # Trustly's VIP guide sends tiers as integers; the schema says string: answer that.
            result[key] = str(value)
        elif key in NESTED and isinstance(value, dict):
            result[key] = {k: v for k, v in value.items() if v is not None}
        else:
            result[key] = value
    return result


# The schema's machine-readable constraints and nothing stricter: field -> (kind, minLength).
_RULES: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("name", "email", "externalId", "merchantId"), ("string", 1)),
    **dict.fromkeys(("taxId", "phone", "dateOfBirth", "currency", "balance", "organizationNumber",
                     "externalTier", "personId", "nationalId"), ("string", 0)),
    "vip": ("string or positive integer", 0),  # the schema's string; the VIP guide's tiers
    "enrollDate": ("integer", 0),
    "customData": ("object", 0),
    "address": ("object", 0),
    "driverLicense": ("object", 0),
}  # fmt: skip
_NESTED_RULES: dict[str, dict[str, int]] = {
    "address": {"address1": 1, "address2": 0, "city": 1, "state": 2, "zip": 5, "country": 2},
    "driverLicense": {"number": 0, "state": 0},
}
_REQUIRED = {"": ("name", "address", "phone", "email"), "address": ("country",),
             "driverLicense": ("number", "state")}  # fmt: skip
_KINDS = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
          list: "an array", dict: "an object"}  # fmt: skip
_Problems = list[tuple[str | None, str]]


def _positive_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _problem(location: str, value: Any, kind: str, min_length: int) -> str | None:
    fits = {
        "string": isinstance(value, str),
        "string or positive integer": isinstance(value, str) or _positive_integer(value),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "object": isinstance(value, dict),
    }[kind]
    if not fits:
        article = "an" if kind[0] in "aeiou" else "a"
        return f"{location} must be {article} {kind}, got {_KINDS.get(type(value), 'null')}"
    if isinstance(value, str) and len(value) < min_length:
        return f"{location} must be at least {min_length} character{'s' * (min_length > 1)}"
    return None


def problems(customer: Mapping[str, Any]) -> _Problems:
    """Every way a customer breaks the schema's constraints, as ``(location, message)``."""
    found: _Problems = []
    for parent, names in _REQUIRED.items():
        scope = customer.get(parent) if parent else customer
        if not isinstance(scope, Mapping):
            continue
        for name in names:
            if name not in scope:
                location = f"{parent}.{name}" if parent else name
                found.append((location, f"{location} is required"))
    for name, (kind, min_length) in _RULES.items():
        value = customer.get(name)
        if name in customer and (message := _problem(name, value, kind, min_length)):
            found.append((name, message))
        elif isinstance(value, dict) and name in _NESTED_RULES:
            for key, nested_min in _NESTED_RULES[name].items():
                location = f"{name}.{key}"
                if key in value and (
                    message := _problem(location, value[key], "string", nested_min)
                ):
                    found.append((location, message))
    return found
