"""The installed trustly_nb version, stated once (pyproject reads it from here)."""

__version__ = "0.1.0.dev0"
