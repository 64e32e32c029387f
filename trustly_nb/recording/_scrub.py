"""Scrubbing what goes into a cassette: credentials and real identity numbers.

Every identity number this project ships is synthetic and uses the never-issued area
``000`` (``000-12-3456``, ``000123456``). Anything else that looks like one is masked, in
request and response bodies alike, so a recording against the real sandbox carries no
real identity numbers — and because replay matching compares *scrubbed* bodies, such a
recording still replays.

Example:
    >>> scrub_json({"taxId": "123-45-6789", "nationalId": "000123456"})
    {'taxId': '•••••••6789', 'nationalId': '000123456'}
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..masking import mask_value
from ..models import IDENTITY_NUMBER_FIELDS

__all__ = [
    "IDENTITY_FIELDS",
    "find_identity_leaks",
    "is_synthetic_identity",
    "scrub_json",
    "scrub_text",
]

IDENTITY_FIELDS = frozenset(name.rpartition(".")[2] for name in IDENTITY_NUMBER_FIELDS)
"""Keys whose values are identity numbers (``number`` inside ``driverLicense``)."""

# An SSN written 123-45-6789 anywhere in text. Bare 9-digit runs are left alone outside
# identity fields: merchant ids such as 110005502 are 9 digits too.
_SSN_LIKE = re.compile(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])")


def is_synthetic_identity(value: str) -> bool:
    """Whether an identity number is in the synthetic area ``000`` (or already masked)."""
    digits = re.sub(r"\D", "", value)
    return digits.startswith("000") or not digits or "•" in value or "#" in value


def _scrub_ssn_like(match: re.Match[str]) -> str:
    if match.group(1) == "000":
        return match.group(0)
    return str(mask_value(match.group(0)))


def scrub_text(text: str) -> str:
    """Mask SSN-shaped numbers outside area ``000`` in free text."""
    return _SSN_LIKE.sub(_scrub_ssn_like, text)


def scrub_json(value: Any, key: str | None = None) -> Any:
    """A copy of decoded JSON with identity numbers outside area ``000`` masked."""
    if isinstance(value, dict):
        return {k: scrub_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(item, key) for item in value]
    if isinstance(value, str):
        if key in IDENTITY_FIELDS and not is_synthetic_identity(value):
            return mask_value(value)
        return scrub_text(value)
    return value


def scrub_body(body: bytes | str | None) -> bytes | str | None:
    """Scrub an HTTP body: JSON structurally, anything else as text."""
    if body is None or body in (b"", ""):
        return body
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        scrubbed = json.dumps(scrub_json(json.loads(raw)), ensure_ascii=False)
    except ValueError:
        scrubbed = scrub_text(raw)
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


def find_identity_leaks(value: Any, key: str | None = None) -> list[str]:
    """Identity numbers outside area ``000`` found in decoded JSON (for leak scans)."""
    if isinstance(value, dict):
        return [leak for k, v in value.items() for leak in find_identity_leaks(v, k)]
    if isinstance(value, list):
        return [leak for item in value for leak in find_identity_leaks(item, key)]
    if isinstance(value, str):
        if key in IDENTITY_FIELDS and not is_synthetic_identity(value):
            return [value]
        return [m.group(0) for m in _SSN_LIKE.finditer(value) if m.group(1) != "000"]
    return []
