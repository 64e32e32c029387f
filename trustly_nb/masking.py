"""Masking of identity numbers: how they are shown, and how a masked value is recognised.

Trustly's own update example sends ``"taxId": "#####6790"``, so responses may carry
masked values. Frames and the form show sensitive fields masked by default, and the
client never writes a masked value back unless the caller set it.

Example:
    >>> mask_value("000-12-3456")
    '•••••••3456'
    >>> looks_masked("#####6790"), looks_masked("#402")
    (True, False)
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MASK_CHAR", "looks_masked", "mask_value"]

MASK_CHAR = "•"

# A run of at least three mask characters, then at most four visible characters. Three,
# not one, so an apartment number such as "#402" is not mistaken for a mask.
_MASKED = re.compile(r"^[#•*]{3,}[^#•*]{0,4}$")


def mask_value(value: Any) -> Any:
    """Mask a value, leaving at most its last 4 characters (fewer for short values).

    Non-strings (``None``, NA) are returned unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if looks_masked(value):
        return value
    visible = min(4, len(value) // 2)
    return MASK_CHAR * (len(value) - visible) + (value[-visible:] if visible else "")


def looks_masked(value: Any) -> bool:
    """Whether a value looks like a masked identity number (``#####6790``, ``•••••6790``)."""
    return isinstance(value, str) and bool(_MASKED.match(value))
