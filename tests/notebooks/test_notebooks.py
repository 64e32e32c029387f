"""Every example notebook runs in a real Jupyter kernel: offline from its cassette, and live
against a local emulator. The kernel is a separate process, so pytest's network blocker does
not reach it: ``TRUSTLY_NB_BLOCK_NETWORK=1`` makes ``connect()`` install a socket guard in
the kernel itself.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.notebook


# The learner's own request after the recorded path, one per notebook: not in the cassette.
OWN_REQUEST = {
    "01-quickstart": 'client.update_customer(customer_id, email="ada.lovelace@example.net")',
    "02-update-form": 'form.set(email="my.own@example.net")\nprint(form.submit() is not None)',
    "03-review-customers": "client.update_customer(first_id, **changes[first_id])",
    "04-bulk-update": (
        'corrections.loc["1001165739", "address.zip"] = "97299"\n'
        "again = client.update_many(corrections, original=after, progress=False)\n"
        'print(sorted(set(again["status"])))'
    ),
    "05-fix-in-a-grid": (
        'everyone.set("1001165736", "address.city", "Mississauga")\n'
        'print(everyone.submit(progress=False)["status"].tolist(), everyone.status)'
    ),
}


def _execute(
    path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, *, strict: bool = True, extra: str = ""
) -> nbformat.NotebookNode:
    # The kernel inherits this process's environment when it starts.
    monkeypatch.setenv("TRUSTLY_NB_MODE", mode)
    monkeypatch.setenv("TRUSTLY_NB_CASSETTES", str(ROOT / "cassettes"))
    monkeypatch.setenv("TRUSTLY_NB_BLOCK_NETWORK", "1")
    # Strict replay: a notebook that drifts from its cassette fails here instead of quietly
    # moving to the emulator (the fallback's own tests run in the default mode).
    monkeypatch.setenv("TRUSTLY_NB_STRICT", "1" if strict else "0")
    monkeypatch.setenv("MPLBACKEND", "agg")
    for name in ("TRUSTLY_ACCESS_ID", "TRUSTLY_ACCESS_KEY", "TRUSTLY_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    notebook = nbformat.read(path, as_version=4)
    if extra:
        notebook.cells.append(nbformat.v4.new_code_cell(extra))
    client = NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def _text_of(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def test_the_example_notebooks_exist():
    """The example notebooks exist (a missing one would silently shrink this suite)."""
    names = {p.stem for p in NOTEBOOKS}
    assert {"01-quickstart", "03-review-customers"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_replays_offline_from_its_cassette(path, monkeypatch):
    """In replay mode, with the network blocked in the kernel, every cell runs."""
    executed = _execute(path, monkeypatch, "replay")
    text = _text_of(executed)
    assert "trustly_nb [replay]" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_an_own_request_after_the_recorded_path_just_works(path, monkeypatch):
    """Default replay: a request the cassette lacks is answered by the emulator, said once."""
    own = OWN_REQUEST[path.stem] + '\nprint("answered by", client.source)'
    text = _text_of(_execute(path, monkeypatch, "replay", strict=False, extra=own))
    assert text.count("trustly_nb [replay → emulator] your request is not in the recording") == 1
    assert "answered by emulator" in text
    assert "Traceback" not in text
    assert "Error" not in text.split("trustly_nb [replay → emulator]")[1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_against_a_live_local_emulator(path, monkeypatch):
    """With TRUSTLY_NB_MODE=emulator the same notebook runs against a running emulator."""
    executed = _execute(path, monkeypatch, "emulator")
    assert "trustly_nb [emulator]" in _text_of(executed)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs_or_widget_state(path):
    """Outputs and saved widget state can hold personal data: notebooks ship clean."""
    notebook = nbformat.read(path, as_version=4)
    assert "widgets" not in notebook.metadata
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} has outputs"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_first_code_cell_connects_to_its_own_cassette(path):
    """The first code cell is the notebook's connect(), naming its own cassette."""
    notebook = nbformat.read(path, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert f'client = tnb.connect(cassette="{path.stem}")' in first.source
    assert (ROOT / "cassettes" / f"{path.stem}.yaml").exists(), "record it with `make record`"
