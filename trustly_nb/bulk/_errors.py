"""How a batch stops early: each carries ``.result``, the frame of every row so far."""

from __future__ import annotations

import pandas as pd

from ..errors import AuthenticationError, TrustlyError
from ._results import counts


class BulkInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a bulk update; ``.result`` is the frame of every row so far.

    It is a ``KeyboardInterrupt``, so a notebook cell still stops. In Jupyter the frame is
    ``sys.last_value.result``; the journal, when one was given, holds the same rows.
    """

    def __init__(self, result: pd.DataFrame) -> None:
        self.result = result
        listed = ", ".join(f"{n} {s}" for s, n in counts(result).items())
        super().__init__(
            f"Stopped by Ctrl-C: {listed}. Every row is in this exception's .result "
            "(sys.last_value.result in Jupyter) and in the journal, if one was given; rerun "
            "with skip=<that frame or the journal path> to finish."
        )


class BulkAuthenticationError(AuthenticationError):
    """A 401 stopped a bulk update: the rest are ``not-sent``; ``.result`` has every row.

    It is an :class:`~trustly_nb.AuthenticationError`, so ``except tnb.AuthenticationError``
    catches it; a plain client 401 carries no result.
    """

    def __init__(self, cause: AuthenticationError, result: pd.DataFrame) -> None:
        super().__init__(cause.status, cause.errors, cause.request, request_id=cause.request_id)
        self.result = result
        """Every row of the batch: done, failed, and ``not-sent``."""


class JournalWriteError(TrustlyError, OSError):
    """The journal could not be written (a full disk?): the batch stopped rather than go
    on unrecorded; ``.result`` has every row."""

    def __init__(self, cause: OSError, result: pd.DataFrame) -> None:
        super().__init__(
            f"Stopped: the journal could not be written ({cause}). Nothing after that was "
            "sent; every row is in this exception's .result. Free the disk or pick another "
            "journal path, then rerun with skip=<.result>."
        )
        self.result = result
        """Every row of the batch: done, failed, and ``not-sent``."""
