"""CustomerGrid without a browser: cells, checks, buttons, batches, against the emulator.

Cells are edited three ways, all through the grid's public or ipydatagrid's own API:
``CustomerGrid.set``, ``DataGrid.set_cell_value`` / ``set_cell_value_by_index`` (what a
program does to the table), and the ``cell-changed`` message the page sends when a person
presses Enter in a cell (``DataGrid._handle_custom_msg``, the path of a real edit). Buttons
are pressed with ``Button.click()``, which runs the handlers a click in JupyterLab does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

import trustly_nb as tnb
from trustly_nb import bulk, emulator

ADA = "1001165729"  # complete record: taxId masked, customData
MARIA = "1001165730"  # email without its top-level domain (a warning)
PRIYA = "1001165732"  # phone not in E.164 form (a warning)


def posts(emu: emulator.Emulator) -> list:
    return [r for r in emu.requests if r.method == "POST"]


def widget(grid: tnb.CustomerGrid, css: str):
    found, todo = [], [grid.widget]
    while todo:
        item = todo.pop()
        if css in getattr(item, "_dom_classes", ()):
            found.append(item)
        todo.extend(getattr(item, "children", ()))
    assert len(found) == 1, f"{len(found)} widgets have class {css!r}"
    return found[0]


def row_of(grid: tnb.CustomerGrid, customer_id: str) -> int:
    return list(grid.original.index).index(customer_id)


def typed(grid: tnb.CustomerGrid, customer_id: str, column: str, text: str) -> None:
    """What the page sends when a person types into a cell and presses Enter."""
    columns = ["status", "reason", *grid.original.columns]  # the table's column order
    grid.table._handle_custom_msg(
        {
            "event_type": "cell-changed",
            "region": "body",
            "row": row_of(grid, customer_id),
            "column_index": columns.index(column),
            "value": text,
        },
        [],
    )


def shown(grid: tnb.CustomerGrid, customer_id: str, column: str) -> str:
    return grid.table.get_cell_value_by_index(column, row_of(grid, customer_id))


@pytest.fixture
def grid(client) -> tnb.CustomerGrid:
    return client.grid()


def test_import_trustly_nb_does_not_import_ipydatagrid():
    """ipydatagrid (and bqplot) load only when a grid is made."""
    code = "import sys, trustly_nb as t; t.CustomerForm; print('ipydatagrid' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_grid_shows_every_customer_as_text_without_warnings(client):
    """Timestamps are text in the table (no tz warning from bqplot), missing cells blank."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid = tnb.CustomerGrid(client)
    frame = tnb.customers_to_frame(client.list_customers())
    assert list(grid.original.index) == list(frame.index)
    table = grid.table.get_visible_data()
    assert list(table.columns) == ["status", "reason", *frame.columns]
    assert shown(grid, ADA, "createdAt").endswith("Z")
    assert shown(grid, ADA, "address.address2") == ""
    assert shown(grid, ADA, "taxId").startswith("•")
    assert repr(grid).startswith("<CustomerGrid customers=")
    assert "application/vnd.jupyter.widget-view+json" in grid._repr_mimebundle_()


def test_stored_warnings_show_amber_on_their_cells(grid):
    """The soft checks of every row are listed per cell and named in the row's reason."""
    assert (MARIA, "email") in grid.warnings
    assert (PRIYA, "phone") in grid.warnings
    assert "⚠ email:" in shown(grid, MARIA, "reason")
    assert grid.errors == {}


def test_set_and_the_datagrid_api_edit_the_same_way(grid):
    """CustomerGrid.set, set_cell_value and a typed cell all become the same change set."""
    grid.set(MARIA, "email", "maria.garcia@example.com")
    grid.table.set_cell_value("address.city", ADA, "Cambridge")
    typed(grid, PRIYA, "vip", "2")
    assert grid.changes == {
        ADA: {"address": {"city": "Cambridge"}},
        MARIA: {"email": "maria.garcia@example.com"},
        PRIYA: {"vip": "2"},
    }
    assert grid.edited.loc[ADA, "address.city"] == "Cambridge"
    assert grid.original.loc[ADA, "address.city"] == "Boston"
    assert (MARIA, "email") not in grid.warnings, "the fix clears the warning"
    assert shown(grid, MARIA, "status") == "edited"
    assert "3 customers changed (3 cells)" in widget(grid, "tnb-grid-summary").value


def test_a_bad_cell_is_red_blocks_submit_and_a_fix_clears_it(grid, emu):
    """A hard error shows on its cell and in the status; Submit and Dry run are disabled."""
    submit = widget(grid, "tnb-grid-submit")
    assert submit.disabled, "nothing changed yet"
    grid.set(ADA, "address.zip", "123")
    assert grid.errors == {(ADA, "address.zip"): "must be at least 5 character(s), got '123'"}
    assert shown(grid, ADA, "status") == "invalid"
    assert "✖ address.zip:" in shown(grid, ADA, "reason")
    assert submit.disabled
    assert widget(grid, "tnb-grid-dry-run").disabled
    assert grid.submit() is None
    assert "fix first" in grid.status
    grid.preview()
    assert "Preview only; fix before Submit" in grid.status
    grid.set(ADA, "address.zip", "02139")
    assert grid.errors == {}
    assert not submit.disabled
    assert "fix before Submit" not in grid.status, "the status describes the current cells"
    assert widget(grid, "tnb-grid-panel").value == "", "the old preview is gone"
    assert posts(emu) == []


