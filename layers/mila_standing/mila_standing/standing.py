"""A partner's standing: what the system holds about a partner (SPEC "Words"), and how it is
stored (schema 2: one small item per window entry, one small aggregate item).

In memory a ``Standing`` holds the aggregate (status, streaks, strikes, pending decision, ...)
and the window entries that were read with it: the newest entries of each window, enough for
the rules (R1.1, R3.1). Windows are keyed by job id, never by event (R1.3, R3.4): applying the
same record twice, or records in another order, leaves the same standing.

In DynamoDB (partition ``PARTNER#<id>``, sort keys chosen so that one Query reads the aggregate
with the newest entries of one window):

    R#<rated_at, fixed width>#<job_id>        a rating in the window (R1): its stars
    STANDING                                  the aggregate, written only when it changes
    T#<inverted outcome time>#<job_id>        a resolved job (R3): kind, strike, stream sequence

Ratings sort below the aggregate oldest-first, outcomes above it newest-first, so a descending
Query ending at ``STANDING`` and an ascending one starting there each return the aggregate and
then the newest entries of one window. No other sort key of the partition may fall between
``R#`` and ``T#~`` (notices, decisions, flags and audits use prefixes that sort before ``R#``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .models import format_time, parse_time

ACTIVE, EXCLUDED, SUSPENDED, CLOSED = "ACTIVE", "EXCLUDED", "SUSPENDED", "CLOSED"

# Kinds of resolved job in the cancellation window (R3.2, R3.3); GONE marks a job that left it
# (deleted, neutral, moved to another partner, moved in time) so that an older image arriving
# late through the other jobs function cannot bring it back (R3.4).
COMPLETED, CANCELLATION, NO_SHOW, GONE = "COMPLETED", "CANCELLATION", "NO_SHOW", "GONE"
RESOLVED = (COMPLETED, CANCELLATION, NO_SHOW)

SCHEMA = 2
AGGREGATE = "STANDING"
RATING_PREFIX, OUTCOME_PREFIX = "R#", "T#"
RATINGS_RANGE = (RATING_PREFIX, AGGREGATE)  # descending: the aggregate, then the newest ratings
OUTCOMES_RANGE = (AGGREGATE, "T#~")  # ascending: the aggregate, then the newest outcomes
LISTING_SHARDS = 32  # write shards of a city's listing (the nightly check's segments, README)

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
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
NOWHERE = _EPOCH  # where a GONE marker of a job that never had an entry sits (never stored)
_INVERT = 10**18 - 1


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

    def __iter__(self):  # type: ignore[no-untyped-def]
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
            "schema": SCHEMA,
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
            "cancellation_streak": {"count": self.cancellation_streak.count,
                                    "ids": list(self.cancellation_streak.ids)},
            "last_warnings": {kind: format_time(at) for kind, at in sorted(self.last_warnings.items())},
            "strikes": {job: format_time(at) for job, at in sorted(self.strikes.items())},
            "forgiven_strikes": {job: format_time(at) for job, at in sorted(self.forgiven_strikes.items())},
            "pending_decision": {k: v for k, v in pending.items() if k != "reasons"} if pending else None,
            "no_show_warnings": list(self.no_show_warnings[-NO_SHOW_WARNINGS_KEPT:]),
            "flags": list(self.flags[-FLAGS_KEPT:]),
            "notice_seq": self.notice_seq,
            "log_seq": self.log_seq,
            "night": self.night,
            # Only once a partner asked for a review: every other aggregate keeps its content (and hash).
            **({"reviews": {k: dict(v) for k, v in sorted(self.reviews.items())}, "review_seq": self.review_seq}
               if self.review_seq else {}),
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

    def listing_key(self) -> str:
        """The city listing the nightly check reads (write-sharded: no city on one partition)."""
        return f"CITY#{self.city or '-'}#{listing_shard(self.partner_id):02d}"


def _streak(stored: Any) -> Streak:
    if isinstance(stored, dict):
        return Streak(stored.get("ids") or [], int(stored.get("count", 0)))
    return Streak(stored or [])  # a plain list of ids


def listing_shard(partner_id: str) -> int:
    return int(hashlib.sha256(partner_id.encode()).hexdigest()[:8], 16) % LISTING_SHARDS


def flag_hash(flag: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(flag, sort_keys=True, default=str).encode()).hexdigest()[:16]


# --- window entries as items -----------------------------------------------------------------

def _fixed(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return (f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
            f".{m.microsecond:06d}Z")


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def rating_key(job_id: str, rated_at: datetime) -> str:
    return f"{RATING_PREFIX}{_fixed(rated_at)}#{job_id}"


def outcome_key(job_id: str, at: datetime) -> str:
    return f"{OUTCOME_PREFIX}{_INVERT - _micros(at):018d}#{job_id}"


def job_of(sort_key: str) -> str:
    return sort_key.split("#", 2)[2]


def rating_item(partner_id: str, job_id: str, entry: RatingEntry) -> dict[str, Any]:
    return {"pk": partner_key(partner_id), "sk": rating_key(job_id, entry.rated_at), "stars": entry.stars}


def outcome_item(partner_id: str, job_id: str, entry: OutcomeEntry) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": partner_key(partner_id), "sk": outcome_key(job_id, entry.at),
                            "kind": _KIND_CODE[entry.kind], "at": format_time(entry.at), "seq": entry.seq}
    if entry.strike:
        item["strike"] = True
    return item


def rating_from_item(item: dict[str, Any]) -> tuple[str, RatingEntry]:
    _, moment, job = item["sk"].split("#", 2)
    return job, RatingEntry(int(item["stars"]), parse_time(moment))


def outcome_from_item(item: dict[str, Any]) -> tuple[str, OutcomeEntry]:
    entry = OutcomeEntry(_CODE_KIND[item["kind"]], parse_time(item["at"]), strike=bool(item.get("strike")),
                         seq=int(item.get("seq", 0)))
    return job_of(item["sk"]), entry


def partner_key(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def standing_from_items(items: Iterable[dict[str, Any]], partner_id: str | None = None) -> Standing:
    """A standing from its aggregate and any of its entry items (the store reads the newest
    entries; the replay's outcome reads all). Of several entries of one job (a job that moved in
    time leaves a GONE marker behind) the one from the newest stream image counts."""
    standing: Standing | None = None
    ratings: dict[str, RatingEntry] = {}
    outcomes: dict[str, OutcomeEntry] = {}
    for item in items:
        sk = item["sk"]
        if sk == AGGREGATE:
            standing = Standing.from_item(item)
        elif sk.startswith(RATING_PREFIX):
            job, rating = rating_from_item(item)
            ratings[job] = rating
        elif sk.startswith(OUTCOME_PREFIX):
            job, outcome = outcome_from_item(item)
            if job not in outcomes or outcome.seq > outcomes[job].seq:
                outcomes[job] = outcome
    if standing is None:
        standing = Standing(partner_id=partner_id or "")
    standing.ratings, standing.outcomes = ratings, outcomes
    return standing


_KIND_CODE = {COMPLETED: "C", CANCELLATION: "X", NO_SHOW: "N", GONE: "G"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}


def number(value: Fraction | int | None) -> Decimal | None:
    """An exact figure as a Decimal for storage and statements of reasons (28 significant digits)."""
    if value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(value.numerator) / Decimal(value.denominator)
