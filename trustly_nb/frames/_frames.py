"""Customers as a DataFrame: :func:`customers_to_frame` and what a frame says of its masks."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..client import paused_gc
from ..models import Customer
from ._assemble import MASKED_ATTR
from ._build import as_records, build_frame
from ._wire import frame_from_models

__all__ = ["customers_to_frame", "masked_columns"]


def customers_to_frame(customers: Any, *, mask: bool = True) -> pd.DataFrame:
    """Customers as a DataFrame: one row each, indexed by ``customerId``.

    Args:
        customers: :class:`~trustly_nb.Customer` models or the API's JSON dicts — a list,
            the raw ``{"customers": [...]}`` response, or a single customer.
        mask: show ``taxId``, ``nationalId``, ``personId``, ``dateOfBirth`` and
            ``driverLicense.number`` masked (at most the last 4 characters visible);
            the masked columns are listed in ``frame.attrs["trustly_nb.masked"]``.

    Returns:
        Every documented field as a column in the schema's order (``address.city``,
        ``driverLicense.state`` dotted in place), then fields the schema does not list,
        then ``customData.<key>`` for the keys present. ``createdAt``, ``updatedAt`` and
        ``enrollDate`` are ``datetime64[ms, UTC]``; other columns are ``object`` so any
        value, :data:`~trustly_nb.CLEAR` included, can be put in a cell. Missing values
        are NaN / NaT. Soft-check warnings: :func:`frame_warnings`.

    Example:
        >>> df = customers_to_frame([{"customerId": "1001", "name": "Ada",
        ...     "taxId": "000-12-6790", "address": {"city": "Austin", "country": "US"}}])
        >>> df.loc["1001", ["address.city", "taxId"]].tolist()
        ['Austin', '•••••••6790']
    """
    records = as_records(customers)
    with paused_gc():
        if records and type(records[0]) is Customer and all(type(c) is Customer for c in records):
            frame = frame_from_models(records, mask=mask)
            if frame is not None:
                return frame
        return build_frame(records, mask=mask)


def masked_columns(frame: pd.DataFrame) -> frozenset[str]:
    """The columns a frame shows masked (from ``frame.attrs["trustly_nb.masked"]``)."""
    return frozenset(str(name) for name in frame.attrs.get(MASKED_ATTR) or ())
