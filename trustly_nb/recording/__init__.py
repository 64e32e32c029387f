"""Run modes, cassettes and the offline guard: how a notebook reaches an API or a recording.

Everything that touches vcrpy is imported lazily, so ``import trustly_nb`` stays light.

Example:
    >>> import trustly_nb as tnb
    >>> client = tnb.connect(cassette="01-quickstart")   # replay unless told otherwise
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._check import CassetteCheck, check_cassettes
from ._connect import (
    MODES,
    Mode,
    cassette_dir,
    cassette_path,
    connect,
    disconnect,
    resolve_mode,
    resolve_strict,
    use_cassette,
)
from ._netguard import NetworkBlockedError, block_non_loopback
from ._scrub import (
    IDENTITY_FIELDS,
    find_identity_leaks,
    is_synthetic_identity,
    scrub_json,
    scrub_text,
)

__all__ = [
    "IDENTITY_FIELDS",
    "MODES",
    "CassetteCheck",
    "Mode",
    "NetworkBlockedError",
    "block_non_loopback",
    "cassette_dir",
    "cassette_path",
    "check_cassettes",
    "configure_vcr",
    "connect",
    "disconnect",
    "find_identity_leaks",
    "is_synthetic_identity",
    "resolve_mode",
    "resolve_strict",
    "scrub_json",
    "scrub_text",
    "use_cassette",
    "vcr_options",
]

if TYPE_CHECKING:
    import vcr


def vcr_options() -> dict[str, Any]:
    """The project's one VCR configuration (scrubbing, matching), e.g. for pytest-recording.

    Example:
        >>> @pytest.fixture(scope="session")
        ... def vcr_config():
        ...     return trustly_nb.recording.vcr_options()
    """
    from ._vcr import vcr_options as options

    return options()


def configure_vcr(recorder: vcr.VCR) -> vcr.VCR:
    """Register the project's readable-YAML serializer on a ``vcr.VCR`` and return it.

    Example:
        >>> def pytest_recording_configure(config, vcr):
        ...     trustly_nb.recording.configure_vcr(vcr)
    """
    from ._vcr import configure

    return configure(recorder)
