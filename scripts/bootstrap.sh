#!/usr/bin/env bash
# Create the virtual environment and install the project with exact pins.
# Stops with a message naming what is missing, never with a bare traceback.
set -euo pipefail
venv="${1:-.venv}"

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    echo "trustly_nb needs Python 3.11 or newer (pandas 3 does); none was found on PATH." >&2
    echo "On Debian/Ubuntu: sudo apt-get install python3 python3-venv" >&2
    exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv"; then
        echo "Could not create a virtual environment with $python." >&2
        echo "On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi
"$venv/bin/python" -m pip install --quiet -c constraints.txt -e '.[dev,notebooks,grid]'
echo "trustly_nb installed in $venv ($("$venv/bin/python" --version))"
