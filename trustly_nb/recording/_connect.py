"""How a notebook runs: modes, cassette files, and ``connect()``.

Every example notebook starts with ``client = tnb.connect(cassette="01-quickstart")``.
The mode decides what that client talks to:

============  ===================================================================
``replay``    the default, always: answers come from ``cassettes/<name>.yaml``; nothing
              reaches the network, and no credentials are needed; a request the
              cassette lacks moves the client to a local emulator seeded with the
              recorded customers (``strict=True``: an error instead)
``live``      the real Trustly *sandbox*, with ``TRUSTLY_ACCESS_ID``/``_KEY``
``record``    live (or the local emulator when there are no credentials), rewriting
              the cassette, scrubbed; bulk work runs on one worker (vcrpy #849)
``emulator``  a local emulator in the background: free exploration, no credentials
============  ===================================================================

Precedence, decided in :func:`resolve_mode` only: the ``mode=`` argument, then the
``TRUSTLY_NB_MODE`` variable, then ``replay``. Credentials never change the mode by
themselves, and ``connect()`` never talks to production.

vcrpy is imported only when a cassette is used (it costs ~130 ms and probes every HTTP
client it supports); everything that touches it sits in one private module of this folder.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal, cast

from ..client import ENVIRONMENTS, Client
from ..errors import CassetteError, ConfigurationError
from . import shipped

__all__ = ["MODES", "Mode", "cassette_dir", "cassette_path", "connect", "disconnect",
           "resolve_mode", "resolve_strict", "use_cassette"]  # fmt: skip

Mode = Literal["replay", "live", "record", "emulator"]
MODES: tuple[Mode, ...] = ("replay", "live", "record", "emulator")
_REPLAY_CREDENTIALS = ("replay-access-id", "replay-access-key")  # never sent anywhere

# The cassette and emulator behind the last connect(), closed when the kernel exits or
# when connect() is called again (re-running a notebook's first cell).
_active = ExitStack()
atexit.register(_active.close)


def resolve_mode(mode: str | None = None) -> Mode:
    """The mode to run in: ``mode`` if given, else ``TRUSTLY_NB_MODE``, else ``replay``.

    Raises:
        ConfigurationError: for anything but the four modes.
    """
    chosen = mode if mode is not None else os.environ.get("TRUSTLY_NB_MODE") or "replay"
    chosen = chosen.strip().lower()
    if chosen not in MODES:
        source = "mode=" if mode is not None else "TRUSTLY_NB_MODE="
        raise ConfigurationError(
            f"{source}{chosen!r} is not a mode; use one of {', '.join(MODES)} "
            "(replay needs nothing; emulator needs nothing; live and record use "
            "TRUSTLY_ACCESS_ID and TRUSTLY_ACCESS_KEY)."
        )
    return chosen  # checked against MODES just above (mypy narrows the literal)


def cassette_dir(name: str | None = None) -> Path:
    """The folder holding cassettes, looked for in this order.

    ``TRUSTLY_NB_CASSETTES`` if set; else the nearest ``cassettes/`` walking up from the
    current directory (notebooks run from ``notebooks/``) that holds ``<name>.yaml`` (any
    ``cassettes/`` when no name is given); else the cassettes shipped with the installed
    package. A ``cassettes/`` without the named file is passed over: users of vcrpy often
    keep one of their own.

    Example:
        >>> tnb.recording.cassette_dir("01-quickstart")      # doctest: +SKIP
        PosixPath('/home/me/trustly-tutorial/cassettes')

    Raises:
        CassetteError: when none of the three exists.
    """
    configured = os.environ.get("TRUSTLY_NB_CASSETTES")
    if configured:
        return Path(configured)
    file = None if name is None else _file_name(name)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "cassettes"
        if candidate.is_dir() and (file is None or (candidate / file).is_file()):
            return candidate
    root = shipped.tutorial_root()
    if root is not None and (root / "cassettes").is_dir():
        return root / "cassettes"
    wanted = "a cassettes/ folder" if file is None else f"a cassettes/ folder holding {file}"
    raise CassetteError(
        f"No {wanted} found in {here} or above it, and this installation ships none. Run "
        "`trustly-nb tutorial` for a copy of the tutorial, set TRUSTLY_NB_CASSETTES to the "
        "folder, or use mode='emulator'."
    )


def cassette_path(name: str) -> Path:
    """The file of the cassette called ``name`` (``<cassette_dir(name)>/<name>.yaml``).

    Example:
        >>> tnb.recording.cassette_path("01-quickstart").name
        '01-quickstart.yaml'
    """
    return cassette_dir(name) / _file_name(name)


def _file_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigurationError(
            f"A cassette name is a plain file name such as '01-quickstart', got {name!r}."
        )
    return f"{name.removesuffix('.yaml')}.yaml"


@contextmanager
def use_cassette(name: str, mode: str | None = None) -> Iterator[Any]:
    """Replay (or record) the HTTP requests made inside the block from a cassette.

    In ``replay`` mode a request the cassette does not hold raises
    :class:`~trustly_nb.CassetteError` naming the cassette, the request and the modes that
    would serve it. In ``record`` mode the cassette is rewritten, scrubbed. In ``live``
    and ``emulator`` modes no cassette is used.

    Example:
        >>> with tnb.use_cassette("01-quickstart"):
        ...     client.get_customer("1001165729")
    """
    resolved = resolve_mode(mode)
    if resolved in ("live", "emulator"):
        yield None
        return
    from . import _vcr

    path = cassette_path(name)
    if resolved == "replay" and not path.exists():
        raise CassetteError(_no_cassette(path))
    with _vcr.cassette(path, record=resolved == "record") as cassette:
        yield cassette


def connect(
    cassette: str, mode: str | None = None, *, strict: bool | None = None, **client_options: Any
) -> Client:
    """The client a notebook uses: what it talks to depends on the mode.

    In ``replay`` mode a request the cassette does not hold moves the client to a local
    emulator seeded with the recorded customers (said once in the output; see
    :attr:`Client.source`), unless ``strict``: then it raises :class:`CassetteError` naming
    the fields that differ from the nearest recorded request. Calling ``connect()`` again
    starts on the recording again.

    Args:
        cassette: the notebook's cassette name, e.g. ``"01-quickstart"``.
        mode: ``replay`` (default), ``live``, ``record`` or ``emulator``; when not given,
            ``TRUSTLY_NB_MODE`` decides.
        strict: replay only what was recorded; when not given, ``TRUSTLY_NB_STRICT=1``
            turns it on (the notebook tests and ``make demo`` run strict).
        **client_options: passed to :class:`~trustly_nb.Client` (``timeout``, ...).

    Example:
        >>> client = tnb.connect(cassette="01-quickstart")                  # replay
        >>> client = tnb.connect(cassette="01-quickstart", strict=True)     # recorded only
        >>> client = tnb.connect(cassette="01-quickstart", mode="emulator")  # free play
    """
    resolved = resolve_mode(mode)
    strict = resolve_strict(strict)
    _active.close()
    if os.environ.get("TRUSTLY_NB_BLOCK_NETWORK") == "1":
        from ._netguard import block_non_loopback

        block_non_loopback()
    if resolved == "replay":
        client, origin = _replay(cassette, strict, client_options), "replay"
    else:
        client, origin = _open(resolved, cassette, client_options)
    _announce(resolved, cassette, origin, strict)
    return client


def resolve_strict(strict: bool | None = None) -> bool:
    """Whether replay is strict: ``strict`` if given, else ``TRUSTLY_NB_STRICT=1`` (or true)."""
    if strict is not None:
        return bool(strict)
    return os.environ.get("TRUSTLY_NB_STRICT", "").strip().lower() in ("1", "true", "yes", "on")


def disconnect() -> None:
    """Close what the last :func:`connect` opened: its cassette and any emulator it started.

    ``connect()`` does this itself before it opens anything, and so does the kernel's
    exit; call it to end a session early (tests do, between cases).
    """
    _active.close()


def _replay(name: str, strict: bool, options: dict[str, Any]) -> Client:
    from . import _vcr
    from ._fallback import Replay, replay_adapter_class

    path = cassette_path(name)
    if not path.exists():
        raise CassetteError(_no_cassette(path))
    # Loopback passes through vcrpy: that is where the fallback's emulator listens.
    recording = _active.enter_context(_vcr.cassette(path, record=False, pass_loopback=True))
    replay = Replay(name, recording, strict=strict, credentials=_REPLAY_CREDENTIALS)
    _active.callback(replay.close)
    client = Client(*_REPLAY_CREDENTIALS, base_url=ENVIRONMENTS["sandbox"], **options)
    client.use_adapter_class(replay_adapter_class(replay))
    return client


def _no_cassette(path: Path) -> str:
    return (
        f"There is no cassette {path.name!r} in {path.parent}. Record it with "
        "`make record`, or run with mode='emulator' (a local emulator, no credentials) "
        "or mode='live' (the Trustly sandbox, with credentials)."
    )


def _open(mode: Mode, name: str, options: dict[str, Any]) -> tuple[Client, str]:
    if mode == "emulator":
        return _start_emulator(options, clock="wall"), "emulator"
    has_credentials = bool(
        os.environ.get("TRUSTLY_ACCESS_ID") or os.environ.get("TRUSTLY_ACCESS_KEY")
    )
    if mode == "live" or has_credentials:
        environment = os.environ.get("TRUSTLY_ENVIRONMENT") or "sandbox"
        if environment != "sandbox":
            raise ConfigurationError(
                f"connect() only talks to the sandbox, but TRUSTLY_ENVIRONMENT={environment!r}. "
                "For production, build tnb.Client(..., environment='production') yourself."
            )
        client = Client.from_env(environment="sandbox", **options)
        origin = "sandbox"
    else:
        # Recording with no credentials: the emulator, on a clock that makes every
        # re-recording produce the same bodies.
        client, origin = _start_emulator(options, clock="fixed"), "emulator"
    if mode == "record":
        _active.enter_context(use_cassette(name, "record"))
        client.concurrency_limit = 1  # vcrpy's recording is not thread-safe (vcrpy #849)
    return client, origin


def _start_emulator(options: dict[str, Any], *, clock: str) -> Client:
    from .. import emulator

    server = _active.enter_context(
        cast(AbstractContextManager[emulator.Emulator], emulator.serve(clock=clock))
    )
    return server.client(**options)


def _announce(mode: Mode, name: str, origin: str, strict: bool = False) -> None:
    if mode == "replay":
        after = (
            "strict: a request that is not in the recording is an error."
            if strict
            else "A request of your own is answered by a local emulator seeded with the "
            "recorded customers."
        )
        note = (
            f"replaying cassettes/{name}.yaml — no network, no credentials. The shipped "
            f"cassettes were recorded against trustly_nb's local emulator, not Trustly. {after}"
        )
    elif mode == "record":
        target = "the Trustly sandbox" if origin == "sandbox" else "the local emulator"
        note = f"recording cassettes/{name}.yaml against {target}"
    elif mode == "live":
        note = "live: the Trustly sandbox"
    else:
        note = "emulator: a local emulator of the Customers API with synthetic data"
    print(f"trustly_nb [{mode}] {note}")
