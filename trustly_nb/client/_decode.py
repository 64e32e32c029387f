"""Get Customers' answer, from bytes to models or to columns, without a dict per customer.

:func:`decode` reads the body into msgspec Structs (types from :mod:`._structs`); it
answers None when the body is not something those types can describe exactly (not UTF-8
JSON, a timestamp as text, ``true`` where text belongs, ...), and the caller then takes
the models' own path (``json.loads`` and ``Customer.model_validate``), which decides.
So the fast path never changes what a customer reads as: it only skips work for the
shapes it knows, and every other shape gets the models' answer, error included.

:func:`to_models` builds real :class:`~trustly_nb.Customer` models from the Structs as
``Customer.model_validate`` would for the same JSON: numbers in text fields become their
text, extra fields are kept, ``model_fields_set`` holds exactly the keys the JSON had.
:func:`columns` reads them column by column for a frame.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import is_, is_not, itemgetter
from typing import TYPE_CHECKING, Any

import msgspec
from pydantic import BaseModel

from ..models import Customer
from ._structs import FIELDS, NESTED, STRICT, Plan, body_type, learn

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Decoded",
    "cells_are",
    "decode",
    "has_nulls",
    "paused_gc",
    "table_of",
    "text",
    "to_models",
]

_UNSET = msgspec.UNSET
_astuple = msgspec.structs.astuple
_asdict = msgspec.structs.asdict
# BaseModel's own slots' setters: what object.__setattr__ finds for these names, without
# looking them up for each model (half the time of a map of object.__setattr__).
_SLOT_NAMES = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_SLOTS = tuple(vars(BaseModel)[name].__set__ for name in _SLOT_NAMES)
_POINTERS = sys.implementation.name == "cpython"  # see cells_are


@dataclass(frozen=True)
class Decoded:
    """The customers of one answer as Structs, and the plan their types followed.

    Attributes:
        items: one Struct per customer.
        plan: the plan the Struct types followed.
        missing: what a Struct holds for a key its customer does not have.
        nulls: whether the answer may hold a JSON null (then some Struct field is None);
            False only when ``null`` appears nowhere in the body, not even in a text.
    """

    items: list[Any]
    plan: Plan
    missing: Any = _UNSET
    nulls: bool = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while building 100k objects that hold no cycles.

    Each collection walks every tracked object; building a million models or columns
    would trigger hundreds of them and spend more time there than in the build.

    At the end, everything the collector tracks moves to its oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``, two list splices). Otherwise the first
    allocation after the pause walks every object built during it as "young": 0.14 s
    after 100k sparse models, 0.31 s after 100k seed-shaped ones, on the development
    machine. Young cyclic garbage made before the call is then found by the next full
    collection instead of the next young one. When the program has frozen objects of
    its own (``gc.get_freeze_count()``), they stay frozen and the walk happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def has_nulls(body: bytes | bytearray) -> bool:
    """Whether the answer may hold a JSON null: ``null`` appears somewhere in its bytes.

    One scan of the bytes (a few ms for 44 MB) spares a scan of every value for None
    when an answer has no null, as most do.
    """
    return body.find(b"null") >= 0


def decode(
    body: bytes | bytearray, missing: Any = _UNSET, *, nulls: bool | None = None
) -> Decoded | None:
    """The customers in ``body``, or None when only the models can read it exactly.

    ``missing``: what a Struct holds for a key its customer does not have (see
    :func:`._structs.body_type`). ``nulls``: :func:`has_nulls` of the body, if known.
    """
    plan: Plan | None = STRICT
    while plan is not None:
        try:
            top = msgspec.json.decode(body, type=body_type(plan, missing))
        except msgspec.ValidationError as exc:
            plan = learn(plan, str(exc))
            continue
        except msgspec.DecodeError:
            return None
        return Decoded(top.customers, plan, missing, has_nulls(body) if nulls is None else nulls)
    return None


def text(value: Any) -> Any:
    """A number where text belongs, as pydantic's ``coerce_numbers_to_str`` writes it."""
    return str(value) if value.__class__ is int or value.__class__ is float else value


# --- models ---------------------------------------------------------------------------


def _consume(iterator: Iterator[Any]) -> None:
    deque(iterator, maxlen=0)


def table_of(rows: Iterable[Iterable[Any]], n: int, width: int) -> np.ndarray[Any, Any]:
    """``n`` rows of ``width`` values as a row-major 2-D object array, in one pass.

    ``fromiter`` keeps a list or a dict in a cell as one value (``np.array`` would
    nest it).
    """
    import numpy as np  # only here: a client that never lists customers needs no numpy

    flat = np.fromiter(chain.from_iterable(rows), dtype=object, count=n * width)
    return flat.reshape(n, width)


def cells_are(cells: np.ndarray[Any, Any], value: Any) -> np.ndarray[Any, Any]:
    """``cell is value`` for every cell of an object array, as a bool array of its shape.

    An object array holds its cells' addresses, and in CPython ``id()`` is an object's
    address, so on CPython this compares machine integers: 2 ms for 2.5M cells on the
    development machine, against 67 ms for ``cells == value`` (which asks every cell's
    ``__eq__``, and answers an array for a cell that holds one) and 96 ms for a map of
    ``operator.is_``, which is the way taken elsewhere.
    """
    import numpy as np

    if _POINTERS and cells.dtype == object and cells.flags.c_contiguous and cells.size:
        # A view of the cells' memory as integers, read while ``cells`` is alive here.
        words = (ctypes.c_size_t * cells.size).from_address(cells.ctypes.data)
        same: np.ndarray[Any, Any] = np.ctypeslib.as_array(words) == id(value)
        return same.reshape(cells.shape)
    flags = np.fromiter(map(is_, cells.flat, repeat(value)), dtype=bool, count=cells.size)
    return flags.reshape(cells.shape)


