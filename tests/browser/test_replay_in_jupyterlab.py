"""A learner's own edits in real JupyterLab and real Chromium, in the default replay mode.

01: change the email to a value of their own and run the update: it succeeds, the notice
says the emulator answered, no traceback. 02: type their own values into the form and
Submit: "Saved", and a later Reload shows them. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .jupyterlab import KERNEL_IDLE, LONG

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTICE = "trustly_nb [replay → emulator] your request is not in the recording"
OWN_EMAIL = "ada.lovelace@example.net"


def _open_and_run_all(page: Any, lab: Any, name: str) -> None:
    page.goto(lab.notebook_url(name), wait_until="domcontentloaded", timeout=LONG)
    page.wait_for_function(KERNEL_IDLE, timeout=LONG)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def _cell(page: Any, text: str) -> Any:
    """The code cell whose source contains ``text`` (by position: typing changes its text)."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    for index in range(cells.count()):
        if text in cells.nth(index).locator(".cm-content").inner_text():
            return cells.nth(index)
    raise AssertionError(f"no code cell contains {text!r}")


def _type_into(cell: Any, source: str) -> None:
    """Replace a cell's source by typing, as a person would."""
    editor = cell.locator(".cm-content")
    editor.click()
    editor.press("Control+a")
    editor.press("Delete")
    editor.press_sequentially(source, delay=5)


def test_an_own_email_in_01_just_works(replay_lab: Any, page: Any, artifacts: Path) -> None:
    """Edit the email in 01 to one of your own, run the update: it succeeds, the notice shows."""
    from playwright.sync_api import expect

    expect.set_options(timeout=LONG)
    try:
        _open_and_run_all(page, replay_lab, "01-quickstart.ipynb")
        expect(page.locator(".jp-OutputArea-output").filter(has_text="9999999999")).to_have_count(
            1
        )  # the last cell's error example: every cell ran
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        assert "Traceback" not in page.locator(".jp-Notebook").inner_text()

        update = _cell(page, "updated = client.update_customer(")
        _type_into(
            update,
            f'updated = client.update_customer(customer_id, email="{OWN_EMAIL}")\n'
            'updated.to_frame()[["name", "email", "updatedAt"]]',
        )
        update.locator(".cm-content").press("Shift+Enter")
        output = update.locator(".jp-OutputArea")
        expect(output).to_contain_text(NOTICE)
        expect(output).to_contain_text(OWN_EMAIL)
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        assert "Traceback" not in output.inner_text()
        assert "CassetteError" not in page.locator(".jp-Notebook").inner_text()
        update.scroll_into_view_if_needed()
        update.screenshot(path=str(artifacts / "replay-01-own-email.png"))
    except Exception:
        page.screenshot(path=str(artifacts / "failure-replay-01.png"), full_page=True)
        print(f"JupyterLab log (tail):\n{replay_lab.log_tail()}")
        raise


def test_own_values_in_the_02_form_save_and_reload(
    replay_lab: Any, page: Any, artifacts: Path
) -> None:
    """Type your own values into 02's form and Submit: Saved; a later Reload shows them."""
    from playwright.sync_api import expect

    expect.set_options(timeout=LONG)
    try:
        _open_and_run_all(page, replay_lab, "02-update-form.ipynb")
        form = page.locator(".tnb-form").first
        status = form.locator(".tnb-status")
        # The notebook's own cells fill the form from code and submit it first (replayed).
        expect(status).to_contain_text("Saved: customer 1001165729 updated (email).")
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)

        email = form.locator(".tnb-field-email input")
        city = form.locator(".tnb-field-address-city input")
        email.fill("")
        email.press_sequentially("my.own.address@example.net", delay=10)
        city.fill("")
        city.press_sequentially("Cambridge", delay=10)
        expect(form.locator(".tnb-summary")).to_contain_text("2 changes")
        form.locator(".tnb-submit").click()
        expect(status).to_contain_text("Saved: customer 1001165729 updated (address.city, email).")
        expect(status).to_contain_text("Answered by the local emulator")
        expect(form.locator(".tnb-output")).to_contain_text("my.own.address@example.net")
        assert "Not saved" not in status.inner_text()
        form.scroll_into_view_if_needed()
        form.screenshot(path=str(artifacts / "replay-02-form-saved.png"))

        # Later: the learner reloads the form (Reload's action) in a new cell.
        last = page.locator(".jp-Notebook .jp-Cell").last
        last.click()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:insert-cell-below')")
        cells = page.locator(".jp-Notebook .jp-Cell")
        fresh = cells.nth(cells.count() - 1)  # by position: Shift+Enter adds a cell below
        _type_into(fresh, "form.reload()\nform.status")
        fresh.locator(".cm-content").press("Shift+Enter")
        expect(fresh.locator(".jp-OutputArea")).to_contain_text("Reloaded customer 1001165729")
        expect(status).to_contain_text("Reloaded customer 1001165729")
        expect(email).to_have_value("my.own.address@example.net")
        expect(city).to_have_value("Cambridge")
        form.scroll_into_view_if_needed()
        form.screenshot(path=str(artifacts / "replay-02-form-reloaded.png"))
    except Exception:
        page.screenshot(path=str(artifacts / "failure-replay-02.png"), full_page=True)
        print(f"JupyterLab log (tail):\n{replay_lab.log_tail()}")
        raise
