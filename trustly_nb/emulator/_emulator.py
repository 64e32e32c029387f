"""The emulator itself: its lifecycle, the routes, latency and injected failures."""

from __future__ import annotations

import copy
import hmac
import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, unquote

from ..version import __version__
from ._http import Fault, Reply, Server, basic_credentials, parse_json
from ._seed import seed_customers
from ._store import Clock, Store, wall_ms

if TYPE_CHECKING:
    from ..client import Client

__all__ = [
    "DEFAULT_ACCESS_ID",
    "DEFAULT_ACCESS_KEY",
    "INVALID_PARAMETER",
    "SERVER_HEADER",
    "Emulator",
    "RecordedRequest",
    "seed_customers",
    "serve",
]

logger = logging.getLogger("trustly_nb.emulator")

DEFAULT_ACCESS_ID = "emulator-access-id"
DEFAULT_ACCESS_KEY = "emulator-access-key"  # an emulator-only dummy, printed by the CLI
SERVER_HEADER = f"trustly_nb-emulator/{__version__} (not Trustly)"

_EXC = "com.trustly.merchantgateway.v1.exception."
INVALID_PARAMETER = _EXC + "InvalidParameterException"
ACCESS_CONTROL = _EXC + "AccessControlException"
SERVICE_UNAVAILABLE = _EXC + "ServiceUnavailableException"
INTERNAL_ERROR = _EXC + "InternalErrorException"
NOT_FOUND = _EXC + "NotFoundException"
_API = "/api/v1"
_MAX_RECORDED = 10_000

JSON = dict[str, Any]


class RecordedRequest(NamedTuple):
    """One request the emulator received (see :attr:`Emulator.requests`)."""

    method: str
    path: str
    """The path with its query string, as sent."""
    body: Any
    """The parsed JSON body, or ``None`` when there was none or it was not JSON."""


class Arrival(NamedTuple):
    """A request recorded on arrival (:meth:`Emulator.arrive`), to answer once its latency
    has passed (:meth:`Emulator.respond`)."""

    method: str
    target: str
    body: tuple[Any] | None
    """``(value,)`` for a JSON body, else None (see ``parse_json``)."""
    k: int
    """Its number (1-based) among the requests to its method and path."""


FaultHook = Callable[[str, str, int], "Fault | None"]
"""``faults(method, path, k)``: a :class:`Fault` for the k-th (1-based) request, or None."""


def _error_item(
    domain: str, code: int, message: str, occurred_at: int, location: str | None = None
) -> JSON:
    item: JSON = {"domain": domain, "code": code, "message": message}
    if location is not None:
        item["location"] = location
    item["occurredAt"] = occurred_at
    return item


