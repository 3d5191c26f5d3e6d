"""Publishing a stored notice (R13): to the notification service, and the partner's login.

Notices are written with the standing in one transaction and published from the table's stream
afterwards (a transactional outbox), so a notice is never lost nor published without being stored.
A notice is marked once published, so a redelivered stream record sends it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.times import format_time
from .ports import NOTICE, StandingStore


class NoticePublisher(Protocol):
    """The notices bus and the user pool (adapters/notices.py)."""

    def publish(self, notices: list[dict[str, Any]], at: datetime) -> None:
        """Send the notices as events of the time ``at`` (when they were published)."""
        ...

    def follow_login(self, notice: dict[str, Any]) -> str | None:
        """SUSPENDED / CLOSED disable the login, REINSTATED enables it: "disabled", "enabled" or None."""
        ...


@dataclass(frozen=True)
class Published:
    notice_id: str
    type: str
    login: str | None  # "disabled" | "enabled" | None: what it did to the partner's login


def publish_notice(
    store: StandingStore, publisher: NoticePublisher, partner_id: str, seq: int, now: datetime
) -> Published | None:
    """Publish the partner's notice ``seq`` unless it went out already (None then)."""
    notice = store.record(partner_id, NOTICE, seq)
    if notice is None or notice.get("published_at"):
        return None  # redelivered: already published
    publisher.publish([notice], now)
    login = publisher.follow_login(notice)
    store.mark_published(partner_id, seq, format_time(now))
    return Published(str(notice.get("notice_id")), str(notice.get("type")), login)