def test_an_unreadable_timestamp_is_an_error_and_clear_removes_a_value(grid):
    """Typed text is read like a cell: bad dates are errors; <clear> sends null."""
    grid.set(ADA, "enrollDate", "next tuesday")
    assert "is not a date/time" in grid.errors[(ADA, "enrollDate")]
    grid.set(ADA, "enrollDate", "2024-03-01T00:00:00Z")
    assert grid.changes == {ADA: {"enrollDate": 1709251200000}}
    grid.set(ADA, "vip", tnb.CLEAR)
    assert grid.changes[ADA]["vip"] is None


def test_a_masked_cell_refuses_edits(grid, emu):
    """An edit to a masked identity number is put back at once and says why; set() raises."""
    before = shown(grid, ADA, "taxId")
    typed(grid, ADA, "taxId", "000-11-2222")
    assert shown(grid, ADA, "taxId") == before
    assert "taxId of customer 1001165729 put back" in grid.status
    assert "mask=False" in grid.status
    grid.table.set_cell_value_by_index("updatedAt", row_of(grid, ADA), "2030-01-01")
    assert "is set by Trustly" in grid.status
    with pytest.raises(tnb.ValidationError, match="masked"):
        grid.set(ADA, "taxId", "000-11-2222")
    assert grid.changes == {}
    assert posts(emu) == []


def test_a_blank_cell_means_no_change(grid):
    """Emptying a cell puts the value read back: blank never sends null."""
    typed(grid, ADA, "email", "")
    assert grid.changes == {}
    assert shown(grid, ADA, "email") == "ada.whitfield@example.com"
    assert "<clear>" in grid.status


def test_sorting_and_filtering_never_change_what_is_sent(grid):
    """The page's sort and filter change the view; edits stay on the customer they were made on."""
    typed(grid, MARIA, "email", "maria@example.com")
    before = grid.changes
    grid.table.transform(
        [
            {"type": "sort", "column": "name", "desc": True},
            {"type": "filter", "column": "address.country", "operator": "=", "value": "US"},
        ]
    )
    typed(grid, PRIYA, "vip", "3")  # a row the filter hides still keeps its place in the data
    assert grid.changes == {**before, PRIYA: {"vip": "3"}}
    assert list(grid.preview()["customerId"]) == [MARIA, PRIYA]


def test_edit_preview_dry_run_submit_resubmit_revert(client, emu, tmp_path):
    """The whole path: statuses in the grid, ok rows read back, a second Submit, a revert."""
    journal = tmp_path / "grid.jsonl"
    grid = tnb.CustomerGrid(client, journal=journal)
    grid.set(MARIA, "email", "maria.garcia@example.com")
    grid.set(ADA, "address.zip", "02139")
    diff = grid.preview()
    assert list(diff["customerId"]) == [ADA, MARIA]
    assert "maria.garcia@example.com" in widget(grid, "tnb-grid-panel").value
    assert posts(emu) == []

    widget(grid, "tnb-grid-dry-run").click()
    assert set(grid.result["status"]) == {"dry-run"}
    assert shown(grid, MARIA, "status") == "dry-run"
    assert posts(emu) == []

    result = grid.submit(progress=False)
    assert result is grid.result
    assert list(result["status"]) == ["ok", "ok"]
    assert shown(grid, MARIA, "status") == "ok"
    assert "email: maria.garcia@example → maria.garcia@example.com" in shown(grid, MARIA, "reason")
    assert emu.get(MARIA)["email"] == "maria.garcia@example.com"
    assert grid.changes == {}, "ok rows are the new original"
    assert (
        grid.original.loc[MARIA, "updatedAt"]
        > tnb.customers_to_frame([emu.get(ADA)]).loc[ADA, "createdAt"]
    )

    # A later edit of a row that went ok is sent: not skipped, not a conflict.
    grid.set(MARIA, "email", "m.garcia@example.com")
    sent = len(posts(emu))
    again = grid.submit(progress=False)
    assert list(again.index) == [MARIA], "what went ok is never repeated"
    assert again.loc[MARIA, "status"] == "ok"
    assert len(posts(emu)) == sent + 1
    assert emu.get(MARIA)["email"] == "m.garcia@example.com"
    assert grid.submit() is None
    assert "Nothing to submit" in grid.status

    undone = client.revert(journal, progress=False)
    assert set(undone["status"]) == {"ok"}
    assert emu.get(MARIA)["email"] == "maria.garcia@example"
    assert emu.get(ADA)["address"]["zip"] == "02134"
    assert [json.loads(line)["customerId"] for line in journal.read_text().splitlines()]


