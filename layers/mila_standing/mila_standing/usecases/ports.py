"""The ports: what the use cases need from storage and the outside world, as ``typing.Protocol``s.

``StandingStore`` is the one port for our own data: a partner's standing and windows (read by a
``ReadPlan``, saved as a ``ChangeSet``, conditionally on what was read), the partner's records
(notices, decisions, flags, audits, reviews), the ledger, the identity fingerprints, the city
figures, the city listing the night reads, and the night's log. Two adapters implement it:
DynamoDB (``adapters.dynamodb``) and memory (``adapters.memory``, for tests and quick replays);
both hold the same items (``adapters.table``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..domain.policy import DEFAULT_POLICY
from ..domain.standing import GONE, NOWHERE, WINDOWS, OutcomeEntry, RatingEntry, Standing
from ..rules import CityFigures, Notice

# The partner's records, each kind an item of its own next to the standing.
NOTICE, DECISION, FLAG, AUDIT, APPEAL = "NOTICE", "DECISION", "FLAG", "AUDIT", "APPEAL"
# Kinds of the night's log (what each segment of a fanned-out night found and did).
NIGHT_FIGURES, NIGHT_EVALUATED = "FIGURES", "EVALUATED"
# A city's listing is spread over this many shards (write-sharded: no city on one partition);
# a city's night reads them as its segments.
LISTING_SHARDS = 32


class Conflict(Exception):
    """Someone else wrote the standing since it was read: read again, decide again."""


WindowSizes = Callable[[str | None], tuple[int, int]]
"""A city's rating and cancellation windows (R1.1, R3.1): how much of each to read."""


@dataclass(frozen=True)
class EntryHint:
    """A window entry a change touches: at this job's image time. ``expected`` when the record's
    old image says an entry should be there (if it is not, the store looks the job up)."""

    window: str
    job_id: str
    at: datetime | None  # None: the old image does not say (it was invalid): look the job up
    expected: bool = False


@dataclass(frozen=True)
class ReadPlan:
    """What to read of a partner: the aggregate, the newest entries of ``windows`` (each window's
    size plus ``extra[window]``: room for the entries the changes bring) and the entries ``hints``
    name, wherever they lie."""

    windows: frozenset[str] = WINDOWS
    hints: tuple[EntryHint, ...] = ()
    extra: Mapping[str, int] = field(default_factory=dict)
    sizes: WindowSizes | None = None

    def window_sizes(self, city: str | None) -> tuple[int, int]:
        """The rating and cancellation windows of the partner's city (the policy's defaults when
        no sizes were given, or before the aggregate says which city)."""
        if self.sizes is not None:
            return self.sizes(city)
        defaults = DEFAULT_POLICY["defaults"]
        return int(defaults["rating"]["window"]), int(defaults["cancellation"]["window"])


@dataclass
class Snapshot:
    """What was read, to write only what changed: the aggregate's content (None: not stored yet)
    and the entries."""

    aggregate: dict[str, Any] | None
    ratings: dict[str, RatingEntry]
    outcomes: dict[str, OutcomeEntry]

    @classmethod
    def of(cls, standing: Standing) -> Snapshot:
        return cls(standing.to_item() if standing.revision else None, dict(standing.ratings), dict(standing.outcomes))


@dataclass(frozen=True)
class Record:
    """An item of its own written together with a change (an ops call's audit, a review):
    ``kind`` AUDIT or APPEAL, ``ident`` its place among the partner's records of that kind."""

    kind: str
    ident: str
    body: dict[str, Any]


RatingWrite = tuple[str, RatingEntry | None, RatingEntry | None]  # job, before, after
OutcomeWrite = tuple[str, OutcomeEntry | None, OutcomeEntry]  # job, before, after


