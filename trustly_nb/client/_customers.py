"""Get Customers, the one call that can answer a million customers: streamed, decoded fast.

The answer is streamed into one buffer (a bar shows it when it is big), decoded by
msgspec into Structs (:mod:`._decode`) and turned into models or columns. When the fast
decoder cannot read an answer exactly, the models' own path does (``json.loads``, then
``Customer.model_validate`` per customer), so an answer always reads as the models say,
and one that is not the documented shape raises :class:`UnexpectedResponseError` here.

Why msgspec (100k seed-shaped customers, 44 MB, CPU seconds, median of 3, on this
project's 2 shared cores): ``json.loads`` 1.23, ``orjson.loads`` 1.14, msgspec untyped
0.94, msgspec into the typed Structs 0.37 (0.30 with the collector paused); pyarrow's
``read_json`` 0.69 and only for NDJSON (Get Customers is one JSON object), polars
``read_json`` → explode → unnest 1.56 (1.92 with ``to_pandas()``). Typed Structs are
the only option that skips a dict per customer, and the types come from the models.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import msgspec

from ..errors import RequestInfo, UnexpectedResponseError
from ..models import Customer
from ._decode import decode, has_nulls, paused_gc, to_models
from ._progress import Progress
from ._responses import parse, unexpected
from ._sender import read_streamed, send
from ._transport import Retry, _excerpt

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["fetch_customers", "get_customers", "slow_models"]

_PATH = "/customers"


def fetch_customers(
    client: Client, external_id: str | None, customer_id: str | None, progress: Progress
) -> bytearray:
    params = {
        key: str(value)
        for key, value in (("externalId", external_id), ("customerId", customer_id))
        if value is not None
    }
    body: bytearray = send(
        client,
        "GET",
        _PATH,
        params=params,
        retry=Retry.IDEMPOTENT,
        read=read_streamed(progress),
        stream=True,
    )
    return body


def slow_models(body: bytes | bytearray) -> list[Customer]:
    """The models' own reading of an answer the fast decoder declined."""
    try:
        data = json.loads(body)
    except ValueError:  # UnicodeDecodeError included
        excerpt = _excerpt(bytes(body).decode("utf-8", "replace"))
        raise UnexpectedResponseError(
            200, [], RequestInfo("GET", _PATH), body_excerpt=excerpt
        ) from None
    items = data.get("customers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise unexpected("GET", _PATH, "no 'customers' list in the body")
    return [parse(item, "GET", _PATH) for item in items]


def get_customers(
    client: Client,
    external_id: str | None = None,
    customer_id: str | None = None,
    *,
    progress: bool = True,
) -> list[Customer]:
    """Get Customers as models (what :meth:`Client.list_customers` returns)."""
    bar = Progress(progress)
    body = fetch_customers(client, external_id, customer_id, bar)
    with bar.build(["decoding", "building models"]) as step, paused_gc():
        # Without a null in the answer, None can stand for a missing key, and the models
        # are built from the Structs' own dicts (see _decode._models).
        nulls = has_nulls(body)
        decoded = decode(body, msgspec.UNSET if nulls else None, nulls=nulls)
        step()
        if decoded is None:
            models = slow_models(body)
        else:
            del body  # the Structs hold everything now
            models = to_models(decoded)
        step()
    return models
