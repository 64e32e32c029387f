"""The soft-check warnings of a frame's rows, edited or not, as a small frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .. import soft_checks

if TYPE_CHECKING:
    pass
from ._edits import indexed_by_id


def frame_warnings(frame: pd.DataFrame) -> pd.DataFrame:
    """Soft-check warnings for every row: what looks wrong without breaking the spec.

    Works on edited frames too, so it shows what an edit would send that looks odd.

    Returns:
        Columns ``customerId``, ``field``, ``warning``; one row per warning.

    Example:
        >>> frame_warnings(frame)
          customerId  field                                            warning
        0       1002  phone  not in E.164 form (+ and up to 15 digits, e.g. ...)
    """
    data = indexed_by_id(frame, "frame", strict=False)
    ids = list(data.index)
    countries = (
        data["address.country"].tolist() if "address.country" in data.columns else [None] * len(ids)
    )
    found: list[tuple[int, int, str, str, str]] = []
    for order, field in enumerate(soft_checks.CHECKED_FIELDS):
        if field not in data.columns:
            continue
        for row, (value, country) in enumerate(zip(data[field].tolist(), countries, strict=True)):
            if not isinstance(value, str):
                continue  # the soft checks are about text; NaN is simply unset
            context = {"address": {"country": country}} if field == "address.state" else None
            warning = soft_checks.check_field(field, value, context)
            if warning:
                found.append((row, order, ids[row], field, warning.removeprefix(f"{field}: ")))
    found.sort()
    rows = [entry[2:] for entry in found]
    return pd.DataFrame(rows, columns=["customerId", "field", "warning"], dtype=object)