def test_a_stale_write_is_a_conflict_on_its_row_and_the_rest_goes_through(grid, emu):
    """A customer changed on Trustly since the grid read it is not overwritten."""
    grid.set(ADA, "address.city", "Cambridge")
    grid.set(MARIA, "email", "maria.garcia@example.com")
    emu.put({**emu.get(ADA), "phone": "+15555550177"})
    result = grid.submit(progress=False)
    assert result.loc[ADA, "status"] == "conflict"
    assert result.loc[MARIA, "status"] == "ok"
    assert shown(grid, ADA, "status") == "conflict"
    assert "changed" in shown(grid, ADA, "reason")
    assert "conflict" in grid.status
    assert "force=True" in grid.status
    assert emu.get(ADA)["address"]["city"] == "Boston"
    assert list(grid.changes) == [ADA], "the edit is kept; the ok row is done"
    forced = grid.submit(progress=False, force=True)
    assert list(forced.index) == [ADA]
    assert forced.loc[ADA, "status"] == "ok"
    assert emu.get(ADA)["address"]["city"] == "Cambridge"


def test_failed_rows_are_sent_again_and_ok_ones_are_not(client, emu):
    """A row the server refused keeps its edit and its reason; a second Submit retries it."""
    grid = tnb.CustomerGrid(client)
    grid.set(MARIA, "email", "maria.garcia@example.com")
    grid.set(PRIYA, "phone", "+15555550132")
    emu.stop()
    result = grid.submit(progress=False)
    assert set(result["status"]) == {"error"}
    assert shown(grid, PRIYA, "status") == "error"
    assert set(grid.changes) == {MARIA, PRIYA}


def test_the_submit_button_asks_once_when_the_changes_have_warnings(grid, emu):
    """Only the button asks ("Submit anyway"); submit() from code sends and reports them."""
    grid.set(PRIYA, "vip", "2")  # Priya's stored phone is odd, but it is not being changed
    button = widget(grid, "tnb-grid-submit")
    button.click()
    assert len(posts(emu)) == 1, "an odd value the edit does not touch is not asked about"
    grid.set(PRIYA, "phone", "555 0142")  # a changed cell that looks wrong
    button.click()
    assert len(posts(emu)) == 1
    assert button.description == "Submit anyway"
    assert "phone of 1001165732" in grid.status
    button.click()
    assert len(posts(emu)) == 2
    assert button.description == "Submit"
    assert grid.result.loc[PRIYA, "status"] == "ok"


def test_submit_from_code_sends_with_warnings_and_says_so(grid, emu):
    """Code is never asked; the status names the warnings sent."""
    grid.set(PRIYA, "phone", "555 0142")
    assert grid.submit(progress=False) is not None
    assert "Sent with 1 warning: phone of 1001165732" in grid.status


def test_an_edit_after_the_question_asks_again(grid, emu):
    """The question is about the cells as they are: an edit withdraws it."""
    grid.set(PRIYA, "phone", "555 0142")
    button = widget(grid, "tnb-grid-submit")
    button.click()
    grid.set(PRIYA, "phone", "555 0143")
    assert button.description == "Submit"
    button.click()
    assert posts(emu) == []


def test_reset_puts_every_cell_back(grid):
    """Reset: the values read, no changes, no statuses."""
    grid.set(ADA, "address.zip", "1")
    widget(grid, "tnb-grid-reset").click()
    assert grid.changes == {}
    assert grid.errors == {}
    assert shown(grid, ADA, "address.zip") == "02134"
    assert shown(grid, ADA, "status") == ""


def test_a_filtered_frame_and_set_errors(client):
    """A grid of part of the customers; set() names customers and columns it cannot set."""
    frame = tnb.customers_to_frame(client.list_customers())
    warned = tnb.frames.frame_warnings(frame)["customerId"].unique()
    grid = client.grid(frame.loc[warned])
    assert list(grid.original.index) == list(warned)
    with pytest.raises(tnb.ValidationError, match="not in this grid"):
        grid.set(ADA, "email", "x@example.org")
    with pytest.raises(tnb.ValidationError, match="not a column"):
        grid.set(MARIA, "emial", "x@example.org")


def test_a_401_mid_batch_is_reported_and_what_finished_is_kept(emu):
    """Bad credentials: the grid says so, never raises, and the edits are kept."""
    good = emu.client(timeout=5.0)
    grid = tnb.CustomerGrid(good)
    grid.set(MARIA, "email", "maria.garcia@example.com")
    bad = tnb.Client("wrong", "wrong", base_url=emu.base_url)
    grid.client = bad
    assert grid.submit(progress=False) is not None
    assert "stopped" in grid.status
    assert "401" in grid.status
    assert list(grid.changes) == [MARIA]
    assert bulk.summary(grid.result).to_dict()
