"""Start JupyterLab or Voila in the foreground, or say plainly what to install."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

INSTALL_HINT = "pip install 'trustly-nb[notebooks]'"


def missing(module: str, what: str) -> str | None:
    """The message to print when ``module`` is not importable here, else ``None``."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{what} is not installed in this environment ({sys.executable}). Run:\n  {INSTALL_HINT}"


def root_flag() -> list[str]:
    """Jupyter refuses to run as root unless told; containers and CI machines often are."""
    return ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []


def run_foreground(command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> int:
    """Run ``command`` until it exits or Ctrl-C; its exit status (0 after Ctrl-C)."""
    try:
        return subprocess.call(list(command), cwd=cwd, env=dict(env))  # noqa: S603 - our argv
    except KeyboardInterrupt:
        print("stopped.")
        return 0


def lab_command(folder: Path, port: int | None) -> list[str]:
    """``python -m jupyterlab`` serving ``folder``."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if port is not None:
        command.append(f"--port={port}")
    return command + root_flag()


def voila_command(notebook: Path, port: int, *, open_browser: bool) -> list[str]:
    """``python -m voila`` serving one notebook on 127.0.0.1 with its code cells hidden."""
    command = [sys.executable, "-m", "voila", str(notebook), f"--port={port}",
               "--Voila.ip=127.0.0.1", "--strip_sources=True"]  # fmt: skip
    if not open_browser:
        command.append("--no-browser")
    return command
