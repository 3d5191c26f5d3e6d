"""What a record, a nightly check or an ops call changes in one partner's standing.

A ``Change`` applies itself to a standing and returns the notices it decided; it also says which
windows it needs read (the store reads only those), which window entries it touches (the store
reads those too, wherever they lie: a late rating of an old job, a correction of an old outcome)
and which records of its own it writes with the standing (an ops call's audit). The unit of work
applies a partner's changes in order and saves once (unit_of_work.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..domain.standing import OUTCOMES, RATINGS, WINDOWS, OutcomeEntry, RatingEntry, Standing
from ..rules import Judgement, Notice, apply_outcome, apply_rating, evaluate, no_show_ladder
from .ports import EntryHint, Record


class Judge(Protocol):
    """The policy, city figures and time in force for a standing as it is now (its city may just have changed)."""

    def __call__(self, standing: Standing) -> Judgement: ...


def _hints(
    window: str, job_id: str, previous_at: datetime | None, look_up: bool, new_at: datetime | None
) -> list[EntryHint]:
    """Where a record's job was in the window (its old image) and where it goes (its new one)."""
    found = [EntryHint(window, job_id, previous_at, expected=True)] if previous_at or look_up else []
    if new_at is not None:
        found.append(EntryHint(window, job_id, new_at))
    return found


class Change(Protocol):
    windows: frozenset[str]
    always_save: bool  # save the aggregate even if nothing changed (an audited ops call)

    def hints(self) -> list[EntryHint]: ...

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]: ...

    def records(self, standing: Standing) -> list[Record]: ...


@dataclass
class PartnerChange:
    """What a stream record means for one partner (a record may concern two: a job that moved)."""

    partner_id: str
    change: Change


def image(record: DynamoDBRecord, which: str) -> dict[str, Any]:
    """A record's NewImage or OldImage as a plain dict ({} when absent, e.g. NewImage on REMOVE)."""
    if record.dynamodb is None:
        return {}
    found = record.dynamodb.new_image if which == "new" else record.dynamodb.old_image
    return dict(found or {})


class AChange:
    """The defaults of a change: no window read, no entry touched, no record of its own."""

    windows: frozenset[str] = frozenset()
    always_save: bool = False

    def hints(self) -> list[EntryHint]:
        return []

    def records(self, standing: Standing) -> list[Record]:
        return []


@dataclass
class RatingChange(AChange):
    """R1.2: a new or replaced rating counts with its stars; None (deleted or voided) leaves the window."""

    job_id: str
    entry: RatingEntry | None
    previous_at: datetime | None = None  # rated_at of the old image, where the entry may be
    look_up: bool = False  # the old image was a rating whose time cannot be read
    windows: frozenset[str] = frozenset({RATINGS})

    def hints(self) -> list[EntryHint]:
        return _hints(
            RATINGS,
            self.job_id,
            self.previous_at,
            self.look_up,
            self.entry.rated_at if self.entry is not None else None,
        )

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        if not apply_rating(standing, self.job_id, self.entry):
            return []  # a redelivery or a no-op: the window is keyed by job id (R1.3)
        return evaluate(standing, judge(standing), cancellations=False)  # R14.2: the rating rules


@dataclass
class OutcomeChange(AChange):
    """R3.4: the job's latest image in its partner's cancellation window, then R6.2/R6.3 on a new
    strike and the cancellation rule (R5.2)."""

    job_id: str
    entry: OutcomeEntry | None
    seq: int
    previous_at: datetime | None = None  # outcome time of the old image, where the entry may be
    look_up: bool = False  # the old image had an outcome whose time cannot be read
    windows: frozenset[str] = frozenset({OUTCOMES})

    def hints(self) -> list[EntryHint]:
        return _hints(
            OUTCOMES, self.job_id, self.previous_at, self.look_up, self.entry.at if self.entry is not None else None
        )

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        changed, new_strike = apply_outcome(standing, self.job_id, self.entry, self.seq, self.previous_at)
        if not changed:
            return []  # redelivered, an older image, or a payment-only update (R14.2)
        j = judge(standing)
        notices = no_show_ladder(standing, j, self.job_id) if new_strike else []  # R6.2, R6.3
        return notices + evaluate(standing, j, ratings=False)  # R14.2: the cancellation rules (R5.2)


@dataclass
class Evaluation(AChange):
    """A change decided by a function of the standing and its judgement (nightly check, ops).
    ``audit``: the records an ops call writes with it (an audited call is always saved)."""

    decide: Callable[[Standing, Judgement], list[Notice]]
    windows: frozenset[str] = WINDOWS
    audit: Callable[[Standing], list[Record]] | None = None
    always_save: bool = False

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        return self.decide(standing, judge(standing))

    def records(self, standing: Standing) -> list[Record]:
        return self.audit(standing) if self.audit else []