def _patterns(
    rows: Iterable[Iterable[Any]], n: int, names: tuple[str, ...], missing: Any
) -> tuple[list[int], list[bytes], list[tuple[str, ...]]]:
    """Which keys each row has: a pattern number per row, and per pattern a selector
    (1 where the key is present) and the names present.

    Customers of one answer share a few patterns of missing keys, so the names are
    worked out once per pattern. numpy compares the rows' values laid out row after
    row (each customer's values read together, in C) and numbers the distinct
    patterns: 0.16 s at 100k sparse customers on the development machine, against
    0.19 s for a bytes key per row built in Python's C loops.
    """
    import numpy as np

    gone = cells_are(table_of(rows, n, len(names)), missing)
    packed = np.packbits(gone, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    distinct, numbers = np.unique(keys, return_inverse=True)
    selectors = [
        bytes(1 - np.unpackbits(np.frombuffer(key.tobytes(), dtype=np.uint8))[: len(names)])
        for key in distinct
    ]
    return numbers.tolist(), selectors, [tuple(compress(names, these)) for these in selectors]


def _models(items: list[Any], model: type[BaseModel], plan: Plan, missing: Any) -> list[Any]:
    """Structs of ``model`` → ``model`` instances, as ``model.model_validate`` builds them.

    ``missing`` is what a Struct holds for a key its JSON did not have: ``UNSET``, or
    None when the answer has no null (then None means missing, and a Struct's own
    ``asdict`` is the model's ``__dict__``). Every loop over the customers is a ``map``
    in C: a Python function per customer would cost more than msgspec's whole decode.
    """
    specs = FIELDS[model]
    attrs = tuple(spec.attr for spec in specs)
    extra = plan.extras_of(model)
    names = (*attrs, *(wire for _, wire in extra))
    n = len(items)
    tails: Iterable[tuple[Any, ...]]
    if missing is None:
        dicts = list(map(_asdict, items))
        keys, selectors, named = _patterns(map(dict.values, dicts), n, names, missing)
        # A Struct lists the fields the schema does not (x__0, ...) last: out of the
        # dicts they go, one column each (the models keep them in __pydantic_extra__).
        popped = [list(map(dict.pop, dicts, repeat(attr))) for attr, _ in extra]
        tails = zip(*popped, strict=True)
    else:
        rows = list(map(_astuple, items))
        keys, selectors, named = _patterns(rows, n, names, missing)
        # Each __dict__ starts as a copy of one all-None dict (a copy of a dict of the
        # same keys is a memcpy) and takes only the values present: no resizing. zip
        # stops at the documented names; the extra fields' values come after them.
        documented = [tuple(name for name in these if name in attrs) for these in named]
        dicts = list(map(dict.copy, repeat(dict.fromkeys(attrs), n)))
        values = map(compress, rows, map(selectors.__getitem__, keys))
        _consume(map(dict.update, dicts, map(zip, map(documented.__getitem__, keys), values)))
        tails = map(itemgetter(slice(len(attrs), None)), rows)
    present = [frozenset(these) for these in named]
    for spec in specs:
        if (model, spec.attr) in plan.numbers:
            column = list(map(text, map(itemgetter(spec.attr), dicts)))
            _consume(map(dict.__setitem__, dicts, repeat(spec.attr), column))
        elif spec.kind == NESTED and spec.model is not None:
            column = list(map(itemgetter(spec.attr), dicts))
            flags = list(map(is_not, column, repeat(None)))  # a missing object is None here
            built = iter(_models(list(compress(column, flags)), spec.model, plan, missing))
            has = list(compress(dicts, flags))
            _consume(map(dict.__setitem__, has, repeat(spec.attr), built))
    fields_set = list(map(set, map(present.__getitem__, keys)))
    extras: list[dict[str, Any]] = [{} for _ in range(n)]
    if extra:  # the fields the schema does not list sit after the documented ones
        chosen = [selector[len(attrs) :] for selector in selectors]
        wires = [tuple(compress(names[len(attrs) :], these)) for these in chosen]
        values = map(compress, tails, map(chosen.__getitem__, keys))
        _consume(map(dict.update, extras, map(zip, map(wires.__getitem__, keys), values)))
    instances = list(map(model.__new__, repeat(model, n)))
    # What BaseModel.model_construct ends with, without its per-field alias lookups: the
    # Structs hold the fields under their Python names, with the values the models'
    # validators produce for these types (tests compare with model_validate).
    slots: tuple[Iterable[Any], ...] = (dicts, fields_set, extras, repeat(None, n))
    for setter, each in zip(_SLOTS, slots, strict=True):
        _consume(map(setter, instances, each))
    return instances


def to_models(decoded: Decoded) -> list[Customer]:
    """Every decoded customer as a :class:`~trustly_nb.Customer`."""
    return _models(decoded.items, Customer, decoded.plan, decoded.missing)
