"""Bulk updates: :func:`update_many`, :func:`revert`, and the journal they keep.

Example:
    >>> result = client.update_many({"1001165729": {"vip": "2"}})   # doctest: +SKIP
    >>> summary(result)                                             # doctest: +SKIP
"""

from ._batch import (
    COLUMNS,
    STATUSES,
    BulkInterrupted,
    read_journal,
    revert,
    summary,
    update_many,
)

__all__ = [
    "COLUMNS",
    "STATUSES",
    "BulkInterrupted",
    "read_journal",
    "revert",
    "summary",
    "update_many",
]
