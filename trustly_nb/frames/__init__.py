"""Customers ⇄ DataFrames: review many customers at once, edit cells, see what changes.

- :func:`customers_frame` — Get Customers straight into that frame, from the answer's
  bytes (no model per customer): what ``client.customers_frame()`` calls.
- :func:`customers_to_frame` — one row per customer, indexed by ``customerId``, nested
  objects as dotted columns, timestamps as ``datetime64[ms, UTC]``, identity numbers
  masked by default.
- :func:`frame_to_changes` — an edited copy of that frame back to per-customer change
  sets (only the cells that differ), ready for ``client.update_many``.
- :func:`diff_frame` / :func:`diff_customers` — long before/after tables, one row per
  changed field; :func:`style_diff` highlights them in JupyterLab, and
  :func:`style_frame` shows any frame whole (one missing marker, wrapped, scrolling).
- :func:`read_stamps` — the ``updatedAt`` each row was read with, for stale-write checks.
- :func:`frame_warnings` — the soft-check warnings (odd phone, email, country, state)
  of a frame's rows, edited or not. They are not a column of the frame, so a frame
  round-trips to changes without carrying them along.

Rules for edited cells (:func:`frame_to_changes`):

- NaN, NA, NaT and blank text mean *no change*; they never become ``null``.
- :data:`trustly_nb.CLEAR` or the text ``"<clear>"`` means "send ``null``" (remove it).
- Masked columns (``frame.attrs["trustly_nb.masked"]``) are never sent; changing one of
  their values is refused. Clearing one, or filling one that was empty, is allowed:
  neither writes a mask back. A value that still looks masked is never sent.
- Text is compared with the original by meaning, so a frame read back with
  ``pd.read_csv(..., dtype=str)`` works: ``"2019-04-19 18:00:36.548+00:00"`` equals that
  timestamp, ``"3"`` equals ``3``. A changed timestamp goes out as epoch milliseconds;
  changed text in a column that held numbers or booleans goes out as that type when it
  reads as one. A date/time put in any other column goes out as ISO 8601 text.
- The timestamp columns are ``datetime64[ms, UTC]``, which pandas keeps for timestamps
  only: to clear one, make the column ``object`` first
  (``edited["enrollDate"] = edited["enrollDate"].astype(object)``), then put
  ``tnb.CLEAR`` in the cell.

Example:
    >>> frame = client.customers_frame()          # or tnb.customers_to_frame(customers)
    >>> edited = frame.copy()
    >>> edited.loc["1001", "address.city"] = "Austin"
    >>> tnb.frame_to_changes(edited, frame)
    {'1001': {'address': {'city': 'Austin'}}}
"""

from ._assemble import MASKED_ATTR
from ._build import DOCUMENTED_COLUMNS
from ._diff import diff_customers, diff_frame, style_diff, style_frame
from ._edits import frame_to_changes, indexed_by_id, read_stamps
from ._frames import customers_to_frame, masked_columns
from ._warnings import frame_warnings
from ._wire import customers_frame

__all__ = [
    "DOCUMENTED_COLUMNS",
    "MASKED_ATTR",
    "customers_frame",
    "customers_to_frame",
    "diff_customers",
    "diff_frame",
    "frame_to_changes",
    "frame_warnings",
    "indexed_by_id",
    "masked_columns",
    "read_stamps",
    "style_diff",
    "style_frame",
]