@dataclass
class ChangeSet:
    """What one save writes: the standing as the changes left it, against what was read."""

    standing: Standing
    before: Snapshot
    notices: list[Notice] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    always: bool = False  # write the aggregate even if unchanged (an ops call is audited with it)

    def rating_writes(self) -> list[RatingWrite]:
        """R1.2: each job whose rating entry changed (new, new stars or time, gone)."""
        now, then = self.standing.ratings, self.before.ratings
        return [
            (job, then.get(job), now.get(job)) for job in sorted(set(then) | set(now)) if then.get(job) != now.get(job)
        ]

    def outcome_writes(self) -> list[OutcomeWrite]:
        """R3.4: each job whose outcome entry must be written: a new outcome or a marker of one
        that left the window. Only a newer image of the same outcome (a payment) writes nothing, nor
        does a marker of a job that never had an entry (it guards nothing)."""
        found: list[OutcomeWrite] = []
        now, then = self.standing.outcomes, self.before.outcomes
        for job in sorted(set(then) | set(now)):
            before, after = then.get(job), now.get(job)
            if before == after or after is None or (after.kind == GONE and after.at == NOWHERE):
                continue
            if before is not None and before.same_outcome(after):
                continue
            found.append((job, before, after))
        return found

    def items(self) -> int:
        """How many items this save writes besides the aggregate (DynamoDB takes 100 in one
        transaction): entries (a moved entry leaves a marker; a re-timed rating deletes the old
        one), notices, decisions and review flags."""
        ratings = sum(
            (before is not None and (after is None or after.rated_at != before.rated_at)) + (after is not None)
            for _, before, after in self.rating_writes()
        )
        outcomes = sum(1 + (before is not None and before.at != after.at) for _, before, after in self.outcome_writes())
        return ratings + outcomes + len(self.notices) + len(self.standing.decisions) + len(self.standing.review_flags)


class StandingStore(Protocol):
    """Our own data (the standing table), as the use cases need it."""

    # --- a partner's standing -----------------------------------------------------------------
    def load(self, partner_id: str, plan: ReadPlan) -> Standing:
        """The aggregate (a new ``Standing`` if none is stored) with what ``plan`` asks for."""
        ...

    def save(self, change: ChangeSet) -> str | None:
        """Write what changed, conditionally on the revision read; returns the revision now stored.
        Raises ``Conflict`` when another writer got there first (nothing of this save is kept)."""
        ...

    # --- the partner's records (oldest first) ---------------------------------------------------
    def records(self, partner_id: str, kind: str) -> list[dict[str, Any]]: ...

    def record(self, partner_id: str, kind: str, seq: int) -> dict[str, Any] | None:
        """One NOTICE or APPEAL by its sequence number."""
        ...

    def mark_published(self, partner_id: str, seq: int, at: str) -> None:
        """The notice ``seq`` went out (publish_notices: a redelivery sends it once)."""
        ...

    # --- the ledger (R10) ------------------------------------------------------------------------
    def ledger_entry(self, job_id: str, kind: str) -> dict[str, Any] | None: ...

    def add_ledger_entry(self, entry: dict[str, Any]) -> bool:
        """Put if absent, by job and kind (R10.4): True if written."""
        ...

    # --- identity fingerprints (R8.1) -----------------------------------------------------------
    def claim_fingerprint(self, kind: str, value: str, partner_id: str) -> set[str]:
        """Add the partner to the fingerprint's holders, atomically; returns the holders before."""
        ...

    # --- cities (R4) and the listing the night reads ---------------------------------------------
    def city_figures(self, city: str | None) -> CityFigures | None: ...

    def save_city_figures(self, city: str | None, figures: CityFigures, at: str, partners: int) -> None: ...

    def cities(self) -> list[str | None]: ...

    def listed_partners(
        self, city: str | None, shard: int, start: str | None, page_size: int
    ) -> tuple[list[str], str | None]:
        """One page of a city's listing shard: partner ids, and where the next page starts."""
        ...

    def scan_listing(
        self, segment: int, segments: int, start: str | None, page_size: int
    ) -> tuple[list[tuple[str, str | None]], str | None]:
        """One page of a segment of the whole listing: (partner id, city) pairs, and the next start."""
        ...

    def listed_count(self) -> int:
        """About how many partners the listing holds."""
        ...

    # --- the night's log ---------------------------------------------------------------------------
    def save_night_part(self, night: str, kind: str, segment: str, body: dict[str, Any]) -> None: ...

    def night_parts(self, night: str, kind: str) -> list[dict[str, Any]]: ...


class SecretScrubber(Protocol):
    """The platform's jobs table, where a finished job's access_secrets are removed (R11.1)."""

    def remove_secrets(self, job_id: str, status: str) -> bool: ...
