"""The "fix a customer" app in Voila, in real Chromium, as a support lead would use it.

``trustly-nb app`` serves ``apps/fix-a-customer.ipynb``; the test searches the customer list,
picks a customer, changes the email in the form, previews, submits, and sees the success
message. It runs twice: in the default replay mode (the app's cassette was recorded along this
very path by the app's record-only last cell, so replay serves it) and with
``TRUSTLY_NB_MODE=emulator``. A screenshot is saved to ``tests/artifacts/app-<mode>.png``
(``docs/app.png`` is a copy of one).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM_ARGS, SERVER_START_TIMEOUT, _free_port, _stop

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

LONG = 120_000  # ms: Voila starts a kernel and runs the app before the page shows it
NEW_EMAIL = "priya.from-the-app@example.net"


@pytest.fixture(params=["replay", "emulator"])
def voila_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """``trustly-nb app --no-browser`` on a free port in replay (the default) or emulator mode;
    its URL, log and mode."""
    port = _free_port()
    mode: str = request.param
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTLY_")}
    if mode != "replay":
        env["TRUSTLY_NB_MODE"] = mode
    else:
        env["TRUSTLY_NB_BLOCK_NETWORK"] = "1"  # the kernel may reach loopback only
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    log = tmp_path / "voila.log"
    command = [sys.executable, "-m", "trustly_nb", "app", f"--port={port}", "--no-browser"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown reaches the kernel
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text(errors="replace")
            if "is running at" in log.read_text(errors="replace"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"Voila did not start:\n{log.read_text(errors='replace')}")
        yield url, log, mode
    finally:
        _stop(server)


def test_pick_fix_and_submit_a_customer_in_voila(voila_app, chromium, artifacts) -> None:
    """Search, pick a customer, change the email, Preview, Submit: the page says it is saved."""
    from playwright.sync_api import expect, sync_playwright

    url, log, mode = voila_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        page: Any = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        expect.set_options(timeout=LONG)
        try:
            page.goto(url, wait_until="domcontentloaded", timeout=LONG)
            expect(page.locator(".tnb-app-banner")).to_contain_text(f"trustly_nb [{mode}]")
            assert "import trustly_nb" not in page.inner_text("body"), "code cells are hidden"
            page.locator(".tnb-app-search input").fill("priya")
            picker = page.locator(".tnb-app-picker select")
            expect(picker.locator("option")).to_have_count(1)
            picker.select_option(index=0)
            email = page.locator(".tnb-field-email input")
            expect(email).to_be_visible()
            # One input event with the whole value, then leave the field: keystroke by
            # keystroke, the kernel may not have the last one yet when Preview is clicked.
            email.fill(NEW_EMAIL)
            email.press("Tab")
            expect(page.locator(".tnb-summary")).to_contain_text("1 change")
            page.locator(".tnb-preview").click()
            expect(page.locator(".tnb-output")).to_contain_text(NEW_EMAIL)
            page.locator(".tnb-submit").click()
            expect(page.locator(".tnb-status")).to_contain_text("Saved: customer")
            expect(page.locator(".tnb-status")).to_contain_text("updated (email).")
            expect(email).to_have_value(NEW_EMAIL)
            page.locator("h1").first.scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"app-{mode}.png"))  # docs/app.png: a copy
        except Exception:
            page.screenshot(path=str(artifacts / f"app-{mode}-failure.png"), full_page=True)
            print(f"Voila log:\n{log.read_text(errors='replace')[-4000:]}")
            raise
        finally:
            browser.close()
