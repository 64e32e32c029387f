"""Cassettes never go stale: re-record every notebook and compare with the shipped cassettes.

:func:`check_cassettes` runs each notebook in ``record`` mode against the local emulator on
its fixed clock (no credentials, the network blocked in the kernel), into a temporary
folder, and compares the interactions with the shipped cassette's. The header comment and
the trustly_nb version inside the emulator's ``Server`` header are not differences. A
cassette recorded against anything but the emulator (the real sandbox) cannot be
re-made here: it is reported and skipped. ``make check-cassettes`` and ``make test`` run
it, and so does the ``trustly-nb check-cassettes`` command. The notebooks are those of
``notebooks/`` and ``apps/`` (see :mod:`trustly_nb.recording.notebooks`).

Example:
    >>> from trustly_nb.recording import check_cassettes
    >>> for check in check_cassettes():
    ...     print(check)
    fresh    01-quickstart: 8 interactions, as shipped
    ...
    >>> problems = [check for check in check_cassettes() if not check.ok]
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import ConfigurationError
from ._connect import cassette_dir
from ._miss import shown

__all__ = ["CassetteCheck", "check_cassettes"]

Status = Literal["fresh", "stale", "skipped", "missing", "failed"]
_EMULATOR = re.compile(r"trustly_nb-emulator/\S+")
# What the kernel must not inherit: a re-recording is always against the emulator.
_DROPPED = ("TRUSTLY_ACCESS_ID", "TRUSTLY_ACCESS_KEY", "TRUSTLY_ENVIRONMENT", "TRUSTLY_NB_STRICT")


@dataclass(frozen=True)
class CassetteCheck:
    """The verdict on one notebook's cassette.

    Attributes:
        notebook: the notebook's name, e.g. ``"01-quickstart"``.
        status: ``fresh`` (as shipped), ``stale`` (re-recording differs), ``skipped``
            (recorded against the real sandbox: not re-made here), ``missing`` (no shipped
            cassette) or ``failed`` (the notebook did not run).
        detail: what differs (the first differing interaction), or why it was skipped.
    """

    notebook: str
    status: Status
    detail: str

    @property
    def ok(self) -> bool:
        """Whether this is no problem (``fresh``, or ``skipped`` and reported)."""
        return self.status in ("fresh", "skipped")

    def __str__(self) -> str:
        return f"{self.status:<8} {self.notebook}: {self.detail}"


def check_cassettes(
    names: Iterable[str] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    cassettes_dir: str | os.PathLike[str] | None = None,
    timeout: int = 300,
) -> list[CassetteCheck]:
    """Re-record every notebook against the emulator and compare with its shipped cassette.

    Args:
        names: notebook names or prefixes (``"01-quickstart"``); ``None`` means all.
        root: a tutorial folder holding ``notebooks/``, ``apps/`` and ``cassettes/``
            (default: the one around the cassettes folder :func:`cassette_dir` finds).
        notebooks_dir: check the notebooks of this folder instead of ``root``'s.
        cassettes_dir: the shipped cassettes (default: ``root/cassettes``).
        timeout: seconds each cell may take.

    Returns:
        One :class:`CassetteCheck` per notebook, in name order; the problems are those
        that are not ``ok`` (print them; exit 1 when there are any).

    Raises:
        ConfigurationError: no notebooks found, or nbclient is not installed.

    Example:
        >>> stale = [c for c in check_cassettes(["01-quickstart"]) if not c.ok]
    """
    from .notebooks import find_notebooks

    base = Path(root) if root is not None else None
    if base is None:
        base = Path(cassettes_dir).parent if cassettes_dir is not None else cassette_dir().parent
    shipped_dir = Path(cassettes_dir) if cassettes_dir is not None else base / "cassettes"
    wanted = [name.removesuffix(".ipynb") for name in names or ()]
    if notebooks_dir is not None:
        paths = sorted(Path(notebooks_dir).glob("*.ipynb"))
        paths = [p for p in paths if not wanted or any(p.stem.startswith(w) for w in wanted)]
    else:
        paths = find_notebooks(base, wanted)
    if not paths:
        raise ConfigurationError(f"No notebooks to check in {notebooks_dir or base} ({names}).")
    checks = []
    with tempfile.TemporaryDirectory(prefix="trustly-nb-check-") as scratch:
        for path in paths:
            checks.append(_check_one(path, shipped_dir, Path(scratch), timeout))
    return checks


def _check_one(notebook: Path, shipped_dir: Path, scratch: Path, timeout: int) -> CassetteCheck:
    name = notebook.stem
    shipped_path = shipped_dir / f"{name}.yaml"
    if not shipped_path.exists():
        return CassetteCheck(name, "missing", f"no {shipped_path}; record it with `make record`")
    shipped = _interactions(shipped_path)
    servers = sorted({s for item in shipped for s in _servers(item)})
    if not any(_EMULATOR.search(server) for server in servers):
        against = ", ".join(servers) or "a server without a Server header"
        return CassetteCheck(
            name, "skipped", f"recorded against {against}, not the emulator: not re-made here"
        )
    try:
        _record(notebook, scratch, timeout)
    except Exception as exc:  # a notebook that does not run is a finding, not a crash
        first = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
        return CassetteCheck(name, "failed", f"the notebook did not run: {first[0]}")
    made = scratch / f"{name}.yaml"
    if not made.exists():
        return CassetteCheck(name, "failed", "the notebook ran but recorded no cassette")
    difference = _first_difference(shipped, _interactions(made))
    if difference is None:
        return CassetteCheck(name, "fresh", f"{len(shipped)} interactions, as shipped")
    return CassetteCheck(name, "stale", f"{difference}; re-record it with `make record`")


def _record(notebook: Path, scratch: Path, timeout: int) -> None:
    from .notebooks import run_notebook

    # Always the emulator (no credentials), offline but for loopback, never strict.
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env["TRUSTLY_NB_BLOCK_NETWORK"] = "1"
    run_notebook(notebook, mode="record", cassettes=scratch, timeout=timeout, env=env)


def _interactions(path: Path) -> list[Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [_normalized(item) for item in data.get("interactions") or []]


def _normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    if isinstance(value, str):
        return _EMULATOR.sub("trustly_nb-emulator/<version>", value)
    return value


def _servers(item: Any) -> list[str]:
    headers = (item.get("response") or {}).get("headers") or {}
    return [str(v) for k, vs in headers.items() if k.lower() == "server" for v in vs or []]


def _label(item: Any) -> str:
    request = item.get("request") or {}
    status = ((item.get("response") or {}).get("status") or {}).get("code")
    return f"{request.get('method')} {request.get('uri')} → {status}"


def _first_difference(shipped: list[Any], made: list[Any]) -> str | None:
    for index, (old, new) in enumerate(zip(shipped, made, strict=False)):
        if old != new:
            where, was, now = _where(old, new, "")
            field = where.rsplit(".", 1)[-1]
            return (
                f"interaction {index + 1} differs at {where or 'the top'}: shipped "
                f"{_label(old)} has {shown(field, was)}, the re-recording "
                f"{_label(new)} has {shown(field, now)}"
            )
    if len(shipped) == len(made):
        return None
    longer, which = (made, "the re-recording") if len(made) > len(shipped) else (shipped, "shipped")
    index = min(len(shipped), len(made))
    return (
        f"shipped has {len(shipped)} interactions, the re-recording {len(made)}; interaction "
        f"{index + 1} is only in {which}: {_label(longer[index])}"
    )


_GONE = "(absent)"


def _where(old: Any, new: Any, path: str) -> tuple[str, Any, Any]:
    """The dotted path of the first difference, and the two values there."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(dict.fromkeys([*old, *new])):
            if old.get(key, _GONE) != new.get(key, _GONE):
                return _where(old.get(key, _GONE), new.get(key, _GONE), f"{path}.{key}")
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _where(a, b, f"{path}[{index}]")
    return path.lstrip("."), old, new
