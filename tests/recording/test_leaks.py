"""Nothing shipped carries a credential or a real identity number.

Scans every cassette (notebooks' and tests'), every notebook and the emulator's seed data.
Identity numbers are allowed only in the never-issued area 000.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
import yaml

from trustly_nb import emulator
from trustly_nb.recording import find_identity_leaks

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = sorted([*ROOT.glob("cassettes/*.yaml"), *ROOT.glob("tests/**/cassettes/**/*.yaml")])
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb"))
KNOWN_SECRETS = [
    emulator.DEFAULT_ACCESS_KEY,
    base64.b64encode(
        f"{emulator.DEFAULT_ACCESS_ID}:{emulator.DEFAULT_ACCESS_KEY}".encode()
    ).decode(),
    "replay-access-key",
]
BASIC_TOKEN = re.compile(r"Basic\s+[A-Za-z0-9+/=]{8,}")


def _shipped_files() -> list[Path]:
    return [*CASSETTES, *NOTEBOOKS]


def test_there_is_something_to_scan():
    """The scan covers the shipped cassettes and notebooks (an empty scan proves nothing)."""
    assert len(CASSETTES) >= 2
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", _shipped_files(), ids=lambda p: p.name)
def test_no_credentials_in_shipped_files(path):
    """No access key, no Basic token, in any cassette or notebook."""
    text = path.read_text()
    for secret in KNOWN_SECRETS:
        assert secret not in text
    assert not BASIC_TOKEN.search(text)
    assert "TRUSTLY_ACCESS_KEY=" not in text


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.name)
def test_no_real_identity_numbers_in_cassettes(path):
    """Every identity number in a cassette's bodies is synthetic (area 000) or masked."""
    data = yaml.safe_load(path.read_text())
    assert find_identity_leaks(data) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_real_identity_numbers_in_notebooks(path):
    """Notebook sources use only synthetic identity numbers."""
    notebook = nbformat.read(path, as_version=4)
    assert find_identity_leaks([cell.source for cell in notebook.cells]) == []


def test_emulator_seed_data_is_synthetic():
    """The emulator's customers carry only area-000 identity numbers."""
    assert find_identity_leaks(emulator.seed_customers()) == []


def test_the_leak_scanner_finds_a_planted_leak():
    """The scanner is not blind: a real-looking SSN and a licence number are caught."""
    planted = {"customer": {"taxId": "123-45-6789", "driverLicense": {"number": "A1234567"}}}
    assert find_identity_leaks(planted) == ["123-45-6789", "A1234567"]
    assert find_identity_leaks({"note": "ssn 123-45-6789"}) == ["123-45-6789"]
