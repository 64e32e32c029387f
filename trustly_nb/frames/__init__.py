"""Customers as pandas DataFrames: build, edit, diff, warn (see :func:`customers_to_frame`).

Example:
    >>> import trustly_nb as tnb
    >>> frame = tnb.customers_to_frame([{"customerId": "1", "name": "Ada"}])
    >>> frame.loc["1", "name"]
    'Ada'
"""

from ._frames import (
    DOCUMENTED_COLUMNS,
    MASKED_ATTR,
    customers_to_frame,
    diff_customers,
    diff_frame,
    frame_to_changes,
    frame_warnings,
    indexed_by_id,
    masked_columns,
    read_stamps,
    style_diff,
)

__all__ = [
    "DOCUMENTED_COLUMNS",
    "MASKED_ATTR",
    "customers_to_frame",
    "diff_customers",
    "diff_frame",
    "frame_to_changes",
    "frame_warnings",
    "indexed_by_id",
    "masked_columns",
    "read_stamps",
    "style_diff",
]
