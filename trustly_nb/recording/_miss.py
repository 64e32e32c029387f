"""The message for a request a cassette cannot answer (strict replay).

It names the cassette and the request, then the fields that differ from the nearest
recorded request with the same method and path, each value shown whole (never cut in
the middle of the difference) and masked the way frames mask identity numbers, then
the modes that would serve the request.

Example:
    >>> print(miss_message("01-quickstart", request, interactions))  # doctest: +SKIP
    The cassette '01-quickstart' (cassettes/01-quickstart.yaml) holds no answer for
    POST /api/v1/customers/1001165729. It differs from the recorded POST ... in 1 field:
      email: recorded "ada.whitfield@example.org", yours "ada.lovelace@example.net"
    ...
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..masking import mask_value
from ..models import SENSITIVE_FIELDS
from ._scrub import IDENTITY_FIELDS, scrub_body

__all__ = ["differences", "miss_message", "shown"]

_ABSENT = object()
_MAX_FIELDS = 8
# Any SSN- or 9-digit-shaped run, synthetic area 000 included: an error text is read by a
# person, so it shows no whole identity number at all.
_IDENTITY_LIKE = re.compile(r"(?<!\d)(\d{3}-?\d{2}-?\d{4})(?!\d)")


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value} if prefix else {}


def _fields(path_url: str, body: Any) -> dict[str, Any]:
    """A request as ``{field: value}``: query parameters as ``?name``, the JSON body dotted."""
    query = {f"?{key}": value for key, value in parse_qsl(urlsplit(path_url).query, True)}
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    parsed: Any = None
    if isinstance(body, str) and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = {"(body)": body}
    return {**query, **_flatten(parsed if isinstance(parsed, dict) else {})}


def differences(ours: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """The fields whose values differ, in a stable order (recorded order, then ours)."""
    names = list(dict.fromkeys([*recorded, *ours]))
    return [n for n in names if ours.get(n, _ABSENT) != recorded.get(n, _ABSENT)]


def shown(field: str, value: Any) -> str:
    """A value as a person may read it: JSON, whole, identity numbers masked."""
    if value is _ABSENT:
        return "(not sent)"
    last = field.rsplit(".", 1)[-1]
    if field in SENSITIVE_FIELDS or last in IDENTITY_FIELDS:
        value = mask_value(value if isinstance(value, str) else json.dumps(value))
    text = json.dumps(value, ensure_ascii=False)
    return _IDENTITY_LIKE.sub(lambda m: str(mask_value(m.group(1))), text)


def _path(request: Any) -> str:
    return urlsplit(str(request.uri if hasattr(request, "uri") else request.url)).path


def miss_message(
    name: str, request: Any, interactions: Iterable[tuple[Any, Any]], *, strict: bool = True
) -> str:
    """Say what the cassette ``name`` lacks for ``request`` (a ``PreparedRequest``).

    Args:
        name: the cassette's name.
        request: the request that found no answer.
        interactions: the cassette's ``(request, response)`` pairs (vcrpy's ``data``).
        strict: whether the miss came from strict replay (then say how to leave it).
    """
    path_url = str(request.path_url)
    ours = _fields(path_url, scrub_body(request.body))
    same = [
        stored
        for stored, _ in interactions
        if stored.method == request.method and _path(stored) == urlsplit(path_url).path
    ]
    head = (
        f"The cassette {name!r} (cassettes/{name}.yaml) holds no answer for "
        f"{request.method} {path_url}."
    )
    lines = [head, *_nearest(request.method, ours, same, interactions)]
    serve = (
        "connect without strict=True (replay then hands a request it lacks to a local "
        "emulator seeded with the recorded customers), or "
        if strict
        else ""
    )
    lines.append(
        f"To try your own requests: {serve}connect with mode='emulator' (a local emulator, "
        "no credentials) or mode='live' (the Trustly sandbox, with credentials). To add "
        "this request to the cassette, re-record it with `make record`."
    )
    return "\n".join(lines)


def _nearest(
    method: str, ours: dict[str, Any], same: Sequence[Any], interactions: Iterable[Any]
) -> list[str]:
    if not same:
        recorded = sorted({f"{s.method} {_path(s)}" for s, _ in interactions})
        listed = ", ".join(recorded[:6]) + (", …" if len(recorded) > 6 else "")
        return [f"The recording has no {method} to that path; it holds: {listed or 'nothing'}."]
    scored = []
    for stored in same:
        theirs = _fields(_path_url(stored), stored.body)
        scored.append((len(differences(ours, theirs)), theirs))
    _, nearest = min(scored, key=lambda item: item[0])
    names = differences(ours, nearest)
    if not names:
        return ["It matches a recorded request field for field (a header or encoding differs)."]
    count = f"{len(names)} field{'s' * (len(names) != 1)}"
    lines = [f"It differs from the nearest recorded {method} to that path in {count}:"]
    for field in names[:_MAX_FIELDS]:
        was, now = nearest.get(field, _ABSENT), ours.get(field, _ABSENT)
        lines.append(f"  {field}: recorded {shown(field, was)}, yours {shown(field, now)}")
    if len(names) > _MAX_FIELDS:
        lines.append(f"  … and {len(names) - _MAX_FIELDS} more fields")
    return lines


def _path_url(stored: Any) -> str:
    parts = urlsplit(str(stored.uri))
    return parts.path + (f"?{parts.query}" if parts.query else "")
