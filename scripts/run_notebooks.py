"""Run the example notebooks headless: `make demo` (replay) and `make record`.

    python scripts/run_notebooks.py --out build        # strict replay; copies in build/
    python scripts/run_notebooks.py --record           # re-record every cassette

Recording talks to the Trustly sandbox when TRUSTLY_ACCESS_ID and TRUSTLY_ACCESS_KEY
are set, and to trustly_nb's local emulator otherwise. Notebooks themselves stay
committed without outputs: executed copies go to --out only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def run(path: Path, *, mode: str, timeout: int = 300) -> nbformat.NotebookNode:
    """Execute one notebook in a fresh kernel from notebooks/, in the given mode."""
    os.environ["TRUSTLY_NB_MODE"] = mode  # the kernel inherits this process's environment
    os.environ["TRUSTLY_NB_CASSETTES"] = str(ROOT / "cassettes")
    if mode == "replay":
        os.environ["TRUSTLY_NB_BLOCK_NETWORK"] = "1"
        # Strict: a notebook that drifts from its cassette fails instead of quietly
        # moving to the emulator.
        os.environ.setdefault("TRUSTLY_NB_STRICT", "1")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()
    return notebook


def _same_interactions(before: str, cassette: Path) -> bool:
    """Whether the new recording differs from ``before`` only in its header comment."""

    def body(text: str) -> str:
        return "".join(line for line in text.splitlines(True) if not line.startswith("#"))

    return body(before) == body(cassette.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--record", action="store_true", help="re-record every notebook's cassette")
    parser.add_argument("--out", type=Path, help="write executed copies here (replay mode)")
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    args = parser.parse_args()
    mode = "record" if args.record else os.environ.get("TRUSTLY_NB_MODE", "replay")
    if args.record:
        has_keys = os.environ.get("TRUSTLY_ACCESS_ID") and os.environ.get("TRUSTLY_ACCESS_KEY")
        print(f"Recording against {'the Trustly sandbox' if has_keys else 'the local emulator'}.")
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in args.names)]
    if not paths:
        print("No notebooks found in notebooks/.", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        started = time.perf_counter()
        cassette = ROOT / "cassettes" / f"{path.stem}.yaml"
        before = cassette.read_text(encoding="utf-8") if cassette.exists() else None
        try:
            executed = run(path, mode=mode)
        except CellExecutionError as exc:
            failed += 1
            print(
                f"FAILED {path.name}: {str(exc).splitlines()[0] if str(exc) else exc}",
                file=sys.stderr,
            )
            continue
        if args.record and before is not None and _same_interactions(before, cassette):
            # Only the header's date changed: keep the file, so re-recording is repeatable.
            cassette.write_text(before, encoding="utf-8")
        print(f"ok     {path.name} ({mode}, {time.perf_counter() - started:.1f} s)")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            nbformat.write(executed, args.out / path.name)
    if args.out and not failed:
        print(f"Executed copies are in {args.out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
