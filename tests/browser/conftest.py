"""Real JupyterLab in real Chromium: a server on loopback and a Playwright page.

Chromium is Debian's (``/usr/bin/chromium``), driven by the Python ``playwright``
package; no browser is ever downloaded (``playwright install`` is never run). Without
Chromium the browser tests skip, except in CI (``CI=true``), where they fail and say
how to install it. JupyterLab runs from a temporary copy of ``notebooks/`` with its own
config, settings and kernelspec, so nothing in the repository or the home directory is
touched, and the kernel is this virtual environment's Python.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# The flags measured to work here: Debian's Chromium headless, as root in a container
# without a GPU, kept off the network (no component updates, sync or first-run fetches).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 120.0  # 2 shared cores: JupyterLab alone takes 20-30 s to start


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: where it listens, its token, and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        """The URL that opens ``name`` in JupyterLab, token included."""
        return f"{self.url}/lab/tree/{name}?token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, or a skip (a failure in CI) that says how to install it."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} is missing: apt-get install chromium "
        "(or run scripts/ensure-chromium.sh; never `playwright install`)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(home: Path, mode: str | None) -> dict[str, str]:
    """Config, data and settings folders for one server; the environment to start it with."""
    kernel = home / "data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    # The kernel must be this venv's Python (with trustly_nb), whatever else is installed.
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec))
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No "official Jupyter news?" toast over the form, and no update check off the machine.
    notification = {"fetchNews": "false", "checkForUpdates": False}
    (settings / "notification.jupyterlab-settings").write_text(json.dumps(notification))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTLY_")}
    if mode is not None:
        env["TRUSTLY_NB_MODE"] = mode
    else:  # replay, as a new user has it: offline, and the kernel may reach loopback only
        env["TRUSTLY_NB_BLOCK_NETWORK"] = "1"
    env.update(
        TRUSTLY_NB_CASSETTES=str(ROOT / "cassettes"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        # In a venv jupyter_core prefers the venv's own kernelspec (argv "python"); ours,
        # with this interpreter's full path, must win.
        JUPYTER_PREFER_ENV_PATH="0",
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _wait_until_up(url: str, token: str, server: subprocess.Popen[bytes], lab: Lab) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{lab.log_tail()}")
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{lab.log_tail()}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its kernels: they run in the process group it leads."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 serving a copy of notebooks/, in emulator mode."""
    yield from _lab(tmp_path, "emulator")


@pytest.fixture
def replay_lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab as a new user gets it: the default mode (replay, not strict)."""
    yield from _lab(tmp_path, None)


def _lab(tmp_path: Path, mode: str | None) -> Iterator[Lab]:
    root = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = _prepare(tmp_path / "jupyter", mode)
    port, token = _free_port(), f"tnb-{os.urandom(8).hex()}"
    lab = Lab(f"http://127.0.0.1:{port}", token, root, tmp_path / "jupyterlab.log")
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", "--allow-root",
        "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    with lab.log.open("wb") as log:
        server = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown reaches the kernels
        )  # fmt: skip
    try:
        _wait_until_up(lab.url, token, server, lab)
        yield lab
    finally:
        _stop(server)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lab.log, ARTIFACTS / "jupyterlab.log")


@pytest.fixture
def artifacts() -> Path:
    """``tests/artifacts/`` (gitignored): screenshots and the server log, kept after the run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(chromium: Path) -> Iterator[object]:
    """A Playwright page in Debian's Chromium; browser and driver closed no matter what."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1300})
            yield context.new_page()
        finally:
            browser.close()
