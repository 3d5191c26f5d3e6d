"""The one time format: ISO-8601, normalised to UTC, written with a ``Z``.

Every time the system stores, publishes or compares is a UTC-aware ``datetime``; every time it
reads must carry a zone (R14.13). Calendar days for cooldowns and strike expiry are UTC dates
(R14.1, R14.6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal


def parse_time(value: Any) -> datetime:
    """R14.13: ISO-8601 with a zone, normalised to UTC. Numbers and zone-less strings fail."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 time string with a zone")
    if len(value) > 64:
        raise ValueError("is not an ISO-8601 time (too long)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00: before year 1 in UTC
        raise ValueError(f"{value!r} cannot be converted to UTC") from None


def format_time(value: datetime, timespec: Literal["auto", "seconds", "milliseconds"] = "auto") -> str:
    """``2026-03-01T10:00:00Z``: microseconds only when the time has them (``auto``, what the system
    stores and publishes), or cut to whole ``seconds`` (DynamoDB Streams' arrival times in Lambda's
    failure record, the generated histories) or ``milliseconds`` (Lambda's own timestamps)."""
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
