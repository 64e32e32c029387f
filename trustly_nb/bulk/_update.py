"""Bulk updates from a change dict or an edited DataFrame: concurrent, visible, resumable.

:func:`update_many` (``client.update_many``) runs get → merge → validate → post for each
customer on a small thread pool sharing the client's session, with a ``tqdm.auto``
progress bar, and returns one row per input customer, whatever happened:

============  ==========================================================================
``ok``        updated; an empty ``fields`` means it already had these values (nothing sent)
``error``     Trustly or the network refused it (``error_code`` is the HTTP status)
``invalid``   refused before sending: a bad field, a masked value, an unknown column
``conflict``  changed on Trustly's side since the frame was read (``force=True`` overwrites)
``skipped``   already ``ok`` in ``skip=`` (a result frame, a journal, or customer ids)
``not-sent``  the batch stopped first (a 401, or Ctrl-C)
``unknown``   a POST was in flight when the batch stopped, or its answer was lost: it may
              have landed. A rerun reads the customer fresh, so it is safe.
``dry-run``   what would change; nothing was sent
============  ==========================================================================

The journal (``journal=path``) is JSON lines, flushed as rows finish (all but skipped and
not-sent rows, and frame rows whose cells all match the original, which are decided without
a request; a customer in a change dict is read, so it is journaled even when nothing
differs; dry runs write none), plus a ``"sending"`` line before each
POST: ``customerId, status, error_code, error_message, fields, changed, before, after,
updatedAt, attempt, at``. ``before``/``after`` hold the changed fields' values *unmasked*
(dotted; a nested object that did not exist is its top-level name with ``null``), since
:func:`revert` needs them: journals hold personal data, so they are created ``0600``. The
last line per customer wins; a ``"sending"`` line with no outcome after it (the process
died mid-POST) counts as ``unknown``. A dead kernel loses nothing; a power cut may lose
the last lines (no fsync per row).

Example:
    >>> result = client.update_many({"1001165729": {"email": "ada@example.org"}},
    ...                             journal="fixes.jsonl")
    >>> result = client.update_many(changes, skip="fixes.jsonl", journal="fixes.jsonl")
    >>> client.revert("fixes.jsonl")                 # the before-values, put back
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..changes import CLEAR
from ..frames import read_stamps
from ..masking import looks_masked
from ._batch import Batch
from ._items import _dict_items, _frame_items, _Item, _skip_ids
from ._journal import Row, read_trails
from ._results import frame

if TYPE_CHECKING:
    from ..client import Client


def update_many(
    client: Client,
    changes: Mapping[Any, Mapping[str, Any]] | pd.DataFrame,
    *,
    original: pd.DataFrame | None = None,
    max_workers: int = 8,
    progress: bool = True,
    dry_run: bool = False,
    skip: pd.DataFrame | str | os.PathLike[str] | Iterable[Any] | None = None,
    journal: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Update many customers concurrently: get → merge → validate → post, one row each.

    Args:
        client: the client whose session (and retry rules) every request uses.
        changes: ``{customerId: {field: value}}`` (what ``frame_to_changes`` returns), or an
            edited frame with ``original=`` the frame it came from. A frame row whose cells
            all match the original is ``ok`` with no request; a row whose cells cannot be
            sent (an edited masked value, an unknown column) is ``invalid``.
        original: the frame as read; its ``updatedAt`` values are the stale-write stamps
            (also when ``changes`` is a dict). Without it there is no stale-write check.
        max_workers: threads; capped by ``client.concurrency_limit`` (1 while recording).
        progress: show a ``tqdm.auto`` bar with ok/failed counts (a widget in JupyterLab).
        dry_run: read and validate only, and report what would change; nothing is posted.
        skip: customers already done: a previous result (its ``ok`` rows), a journal path
            (its ``ok`` customers; a missing file skips nothing), or a list of ids.
        journal: a JSON-lines file to append every finished row to (see the module doc).
        force: overwrite customers that changed since ``original`` was read.

    Returns:
        A frame indexed by ``customerId`` (text) in input order with :data:`COLUMNS`:
        ``status`` (one of :data:`STATUSES`), ``error_code`` (HTTP status, Int64),
        ``error_message``, ``fields`` (``"email: a@x → b@y; address.zip: … → …"``, identity
        numbers masked) and ``updatedAt`` (``datetime64[ms, UTC]``). ``attrs`` holds
        ``"trustly_nb.summary"`` (counts per status) and ``"trustly_nb.journal"``.

    Raises:
        AuthenticationError: a 401 stopped the batch; its ``.result`` is the frame, the
            unsent rows ``not-sent``.
        BulkInterrupted: Ctrl-C (a ``KeyboardInterrupt``) stopped it; ``.result`` likewise.
        ValidationError: the input names a customer twice or has rows without an id.

    Example:
        >>> result = client.update_many(edited, original=frame, journal="fixes.jsonl")
        >>> result[result.status != "ok"]
        >>> client.update_many(edited, original=frame, skip=result)   # finish the job
    """
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, got {max_workers!r}")
    if isinstance(changes, pd.DataFrame):
        if original is None:
            raise TypeError(
                "update_many(frame) needs original=, the frame it was edited from, to tell "
                "which cells changed; or pass tnb.frame_to_changes(edited, original)."
            )
        items = _frame_items(changes, original, dry_run)
    elif isinstance(changes, Mapping):
        items = _dict_items(changes, read_stamps(original) if original is not None else {})
    else:
        raise TypeError(f"changes must be a dict or a DataFrame, got {type(changes).__name__}")
    done = _skip_ids(skip)
    for item in items:
        if item.customer_id in done:
            item.preset = Row("skipped", error_message="Already ok in skip=; not sent again.")
    desc = "dry run" if dry_run else "update_many"
    batch = Batch(client, dry_run=dry_run, force=force, journal=None if dry_run else journal)
    return batch.execute(items, max_workers=max_workers, progress=progress, desc=desc)


