"""The package surface: a light import, a complete and sorted ``__all__``."""

from __future__ import annotations

import subprocess
import sys

import trustly_nb as tnb


def test_import_is_light():
    """`import trustly_nb` loads no ipywidgets, vcrpy, Jupyter, pandas or msgspec (on use)."""
    code = (
        "import sys, trustly_nb\n"
        "heavy = {'ipywidgets', 'vcr', 'jupyter_client', 'IPython', 'pandas', 'tqdm', 'msgspec'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_all_is_sorted_and_every_name_resolves():
    """Every public name in __all__ exists (lazy ones included), and the list is sorted."""
    groups = sorted(
        tnb.__all__, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    assert list(tnb.__all__) == groups  # constants, classes, then functions (ruff RUF022)
    missing = [name for name in tnb.__all__ if not hasattr(tnb, name)]
    assert missing == []


def test_every_public_name_has_a_docstring_with_an_example():
    """Every name in trustly_nb.__all__ (and every public module) documents itself with an
    example a user can copy."""
    undocumented = []
    for name in tnb.__all__:
        value = getattr(tnb, name)
        if name == "__version__" or name.isupper():
            continue  # a string constant; CLEAR's meaning is in the package docstring
        doc = value.__doc__ or ""
        if "Example" not in doc and ">>>" not in doc:
            undocumented.append(name)
    assert undocumented == []


def test_the_design_names_are_public():
    """The names the design promises (README, docs) are importable from the package."""
    for name in ("Client", "connect", "use_cassette", "Customer", "CLEAR", "customers_to_frame",
                 "frame_to_changes", "diff_frame", "CustomerForm", "CustomerGrid", "emulator",
                 "ValidationError", "APIError", "AuthenticationError", "BadRequestError",
                 "NotFoundError", "ServerError", "ConflictError", "TransportError"):  # fmt: skip
        assert name in tnb.__all__
