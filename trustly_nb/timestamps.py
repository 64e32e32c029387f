"""Timestamps: the API's epoch milliseconds, read from anything a person or a frame holds.

``createdAt``, ``updatedAt`` and ``enrollDate`` are integers documented as "UNIX
timestamp", and every example Trustly gives is epoch **milliseconds**. This is the one
parser the models, the frames and the form share, so a timestamp means the same thing
wherever it is typed.

Example:
    >>> to_epoch_ms("2019-04-19T18:00:36.548Z")
    1555696836548
    >>> format_epoch_ms(1555696836548)
    '2019-04-19T18:00:36.548Z'
"""

from __future__ import annotations

import datetime as dt
import numbers
from typing import Any

__all__ = ["format_epoch_ms", "to_epoch_ms"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)


def to_epoch_ms(value: Any) -> int | None:
    """A timestamp-like value as epoch milliseconds; ``None`` for ``None``, NaN and NaT.

    Accepts integers (numpy's too), whole or fractional numbers (rounded), numeric text,
    ISO 8601 text (``Z`` or an offset; naive means UTC), and ``datetime`` / ``date`` /
    pandas ``Timestamp`` / numpy ``datetime64`` values.

    Raises:
        ValueError: the value cannot be read as a point in time (the message shows it).

    Example:
        >>> to_epoch_ms("1555696836548"), to_epoch_ms(1555696836548.0)
        (1555696836548, 1555696836548)
    """
    if type(value) is int:  # what the API sends: spared the abstract-number checks below
        return value
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(f"expected a timestamp, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:  # NaN: a missing cell
            return None
        if number in (float("inf"), float("-inf")):
            raise ValueError(f"expected a timestamp, got {value!r}")
        return round(number)
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, dt.datetime):  # pandas' Timestamp is one too
        return None if value != value else _from_datetime(value)  # NaT != NaT
    if isinstance(value, dt.date):
        return _from_datetime(dt.datetime.combine(value, dt.time()))
    if type(value).__name__ == "datetime64":  # numpy, without importing it
        if value != value:
            return None
        return int(value.astype("datetime64[ms]").astype("int64"))
    raise ValueError(f"expected a timestamp, got {type(value).__name__} {value!r}")


def _from_text(value: str) -> int:
    text = value.strip()
    if text.lstrip("+-").isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"expected a timestamp (epoch milliseconds or ISO 8601 such as "
            f"2024-02-10T15:30:00Z), got {value!r}"
        ) from None
    return _from_datetime(when)


def _from_datetime(value: dt.datetime) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return (aware - _EPOCH) // _MS


def format_epoch_ms(value: int | None) -> str:
    """Epoch milliseconds as ISO 8601 UTC text (milliseconds only when there are some).

    Example:
        >>> format_epoch_ms(1707579000000)
        '2024-02-10T15:30:00Z'
    """
    if value is None:
        return ""
    when = _EPOCH + value * _MS
    spec = "milliseconds" if value % 1000 else "seconds"
    return when.isoformat(timespec=spec).replace("+00:00", "Z")
