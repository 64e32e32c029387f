"""A socket guard for offline runs: only loopback connections are allowed.

pytest's network blockers do not reach a Jupyter kernel (a separate process), so
``connect()`` installs this guard in the kernel itself when ``TRUSTLY_NB_BLOCK_NETWORK=1``:
any attempt to reach a non-loopback address raises instead of leaving the machine.
"""

from __future__ import annotations

import socket
from typing import Any

from ..client import is_loopback

__all__ = ["NetworkBlockedError", "block_non_loopback"]

_installed = False


class NetworkBlockedError(OSError):
    """A connection to a non-loopback address was attempted while the network is blocked."""


def _is_local(host: Any) -> bool:
    # An empty host in a socket address means this machine (INADDR_ANY).
    return host in ("", None) or is_loopback(str(host))


def block_non_loopback() -> None:
    """Refuse every connection and name lookup that would leave this machine (idempotent)."""
    global _installed
    if _installed:
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise NetworkBlockedError(
                f"trustly_nb blocked a connection to {address[0]}: the network is off "
                "(TRUSTLY_NB_BLOCK_NETWORK=1). Replay mode needs no network."
            )

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host.decode() if isinstance(host, bytes) else host):
            raise NetworkBlockedError(
                f"trustly_nb blocked a name lookup of {host!r}: the network is off "
                "(TRUSTLY_NB_BLOCK_NETWORK=1). Replay mode needs no network."
            )
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    _installed = True
