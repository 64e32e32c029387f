"""The editable grid in real JupyterLab and real Chromium, as an analyst would use it.

Open ``05-fix-in-a-grid.ipynb`` and run every cell (``emulator`` mode until replay can
leave the recording), then, on the notebook's last grid of every customer: sort by name
through the column's header menu, double-click the first row's name cell (the grid draws on
a canvas, so the cell is found by its position), type a new name, press Enter, Preview and
see the diff name the customer that was on top after sorting, Submit, and see the row's
status cell turn green (``ok``). A screenshot of the grid is saved to
``tests/artifacts/grid.png`` (``docs/grid.png`` is a copy of one).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from .jupyterlab import KERNEL_IDLE, LONG

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOK = "05-fix-in-a-grid.ipynb"
# The last element matching a selector, scrolled into view, as a box on the page. Playwright's
# own locators wait for the notebook to stop moving, which a page with canvases and a live
# kernel rarely does; the mouse then clicks where a person would.
LAST_BOX = """(css) => {
    const e = Array.from(document.querySelectorAll(css)).pop();
    e.scrollIntoView({block: "nearest"});
    const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""
MENU_ITEM = """(label) => {
    const item = Array.from(document.querySelectorAll(".ipydatagrid-context-menu .lm-Menu-item"))
        .find(e => e.innerText.includes(label));
    if (!item) return null;
    const r = item.getBoundingClientRect();
    return {x: r.x + r.width / 2, y: r.y + r.height / 2};
}"""
# The geometry the grid is built with (trustly_nb.widgets: row header 110 px, status 70,
# reason 320, header 26 px, rows 24 px); name is the first data column.
ROW_HEADER, STATUS, REASON, HEADER, ROW = 110, 70, 320, 26, 24
SOFIA = "1001165734"  # "Sofia Rossi": first when sorted by name, descending
NEW_NAME = "Sofia R. Rossi"
OK_GREEN = (227, 246, 232)  # #e3f6e8, the ok status background


def _click(page: Any, css: str) -> None:
    box = page.evaluate(LAST_BOX, css)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _text(page: Any, css: str) -> str:
    return str(page.evaluate("(css) => Array.from(document.querySelectorAll(css)).pop()"
                             ".innerText", css))  # fmt: skip


def _pixel(page: Any, x: float, y: float) -> tuple[int, int, int]:
    from PIL import Image

    shot = page.screenshot(clip={"x": x, "y": y, "width": 3, "height": 3}, animations="disabled")
    return Image.open(io.BytesIO(shot)).convert("RGB").getpixel((1, 1))


def test_sort_edit_preview_submit_in_jupyterlab(jupyter_lab: Any, page: Any, artifacts: Path):
    """A typed cell after sorting belongs to the customer shown there, and Submit sends it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=LONG)
    try:
        page.goto(jupyter_lab.notebook_url(NOTEBOOK), wait_until="domcontentloaded", timeout=LONG)
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # The notebook's own cells fix three customers from code, submit and revert first.
        page.wait_for_function(
            "() => document.querySelectorAll('.tnb-grid .lm-DataGrid').length === 2",
            timeout=LONG,
        )
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        assert "Loaded 12 customers" in _text(page, ".tnb-grid-status")
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        page.wait_for_timeout(500)  # the notebook widens; let the grid lay itself out again

        grid = page.evaluate(LAST_BOX, ".tnb-grid .lm-DataGrid")
        name_left = grid["x"] + ROW_HEADER + STATUS + REASON
        # The header's menu button sits in the bottom-right corner of the header cell.
        page.mouse.click(name_left + 115 - 8, grid["y"] + HEADER - 7)
        page.wait_for_selector(".ipydatagrid-context-menu", state="attached", timeout=LONG)
        item = page.evaluate(MENU_ITEM, "Sort Descending")
        page.mouse.click(item["x"], item["y"])
        page.wait_for_timeout(500)

        first_row = grid["y"] + HEADER + ROW / 2
        page.mouse.dblclick(name_left + 40, first_row)
        editor = page.locator(".lm-DataGrid-cellEditorInput")
        expect(editor).to_have_value("Sofia Rossi")  # sorted: Sofia is on top
        page.keyboard.press("Control+A")
        page.keyboard.type(NEW_NAME, delay=10)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.tnb-grid-summary')).pop()"
            ".innerText.includes('1 customer changed')",
            timeout=LONG,
        )

        _click(page, ".tnb-grid-preview")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.tnb-grid-panel')).pop()"
            ".innerText.includes('Preview')",
            timeout=LONG,
        )
        panel = _text(page, ".tnb-grid-panel")
        assert SOFIA in panel, panel
        assert NEW_NAME in panel, panel

        _click(page, ".tnb-grid-submit")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.tnb-grid-status')).pop()"
            ".innerText.includes('Submit: 1 ok')",
            timeout=LONG,
        )
        page.wait_for_function(KERNEL_IDLE, timeout=LONG)
        page.wait_for_timeout(500)  # the status cell is repainted after the message
        assert _pixel(page, grid["x"] + ROW_HEADER + STATUS / 2, first_row) == OK_GREEN
        assert "no changes" in _text(page, ".tnb-grid-summary")

        box = page.evaluate(LAST_BOX, ".tnb-grid")
        page.screenshot(path=str(artifacts / "grid.png"), clip=box, animations="disabled")
    except Exception:
        page.screenshot(path=str(artifacts / "grid-failure.png"), animations="disabled")
        print(f"JupyterLab log (tail):\n{jupyter_lab.log_tail()}")
        raise
