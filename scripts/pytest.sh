#!/usr/bin/env bash
# Run the test suite; pytest's "no tests collected" (exit 5) is a failure, said plainly.
set -uo pipefail
python="${1:-.venv/bin/python}"
"$python" -m pytest "${@:2}"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass." >&2
    exit 1
fi
exit "$status"
