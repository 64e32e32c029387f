"""Cassettes never go stale: `make check-cassettes` re-records every notebook and compares.

These run real kernels against the real emulator (record mode, fixed clock) and compare
with real cassette files; the altered-notebook case proves the check can fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustly_nb.recording import check_cassettes

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.notebook


@pytest.fixture
def copy_of_the_repo(tmp_path):
    """notebooks/ and cassettes/ copied, so a test may change them."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "cassettes", tmp_path / "cassettes")
    return tmp_path


def test_the_shipped_cassettes_match_what_the_notebooks_do_today():
    """Every notebook and app, re-recorded against the emulator, gives its shipped cassette."""
    checks = check_cassettes(root=ROOT)
    made = [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "apps").glob("*.ipynb")]
    assert {c.notebook for c in checks} == {p.stem for p in made}
    assert [str(c) for c in checks if not c.ok] == []
    assert {c.status for c in checks} == {"fresh"}


def test_a_notebook_that_changes_a_request_without_re_recording_fails(copy_of_the_repo):
    """Change the email 01 sends, keep the old cassette: stale, naming the notebook and the
    first differing interaction and field."""
    notebook = copy_of_the_repo / "notebooks" / "01-quickstart.ipynb"
    text = notebook.read_text()
    assert 'new_email = \\"ada.whitfield@example.org\\"' in text
    notebook.write_text(text.replace("ada.whitfield@example.org", "ada.w@example.net"))
    [check] = check_cassettes(
        ["01-quickstart"],
        notebooks_dir=copy_of_the_repo / "notebooks",
        cassettes_dir=copy_of_the_repo / "cassettes",
    )
    assert not check.ok
    assert check.status == "stale"
    assert str(check).startswith("stale    01-quickstart: interaction ")
    assert "email" in check.detail
    assert '"ada.w@example.net"' in check.detail
    assert "make record" in check.detail


def test_a_cassette_recorded_against_the_sandbox_is_reported_and_skipped(copy_of_the_repo):
    """Only emulator-made cassettes can be re-made here; another one is skipped, and says so."""
    cassette = copy_of_the_repo / "cassettes" / "03-review-customers.yaml"
    text = cassette.read_text()
    cassette.write_text(text.replace("trustly_nb-emulator/", "nginx-in-front-of-trustly/"))
    [check] = check_cassettes(
        ["03-review-customers"],
        notebooks_dir=copy_of_the_repo / "notebooks",
        cassettes_dir=copy_of_the_repo / "cassettes",
    )
    assert check.ok
    assert check.status == "skipped"
    assert "nginx-in-front-of-trustly" in check.detail


def test_the_version_in_the_server_header_is_no_difference(copy_of_the_repo):
    """A cassette made by another trustly_nb version is still fresh."""
    cassette = copy_of_the_repo / "cassettes" / "03-review-customers.yaml"
    text = cassette.read_text()
    assert "trustly_nb-emulator/" in text
    cassette.write_text(text.replace("trustly_nb-emulator/0.", "trustly_nb-emulator/9."))
    [check] = check_cassettes(
        ["03-review-customers"],
        notebooks_dir=copy_of_the_repo / "notebooks",
        cassettes_dir=copy_of_the_repo / "cassettes",
    )
    assert check.status == "fresh", str(check)
