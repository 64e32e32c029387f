"""The customers frame from its columns: the last step of every build.

The build from dicts (``_build``), from the wire and from models (``_wire``) each read
the customers into columns, most of them columns of row-major tables; :func:`assemble`
turns those into the frame. The object columns of each table are gathered row by row
into one block (the loose ones into one more, the ones no customer has into a block of
NaN) and handed to pandas as they are
(``pandas.api.internals.create_dataframe_from_blocks``), so no column is copied again
to consolidate them; the timestamps are one ``datetime64[ms, UTC]`` block each.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks

from ..client.columns import Column, TableColumn, cells_are, table_of, values_of
from ..masking import mask_values
from ..models import TIMESTAMP_FIELDS
from ._cells import MASKABLE, NAN, _lenient_ms, is_na, mask_cell

__all__ = ["INDEX_NAME", "MASKED_ATTR", "assemble", "timestamps"]

MASKED_ATTR: Final = "trustly_nb.masked"
INDEX_NAME: Final = "customerId"

_INT64_NAT: Final = np.iinfo(np.int64).min
_NUMBERS: Final = frozenset({int, float, type(None)})


FrameColumn = Column | None
"""A frame column's values (see :class:`~trustly_nb.client.columns.Column`), or None
when no customer has it (all NaN)."""


def assemble(
    columns: dict[str, FrameColumn],
    extras: dict[str, FrameColumn],
    custom: dict[str, FrameColumn],
    n: int,
    *,
    mask: bool,
    nulls: bool = True,
) -> pd.DataFrame:
    """The frame from its columns: documented (the index among them), extra and
    ``customData.<key>``, each in its final order, NaN where a customer has none.

    ``nulls``: whether a column may hold None (a JSON null, or a field a model does not
    have); each becomes NaN. A caller that knows there is none saves a pass.
    """
    ids = columns.pop(INDEX_NAME, None)
    names: list[str] = []
    gathered: dict[int, tuple[np.ndarray[Any, Any], list[int], list[int]]] = {}
    loose: list[Sequence[Any]] = []
    placed: list[int] = []
    empty: list[int] = []  # no customer has these: a block of NaN, filled by numpy
    blocks: list[tuple[Any, np.ndarray[Any, Any]]] = []
    masked: list[str] = []
    every = chain(columns.items(), extras.items(), custom.items())
    for position, (name, column) in enumerate(every):
        names.append(name)
        if name in TIMESTAMP_FIELDS:
            stamps = timestamps([NAN] * n if column is None else values_of(column))
            blocks.append((stamps, np.array([position])))
            continue
        if mask and name in MASKABLE:
            masked.append(name)
        if column is None:
            empty.append(position)
        elif isinstance(column, TableColumn):
            _, at, taken = gathered.setdefault(id(column.table), (column.table, [], []))
            at.append(position)
            taken.append(column.position)
        else:
            loose.append(column)
            placed.append(position)
    tables = [(table.take(taken, axis=1), at) for table, at, taken in gathered.values()]
    if loose:
        tables.append((table_of(zip(*loose, strict=True), n, len(loose)), placed))
    for rows, at in tables:
        # Row by row (``take`` copies in C, reading each customer's values together,
        # into a row-major table), then transposed as a view: a block is (columns, rows).
        _clean(rows, [names[i] for i in at], mask=mask, nulls=nulls)
        blocks.append((rows.T, np.array(at)))
    if empty:
        blocks.append((np.full((len(empty), n), NAN, dtype=object), np.array(empty)))
    index = _index(None if ids is None else values_of(ids), n)
    frame: pd.DataFrame = create_dataframe_from_blocks(blocks, index, pd.Index(names))
    frame.attrs[MASKED_ATTR] = masked
    return frame


def _clean(rows: np.ndarray[Any, Any], names: list[str], *, mask: bool, nulls: bool) -> None:
    """Make a row-major table of frame columns' nulls NaN and, when asked, mask its
    identity numbers, in place."""
    assert rows.flags.c_contiguous  # so that the reshape below is a view
    if nulls:
        flat = rows.reshape(-1)
        flat[cells_are(flat, None)] = NAN
    if mask:
        for position, name in enumerate(names):
            if name in MASKABLE:
                column = rows[:, position]
                shown = ~pd.isna(column)  # a missing value stays as it is, unmasked
                if shown.any():
                    masked = mask_values(column[shown], mask_cell)
                    column[shown] = np.fromiter(masked, dtype=object, count=len(masked))


def timestamps(column: Sequence[Any] | np.ndarray[Any, Any]) -> pd.api.extensions.ExtensionArray:
    """Epoch ms (or NaN / None / an odd value, which become NaT) as ``datetime64[ms, UTC]``."""
    kinds = set(map(type, column))
    ints: np.ndarray[Any, np.dtype[np.int64]] | None = None
    if kinds <= {int}:
        try:
            ints = np.array(column, dtype=np.int64)
        except OverflowError:
            ints = None
    elif kinds <= _NUMBERS:
        floats = np.array(column, dtype=np.float64)  # epoch ms fit a float64 exactly; None is NaN
        bad = ~np.isfinite(floats)
        floats[bad] = 0  # NaN cannot be cast to an integer; these become NaT below
        ints = floats.astype(np.int64)
        ints[bad] = _INT64_NAT
    if ints is None:
        converted = [_lenient_ms(value) for value in column]
        ints = np.array([_INT64_NAT if v is None else v for v in converted], dtype=np.int64)
    stamps: pd.api.extensions.ExtensionArray = pd.array(ints.view("M8[ms]")).tz_localize("UTC")
    return stamps


def _index(ids: Sequence[Any] | np.ndarray[Any, Any] | None, n: int) -> pd.Index[Any]:
    index: pd.Index[Any] = pd.Index([None] * n if ids is None else ids, dtype=object)
    if n and index.inferred_type != "string":
        # Ids are numeric strings on the wire; a number becomes its text so lookups by
        # id behave the same whichever way it arrived. A customer not yet created has none.
        index = pd.Index([None if is_na(value) else str(value) for value in index], dtype=object)
    return index.rename(INDEX_NAME)
