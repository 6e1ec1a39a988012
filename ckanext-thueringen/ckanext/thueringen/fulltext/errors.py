"""The failure of one extraction, with the German reason shown to users."""
from __future__ import annotations


class ExtractionError(Exception):
    """The document yields no text. `reason` is a German sentence for the
    resource page; `permanent` is False only for failures that may pass on a
    later attempt (network, server), which are retried with backoff."""

    def __init__(self, reason: str, *, permanent: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
