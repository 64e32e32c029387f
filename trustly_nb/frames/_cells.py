"""One cell at a time: what is missing, masked, a timestamp, or the same value as before.

Shared by the build (reading) and the edits (writing back), so a cell means the same
thing both ways.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final

import numpy as np
import pandas as pd

from .. import timestamps
from ..masking import mask_value
from ..models import SENSITIVE_FIELDS, TIMESTAMP_FIELDS

NAN: Final = float("nan")

_EPOCH: Final = pd.Timestamp(0, tz="UTC")

_MS: Final = pd.Timedelta(milliseconds=1)

_INT_TEXT: Final = re.compile(r"^[+-]?\d+$")


MASKABLE: Final = frozenset(
    {*SENSITIVE_FIELDS, *(name.partition(".")[0] for name in SENSITIVE_FIELDS if "." in name)}
)
"""Columns that are masked: the sensitive fields, and an object holding one when it is a
single cell (``driverLicense`` as a whole)."""


def is_na(value: Any) -> bool:
    """Whether one cell is missing (None, NaN, NaT, pd.NA); containers never are."""
    if value is None or value is NAN:
        return True
    if isinstance(value, (str, list, tuple, dict, set, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_epoch_ms(value: Any) -> int | None:
    """One cell as epoch milliseconds (``None`` for NA): the package's one timestamp parser
    (:func:`trustly_nb.timestamps.to_epoch_ms`), after pandas' own missing values.

    Raises:
        ValueError: when the value cannot be read as a point in time.
    """
    return None if is_na(value) else timestamps.to_epoch_ms(value)


def _lenient_ms(value: Any) -> int | None:
    # Reading is lenient: a timestamp the API sent in an odd shape is shown as NaT
    # rather than failing the whole frame.
    try:
        return to_epoch_ms(value)
    except ValueError:
        return None


def mask_cell(value: Any) -> Any:
    """The masked form of one cell; non-strings are masked as their text."""
    if is_na(value):
        return value
    return mask_value(value if isinstance(value, str) else str(value))


def to_wire(field: str, value: Any, like: Any = NAN) -> Any:
    """A cell's value as the API's JSON value for ``field``.

    Timestamps become epoch ms in ``createdAt``/``updatedAt``/``enrollDate`` and ISO
    8601 text elsewhere; numpy scalars become Python ones; text in a column that held
    numbers or booleans (``like``) becomes that type when it reads as one.

    Raises:
        ValueError: for a timestamp field whose value is not a point in time.
    """
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if field in TIMESTAMP_FIELDS:
        return to_epoch_ms(value)
    if isinstance(value, dt.datetime):
        is_midnight = value.time() == dt.time() and value.tzinfo is None
        return value.date().isoformat() if is_midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and not isinstance(like, str) and not is_na(like):
        return _text_as(value, like)
    if isinstance(value, float) and value.is_integer() and type(like) is int:
        return int(value)
    return value


def _text_as(text: str, like: Any) -> Any:
    """Text (e.g. from a CSV) read as the type the original cell had, when it reads so."""
    stripped = text.strip()
    if isinstance(like, bool | np.bool_):
        lowered = stripped.lower()
        return {"true": True, "false": False}.get(lowered, text)
    if isinstance(like, int | np.integer) and _INT_TEXT.match(stripped):
        return int(stripped)
    if isinstance(like, int | float | np.number):
        try:
            number = float(stripped)
        except ValueError:
            return text
        return int(number) if number.is_integer() and isinstance(like, int) else number
    return text


def same_value(field: str, new: Any, old: Any) -> bool:
    """Whether two non-NA cells hold the same API value."""
    try:
        a, b = to_wire(field, new, old), to_wire(field, old, old)
    except ValueError:
        return False
    if isinstance(a, str) != isinstance(b, str):
        return str(a) == str(b)  # e.g. a list read back from CSV as its text
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
