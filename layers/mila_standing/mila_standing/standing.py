"""A partner's standing: what the system holds about a partner (SPEC "Words").

Windows are keyed by job id, never by event (R1.3, R3.4): applying the same record twice,
or records in another order, leaves the same standing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .models import format_time, parse_time

ACTIVE, EXCLUDED, SUSPENDED, CLOSED = "ACTIVE", "EXCLUDED", "SUSPENDED", "CLOSED"

# Kinds of resolved job in the cancellation window (R3.2, R3.3); GONE marks a job that left it
# (deleted, neutral, moved to another partner) so that an older image arriving late cannot
# bring it back (R3.4).
COMPLETED, CANCELLATION, NO_SHOW, GONE = "COMPLETED", "CANCELLATION", "NO_SHOW", "GONE"
RESOLVED = (COMPLETED, CANCELLATION, NO_SHOW)


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


@dataclass
class Standing:
    partner_id: str
    city: str | None = None
    verified: bool = False
    profile_known: bool = False
    profile_removed: bool = False  # the partners record was deleted or its latest image is invalid
    user_pool_username: str | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)
    status: str = ACTIVE
    reason: str | None = None
    legal_action: bool = False
    ratings: dict[str, RatingEntry] = field(default_factory=dict)
    outcomes: dict[str, OutcomeEntry] = field(default_factory=dict)
    rating_streak: list[str] = field(default_factory=list)  # ids of the streak's warnings
    rating_baseline: tuple[int, int] | None = None  # (sum of stars, count) at the first warning
    cancellation_streak: list[str] = field(default_factory=list)
    last_warnings: dict[str, datetime] = field(default_factory=dict)
    forgiven_strikes: list[str] = field(default_factory=list)
    pending_decision: dict[str, Any] | None = None
    review_flags: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)  # status changes with reasons
    dispatch_score: float = 0.0
    notice_seq: int = 0
    # The stored content's hash (None until first saved): the condition of optimistic concurrency.
    # A content hash rather than a write counter, so that how often a standing was saved (one
    # write per batch, and batches differ from run to run) never shows in the data.
    revision: str | None = None

    # --- persistence -------------------------------------------------------------------
    def to_item(self) -> dict[str, Any]:
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
            # Windows are stored as one JSON string each ({"job": "5@2026-03-01T10:00:00Z"}): a
            # standing is read and written on every batch, and a map attribute with hundreds of
            # entries costs many times more to (de)serialise than one string of the same size.
            "ratings": _pack({job: f"{e.stars}@{format_time(e.rated_at)}" for job, e in self.ratings.items()}),
            "outcomes": _pack({
                job: f"{_KIND_CODE[e.kind]}{'!' if e.strike else ''}@{format_time(e.at)}#{e.seq}"
                for job, e in self.outcomes.items()
            }),
            "rating_streak": list(self.rating_streak),
            "rating_baseline": list(self.rating_baseline) if self.rating_baseline else None,
            "cancellation_streak": list(self.cancellation_streak),
            "last_warnings": {kind: format_time(at) for kind, at in self.last_warnings.items()},
            "forgiven_strikes": list(self.forgiven_strikes),
            "pending_decision": self.pending_decision,
            "review_flags": list(self.review_flags),
            "decisions": list(self.decisions),
            "dispatch_score": Decimal(repr(self.dispatch_score)),
            "notice_seq": self.notice_seq,
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
            fingerprints=dict(item.get("fingerprints") or {}),
            status=item.get("status", ACTIVE),
            reason=item.get("reason"),
            legal_action=bool(item.get("legal_action", False)),
            ratings={job: _rating(code) for job, code in _unpack(item.get("ratings")).items()},
            outcomes={job: _outcome(code) for job, code in _unpack(item.get("outcomes")).items()},
            rating_streak=list(item.get("rating_streak") or []),
            rating_baseline=(int(baseline[0]), int(baseline[1])) if baseline else None,
            cancellation_streak=list(item.get("cancellation_streak") or []),
            last_warnings={k: parse_time(v) for k, v in (item.get("last_warnings") or {}).items()},
            forgiven_strikes=list(item.get("forgiven_strikes") or []),
            pending_decision=item.get("pending_decision"),
            review_flags=list(item.get("review_flags") or []),
            decisions=list(item.get("decisions") or []),
            dispatch_score=float(item.get("dispatch_score", 0)),
            notice_seq=int(item.get("notice_seq", 0)),
            revision=item.get("revision"),
        )


_KIND_CODE = {COMPLETED: "C", CANCELLATION: "X", NO_SHOW: "N", GONE: "G"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}


def _pack(entries: dict[str, str]) -> str:
    return json.dumps(entries, separators=(",", ":"), sort_keys=True)


def _unpack(stored: Any) -> dict[str, str]:
    if isinstance(stored, str):
        return dict(json.loads(stored))
    return dict(stored or {})  # the earlier map encoding


def _rating(code: str) -> RatingEntry:
    stars, at = code.split("@", 1)
    return RatingEntry(int(stars), parse_time(at))


def _outcome(code: str) -> OutcomeEntry:
    kind, rest = code.split("@", 1)
    at, _, seq = rest.partition("#")
    return OutcomeEntry(_CODE_KIND[kind[0]], parse_time(at), strike=kind.endswith("!"), seq=int(seq or 0))


def number(value: Fraction | int | None) -> Decimal | None:
    """An exact figure as a Decimal for storage and statements of reasons (28 significant digits)."""
    if value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(value.numerator) / Decimal(value.denominator)
