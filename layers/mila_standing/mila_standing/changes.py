"""What a record, a nightly check or an ops call changes in one partner's standing.

A ``Change`` applies itself to a standing and returns the notices it decided; it also says which
windows it needs read (the store reads only those) and which window entries it touches (the
store reads those too, wherever they lie: a late rating of an old job, a correction of an old
outcome). The store applies a partner's changes in order and writes once (store.update).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .rules import Judgement, Notice, apply_outcome, apply_rating, evaluate, no_show_ladder
from .standing import OutcomeEntry, RatingEntry, Standing

RATINGS, OUTCOMES = "ratings", "outcomes"


class Judge(Protocol):
    """The policy, city figures and time in force for a standing as it is now (its city may just have changed)."""

    def __call__(self, standing: Standing) -> Judgement: ...


@dataclass(frozen=True)
class EntryHint:
    """A window entry a change touches: at this job's image time. ``expected`` when the record's
    old image says an entry should be there (if it is not, the store looks the job up)."""

    window: str
    job_id: str
    at: datetime | None  # None: the old image does not say (it was invalid): look the job up
    expected: bool = False


def _hints(window: str, job_id: str, previous_at: datetime | None, look_up: bool,
           new_at: datetime | None) -> list[EntryHint]:
    """Where a record's job was in the window (its old image) and where it goes (its new one)."""
    found = [EntryHint(window, job_id, previous_at, expected=True)] if previous_at or look_up else []
    if new_at is not None:
        found.append(EntryHint(window, job_id, new_at))
    return found


class Change(Protocol):
    windows: frozenset[str]

    def hints(self) -> list[EntryHint]: ...

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]: ...


@dataclass
class RatingChange:
    """R1.2: a new or replaced rating counts with its stars; None (deleted or voided) leaves the window."""

    job_id: str
    entry: RatingEntry | None
    previous_at: datetime | None = None  # rated_at of the old image, where the entry may be
    look_up: bool = False  # the old image was a rating whose time cannot be read
    windows: frozenset[str] = frozenset({RATINGS})

    def hints(self) -> list[EntryHint]:
        return _hints(RATINGS, self.job_id, self.previous_at, self.look_up,
                      self.entry.rated_at if self.entry is not None else None)

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        if not apply_rating(standing, self.job_id, self.entry):
            return []  # a redelivery or a no-op: the window is keyed by job id (R1.3)
        return evaluate(standing, judge(standing), cancellations=False)  # R14.2: the rating rules


@dataclass
class OutcomeChange:
    """R3.4: the job's latest image in its partner's cancellation window, then R6.2/R6.3 on a new
    strike and the cancellation rule (R5.2)."""

    job_id: str
    entry: OutcomeEntry | None
    seq: int
    previous_at: datetime | None = None  # outcome time of the old image, where the entry may be
    look_up: bool = False  # the old image had an outcome whose time cannot be read
    windows: frozenset[str] = frozenset({OUTCOMES})

    def hints(self) -> list[EntryHint]:
        return _hints(OUTCOMES, self.job_id, self.previous_at, self.look_up,
                      self.entry.at if self.entry is not None else None)

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        changed, new_strike = apply_outcome(standing, self.job_id, self.entry, self.seq, self.previous_at)
        if not changed:
            return []  # redelivered, an older image, or a payment-only update (R14.2)
        j = judge(standing)
        notices = no_show_ladder(standing, j, self.job_id) if new_strike else []  # R6.2, R6.3
        return notices + evaluate(standing, j, ratings=False)  # R14.2: the cancellation rules (R5.2)


@dataclass
class Evaluation:
    """A change decided by a function of the standing and its judgement (nightly check, ops)."""

    decide: Callable[[Standing, Judgement], list[Notice]]
    windows: frozenset[str] = frozenset({RATINGS, OUTCOMES})
    hinted: list[EntryHint] = field(default_factory=list)

    def hints(self) -> list[EntryHint]:
        return list(self.hinted)

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        return self.decide(standing, judge(standing))
