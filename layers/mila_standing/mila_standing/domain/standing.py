"""A partner's standing: what the system holds about a partner (SPEC "Words").

A ``Standing`` holds the aggregate (status, streaks, strikes, pending decision, ...) and the
window entries that were read with it: at least the newest entries of each window, enough for the
rules (R1.1, R3.1). Windows are keyed by job id, never by event (R1.3, R3.4): applying the same
record twice, or records in another order, leaves the same standing. How a standing is stored
(one small item per entry, one small aggregate) is the adapters' business (adapters/table).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .languages import DEFAULT_LANGUAGE
from .times import format_time, parse_time

ACTIVE, EXCLUDED, SUSPENDED, CLOSED = "ACTIVE", "EXCLUDED", "SUSPENDED", "CLOSED"

# Kinds of resolved job in the cancellation window (R3.2, R3.3); GONE marks a job that left it
# (deleted, neutral, moved to another partner, moved in time) so that an older image arriving
# late through the other jobs function cannot bring it back (R3.4).
COMPLETED, CANCELLATION, NO_SHOW, GONE = "COMPLETED", "CANCELLATION", "NO_SHOW", "GONE"
RESOLVED = (COMPLETED, CANCELLATION, NO_SHOW)

RATINGS, OUTCOMES = "ratings", "outcomes"  # the two windows (R1, R3)
WINDOWS = frozenset({RATINGS, OUTCOMES})

# Size budget (issue 12: no item grows without bound). Every list the aggregate keeps is capped
# here; with these caps and ids of at most models.MAX_ID_BYTES the aggregate stays under
# AGGREGATE_BUDGET_BYTES (a typical one is about 0.6 KB, one write unit). Decisions, notices,
# flags and audits are items of their own, one per event, each holding a bounded statement of
# reasons and at most the ops free text (ops.MAX_NOTE_CHARS ...): each under ITEM_BUDGET_BYTES.
# tests/integration/test_item_budget.py drives a partner through years of events and checks both.
AGGREGATE_BUDGET_BYTES = 8 * 1024
ITEM_BUDGET_BYTES = 16 * 1024  # DynamoDB refuses items over 400 KB
STREAK_IDS_KEPT = 10  # a streak's most recent notice ids (its length is counted apart)
NO_SHOW_WARNINGS_KEPT = 5
STRIKES_KEPT = 20  # unexpired strikes; exclusion comes at 2 by default (R6.3)
FLAGS_KEPT = 20  # hashes of review flags already raised (the flags are items of their own)
NOWHERE = datetime(1, 1, 1, tzinfo=UTC)  # where a GONE marker of a job that never had an entry sits (never stored)


@dataclass(frozen=True)
class RatingEntry:
    stars: int
    rated_at: datetime


@dataclass(frozen=True)
class OutcomeEntry:
    kind: str  # COMPLETED | CANCELLATION | NO_SHOW | GONE
    at: datetime
    strike: bool = False  # R6.1: an unannounced no-show
    seq: int = 0  # stream sequence number of the job image it comes from (0: unknown)

    def same_outcome(self, other: OutcomeEntry | None) -> bool:
        return other is not None and (self.kind, self.at, self.strike) == (other.kind, other.at, other.strike)


class Streak:
    """A warning streak (R2.2, R5.2): how many warnings in a row, and the ids of the latest ones
    (at most STREAK_IDS_KEPT; a statement of reasons lists those). Compares equal to a list of ids."""

    def __init__(self, ids: Iterable[str] = (), count: int | None = None):
        given = list(ids)
        self.ids = given[-STREAK_IDS_KEPT:]
        self.count = len(given) if count is None else count

    def add(self, notice_id: str) -> None:
        self.count += 1
        self.ids = (self.ids + [notice_id])[-STREAK_IDS_KEPT:]

    def clear(self) -> None:
        self.ids, self.count = [], 0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Streak):
            return (self.count, self.ids) == (other.count, other.ids)
        if isinstance(other, list):
            return self.count == len(other) and self.ids == other[-STREAK_IDS_KEPT:]
        return NotImplemented

    def __repr__(self) -> str:
        return f"Streak({self.ids!r}, count={self.count})"


@dataclass
class Standing:
    partner_id: str
    city: str | None = None
    verified: bool = False
    profile_known: bool = False
    profile_removed: bool = False  # the partners record was deleted or its latest image is invalid
    user_pool_username: str | None = None
    locale: str = DEFAULT_LANGUAGE  # the language of the partner's messages (R13.1), from the partners record
    fingerprints: dict[str, str] = field(default_factory=dict)
    status: str = ACTIVE
    reason: str | None = None
    legal_action: bool = False
    # The entries read with the standing: each window's newest, and any a change touches.
    ratings: dict[str, RatingEntry] = field(default_factory=dict)
    outcomes: dict[str, OutcomeEntry] = field(default_factory=dict)
    rating_streak: Streak = field(default_factory=Streak)
    rating_baseline: tuple[int, int] | None = None  # (sum of stars, count) at the first warning
    # In the band (R2.1) at the last rating evaluation, and under which thresholds
    # (CityPolicy.rating_band_key): lets the nightly check skip the windows of a quiet partner.
    rating_band: tuple[bool, str] | None = None
    cancellation_streak: Streak = field(default_factory=Streak)
    last_warnings: dict[str, datetime] = field(default_factory=dict)
    # R6.1: strikes of jobs whose entries may lie outside the window that was read (job -> reported).
    strikes: dict[str, datetime] = field(default_factory=dict)
    forgiven_strikes: dict[str, datetime] = field(default_factory=dict)  # R14.6: forgiven at a reinstatement
    pending_decision: dict[str, Any] | None = None  # R12.3; its statement of reasons is in its notice
    no_show_warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # hashes of the review flags raised (R8.1)
    notice_seq: int = 0
    log_seq: int = 0
    # The last night the nightly check changed this standing, with what it sent that night:
    # {"date", "warnings", "suspensions", "pending_decisions"} (a re-run of the night skips it).
    night: dict[str, Any] | None = None
    # Open reviews (issue 13, rules/reviews.py): review id -> {"notice_id", "deadline", "sent"}; an
    # answered review leaves (its record is an APPEAL# item). At most OPEN_REVIEWS_KEPT.
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    review_seq: int = 0
    # Made by this update, written as items of their own (DECISION#, FLAG#), then forgotten:
    decisions: list[dict[str, Any]] = field(default_factory=list)  # status changes with reasons (R12.1)
    review_flags: list[dict[str, Any]] = field(default_factory=list)
    # The stored aggregate's content hash (None until first saved): the condition of optimistic
    # concurrency. A hash rather than a counter, so how often a standing was saved (batches differ
    # from run to run) never shows in the data.
    revision: str | None = None

    # --- the aggregate item ---------------------------------------------------------------
    def to_item(self) -> dict[str, Any]:
        """The aggregate's content (no keys, no revision): everything but the window entries."""
        pending = self.pending_decision
        return {
            "partner_id": self.partner_id,
            "city": self.city,
            "verified": self.verified,
            "profile_known": self.profile_known,
            "profile_removed": self.profile_removed,
            "user_pool_username": self.user_pool_username,
            "fingerprints": dict(self.fingerprints),
            "status": self.status,
            "reason": self.reason,
            "legal_action": self.legal_action,
            "rating_streak": {"count": self.rating_streak.count, "ids": list(self.rating_streak.ids)},
            "rating_baseline": list(self.rating_baseline) if self.rating_baseline else None,
            "rating_band": list(self.rating_band) if self.rating_band else None,
            "cancellation_streak": {"count": self.cancellation_streak.count, "ids": list(self.cancellation_streak.ids)},
            "last_warnings": {kind: format_time(at) for kind, at in sorted(self.last_warnings.items())},
            "strikes": {job: format_time(at) for job, at in sorted(self.strikes.items())},
            "forgiven_strikes": {job: format_time(at) for job, at in sorted(self.forgiven_strikes.items())},
            "pending_decision": {k: v for k, v in pending.items() if k != "reasons"} if pending else None,
            "no_show_warnings": list(self.no_show_warnings[-NO_SHOW_WARNINGS_KEPT:]),
            "flags": list(self.flags[-FLAGS_KEPT:]),
            "notice_seq": self.notice_seq,
            "log_seq": self.log_seq,
            "night": self.night,
            # Only when not the default (R13.1), and only once a partner asked for a review: every
            # other aggregate keeps its content (and hash).
            **({"locale": self.locale} if self.locale != DEFAULT_LANGUAGE else {}),
            **(
                {"reviews": {k: dict(v) for k, v in sorted(self.reviews.items())}, "review_seq": self.review_seq}
                if self.review_seq
                else {}
            ),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Standing:
        baseline = item.get("rating_baseline")
        return cls(
            partner_id=item["partner_id"],
            city=item.get("city"),
            verified=bool(item.get("verified", False)),
            profile_known=bool(item.get("profile_known", False)),
            profile_removed=bool(item.get("profile_removed", False)),
            user_pool_username=item.get("user_pool_username"),
            locale=str(item.get("locale") or DEFAULT_LANGUAGE),
            fingerprints=dict(item.get("fingerprints") or {}),
            status=item.get("status", ACTIVE),
            reason=item.get("reason"),
            legal_action=bool(item.get("legal_action", False)),
            rating_streak=_streak(item.get("rating_streak")),
            rating_baseline=(int(baseline[0]), int(baseline[1])) if baseline else None,
            rating_band=(bool(band[0]), str(band[1])) if (band := item.get("rating_band")) else None,
            cancellation_streak=_streak(item.get("cancellation_streak")),
            last_warnings={k: parse_time(v) for k, v in (item.get("last_warnings") or {}).items()},
            strikes={k: parse_time(v) for k, v in (item.get("strikes") or {}).items()},
            forgiven_strikes={k: parse_time(v) for k, v in (item.get("forgiven_strikes") or {}).items()},
            pending_decision=dict(item["pending_decision"]) if item.get("pending_decision") else None,
            no_show_warnings=list(item.get("no_show_warnings") or []),
            flags=list(item.get("flags") or []),
            notice_seq=int(item.get("notice_seq", 0)),
            log_seq=int(item.get("log_seq", 0)),
            night=dict(item["night"]) if item.get("night") else None,
            reviews={k: {**v, "sent": list(v.get("sent") or [])} for k, v in (item.get("reviews") or {}).items()},
            review_seq=int(item.get("review_seq", 0)),
            revision=item.get("revision"),
        )


def _streak(stored: Any) -> Streak:
    if isinstance(stored, dict):
        return Streak(stored.get("ids") or [], int(stored.get("count", 0)))
    return Streak(stored or [])  # a plain list of ids


def flag_hash(flag: dict[str, Any]) -> str:
    """A review flag's identity (its rule and who shares what): the standing keeps these (R8.1)."""
    return hashlib.sha256(json.dumps(flag, sort_keys=True, default=str).encode()).hexdigest()[:16]
