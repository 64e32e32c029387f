"""The installed trustly_nb version, stated once (pyproject reads it from here)."""

__version__ = "0.2.0"
