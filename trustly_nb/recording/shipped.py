"""Where the tutorial's files are: the copy inside the installed wheel, or the source tree.

A wheel carries the repository's ``notebooks/``, ``cassettes/`` and ``apps/`` under
``trustly_nb/tutorial/`` (copied at build time, see pyproject.toml). A source checkout
(``make setup``'s editable install) has no such copy: there the repository's own folders are
the shipped ones, so the same code serves both.

Example:
    >>> from trustly_nb.recording import shipped
    >>> shipped.tutorial_root()                   # doctest: +SKIP
    PosixPath('.../site-packages/trustly_nb/tutorial')
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PARTS", "tutorial_root"]

PARTS = ("notebooks", "cassettes", "apps")
"""The folders the tutorial is made of, as named in the repository and in the wheel."""

_PACKAGE = Path(__file__).resolve().parent.parent


def tutorial_root() -> Path | None:
    """The folder holding ``notebooks/``, ``cassettes/`` and ``apps/`` as shipped, or ``None``.

    The installed wheel's ``trustly_nb/tutorial/`` when it exists, else the repository
    around an editable install (recognised by its ``pyproject.toml``).

    Example:
        >>> root = tutorial_root()
        >>> root is None or (root / "cassettes").is_dir()
        True
    """
    inside = _PACKAGE / "tutorial"
    if (inside / "notebooks").is_dir():
        return inside
    checkout = _PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "notebooks").is_dir():
        return checkout
    return None
