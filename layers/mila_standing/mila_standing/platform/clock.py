"""The functions' clock. AWS time in production; the replay sets it to each scenario line's time."""

from __future__ import annotations

from datetime import UTC, datetime

_fixed: datetime | None = None


def now() -> datetime:
    return _fixed if _fixed is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Used by the replay and tests only: every handler reads the time once per invocation."""
    global _fixed
    _fixed = moment.astimezone(UTC) if moment is not None else None
