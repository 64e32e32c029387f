"""What a batch is asked to do: one item per customer, from a change dict, an edited
frame, or a journal to revert; and which customers ``skip=`` says are done.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ValidationError
from ..frames import frame_to_changes, indexed_by_id, read_stamps
from ._journal import Row, read_trails


@dataclass
class _Item:
    customer_id: str
    changes: Mapping[str, Any]
    stamp: int | None = None
    preset: Row | None = None  # decided without a request (invalid, unchanged, skipped)


def _dict_items(changes: Mapping[Any, Any], stamps: Mapping[str, int | None]) -> list[_Item]:
    items: dict[str, _Item] = {}
    for key, wanted in changes.items():
        cid = str(key).strip()
        if cid in items or not cid:
            raise ValidationError([("customerId", f"{cid!r} is empty or given twice")])
        items[cid] = item = _Item(cid, wanted if isinstance(wanted, Mapping) else {})
        item.stamp = stamps.get(cid)
        if not isinstance(wanted, Mapping):
            message = f"The changes must be a dict of fields, got {type(wanted).__name__}."
            item.preset = Row("invalid", error_message=message)
    return list(items.values())


def _frame_items(edited: pd.DataFrame, original: pd.DataFrame, dry_run: bool) -> list[_Item]:
    stamps = read_stamps(original)
    ids = [str(cid) for cid in indexed_by_id(edited, "edited").index]  # ids as text, no duplicates
    refused: dict[str, str] = {}
    try:
        found = frame_to_changes(edited, original)
    except ValidationError:
        # One ValidationError names every refused cell; find which rows, so only they
        # are refused (row by row is slower, and only taken when something is wrong).
        found = {}
        mine, theirs = indexed_by_id(edited, "edited"), indexed_by_id(original, "original")
        for position, cid in enumerate(ids):
            source = theirs.loc[[cid]] if cid in theirs.index else theirs.iloc[:0]
            try:
                found.update(frame_to_changes(mine.iloc[[position]], source))
            except ValidationError as exc:
                refused[cid] = str(exc)
    items = []
    for cid in ids:
        item = _Item(cid, found.get(cid, {}), stamps.get(cid))
        if cid in refused:
            item.preset = Row("invalid", error_message=refused[cid])
        elif cid not in found:  # nothing edited in this row: nothing to send
            item.preset = Row("dry-run" if dry_run else "ok", updated_at=item.stamp)
        items.append(item)
    return items


def _skip_ids(skip: Any) -> set[str]:
    if skip is None:
        return set()
    if isinstance(skip, pd.DataFrame):
        if "status" not in skip.columns:
            raise TypeError("skip= takes a result frame (with a status column), a journal "
                            "path or customer ids; this frame has no status column.")  # fmt: skip
        done = skip["status"].isin(["ok", "skipped"])  # skipped: it was ok in a run before
        return {str(cid) for cid in skip.index[done]}
    if isinstance(skip, str | os.PathLike):
        path = Path(skip)
        if not path.exists():  # the first run of `skip=path, journal=path`
            return set()
        return {c for c, t in read_trails(path).items() if t.last and t.last["status"] == "ok"}
    return {str(cid).strip() for cid in skip}
