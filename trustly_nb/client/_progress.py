"""A big Get Customers answer is not a silent cell: a tqdm.auto bar for the download, then one
for the build.

Get Customers has no paging: a merchant with a million customers gets one answer of about
440 MB. When an answer is bigger than :data:`THRESHOLD` (by its ``Content-Length``, or by
what has arrived when it has none), a bar shows the bytes against the length, then a bar
shows the build's steps. A small answer shows nothing, and ``enabled=False`` shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

__all__ = ["THRESHOLD", "Progress"]

THRESHOLD: Final = 4 << 20
"""Answers up to 4 MiB (some 9,000 customers) arrive in well under a second: no bar."""


class Progress:
    """Bars for one Get Customers call.

    Example:
        >>> progress = Progress(enabled=True)
        >>> with progress.download(10_000_000) as advance:
        ...     advance(1_000_000)
    """

    def __init__(self, enabled: bool, what: str = "customers") -> None:
        self.enabled = enabled
        self.what = what
        self.shown = False
        """Whether the download was big enough to show a bar (then the build shows one)."""

    @contextmanager
    def download(self, total: int | None) -> Iterator[Callable[[int], None]]:
        """A function to call with each chunk's size; a bar once the answer is big."""
        bar: Any = None
        received = 0

        def advance(size: int) -> None:
            nonlocal bar, received
            received += size
            if bar is None and self.enabled and max(received, total or 0) > THRESHOLD:
                bar = _bar(total=total, desc=f"Get Customers ({self.what})", unit="B")
                bar.update(received)
                self.shown = True
            elif bar is not None:
                bar.update(size)

        try:
            yield advance
        finally:
            if bar is not None:
                bar.close()

    @contextmanager
    def build(self, steps: list[str]) -> Iterator[Callable[[], None]]:
        """A function to call as each of ``steps`` finishes; a bar if the download had one."""
        bar: Any = None
        if self.shown:
            bar = _bar(total=len(steps), desc=f"Building {self.what}", unit="step", scale=False)
            bar.set_postfix_str(steps[0])
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if bar is not None:
                bar.update(1)
                if done < len(steps):
                    bar.set_postfix_str(steps[done])

        try:
            yield step
        finally:
            if bar is not None:
                bar.close()


def _bar(*, total: int | None, desc: str, unit: str, scale: bool = True) -> Any:
    from tqdm.auto import tqdm  # loaded only when a bar is shown

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=scale, unit_divisor=1024)
