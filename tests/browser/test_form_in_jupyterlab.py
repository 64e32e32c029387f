"""The update form in real JupyterLab and real Chromium, as a person would use it.

Open ``02-update-form.ipynb``, run every cell in ``emulator`` mode, type a new email into
the rendered input, click Preview and Submit, and see the success message and the new
value on the page. A screenshot of the form is saved to ``tests/artifacts/form.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from .jupyterlab import KERNEL_IDLE, LONG

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOK = "02-update-form.ipynb"
NEW_EMAIL = "ada.from-the-browser@example.net"


def test_type_preview_submit_in_jupyterlab(jupyter_lab: Any, page: Any, artifacts: Path) -> None:
    """Typing an email, Preview and Submit in the rendered form update the customer."""
    from playwright.sync_api import expect

    specs = requests.get(
        f"{jupyter_lab.url}/api/kernelspecs", params={"token": jupyter_lab.token}, timeout=30
    ).json()
    assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == sys.executable, "venv kernel"
    expect.set_options(timeout=LONG)
    try:
        page.goto(jupyter_lab.notebook_url(NOTEBOOK), wait_until="domcontentloaded", timeout=LONG)
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        # Run every cell through JupyterLab's own command: no reliance on keyboard focus.
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        status = page.locator(".tnb-status")
        # The notebook's own cells fill the form from code and submit it first.
        expect(status).to_contain_text("Saved: customer 1001165729 updated (email).")
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)

        email = page.locator(".tnb-field-email input")
        expect(email).to_have_value("ada.whitfield@example.org")
        email.fill("")
        email.press_sequentially(NEW_EMAIL, delay=10)
        expect(page.locator(".tnb-summary")).to_contain_text("1 change")

        page.locator(".tnb-preview").click()
        output = page.locator(".tnb-output")
        expect(output).to_contain_text("Preview: what Submit would change")
        expect(output).to_contain_text(NEW_EMAIL)
        expect(status).to_contain_text("Preview: 1 field would change. Nothing sent.")

        page.locator(".tnb-submit").click()
        expect(status).to_contain_text("Saved: customer 1001165729 updated (email).")
        expect(output).to_contain_text("Updated customer 1001165729")
        expect(output).to_contain_text(NEW_EMAIL)
        expect(email).to_have_value(NEW_EMAIL)
        expect(page.locator(".tnb-submit")).to_be_disabled()  # nothing left to send

        form = page.locator(".tnb-form")
        form.scroll_into_view_if_needed()
        form.screenshot(path=str(artifacts / "form.png"))  # docs/form.png is a copy of one
    except Exception:
        page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
        print(f"JupyterLab log (tail):\n{jupyter_lab.log_tail()}")
        raise
