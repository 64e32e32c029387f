"""Run the tutorial's notebooks and apps headless: ``make demo``, ``make record``,
``trustly-nb record``.

Each notebook runs in a fresh Jupyter kernel started from its own folder, with the mode
and the cassettes folder passed to the kernel in its environment (a kernel is a separate
process: nothing set in this one reaches it otherwise). Recording talks to the Trustly
sandbox when ``TRUSTLY_ACCESS_ID`` and ``TRUSTLY_ACCESS_KEY`` are set, and to the local
emulator otherwise. Notebooks stay without outputs on disk: executed copies go to ``out``.

Needs the ``[notebooks]`` extra (nbclient, nbformat, ipykernel).

Example:
    >>> from trustly_nb.recording import notebooks
    >>> notebooks.run_all(Path("."), mode="replay", out=Path("build"))   # doctest: +SKIP
    ok     01-quickstart.ipynb (replay, 6.1 s)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigurationError

__all__ = ["FOLDERS", "find_notebooks", "kernel_environment", "main", "run_all", "run_notebook"]

FOLDERS = ("notebooks", "apps")
"""Where a tutorial keeps what runs in a kernel: the notebooks, then the apps."""

INSTALL_HINT = "pip install 'trustly-nb[notebooks]'"


def find_notebooks(root: Path, names: Sequence[str] = ()) -> list[Path]:
    """Every ``*.ipynb`` in ``root/notebooks`` and ``root/apps``, sorted; ``names`` filter
    by prefix (``"01"`` picks ``01-quickstart.ipynb``).

    Example:
        >>> [p.name for p in find_notebooks(Path("."), ["fix"])]        # doctest: +SKIP
        ['fix-a-customer.ipynb']
    """
    paths = [p for folder in FOLDERS for p in sorted((root / folder).glob("*.ipynb"))]
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    return paths


def kernel_environment(
    mode: str, cassettes: Path, *, strict: bool = False, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment a notebook's kernel starts with for ``mode``.

    Example:
        >>> kernel_environment("replay", Path("cassettes"))["TRUSTLY_NB_BLOCK_NETWORK"]
        '1'
    """
    env = dict(os.environ if base is None else base)
    env.update(TRUSTLY_NB_MODE=mode, TRUSTLY_NB_CASSETTES=str(cassettes), MPLBACKEND="agg")
    if mode == "replay":
        env["TRUSTLY_NB_BLOCK_NETWORK"] = "1"
    if strict:
        env["TRUSTLY_NB_STRICT"] = "1"
    return env


def run_notebook(
    path: Path,
    *,
    mode: str,
    cassettes: Path,
    strict: bool = False,
    timeout: int = 300,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Execute one notebook in a fresh kernel from its own folder; returns the executed copy.

    Args:
        path: the ``.ipynb`` file.
        mode: ``replay``, ``record``, ``emulator`` or ``live`` (see ``connect()``).
        cassettes: the folder of cassettes the kernel reads (and, recording, writes).
        strict: a request the cassette lacks is an error (``TRUSTLY_NB_STRICT=1``).
        timeout: seconds a single cell may take.
        env: the kernel's environment before the mode is added (default: this process's).

    Raises:
        nbclient.exceptions.CellExecutionError: a cell failed.
        ConfigurationError: nbclient/nbformat are not installed.
    """
    nbformat, notebook_client = _nbclient()
    notebook = nbformat.read(path, as_version=4)
    kernel_env = kernel_environment(mode, cassettes, strict=strict, base=env)
    notebook_client(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute(env=kernel_env)  # nbclient starts it in resources["metadata"]["path"]
    return notebook


def run_all(
    root: Path,
    *,
    mode: str,
    names: Sequence[str] = (),
    out: Path | None = None,
    strict: bool = False,
    stream: IO[str] | None = None,
) -> int:
    """Run every notebook and app of the tutorial at ``root``; 0 when all passed, else 1.

    Prints one line per notebook (``ok`` or ``FAILED`` with the first line of the error).
    Executed copies go to ``out`` when given.
    """
    nbformat, _ = _nbclient()  # a missing extra is said plainly, before anything runs
    from nbclient.exceptions import CellExecutionError

    stream = stream or sys.stdout
    paths = find_notebooks(root, names)
    if not paths:
        print(f"No notebooks found in {root}/notebooks or {root}/apps.", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        started = time.perf_counter()
        cassette = root / "cassettes" / f"{path.stem}.yaml"
        before = cassette.read_text(encoding="utf-8") if cassette.is_file() else None
        try:
            executed = run_notebook(path, mode=mode, cassettes=root / "cassettes", strict=strict)
        except CellExecutionError as exc:
            failed += 1
            first = str(exc).splitlines()[0] if str(exc) else repr(exc)
            print(f"FAILED {path.name}: {first}", file=sys.stderr)
            continue
        if mode == "record" and before is not None and _same_interactions(before, cassette):
            # Only the header's date changed: keep the file, so re-recording is repeatable.
            cassette.write_text(before, encoding="utf-8")
        print(f"ok     {path.name} ({mode}, {time.perf_counter() - started:.1f} s)", file=stream)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            nbformat.write(executed, out / path.name)
    if out is not None and not failed:
        print(f"Executed copies are in {out}/", file=stream)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None, *, root: Path | None = None) -> int:
    """``scripts/run_notebooks.py``: ``--out build`` (replay) or ``--record``, then names."""
    parser = argparse.ArgumentParser(
        prog="run_notebooks.py", description="Run the tutorial's notebooks and apps headless."
    )
    parser.add_argument("--record", action="store_true", help="re-record every cassette")
    parser.add_argument("--out", type=Path, help="write executed copies here (replay mode)")
    parser.add_argument("--strict", action="store_true", help="a replay miss is an error")
    parser.add_argument("names", nargs="*", help="notebook names or prefixes (default: all)")
    args = parser.parse_args(argv)
    mode = "record" if args.record else os.environ.get("TRUSTLY_NB_MODE", "replay")
    if args.record:
        print(f"Recording against {recording_target()}.")
    return run_all(
        (root or Path.cwd()).resolve(),
        mode=mode,
        names=args.names,
        out=args.out,
        strict=args.strict,
    )


def _same_interactions(before: str, cassette: Path) -> bool:
    """Whether the new recording differs from ``before`` only in its header comment."""

    def body(text: str) -> str:
        return "".join(line for line in text.splitlines(True) if not line.startswith("#"))

    return body(before) == body(cassette.read_text(encoding="utf-8"))


def recording_target() -> str:
    """What ``record`` mode talks to here: the Trustly sandbox with credentials, else the
    local emulator."""
    has_keys = os.environ.get("TRUSTLY_ACCESS_ID") and os.environ.get("TRUSTLY_ACCESS_KEY")
    return "the Trustly sandbox" if has_keys else "the local emulator"


def _nbclient() -> tuple[Any, Any]:
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as exc:
        raise ConfigurationError(
            f"Running notebooks needs nbclient and nbformat ({exc.name} is missing): {INSTALL_HINT}"
        ) from exc
    return nbformat, NotebookClient
