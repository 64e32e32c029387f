"""The Customers API client: one session, Basic auth, careful retries, typed errors.

Every request goes through one loop (client/_sender.py): the timeout is always passed,
retries follow one policy table, and error responses become :mod:`trustly_nb.errors`
classes right there, so nothing downstream handles raw responses.

Example:
    >>> client = Client.from_env()                   # TRUSTLY_ACCESS_ID / _KEY / _ENVIRONMENT
    >>> customer = client.get_customer("1001165729")
    >>> client.preview_update("1001165729", email="new@example.com")
    >>> client.update_customer("1001165729", email="new@example.com")
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter

from ..changes import UpdatePlan, merge, normalize_changes
from ..errors import ConfigurationError, ConflictError, ValidationError
from ..models import Customer, validate_payload
from ..version import __version__
from ._customers import get_customers
from ._pool import Pool
from ._responses import customer_from, payload_of
from ._sender import Environment, send
from ._source import adapter_source, client_repr
from ._transport import Retry
from ._urls import ENVIRONMENTS, checked_base_url, environment_of, escape_id

if TYPE_CHECKING:
    from os import PathLike

    import pandas as pd

    from ..widgets import CustomerForm, CustomerGrid

__all__ = ["ENVIRONMENTS", "Client"]


class Client:
    """A client for the Trustly North America Customers API.

    Args:
        access_id: the merchant's accessId (the Basic-auth user).
        access_key: the merchant's accessKey (the Basic-auth password). Never shown in a
            repr, a log line or an error.
        environment: ``"sandbox"`` (the default) or ``"production"``; production is only
            reached when named here. Ignored when ``base_url`` is given.
        base_url: a different API root, e.g. the local emulator's
            ``http://127.0.0.1:8787/api/v1``. Plain ``http://`` only for loopback.
        timeout: seconds to wait for a connection and for each read.
        max_retries: retries (not attempts) for failures that are safe to retry.
        session: a ``requests.Session`` to use instead of a new one.
        backoff: the first retry's delay in seconds; it doubles each time (with jitter).
        retry_after_cap: the longest ``Retry-After`` honoured, in seconds.
        pool_size: connections kept per host; at least the number of threads using it.

    The environment's proxy, no-proxy and CA-bundle settings (``HTTPS_PROXY``,
    ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``, ...) are read once, when the client is made, not
    on every request: after changing them, make a new client.

    Example:
        >>> client = Client("my-access-id", "my-access-key")      # the sandbox
        >>> client
        <trustly_nb.Client environment='sandbox' base_url='https://sandbox.trustly.one/api/v1'>
    """

    def __init__(
        self,
        access_id: str,
        access_key: str,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        session: requests.Session | None = None,
        backoff: float = 0.5,
        retry_after_cap: float = 30.0,
        pool_size: int = 16,
    ) -> None:
        for name, value in (("access_id", access_id), ("access_key", access_key)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"{name} must be a non-empty string.")
        if base_url is None:
            environment = environment or "sandbox"
            if environment not in ENVIRONMENTS:
                raise ConfigurationError(
                    f"environment must be one of {sorted(ENVIRONMENTS)}, got {environment!r}."
                )
            base_url = ENVIRONMENTS[environment]
        else:
            environment = environment or environment_of(base_url)
        self.environment: str = environment
        self.base_url: str = checked_base_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.retry_after_cap = retry_after_cap
        self.access_id = access_id
        self._session = session or requests.Session()
        self._session.auth = (access_id, access_key)
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": f"trustly_nb/{__version__}"}
        )
        self.concurrency_limit: int | None = None
        """The most threads bulk work may use (1 while recording a cassette)."""
        self.stop_grace_seconds: float = 5.0
        """How long a stopped bulk batch waits for the POSTs already in flight."""
        self._pool = Pool(self._session, pool_size)
        self._last_source: str | None = None
        self._environment = Environment.read(self._session, self.base_url)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Client:
        """A client from ``TRUSTLY_ACCESS_ID``, ``TRUSTLY_ACCESS_KEY``, ``TRUSTLY_ENVIRONMENT``.

        ``TRUSTLY_ENVIRONMENT`` defaults to ``sandbox``. Keyword arguments are passed on.

        Raises:
            ConfigurationError: naming every missing variable.
        """
        names = ("TRUSTLY_ACCESS_ID", "TRUSTLY_ACCESS_KEY")
        missing = [name for name in names if not os.environ.get(name, "").strip()]
        if missing:
            raise ConfigurationError(
                f"Missing environment variable(s): {', '.join(missing)}. Set them to your "
                "Trustly accessId and accessKey, or use tnb.connect() to replay a cassette "
                "or run the local emulator without credentials."
            )
        kwargs.setdefault("environment", os.environ.get("TRUSTLY_ENVIRONMENT") or "sandbox")
        return cls(os.environ["TRUSTLY_ACCESS_ID"], os.environ["TRUSTLY_ACCESS_KEY"], **kwargs)

    def __repr__(self) -> str:
        return client_repr(self._session, self.environment, self.base_url)

    @property
    def source(self) -> str:
        """What answered the last request (before any: what will answer).

        Example:
            >>> client.source  # "cassette", "emulator", "sandbox", "production" or a URL
            'cassette'
        """
        return self._last_source or adapter_source(self._session, self.environment, self.base_url)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session's pooled connections."""
        self._session.close()

    def ensure_pool(self, size: int) -> None:
        """Keep at least ``size`` pooled connections per host (one per worker thread)."""
        self._pool.ensure(size)

    def use_adapter_class(self, adapter_class: type[HTTPAdapter]) -> None:
        """Send through a ``requests`` adapter subclass (the cassette layer uses this)."""
        self._pool.use_adapter_class(adapter_class)

    def get_customer(self, customer_id: str | int) -> Customer:
        """Get one customer by its Trustly ``customerId``.

        Raises:
            NotFoundError: no customer has that id.

        Example:
            >>> client.get_customer("1001165729").email
            'ada.lovelace@example.com'
        """
        return self._get_customer(customer_id)

    def _get_customer(
        self, customer_id: str | int, cancel: threading.Event | None = None
    ) -> Customer:
        path = f"/customers/{escape_id(customer_id)}"
        body = self._request("GET", path, retry=Retry.IDEMPOTENT, cancel=cancel)
        return customer_from(body, "GET", path)

    def list_customers(
        self,
        external_id: str | None = None,
        customer_id: str | None = None,
        *,
        progress: bool = True,
    ) -> list[Customer]:
        """All customers, or those matching ``external_id`` / ``customer_id`` (no paging).

        For a table of many customers, :meth:`customers_frame` is faster still (no model
        per customer). A big answer shows a progress bar; ``progress=False`` hides it.

        Example:
            >>> [c.customer_id for c in client.list_customers(external_id="ext-1001")]
            ['1001165729']
        """
        return get_customers(self, external_id, customer_id, progress=progress)

    def customers_frame(
        self,
        external_id: str | None = None,
        customer_id: str | None = None,
        *,
        mask: bool = True,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Get Customers straight into a frame, as ``customers_to_frame(list_customers())``
        gives it, from the answer's bytes with no model per customer (about 3x faster and
        with less memory at 100k customers; see :func:`trustly_nb.frames.customers_frame`).

        Example:
            >>> client.customers_frame().loc["1001165729", "address.city"]
            'Austin'
        """
        from ..frames import customers_frame

        return customers_frame(self, external_id, customer_id, mask=mask, progress=progress)

    def create_customer(
        self, customer: Customer | Mapping[str, Any], external_id: str | None = None
    ) -> Customer:
        """Create a customer, or update the one with the same ``customerId``/``externalId``.

        The documented upsert: a field set to ``None`` (or ``CLEAR``) is sent as ``null``
        and removes it from an existing customer. Without an ``externalId`` (argument or
        field) a failed create is never retried, since a retry could create a duplicate.

        Raises:
            ValidationError: the customer breaks the spec's constraints; nothing was sent.
        """
        payload = payload_of(customer)
        params = {"externalId": external_id} if external_id is not None else None
        has_key = external_id is not None or bool(payload.get("externalId"))
        retry = Retry.SAFE_POST if has_key else Retry.NEVER
        body = self._request("POST", "/customers", params=params, json=payload, retry=retry)
        return customer_from(body, "POST", "/customers")

    def update_customer(
        self,
        customer_id: str | int,
        customer: Customer | Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> Customer:
        """Update a customer by id.

        With ``customer``: post it as is (validated). With keyword changes: get the
        customer, merge the changes, validate the whole object and post it back, as
        Trustly's documentation describes. Masked values (``#####6790``) read from the
        API are never written back. When nothing would change, nothing is sent.

        Args:
            customer_id: the customer's Trustly id.
            customer: a whole customer to post as is.
            **changes: camelCase or snake_case fields; dicts for nested objects are merged
                into the current ones; ``None`` or ``CLEAR`` removes a field.

        Example:
            >>> client.update_customer("1001165729", email="ada@example.org")
            >>> client.update_customer("1001165729", **{"address.city": "Austin"})
        """
        if customer is not None and changes:
            raise ValidationError(
                [("customer", "give either a whole customer or keyword changes, not both")]
            )
        if customer is not None:
            path = f"/customers/{escape_id(customer_id)}"
            body = self._request("POST", path, json=payload_of(customer), retry=Retry.SAFE_POST)
            return customer_from(body, "POST", path)
        if not changes:
            raise ValidationError(
                [("changes", "nothing to update")],
                hint="Pass the fields to change: update_customer(id, email='new@example.com').",
            )
        plan = self.plan_update(customer_id, changes)
        return self.send_update(plan) if plan.changed else plan.before

    def plan_update(
        self,
        customer_id: str | int,
        changes: Mapping[str, Any],
        *,
        read_updated_at: int | None = None,
        force: bool = False,
        cancel: threading.Event | None = None,
    ) -> UpdatePlan:
        """Read the customer fresh and build the object an update would post. Sends no write.

        Args:
            customer_id: the customer's Trustly id.
            changes: the change set (names as in :meth:`update_customer`).
            read_updated_at: the ``updatedAt`` (epoch ms) seen when the caller read the
                customer; a newer one now means someone else changed it.
            force: overwrite even if the customer changed since it was read.
            cancel: once set, no retry is started (bulk work sets it when it stops).

        Raises:
            ConflictError: the customer changed since ``read_updated_at`` (and not ``force``).
            ValidationError: the merged customer breaks the spec's constraints.
        """
        before = self._get_customer(customer_id, cancel)
        current = before.model_dump(by_alias=True, exclude_none=True)
        stamp = before.updated_at
        stale = read_updated_at is not None and stamp is not None and stamp > read_updated_at
        if stale and not force:
            raise ConflictError(str(customer_id), read_updated_at, stamp)
        payload, changed = merge(current, normalize_changes(changes, current))
        validate_payload(payload)
        return UpdatePlan(str(customer_id), before, payload, changed)

    def send_update(self, plan: UpdatePlan, *, cancel: threading.Event | None = None) -> Customer:
        """Post a planned update (see :meth:`plan_update`) and return the updated customer.

        Args:
            plan: what :meth:`plan_update` built.
            cancel: once set, no retry is started.
        """
        path = f"/customers/{escape_id(plan.customer_id)}"
        body = self._request("POST", path, json=plan.payload, retry=Retry.SAFE_POST, cancel=cancel)
        return customer_from(body, "POST", path)

    def preview_update(self, customer_id: str | int, **changes: Any) -> pd.DataFrame:
        """What :meth:`update_customer` would change, as ``field, before, after``. Sends nothing.

        Example:
            >>> client.preview_update("1001165729", email="ada@example.org")
        """
        from ..frames import diff_customers

        plan = self.plan_update(customer_id, changes)
        return diff_customers(plan.before, plan.after)

    def form(self, customer_id: str | int) -> CustomerForm:
        """An ipywidgets form to edit one customer (see :class:`trustly_nb.CustomerForm`)."""
        from ..widgets import CustomerForm

        return CustomerForm(self, customer_id)

    def grid(self, frame: pd.DataFrame | None = None, **options: Any) -> CustomerGrid:
        """An editable grid of many customers (see :class:`trustly_nb.CustomerGrid`)."""
        from ..widgets import CustomerGrid

        return CustomerGrid(self, frame, **options)

    def update_many(self, changes: Any, **options: Any) -> pd.DataFrame:
        """Update many customers concurrently (see :func:`trustly_nb.bulk.update_many`)."""
        from ..bulk import update_many

        return update_many(self, changes, **options)

    def revert(self, journal_path: str | PathLike[str], **options: Any) -> pd.DataFrame:
        """Put back the before-values recorded in a bulk update's journal.

        Options are :func:`trustly_nb.bulk.revert`'s (``max_workers``, ``progress``, ...).
        """
        from ..bulk import revert

        return revert(self, journal_path, **options)

    # --- the one place requests are made (client/_sender.py) ------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        retry: Retry,
        cancel: threading.Event | None = None,
    ) -> Any:
        return send(self, method, path, params=params, json=json, retry=retry, cancel=cancel)
