"""``python -m trustly_nb.emulator --port 8787``: the emulator on its own."""

import sys

from ._cli import main

sys.exit(main())
