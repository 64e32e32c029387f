"""Run in the fresh venv: execute each notebook given, with a last cell that prints where
trustly_nb was imported from, in a kernel of this interpreter; print one line per notebook."""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

for name in sys.argv[1:]:
    path = Path(name)
    notebook = nbformat.read(path, as_version=4)
    probe = "import trustly_nb, sys\nprint('TNB_FILE=' + trustly_nb.__file__)"
    notebook.cells.append(nbformat.v4.new_code_cell(probe))
    NotebookClient(
        notebook, timeout=240, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()  # fmt: skip
    text = "".join(o.get("text", "") for o in notebook.cells[-1].outputs)
    everything = "".join(
        str(o.get("text", "")) + str(o.get("data", "")) for c in notebook.cells
        for o in c.get("outputs", [])
    )  # fmt: skip
    print(f"ran {path.name} {text.strip()} traceback={'Traceback' in everything}", flush=True)
