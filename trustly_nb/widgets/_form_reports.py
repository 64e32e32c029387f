"""What the form says about its inputs as they are now, and when Submit or Reload fails:
a stale write, Trustly's refusal, the network. Kept apart from the form's behaviour
(:mod:`._form`) so each stays one concern.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import APIError, ConflictError, TrustlyError, ValidationError
from ..timestamps import format_epoch_ms
from ._checks import TARGETS, Check
from ._fields import FIELDS
from ._html import count, listing
from ._layout import FormLayout

__all__ = ["FormReports"]

logger = logging.getLogger("trustly_nb")


class FormReports(FormLayout):
    """The form's messages on a conflict or a failure (the form's fields and status line)."""

    customer_id: str
    _remote: dict[str, str]
    _reload_button: Any
    _output: Any
    _check: Check
    _confirming: bool

    def _refresh(self) -> Any:  # the form's
        raise NotImplementedError

    def _enable(self) -> None:
        raise NotImplementedError

    def _inputs_changed(self) -> None:
        """The inputs moved: a preview or a "fix first" about the old ones would mislead."""
        self._confirming = False
        self._enable()
        self._output.value = ""
        check = self._check
        if check.errors:
            self._say("error", f"Fix before Submit: {listing(check.errors)}.")
        elif check.changes:
            self._say("info", f"{count(len(check.changes), 'change')}: Preview, then Submit.")
        else:
            self._say("info", "No changes: every field has its loaded value.")

    def _conflicted(self, exc: ConflictError) -> None:
        read = format_epoch_ms(exc.read_updated_at) or "unknown"
        now = format_epoch_ms(exc.current_updated_at) or "unknown"
        self._reload_button.layout.display = None
        self._say(
            "warning",
            f"Not saved: customer {self.customer_id} changed since this form loaded it "
            f"(updatedAt {read} → {now}). Nothing was sent and your edits are kept: click "
            "“Reload (keep my edits)” to load the current version with your edits on top, "
            "Preview, then Submit again.",
        )

    def _failed(self, exc: Exception, what: str) -> None:
        if isinstance(exc, ValidationError):
            self._remote.update((TARGETS.get(f, f), why) for f, why in exc.errors)
        elif isinstance(exc, APIError):
            for detail in exc.errors:
                where = (detail.location or "").removeprefix("customer.")
                if where in FIELDS:
                    self._remote[where] = f"Trustly: {detail.message or detail.code}"
        if isinstance(exc, TrustlyError):
            text = str(exc)  # says what was asked, what came back, and what to do
        else:
            # Not an expected failure: keep the traceback where a developer can find it.
            logger.exception("CustomerForm: unexpected error for customer %s", self.customer_id)
            text = f"unexpected {type(exc).__name__}: {exc}"
        self._refresh()
        self._say("error", f"{what}: {text} Your edits are kept.")