def revert(
    client: Client,
    journal_path: str | os.PathLike[str],
    *,
    max_workers: int = 8,
    progress: bool = True,
    journal: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> pd.DataFrame:
    """Put back the before-values a bulk update's journal recorded, concurrently.

    Every customer the journal wrote to (``ok`` rows that changed something, ``unknown``
    rows, POSTs cut off by a dead process) gets each changed field's *earliest* recorded
    before-value back; a field that did not exist is removed. A customer changed since
    the journal's last ``ok`` write is a ``conflict`` unless ``force=True``. A before-value
    the API returned masked is never written back: that row is ``invalid``.

    Returns:
        The same frame as :func:`update_many`, one row per reverted customer.

    Example:
        >>> client.revert("fixes.jsonl")
    """
    items: list[_Item] = []
    for cid, trail in read_trails(Path(journal_path)).items():
        if not trail.wrote:
            continue
        item = _Item(cid, {k: CLEAR if v is None else v for k, v in trail.before.items()})
        item.stamp = trail.stamp
        masked = sorted(name for name, value in trail.before.items() if looks_masked(value))
        if masked:
            item.preset = Row("invalid", error_message=f"{', '.join(masked)} was read masked; "
                              "a mask is never written back. Nothing was sent.")  # fmt: skip
        items.append(item)
    batch = Batch(client, dry_run=False, force=force, journal=journal)
    return batch.execute(items, max_workers=max_workers, progress=progress, desc="revert")


def read_journal(journal_path: str | os.PathLike[str]) -> pd.DataFrame:
    """A journal as a result frame: the last row per customer (see :func:`update_many`).

    Example:
        >>> tnb.bulk.read_journal("fixes.jsonl").status.value_counts()
    """
    # Here, not in _journal: the fold is the journal's, the result frame is this module's.
    trails = read_trails(Path(journal_path))
    rows = [Row.from_record(t.last) for t in trails.values() if t.last is not None]
    return frame([cid for cid, t in trails.items() if t.last is not None], rows, None)
