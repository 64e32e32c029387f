"""Everything that touches vcrpy, imported only when a cassette is used.

The one VCR configuration shared by notebooks (:func:`cassette`) and tests
(:func:`vcr_options` for pytest-recording's ``vcr_config`` fixture):

- Request headers are reduced to ``Content-Type`` (needed by the body matcher) and an
  ``Authorization: [redacted]`` marker *before* anything is written; the header filter is
  ours, not ``drop_unused_requests`` (vcrpy #961 can write an unfiltered header).
- Request and response bodies go through :mod:`trustly_nb.scrub`; because vcrpy applies
  the same hook to incoming requests before matching, replay compares scrubbed bodies.
- Matching is on method, path, query and the JSON body, never host or port, so a
  cassette recorded against the emulator or the sandbox replays anywhere.
- JSON bodies are stored as YAML structures, not escaped strings, so a cassette reads
  like the API's documentation; a comment at the top says what it was recorded against.
- Replay prefers interactions not yet played and falls back to the last match, so
  re-running a notebook cell replays instead of failing; it is guarded by a lock so bulk
  updates on several threads replay safely.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import vcr
import yaml
from vcr.errors import UnhandledHTTPRequestError
from vcr.matchers import requests_match

from ..client import is_loopback
from ..version import __version__
from ._scrub import scrub_body

__all__ = ["cassette", "configure", "vcr_options"]

MATCH_ON = ("method", "path", "query", "body")
# Registered under the name "yaml" so cassette files keep the .yaml extension everywhere.
SERIALIZER = "yaml"
_KEPT_REQUEST_HEADERS = {"content-type"}
_KEPT_RESPONSE_HEADERS = {"content-type", "server", "retry-after"}
_LOOPBACK = re.compile(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+")


def _before_record_request(request: Any) -> Any:
    headers = {k: v for k, v in request.headers.items() if k.lower() in _KEPT_REQUEST_HEADERS}
    if any(k.lower() == "authorization" for k in request.headers):
        headers["Authorization"] = "[redacted]"
    request.headers = headers
    request.body = scrub_body(request.body)
    # The emulator listens on a random port; one spelling keeps re-recordings identical.
    request.uri = _LOOPBACK.sub("http://127.0.0.1:8787", request.uri)
    return request


def _before_record_response(response: dict[str, Any]) -> dict[str, Any]:
    # Sorted: vcrpy collects headers through a set, so their order changes between runs.
    response["headers"] = {
        k: v for k, v in sorted(response["headers"].items()) if k.lower() in _KEPT_RESPONSE_HEADERS
    }
    body = response.get("body") or {}
    if body.get("string"):
        body["string"] = scrub_body(body["string"])
    return response


class _ReadableYaml:
    """vcrpy serializer: YAML with JSON bodies as structures and a provenance comment."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        interactions = cassette.get("interactions", [])
        for item in interactions:
            item["request"]["body"] = _as_structure(item["request"].get("body"))
            body = item["response"].get("body") or {}
            if "string" in body:
                item["response"]["body"] = _as_structure(body["string"]) or body
        text = yaml.dump(cassette, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False)
        return _provenance(interactions) + text

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
        for item in data.get("interactions", []):
            item["request"]["body"] = _as_text(item["request"].get("body"))
            body = item["response"].get("body") or {}
            if "json" in body:
                item["response"]["body"] = {"string": _as_text(body)}
        return data


