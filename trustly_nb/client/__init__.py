"""The client layer: :class:`Client` and the transport rules it sends requests by.

Example:
    >>> from trustly_nb.client import Client
    >>> Client("my-access-id", "my-access-key")
    <trustly_nb.Client sandbox https://sandbox.trustly.one/api/v1>
"""

from ._client import ENVIRONMENTS, Client
from ._decode import paused_gc
from ._source import SOURCE_ATTRIBUTE
from ._transport import is_loopback

__all__ = [
    "ENVIRONMENTS",
    "SOURCE_ATTRIBUTE",
    "Client",
    "is_loopback",
    "paused_gc",
]
