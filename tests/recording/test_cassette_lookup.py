"""Where cassettes are found, in the order `cassette_dir()` documents: the variable, then a
cassettes/ folder walking up that holds the named cassette, then the package's own copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trustly_nb import recording
from trustly_nb.recording import shipped

ROOT = Path(__file__).resolve().parents[2]


def test_the_variable_wins(tmp_path, monkeypatch):
    """TRUSTLY_NB_CASSETTES is used as given."""
    monkeypatch.setenv("TRUSTLY_NB_CASSETTES", str(tmp_path))
    assert recording.cassette_path("01-quickstart") == tmp_path / "01-quickstart.yaml"


def test_a_cassettes_folder_holding_the_cassette_is_found_walking_up(tmp_path, monkeypatch):
    """A cassettes/ above the current directory with the named file is chosen."""
    monkeypatch.delenv("TRUSTLY_NB_CASSETTES", raising=False)
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "cassettes" / "mine.yaml").write_text("interactions: []\n")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    assert recording.cassette_path("mine") == tmp_path / "cassettes" / "mine.yaml"


def test_a_users_own_cassettes_folder_without_it_is_passed_over(tmp_path, monkeypatch):
    """A vcrpy user's cassettes/ lacking the cassette falls through to the shipped copy."""
    monkeypatch.delenv("TRUSTLY_NB_CASSETTES", raising=False)
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "cassettes" / "their-own.yaml").write_text("interactions: []\n")
    monkeypatch.chdir(tmp_path)
    root = shipped.tutorial_root()
    assert root is not None
    assert recording.cassette_path("01-quickstart") == root / "cassettes" / "01-quickstart.yaml"
    assert recording.cassette_path("01-quickstart").is_file()


def test_the_plugin_module_imports_no_pandas_or_vcrpy():
    """Collecting a user's suite loads the plugin: it must not pull pandas, vcrpy or widgets."""
    code = (
        "import sys, trustly_nb.pytest_plugin; "
        "print(sorted(m for m in ('pandas', 'vcr', 'ipywidgets', 'requests') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