def _as_structure(body: Any) -> Any:
    """A JSON body as ``{"json": <structure>}``; anything else as it was."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body:
        try:
            return {"json": json.loads(body)}
        except ValueError:
            return {"string": body}
    return body


def _as_text(body: Any) -> Any:
    """The inverse of :func:`_as_structure`: the body as text again."""
    if isinstance(body, dict) and set(body) == {"json"}:
        return json.dumps(body["json"], ensure_ascii=False)
    if isinstance(body, dict) and set(body) == {"string"}:
        return body["string"]
    return body


def _provenance(interactions: list[dict[str, Any]]) -> str:
    servers = {
        value
        for item in interactions
        for key, values in item["response"].get("headers", {}).items()
        if key.lower() == "server"
        for value in values
    }
    if any("trustly_nb-emulator" in server for server in servers):
        origin = "trustly_nb's local emulator (NOT Trustly), with synthetic data"
    else:
        origin = f"a server identifying as {sorted(servers) or ['(no Server header)']}"
    day = datetime.now(UTC).date().isoformat()
    return (
        f"# Recorded {day} with trustly_nb {__version__} against {origin}.\n"
        "# Re-record notebook cassettes with `make record` (the Trustly sandbox when\n"
        "# TRUSTLY_ACCESS_ID and TRUSTLY_ACCESS_KEY are set, else the emulator), test\n"
        "# cassettes with `pytest --record-mode=rewrite`. Credentials are never stored;\n"
        "# identity numbers outside the synthetic area 000 are masked.\n"
    )


def configure(recorder: vcr.VCR) -> vcr.VCR:
    """Register the project's serializer on a VCR (pytest-recording's configure hook)."""
    recorder.register_serializer(SERIALIZER, _ReadableYaml)
    return recorder


def vcr_options() -> dict[str, Any]:
    """The options shared by notebooks and tests (pytest-recording's ``vcr_config``)."""
    return {
        "match_on": MATCH_ON,
        "before_record_request": _before_record_request,
        "before_record_response": _before_record_response,
        "serializer": SERIALIZER,
        "decode_compressed_response": True,
    }


@contextmanager
def cassette(path: Path, *, record: bool, pass_loopback: bool = False) -> Iterator[Any]:
    """Use the cassette at ``path``: replay only, or rewrite it (``record=True``).

    ``pass_loopback`` lets requests to loopback through to the real server (the replay
    fallback's emulator) instead of treating them as misses; never while recording.
    """
    recorder = configure(vcr.VCR(**vcr_options()))
    mode = "all" if record else "none"
    with recorder.use_cassette(str(path), record_mode=mode) as active:
        if not record:
            _replay_leniently(active)
            if pass_loopback:
                _pass_loopback(active)
        yield active


def _pass_loopback(active: Any) -> None:
    """Let loopback requests reach the real server, neither matched nor recorded.

    Installed after the cassette is loaded: vcrpy's own ``ignore_localhost`` would also
    drop the recorded interactions, which were made against the emulator on loopback.
    """
    scrub = active._before_record_request

    def before_record_request(request: Any) -> Any:
        if is_loopback(urlsplit(str(request.uri)).hostname or ""):
            return None  # vcrpy then sends it for real, and never appends it
        return scrub(request)

    active._before_record_request = before_record_request


def _replay_leniently(active: Any) -> None:
    """Replace vcrpy's playback on ``active``: indexed, thread-safe, re-run friendly.

    vcrpy compares each request with every interaction, played ones included (vcrpy #911),
    twice per request (can-play, then play). Here interactions are bucketed by method,
    path and query, the full matchers (the scrubbed JSON body included) run only inside
    the bucket, and the pick is remembered between the two calls.
    """
    lock = threading.RLock()
    buckets: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for index, (stored, _) in enumerate(active.data):
        buckets[_bucket(stored)].append(index)
    last = threading.local()
    # The order interactions were played in: the replay fallback seeds its emulator with
    # the customers as the played answers last showed them.
    played: list[int] = []
    active.trustly_nb_played = played

    def pick(request: Any) -> int | None:
        if getattr(last, "request", None) is request:
            return cast(int | None, last.index)
        scrubbed = active._before_record_request(request)
        if scrubbed is None:  # a passed-through (loopback) host: never an interaction
            return None
        matches = [
            index
            for index in buckets.get(_bucket(scrubbed), ())
            if requests_match(scrubbed, active.data[index][0], active._match_on)
        ]
        fresh = [index for index in matches if active.play_counts[index] == 0]
        # Prefer what has not been played; once all have, replay the last (a re-run cell).
        index = fresh[0] if fresh else (matches[-1] if matches else None)
        last.request, last.index = request, index
        return index

    def can_play_response_for(request: Any) -> bool:
        with lock:
            return pick(request) is not None

    def play_response(request: Any) -> Any:
        with lock:
            index = pick(request)
            last.request = None
            if index is None:
                raise UnhandledHTTPRequestError(f"{active.path} has no answer for {request!r}")
            active.play_counts[index] += 1
            played.append(index)
            return active.data[index][1]

    active.can_play_response_for = can_play_response_for
    active.play_response = play_response


def _bucket(request: Any) -> tuple[Any, ...]:
    return (request.method, request.path or "/", tuple(request.query))