class Emulator:
    """The emulator: an HTTP server on 127.0.0.1 and its in-memory store of customers.

    Use it through :func:`serve` (a context manager), or call :meth:`start` and
    :meth:`stop`. ``latency_ms``, ``fail_rate``, ``retry_after`` and ``faults`` are plain
    attributes and may be changed while it runs. Each request is recorded, then sleeps
    its latency, then may get a fault or an injected 503; only then are the credentials
    checked (paths under ``/api/v1``) and the request routed.

    Args:
        port: the port to listen on; 0 picks a free one (see :attr:`port`).
        access_id: the only accessId accepted.
        access_key: the only accessKey accepted.
        latency_ms: added to every request: a timer per request in the server's loop, so
            requests overlap and nothing holds the store's lock meanwhile.
        fail_rate: the share of requests answered 503 before anything changes.
        seed: makes the failures reproducible: whether the k-th request (1-based, counted
            per method and path) fails depends only on (seed, method, path, k).
        retry_after: when set, injected 503s carry ``Retry-After`` with this many seconds.
        clock: ``"wall"`` (real time) or ``"fixed"``: starts at 2026-01-01T00:00:00Z and
            moves 1000 ms per write, so recorded cassettes are reproducible.
        now_ms: a function giving epoch milliseconds, instead of the wall clock.
        customers: the initial customers; ``None`` means :func:`seed_customers`.
        faults: ``faults(method, path, k)`` may return a :class:`Fault` to send instead
            of the normal answer (an HTML 500, a dropped connection, ...). While it is set,
            requests are answered on threads of their own, so a hook may block to hold one
            request; without it the server's loop answers them itself.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        access_id: str = DEFAULT_ACCESS_ID,
        access_key: str = DEFAULT_ACCESS_KEY,
        latency_ms: float = 0.0,
        fail_rate: float = 0.0,
        seed: int | str = 0,
        retry_after: float | None = None,
        clock: str = "wall",
        now_ms: Callable[[], int] | None = None,
        customers: Iterable[Mapping[str, Any]] | None = None,
        faults: FaultHook | None = None,
    ) -> None:
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {fail_rate!r}")
        if latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {latency_ms!r}")
        self.access_id = access_id
        self.access_key = access_key
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.seed = seed
        self.retry_after = retry_after
        self.faults = faults
        self._requested_port = port
        self._clock = Clock(clock, now_ms)
        self._meta_lock = threading.Lock()  # guards the request log and the counters
        self._counts: dict[tuple[str, str], int] = {}
        self._recorded: deque[RecordedRequest] = deque(maxlen=_MAX_RECORDED)
        self._server: Server | None = None
        self._store = Store(self._clock, seed_customers() if customers is None else customers)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> Emulator:
        """Start serving on a background daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        self._server = Server(self, self._requested_port, SERVER_HEADER)
        self._server.serve_in_background()
        logger.debug("emulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection, keep-alive ones included."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (the real one once started)."""
        return self._requested_port if self._server is None else self._server.port

    @property
    def base_url(self) -> str:
        """The API root to give a client, e.g. ``http://127.0.0.1:54321/api/v1``."""
        return f"http://127.0.0.1:{self.port}{_API}"

    def client(self, **kwargs: Any) -> Client:
        """A :class:`trustly_nb.Client` pointed at this emulator with its credentials.

        Args:
            **kwargs: passed on to ``Client`` (``timeout``, ``max_retries``, ...).
        """
        from ..client import Client

        return Client(self.access_id, self.access_key, base_url=self.base_url, **kwargs)

    def __repr__(self) -> str:
        state = "running" if self._server else "stopped"
        return f"<trustly_nb.emulator.Emulator {state} base_url={self.base_url!r}>"

    # --- observation and direct store access (for tests) ----------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received, oldest first (at most the last 10 000)."""
        with self._meta_lock:
            return list(self._recorded)

    def reset_requests(self) -> None:
        """Forget the recorded requests (the failure counters are kept)."""
        with self._meta_lock:
            self._recorded.clear()

    def get(self, customer_id: str) -> JSON | None:
        """A copy of the stored customer, or ``None``."""
        found = self._store.get(str(customer_id))
        return copy.deepcopy(found) if found is not None else None

    def put(self, customer: Mapping[str, Any]) -> JSON:
        """Insert or replace a customer as given (not validated), bumping ``updatedAt``.

        A customer without ``customerId`` gets a new one. Returns a copy of what is stored.
        """
        return copy.deepcopy(self._store.put(copy.deepcopy(dict(customer))))

    def customers(self) -> list[JSON]:
        """Copies of every stored customer, in id order of creation."""
        return copy.deepcopy(self._store.matching())

    def would_fail(self, method: str, path: str, k: int) -> bool:
        """Whether the k-th (1-based) request to ``method path`` gets an injected 503."""
        if self.fail_rate <= 0:
            return False
        draw = random.Random(f"{self.seed}|{method}|{path}|{k}").random()
        return draw < self.fail_rate

    # --- what the HTTP layer calls (the HTTP layer, _http.py) --------------------------
    # It also calls _invalid() for a request whose body it cannot read.

    def arrive(self, method: str, target: str, body: bytes) -> Arrival:
        """Record a request as it arrives (``target``: the path and query as sent, ``body``:
        raw, ``b""`` for none); the HTTP layer then waits out :attr:`latency_ms`."""
        path = target.partition("?")[0]
        parsed = parse_json(body)
        with self._meta_lock:
            self._recorded.append(RecordedRequest(method, target, parsed[0] if parsed else None))
            k = self._counts[method, path] = self._counts.get((method, path), 0) + 1
        return Arrival(method, target, parsed, k)

    def respond(self, arrival: Arrival, authorization: str | None) -> Reply:
        """The API's answer to an arrived request (``authorization``: its header, if any);
        an exception while answering becomes a Trustly-shaped 500."""
        try:
            return self._answer(arrival, authorization)
        except Exception:
            logger.exception("emulator failed on %s %s", arrival.method, arrival.target)
            return self._error(500, INTERNAL_ERROR, 100, "Internal server error")

    def _protocol_error(self, status: int, message: str) -> Reply:
        """The JSON error for a request the HTTP layer refuses before :meth:`arrive`."""
        domain, code = {404: (NOT_FOUND, 404), 400: (INVALID_PARAMETER, 200)}.get(
            status, (INTERNAL_ERROR, 100)
        )
        return Reply.json(status, {"errors": [_error_item(domain, code, message, wall_ms())]})

    # --- answering a request ---------------------------------------------------------------

    def _error(self, status: int, domain: str, code: int, message: str) -> Reply:
        item = _error_item(domain, code, message, self._clock.read())
        return Reply.json(status, {"errors": [item]})

    def _invalid(self, problems: Sequence[tuple[str | None, str]]) -> Reply:
        now = self._clock.read()
        items = [
            _error_item(INVALID_PARAMETER, 200, f"Invalid parameter: {message}", now, location)
            for location, message in problems
        ]
        return Reply.json(400, {"errors": items})

    def _not_found(self, customer_id: str) -> Reply:
        message = f"Could not find a customer using Id {customer_id}"
        return self._error(400, INVALID_PARAMETER, 200, message)

    def _answer(self, arrival: Arrival, authorization: str | None) -> Reply:
        method, body, k = arrival.method, arrival.body, arrival.k
        path, _, query = arrival.target.partition("?")
        fault = self.faults(method, path, k) if self.faults else None
        if fault is not None and not fault.cut:
            return fault
        if self.would_fail(method, path, k):
            reply = self._error(503, SERVICE_UNAVAILABLE, 100, "Service temporarily unavailable")
            if self.retry_after is not None:
                reply.headers = {"Retry-After": f"{self.retry_after:g}"}
            return reply
        if path != _API and not path.startswith(_API + "/"):
            return self._unknown(method, path)
        if not self._authorized(authorization):
            reply = self._error(401, ACCESS_CONTROL, 375, "Access not authorized")
            reply.headers = {"WWW-Authenticate": 'Basic realm="trustly_nb-emulator"'}
            return reply
        params = parse_qs(query, keep_blank_values=True) if query else {}
        reply = self._route(method, path, params, body)
        reply.cut = fault is not None and fault.cut
        return reply

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: tuple[Any] | None
    ) -> Reply:
        rest = path[len(_API) :]
        params = {key: values[0] for key, values in query.items()}
        if rest == "/customers" and method == "GET":
            return self._list(params.get("externalId"), params.get("customerId"))
        head, _, segment = rest.rpartition("/")
        # /customers/lookup is Trustly's Network Check API, not a customer id: not ours.
        if head == "/customers" and segment and segment != "lookup" and method in ("GET", "POST"):
            customer_id = unquote(segment)
            if method == "GET":
                found = self._store.get(customer_id)
                if found is None:
                    return self._not_found(customer_id)
                return Reply.json(200, {"customer": found})
            return self._with_object(body, lambda patch: self._update(customer_id, patch))
        if rest == "/customers" and method == "POST":
            return self._with_object(
                body, lambda data: self._upsert(data, params.get("externalId"))
            )
        return self._unknown(method, path)

    def _with_object(self, body: tuple[Any] | None, then: Callable[[JSON], Reply]) -> Reply:
        if body is None:
            return self._invalid(
                [(None, "the request body must be a JSON object (it is missing or not JSON)")]
            )
        if not isinstance(body[0], dict):
            return self._invalid([(None, "the request body must be a JSON object")])
        return then(body[0])

    def _list(self, external_id: str | None, customer_id: str | None) -> Reply:
        return Reply.json(200, {"customers": self._store.matching(external_id, customer_id)})

    def _update(self, customer_id: str, patch: JSON) -> Reply:
        stored, problems = self._store.update(customer_id, patch)
        if problems:
            return self._invalid(problems)
        if stored is None:
            return self._not_found(customer_id)
        return Reply.json(200, {"customer": stored})

    def _upsert(self, data: JSON, query_external_id: str | None) -> Reply:
        stored, problems = self._store.upsert(data, query_external_id)
        if problems:
            return self._invalid(problems)
        return Reply.json(200, {"customer": stored})

    def _unknown(self, method: str, path: str) -> Reply:
        return self._error(404, NOT_FOUND, 404, f"No such endpoint: {method} {path}")

    def _authorized(self, header: str | None) -> bool:
        if (credentials := basic_credentials(header)) is None:
            return False
        user, password = credentials
        # Both comparisons always run: constant time, like a real server should be.
        same_user = hmac.compare_digest(user.encode(), self.access_id.encode())
        same_key = hmac.compare_digest(password.encode(), self.access_key.encode())
        return same_user and same_key


@contextmanager
def serve(
    port: int = 0,
    latency_ms: float = 0.0,
    fail_rate: float = 0.0,
    seed: int | str = 0,
    **options: Any,
) -> Iterator[Emulator]:
    """Run an emulator on a background thread for the ``with`` block, then stop it.

    The arguments are :class:`Emulator`'s (``options``: ``access_id``, ``access_key``,
    ``retry_after``, ``clock``, ``now_ms``, ``customers``, ``faults``). Leaving the block
    stops the server and closes its open keep-alive connections.

    Example:
        >>> with serve(latency_ms=20, fail_rate=0.1, seed=7) as emu:
        ...     print(emu.base_url)                      # doctest: +ELLIPSIS
        http://127.0.0.1:.../api/v1
    """
    with Emulator(
        port=port, latency_ms=latency_ms, fail_rate=fail_rate, seed=seed, **options
    ) as emulator:
        yield emulator
