"""Bulk updates: :func:`update_many`, :func:`revert`, and the journal they keep.

Example:
    >>> result = client.update_many({"1001165729": {"vip": "2"}})   # doctest: +SKIP
    >>> summary(result)                                             # doctest: +SKIP
"""

from ._display import style_result
from ._errors import BulkAuthenticationError, BulkInterrupted, JournalWriteError
from ._results import COLUMNS, STATUSES, summary
from ._update import read_journal, revert, update_many

__all__ = [
    "COLUMNS",
    "STATUSES",
    "BulkAuthenticationError",
    "BulkInterrupted",
    "JournalWriteError",
    "read_journal",
    "revert",
    "style_result",
    "summary",
    "update_many",
]
