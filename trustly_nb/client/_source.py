"""What answered a request: the cassette, the local emulator, the sandbox, production, or a URL.

A transport adapter that knows better (the replay layer) tags each response with
:data:`SOURCE_ATTRIBUTE`; otherwise the emulator is told by its ``Server`` header, and
anything else by the environment the client was built for.
"""

from __future__ import annotations

import requests

__all__ = ["SOURCE_ATTRIBUTE", "adapter_source", "client_repr", "response_source"]

SOURCE_ATTRIBUTE = "trustly_nb_source"
"""The attribute an adapter sets on a ``requests.Response`` to say what answered it."""

_EMULATOR_SERVER = "trustly_nb-emulator"


def response_source(response: requests.Response, environment: str, base_url: str) -> str:
    """What answered ``response``: the adapter's tag, else the emulator's header, else where."""
    tagged = getattr(response, SOURCE_ATTRIBUTE, None)
    if isinstance(tagged, str):
        return tagged
    if response.headers.get("Server", "").startswith(_EMULATOR_SERVER):
        return "emulator"
    return environment if environment in ("sandbox", "production") else base_url


def adapter_source(session: requests.Session, environment: str, base_url: str) -> str:
    """What will answer before any request was made: the adapter's word, else where."""
    said = getattr(session.get_adapter(base_url), "source", None)
    if isinstance(said, str):
        return said
    return environment if environment in ("sandbox", "production") else base_url


def client_repr(session: requests.Session, environment: str, base_url: str) -> str:
    """A client's repr: what it talks to (a replay adapter knows better than base_url)."""
    describe = getattr(session.get_adapter(base_url), "describe", None)
    if callable(describe):
        return f"<trustly_nb.Client {describe()}>"
    return f"<trustly_nb.Client environment={environment!r} base_url={base_url!r}>"
