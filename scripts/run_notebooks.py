"""Run the example notebooks and apps headless: `make demo` (replay) and `make record`.

    python scripts/run_notebooks.py --out build        # replay; executed copies in build/
    python scripts/run_notebooks.py --record           # re-record every cassette

A thin wrapper: the runner lives in trustly_nb.recording.notebooks (also behind
`trustly-nb record`), here pointed at the repository's notebooks/, apps/ and cassettes/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trustly_nb.recording.notebooks import main

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.exit(main(root=ROOT))
