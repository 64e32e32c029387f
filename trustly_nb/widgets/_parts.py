"""What the form and the grid share: widgets made and closed together, the status line,
their display in a notebook, and setting values from Python without taking it for typing."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, Literal

__all__ = ["Level", "WidgetParts"]

Level = Literal["info", "success", "warning", "error"]
_COLOURS: Final = {  # level -> (mark, text colour, background)
    "info": ("ℹ", "#1f2937", "#f3f4f6"),
    "success": ("✔", "#14532d", "#e3f6e8"),
    "warning": ("⚠", "#713f12", "#fef3c7"),
    "error": ("✖", "#8a1c1c", "#fde8e8"),
}


class WidgetParts:
    """The base of the form's and the grid's widgets (they build ``_root`` and
    ``_status_html``; this keeps track of what they made and says things in the status)."""

    _root: Any
    _status_html: Any

    def __init__(self) -> None:
        self._created: list[Any] = []
        self._status = ""
        self._syncing = False

    def close(self) -> None:
        """Close every widget (they stop syncing with the page)."""
        for item in self._created:
            item.close()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self._root._repr_mimebundle_(**kwargs))
        bundle["text/plain"] = repr(self)  # the VBox's own repr would list every value
        return bundle

    def _make(self, cls: Any, *classes: str, **kwargs: Any) -> Any:
        item = cls(**kwargs)
        for name in classes:
            item.add_class(name)
        self._created.append(item)
        return item

    def _say(self, level: Level, text: str) -> None:
        self._status = text
        mark, colour, background = _COLOURS[level]
        self._status_html.value = (
            f"<div class='tnb-status-{level}' style='color:{colour};background:{background};"
            f"padding:4px 8px;border-radius:4px;white-space:pre-wrap'>"
            f"{mark} {html.escape(text)}</div>"
        )

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Set values from Python without taking them for typing."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False
