"""What a batch reports: one row per customer, the result frame, and the counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from ..changes import flatten
from ..errors import (
    APIError,
    ConflictError,
    TransportError,
    TrustlyError,
    UnexpectedResponseError,
    ValidationError,
)
from ..masking import mask_value
from ..models import SENSITIVE_FIELDS
from ._journal import Row

if TYPE_CHECKING:
    from ..changes import UpdatePlan


STATUSES: Final = ("ok", "error", "invalid", "conflict", "skipped", "not-sent", "unknown",
                   "dry-run")  # fmt: skip

COLUMNS: Final = ("status", "error_code", "error_message", "fields", "updatedAt")
"""How long a stopped batch waits for requests in flight to answer (a 2nd Ctrl-C skips it)."""

_UNKNOWN: Final = "The POST was in flight when the batch stopped: it may have landed. "


def counts(result: pd.DataFrame) -> dict[str, int]:
    """``{status: rows}`` in :data:`STATUSES` order, leaving out statuses with none."""
    found = result["status"].value_counts()
    return {s: int(found[s]) for s in STATUSES if s in found.index}


def summary(result: pd.DataFrame) -> pd.DataFrame:
    """Rows per status as a small frame, in :data:`STATUSES` order (statuses with none left out).

    Example:
        >>> summary(result)
                 customers
        status
        ok               7
        invalid          1
    """
    found = counts(result)
    index = pd.Index(list(found), name="status", dtype=object)
    return pd.DataFrame({"customers": list(found.values())}, index=index, dtype="int64")


def planned_row(plan: UpdatePlan, status: str) -> Row:
    """A row for a planned update: what changes, before (journal form) and after."""
    current = plan.before.model_dump(by_alias=True, exclude_none=True)
    old, new = flatten(current), flatten(plan.payload)
    before: dict[str, Any] = {}
    for name in plan.changed:
        head = name.partition(".")[0]
        if name != head and head not in current:
            before[head] = None  # a new nested object: a revert removes it whole
        else:
            before[name] = old.get(name)
    shown = "; ".join(
        f"{n}: {_shown(n, old.get(n))} → {_shown(n, new.get(n))}" for n in plan.changed
    )
    after = {name: new.get(name) for name in plan.changed}
    return Row(status, fields=shown, updated_at=plan.before.updated_at,
               changed=list(plan.changed), before=before, after=after)  # fmt: skip


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        text = mask_value(value) if name in SENSITIVE_FIELDS else value
        return text if text else '""'
    return json.dumps(value, ensure_ascii=False, default=str)


def failed_row(exc: Exception, plan: UpdatePlan | None, *, posting: bool) -> Row:
    lost = isinstance(exc, UnexpectedResponseError) or (
        isinstance(exc, TransportError) and exc.sent
    )
    if isinstance(exc, ValidationError):
        status = "invalid"
    elif isinstance(exc, ConflictError):
        status = "conflict"
    else:  # a POST whose answer was lost may have landed
        status = "unknown" if posting and lost else "error"
    row = planned_row(plan, status) if plan is not None else Row(status)
    row.error_code = exc.status if isinstance(exc, APIError) else None
    row.error_message = str(exc) if isinstance(exc, TrustlyError) else f"{exc!r}"
    if status == "unknown" and isinstance(exc, UnexpectedResponseError):
        row.error_message += " The update may have landed: get the customer to check."
    if isinstance(exc, ConflictError):
        row.updated_at = exc.current_updated_at
    return row


def frame(ids: list[str], rows: list[Row], journal: Path | None) -> pd.DataFrame:
    index = pd.Index(ids, dtype=object, name="customerId")
    stamps = pd.Series([r.updated_at for r in rows], index=index, dtype="Int64")
    frame = pd.DataFrame(
        {name: pd.Series([getattr(r, name) for r in rows], index=index, dtype=object)
         for name in ("status", "error_code", "error_message", "fields")}, index=index
    ).astype({"error_code": "Int64"})  # fmt: skip
    # pandas 3 converts to datetime64[us]; frames use ms throughout.
    frame["updatedAt"] = pd.to_datetime(stamps, unit="ms", utc=True).dt.as_unit("ms")
    frame.attrs["trustly_nb.summary"] = counts(frame)
    frame.attrs["trustly_nb.journal"] = None if journal is None else str(journal)
    return frame
