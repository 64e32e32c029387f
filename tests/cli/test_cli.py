"""The ``trustly-nb`` command: what each subcommand does and says, through its public ``main``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trustly_nb import cli
from trustly_nb.version import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version_names_the_installed_version(capsys):
    """``--version`` prints ``trustly-nb <version>``."""
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"trustly-nb {__version__}"


def test_tutorial_copies_notebooks_cassettes_data_and_apps(tmp_path, capsys):
    """``tutorial DIR --no-lab`` writes the shipped files and says where."""
    target = tmp_path / "tut"
    assert cli.main(["tutorial", str(target), "--no-lab"]) == 0
    said = capsys.readouterr().out
    assert f"Tutorial in {target}" in said
    for name in ("01-quickstart", "02-update-form", "03-review-customers", "04-bulk-update",
                 "05-fix-in-a-grid"):  # fmt: skip
        assert (target / "notebooks" / f"{name}.ipynb").is_file()
        assert (target / "cassettes" / f"{name}.yaml").is_file()
    assert (target / "notebooks" / "data" / "corrections.csv").is_file()
    assert (target / "apps" / "fix-a-customer.ipynb").is_file()
    assert (target / "cassettes" / "fix-a-customer.yaml").is_file()
    again = cli.main(["tutorial", str(target), "--no-lab"])
    assert again == 0
    assert "0 files written" in capsys.readouterr().out


def test_tutorial_refuses_to_overwrite_an_edited_copy_and_says_how_to_force(tmp_path, capsys):
    """An edited notebook is kept (nothing written) unless --force, which backs it up."""
    target = tmp_path / "tut"
    cli.main(["tutorial", str(target), "--no-lab"])
    edited = target / "notebooks" / "01-quickstart.ipynb"
    edited.write_text(edited.read_text().replace("Quick", "My quick", 1))
    (target / "cassettes" / "02-update-form.yaml").unlink()  # would be restored, but is not
    capsys.readouterr()
    assert cli.main(["tutorial", str(target), "--no-lab"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/01-quickstart.ipynb" in err
    assert "--force" in err
    assert "My quick" in edited.read_text()
    assert not (target / "cassettes" / "02-update-form.yaml").exists(), "nothing written"
    assert cli.main(["tutorial", str(target), "--no-lab", "--force"]) == 0
    assert "01-quickstart.ipynb.bak" in capsys.readouterr().out
    assert "My quick" not in edited.read_text()
    assert "My quick" in edited.with_name("01-quickstart.ipynb.bak").read_text()
    manifest = json.loads((target / ".trustly-tutorial.json").read_text())
    assert manifest["trustly_nb"] == __version__


def test_record_outside_a_tutorial_says_what_to_do(tmp_path, monkeypatch, capsys):
    """``record`` needs a tutorial folder around the current directory, and says so."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["record"]) == 1
    assert "trustly-nb tutorial DIR --no-lab" in capsys.readouterr().err


def _tutorial_with(tmp_path: Path, cassette_text: str | None) -> Path:
    """A tutorial folder holding 03's notebook and, if given, a cassette for it."""
    root = tmp_path / "tut"
    (root / "notebooks").mkdir(parents=True)
    (root / "cassettes").mkdir()
    name = "03-review-customers"
    (root / "notebooks" / f"{name}.ipynb").write_text(
        (ROOT / "notebooks" / f"{name}.ipynb").read_text()
    )
    if cassette_text is not None:
        (root / "cassettes" / f"{name}.yaml").write_text(cassette_text)
    return root


def test_check_cassettes_reports_a_sandbox_cassette_as_skipped(tmp_path, monkeypatch, capsys):
    """``check-cassettes`` names each notebook's verdict; a sandbox recording is skipped."""
    shipped = (ROOT / "cassettes" / "03-review-customers.yaml").read_text()
    root = _tutorial_with(tmp_path, shipped.replace("trustly_nb-emulator/", "sandbox-edge/"))
    monkeypatch.chdir(root / "notebooks")
    assert cli.main(["check-cassettes"]) == 0
    said = capsys.readouterr().out
    assert "skipped  03-review-customers: recorded against sandbox-edge/" in said
    assert "All 1 cassettes match" in said


def test_check_cassettes_fails_on_a_missing_cassette(tmp_path, monkeypatch, capsys):
    """A notebook without its cassette is a problem: exit 1, and what to do."""
    monkeypatch.chdir(_tutorial_with(tmp_path, None))
    assert cli.main(["check-cassettes"]) == 1
    said = capsys.readouterr().out
    assert "missing  03-review-customers" in said
    assert "trustly-nb record" in said


def test_emulator_subcommand_serves_with_the_emulators_options(tmp_path):
    """``trustly-nb emulator --port 0 --latency-ms 1`` starts the emulator and says where."""
    command = [sys.executable, "-m", "trustly_nb", "emulator", "--port", "0", "--latency-ms", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=tmp_path) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            assert "listening on http://127.0.0.1:" in line
        finally:
            server.terminate()
            server.wait(timeout=20)
