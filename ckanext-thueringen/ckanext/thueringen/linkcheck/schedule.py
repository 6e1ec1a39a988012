"""When a URL is checked again (pure functions).

Every URL has a fixed phase inside the re-check interval, from a hash of the
URL: it is due at the same point of every interval, so a catalogue of 100,000
URLs is checked evenly over the interval's days instead of all at once, on any
machine and after any restart (no state besides the URL). A check that ran late
(a backlog) keeps the phase: the next one is the phase's next occurrence at
least half an interval later, which is never more than one and a half
intervals away.
"""
from __future__ import annotations

import datetime as dt
import hashlib

EPOCH = dt.datetime(2000, 1, 1)


def phase_seconds(url: str, period_seconds: int) -> int:
    """The URL's place inside the interval, in seconds from its start."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % period_seconds


def next_check_at(url: str, checked_at: dt.datetime, interval_days: float) -> dt.datetime:
    """When `url`, checked at `checked_at` (naive UTC), is due again."""
    period = max(1, int(interval_days * 86400))
    elapsed = (checked_at - EPOCH).total_seconds()
    start = elapsed - elapsed % period          # the interval `checked_at` falls into
    due = start + phase_seconds(url, period)
    while due < elapsed + period / 2:
        due += period
    return EPOCH + dt.timedelta(seconds=due)
