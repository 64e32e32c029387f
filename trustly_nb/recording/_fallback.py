"""Replay that never dead-ends: a connect() client follows its cassette, then an emulator.

In ``replay`` mode (not strict), the first request the cassette cannot answer moves the
client off the recording, once and under a lock: requests already being replayed finish
from the cassette, then an in-process emulator starts, seeded with every customer the
cassette holds (as the replayed answers last showed it; one not replayed yet as the
cassette first shows it; nothing invented), and every later request goes there. So 8 bulk
workers never see two different worlds, and the learner sees the customers exactly as the
recording left them, plus their own change.

The emulator listens on loopback, and the cassette lets loopback requests pass through
vcrpy to it (neither matched nor recorded). Nothing reaches a non-loopback address, and a
client whose replay was closed (a later ``connect()``) refuses to send at all.

Example:
    >>> client = tnb.connect(cassette="01-quickstart")
    >>> client.update_customer(customer_id, email="ada.lovelace@example.net")  # not recorded
    trustly_nb [replay → emulator] your request is not in the recording; ...
    >>> client.source
    'emulator'
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from requests.adapters import HTTPAdapter
from vcr.errors import CannotOverwriteExistingCassetteException

from ..client import SOURCE_ATTRIBUTE
from ..errors import CassetteError
from ._miss import miss_message

if TYPE_CHECKING:
    import requests

    from ..emulator import Emulator

__all__ = ["NOTICE", "Replay", "recorded_customers", "replay_adapter_class"]

NOTICE = (
    "trustly_nb [replay → emulator] your request is not in the recording; answers now come "
    "from a local emulator seeded with the recorded customers"
)
_STEP_MS = 1000
JSON = dict[str, Any]


class Replay:
    """The recording behind one ``connect()`` client, and the emulator it may move to.

    Args:
        name: the cassette's name.
        cassette: the open vcrpy cassette (replay only, loopback passed through).
        strict: raise :class:`CassetteError` on a miss instead of moving to the emulator.
        credentials: the ``(access_id, access_key)`` the client sends; the emulator takes
            the same, so the client needs no change when it moves.
        announce: how the one-time notice is shown (``print`` in a notebook).
    """

    def __init__(
        self,
        name: str,
        cassette: Any,
        *,
        strict: bool,
        credentials: tuple[str, str],
        announce: Callable[[str], None] = print,
    ) -> None:
        self.name = name
        self.cassette = cassette
        self.strict = strict
        self._credentials = credentials
        self._announce = announce
        self._state = threading.Condition()
        self._in_flight = 0
        self._switching = False
        self._closed = False
        self.emulator: Emulator | None = None

    # --- what the client and its repr ask -------------------------------------------------

    @property
    def source(self) -> str:
        """``"emulator"`` once the client left the recording, else ``"cassette"``."""
        return "emulator" if self.emulator is not None else "cassette"

    def describe(self) -> str:
        """What the client talks to, for its repr (never credentials)."""
        where = f"cassettes/{self.name}.yaml"
        if self.emulator is not None:
            return (
                f"emulator {self.emulator.base_url} (left the replay of {where}: seeded with "
                "its recorded customers)"
            )
        strict = ", strict" if self.strict else ""
        return f"replaying {where} ({_recorded_against(self.cassette)}{strict})"

    def close(self) -> None:
        """Stop the emulator, if one started; later requests of the client are refused."""
        with self._state:
            self._closed = True
            emulator, self.emulator = self.emulator, None
        if emulator is not None:
            emulator.stop()

    # --- sending --------------------------------------------------------------------------

    def send(
        self, send: Callable[..., requests.Response], request: requests.PreparedRequest,
        **kwargs: Any,
    ) -> requests.Response:  # fmt: skip
        """Send ``request`` through ``send`` (the adapter's own): cassette, then emulator."""
        with self._state:
            self._state.wait_for(lambda: not self._switching)
            self._refuse_if_closed()
            target = self.emulator
            if target is None:
                self._in_flight += 1
        if target is None:
            try:
                response = send(request, **kwargs)
            except CannotOverwriteExistingCassetteException:
                response = None
            finally:
                with self._state:
                    self._in_flight -= 1
                    self._state.notify_all()
            if response is not None:
                setattr(response, SOURCE_ATTRIBUTE, "cassette")
                return response
            if self.strict:
                raise CassetteError(miss_message(self.name, request, self.cassette.data)) from None
            target = self._leave_the_recording()
        return self._to_emulator(send, request, target, kwargs)

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise CassetteError(
                f"This client's replay of cassettes/{self.name}.yaml was closed (a later "
                "connect() or disconnect()); use the client the new connect() returned."
            )

    def _leave_the_recording(self) -> Emulator:
        """Start the emulator once; callers that missed too wait for it."""
        with self._state:
            if self.emulator is None and not self._switching:
                self._refuse_if_closed()
                self._switching = True
                try:
                    # Replays in flight finish from the cassette first, and count.
                    self._state.wait_for(lambda: self._in_flight == 0)
                    self.emulator = self._start_emulator()
                finally:
                    self._switching = False
                    self._state.notify_all()
                self._announce(NOTICE)
            self._state.wait_for(lambda: not self._switching)
            self._refuse_if_closed()
            if self.emulator is None:  # the start failed on another thread
                raise CassetteError(f"The local emulator for {self.name!r} could not start.")
            return self.emulator

    def _start_emulator(self) -> Emulator:
        from ..emulator import Emulator

        played = list(getattr(self.cassette, "trustly_nb_played", []))
        customers = recorded_customers(self.cassette.data, played)
        everyone = [c for _, response in self.cassette.data for c in _customers_in(response)]
        start = _latest_timestamp(everyone) + _STEP_MS
        ticks = iter(range(start, 2**62, _STEP_MS))
        access_id, access_key = self._credentials
        return Emulator(
            access_id=access_id,
            access_key=access_key,
            customers=customers,
            # A fixed clock that carries on after the recording: every write is newer than
            # anything replayed, so the stale-write guard sees no false conflict.
            now_ms=lambda: next(ticks),
        ).start()

    def _to_emulator(
        self, send: Callable[..., requests.Response], request: requests.PreparedRequest,
        emulator: Emulator, kwargs: dict[str, Any],
    ) -> requests.Response:  # fmt: skip
        moved = request.copy()
        parts = urlsplit(str(request.url))
        moved.url = urlunsplit(("http", f"127.0.0.1:{emulator.port}", *parts[2:]))
        # The emulator is on loopback: never through a proxy taken from the environment.
        response = send(moved, **{**kwargs, "proxies": {}})
        setattr(response, SOURCE_ATTRIBUTE, "emulator")
        return response


def replay_adapter_class(replay: Replay) -> type[HTTPAdapter]:
    """A ``requests`` adapter class whose instances send through ``replay``."""

    class ReplayAdapter(HTTPAdapter):
        def send(  # every option passes through unchanged
            self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
        ) -> requests.Response:
            names = ("stream", "timeout", "verify", "cert", "proxies")
            kwargs.update(zip(names, args, strict=False))
            return replay.send(super().send, request, **kwargs)

        @property
        def source(self) -> str:
            return replay.source

        def describe(self) -> str:
            return replay.describe()

    return ReplayAdapter


def _customers_in(response: Any) -> Iterator[dict[str, Any]]:
    status = (response.get("status") or {}).get("code")
    if not isinstance(status, int) or not 200 <= status < 300:
        return
    text = (response.get("body") or {}).get("string")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        body = json.loads(text) if isinstance(text, str) and text else None
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    found = [body["customer"]] if isinstance(body.get("customer"), dict) else []
    found += [c for c in body.get("customers") or [] if isinstance(c, dict)]
    for customer in found:
        if customer.get("customerId") is not None:
            yield customer


def recorded_customers(interactions: list[tuple[Any, Any]], played: list[int]) -> list[JSON]:
    """Every customer the cassette holds: as the played answers last showed it, else as
    the cassette first shows it; in order of first appearance.

    Args:
        interactions: vcrpy's ``(request, response)`` pairs.
        played: the indexes of the interactions replayed so far, in the order played.
    """
    first: dict[str, JSON] = {}
    for _, response in interactions:
        for customer in _customers_in(response):
            first.setdefault(str(customer["customerId"]), customer)
    latest = dict(first)
    for index in played:
        for customer in _customers_in(interactions[index][1]):
            latest[str(customer["customerId"])] = customer
    return [latest[customer_id] for customer_id in first]


def _latest_timestamp(customers: list[JSON]) -> int:
    from ..emulator import FIXED_CLOCK_START_MS

    stamps = [
        value
        for customer in customers
        for key in ("createdAt", "updatedAt")
        if isinstance(value := customer.get(key), int)
    ]
    return max(stamps, default=FIXED_CLOCK_START_MS)


def _recorded_against(cassette: Any) -> str:
    servers = {
        value
        for _, response in cassette.data
        for key, values in (response.get("headers") or {}).items()
        if key.lower() == "server"
        for value in values
    }
    if any(server.startswith("trustly_nb-emulator") for server in servers):
        return "recorded against trustly_nb's local emulator, not Trustly"
    if not servers:
        return "recorded against an unknown server"
    return f"recorded against a server identifying as {', '.join(sorted(servers))}"
