"""`make check-cassettes`: re-record every notebook and app against the emulator and compare.

    python scripts/check_cassettes.py                 # every notebook
    python scripts/check_cassettes.py 01-quickstart   # some

Exits 1 when a shipped cassette is stale (or missing, or its notebook fails); a cassette
recorded against the real sandbox is reported and skipped. See
trustly_nb.recording.check_cassettes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trustly_nb.recording import check_cassettes

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    names = sys.argv[1:] or None
    checks = check_cassettes(names, root=ROOT)
    for check in checks:
        print(check)
    problems = [check for check in checks if not check.ok]
    if problems:
        print(f"{len(problems)} stale or broken cassette(s).", file=sys.stderr)
        return 1
    print(f"All {len(checks)} cassettes match what the notebooks and the emulator do today.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
