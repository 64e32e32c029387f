"""What reaches the wire: the client's requests are the ones ``requests.Session.request``
would send, built without its generic per-request merges (client/_prepare.py).

A loopback server records each request's line, headers and body; the same call made through
a plain ``Session.request`` on an identically configured session is the reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import trustly_nb as tnb

from ..recording_server import RecordingServer, serving


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    with serving() as server:
        yield server


def _configured(session: requests.Session) -> requests.Session:
    session.headers["X-Trace"] = "notebook-7"
    session.headers["X-Unset"] = None  # merge_setting drops it: never sent
    session.cookies.set("lb", "node-3")
    return session


def test_requests_are_the_ones_session_request_would_send(recorder):
    """Same request line, headers (session headers, Basic auth, cookies; in the same order)
    and body bytes as ``requests.Session.request`` sends for the same call."""
    with tnb.Client("id", "key", base_url=recorder.base_url,
                    session=_configured(requests.Session())) as client:  # fmt: skip
        client.get_customer("42")
        client.update_customer("42", email="new@example.com")
        client.list_customers(external_id="ext 1", progress=False)
    ours, recorder.seen = recorder.seen, []
    posted = json.loads(ours[2]["body"])
    root = recorder.base_url
    with _configured(requests.Session()) as plain:
        plain.auth = ("id", "key")
        plain.headers.update({"Accept": "application/json",
                              "User-Agent": f"trustly_nb/{tnb.__version__}"})  # fmt: skip
        for _ in range(2):
            plain.request("GET", f"{root}/customers/42", timeout=30)
        plain.request("POST", f"{root}/customers/42", json=posted, timeout=30)
        plain.request("GET", f"{root}/customers", params={"externalId": "ext 1"}, timeout=30)
    assert posted["email"] == "new@example.com"
    assert [r["line"] for r in ours] == [r["line"] for r in recorder.seen]
    assert [r["headers"] for r in ours] == [r["headers"] for r in recorder.seen]
    assert [r["order"] for r in ours] == [r["order"] for r in recorder.seen]
    assert [r["body"] for r in ours] == [r["body"] for r in recorder.seen]


def test_session_params_and_response_hooks_still_apply(recorder):
    """Params set on the session are merged into the query; its response hooks run."""
    session = requests.Session()
    session.params = {"tenant": "t1"}
    answered: list[int] = []
    session.hooks["response"].append(
        lambda response, **kwargs: answered.append(response.status_code)
    )
    with tnb.Client("id", "key", base_url=recorder.base_url, session=session) as client:
        client.get_customer("42")
        client.list_customers(external_id="e", progress=False)
    assert [r["line"].split()[1] for r in recorder.seen] == [
        "/api/v1/customers/42?tenant=t1",
        "/api/v1/customers?tenant=t1&externalId=e",
    ]
    assert answered == [200, 200]


def test_a_cookie_the_server_sets_is_sent_back(recorder):
    """The session keeps a cookie from an answer and sends it with the next request."""
    recorder.set_cookie = "AWSALB=abc; Path=/"
    with tnb.Client("id", "key", base_url=recorder.base_url) as client:
        client.get_customer("42")
        recorder.set_cookie = None
        client.get_customer("42")
    assert "Cookie" not in recorder.seen[0]["headers"]
    assert recorder.seen[1]["headers"]["Cookie"] == "AWSALB=abc"


def test_session_headers_changed_between_requests_are_sent_as_changed(recorder):
    """A header changed, added or removed on the session after a request is sent that way by
    the next one (the checked headers are remembered per set of names and values)."""
    session = requests.Session()
    with tnb.Client("id", "key", base_url=recorder.base_url, session=session) as client:
        client.get_customer("42")
        session.headers["X-Trace"] = "a"
        client.get_customer("42")
        session.headers["X-Trace"] = "b"
        client.get_customer("42")
        del session.headers["X-Trace"]
        client.get_customer("42")
    assert [r["headers"].get("X-Trace") for r in recorder.seen] == [None, "a", "b", None]


def test_a_session_that_makes_requests_its_own_way_is_used_as_it_is(recorder):
    """A session class overriding ``request`` gets every request through it."""

    class Counting(requests.Session):
        calls = 0

        def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            Counting.calls += 1
            return super().request(*args, **kwargs)

    with tnb.Client("id", "key", base_url=recorder.base_url, session=Counting()) as client:
        client.get_customer("42")
        client.update_customer("42", email="new@example.com")
    assert Counting.calls == 3  # get; get → post
    assert [r["line"].split()[0] for r in recorder.seen] == ["GET", "GET", "POST"]
