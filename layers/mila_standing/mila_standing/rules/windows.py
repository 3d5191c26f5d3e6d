"""R1 and R3: the rating window and the cancellation window, and the no-show strikes (R6.1).

Windows are maps keyed by job id: a record delivered twice, or records in another order, give
the same window (R1.3, R3.4).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction

from ..domain.models import Job
from ..domain.policy import CityPolicy
from ..domain.standing import (
    CANCELLATION,
    COMPLETED,
    GONE,
    NO_SHOW,
    NOWHERE,
    RESOLVED,
    STRIKES_KEPT,
    OutcomeEntry,
    RatingEntry,
    Standing,
)


@dataclass(frozen=True)
class RatingFigures:
    count: int
    total: int
    window: int

    @property
    def average(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None


@dataclass(frozen=True)
class CancellationFigures:
    resolved: int
    cancellations: int
    window: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.cancellations, self.resolved) if self.resolved else None


def rating_figures(standing: Standing, policy: CityPolicy) -> RatingFigures:
    """R1.1: the last `window` live ratings by rated_at, ties by job_id."""
    window = policy.rating.window
    ordered = sorted(standing.ratings.items(), key=lambda kv: (kv[1].rated_at, kv[0]))[-window:]
    return RatingFigures(len(ordered), sum(e.stars for _, e in ordered), window)


def cancellation_figures(standing: Standing, policy: CityPolicy) -> CancellationFigures:
    """R3.1: the last `window` resolved jobs by outcome time, ties by job_id."""
    window = policy.cancellation.window
    resolved = [kv for kv in standing.outcomes.items() if kv[1].kind in RESOLVED]
    ordered = sorted(resolved, key=lambda kv: (kv[1].at, kv[0]))[-window:]
    # R14.6: every no-show in the window counts in the rate, expired as a strike or not.
    cancellations = sum(1 for _, e in ordered if e.kind in (CANCELLATION, NO_SHOW))
    return CancellationFigures(len(ordered), cancellations, window)


def strike_dates(standing: Standing) -> dict[str, datetime]:
    """R6.1: every strike the partner has, with its reported time: the entries that were read
    decide for their jobs, the standing's record of strikes for jobs further back."""
    dates = {job: at for job, at in standing.strikes.items() if job not in standing.outcomes}
    dates.update({job: e.at for job, e in standing.outcomes.items() if e.strike})
    return dates


def active_strikes(standing: Standing, policy: CityPolicy, now: datetime) -> list[str]:
    """R6.1 / R14.6: unexpired, unforgiven strikes; a strike exactly window days old still counts."""
    limit = policy.no_show.strike_window_days
    return sorted(
        job
        for job, at in strike_dates(standing).items()
        if job not in standing.forgiven_strikes and (now.date() - at.date()).days <= limit
    )


def keep_strikes(standing: Standing, policy: CityPolicy, now: datetime) -> None:
    """The standing's record of strikes follows its entries and forgets what has expired, so it
    stays small (R6.1, R14.6); forgiven strikes are kept as long as they could still count."""
    limit = policy.no_show.strike_window_days
    live = {job: at for job, at in strike_dates(standing).items() if (now.date() - at.date()).days <= limit}
    standing.strikes = dict(sorted(live.items(), key=lambda kv: (kv[1], kv[0]))[-STRIKES_KEPT:])
    standing.forgiven_strikes = {
        job: at for job, at in standing.forgiven_strikes.items() if (now.date() - at.date()).days <= limit
    }


def apply_rating(standing: Standing, job_id: str, rating: RatingEntry | None) -> bool:
    """R1.2: a new or replaced rating counts with its stars; None (deleted/voided) removes it."""
    before = standing.ratings.get(job_id)
    if before == rating:
        return False
    if rating is None:
        del standing.ratings[job_id]
    else:
        standing.ratings[job_id] = rating
    return True


def outcome_entry(job: Job) -> OutcomeEntry | None:
    """R3.2 / R3.3: what a job's latest image puts in its partner's cancellation window."""
    if job.status == "COMPLETED":
        return OutcomeEntry(COMPLETED, job.outcome_at)
    if job.status == "CANCELLED":
        # Customer and support cancellations are neutral: not in the window at all.
        return OutcomeEntry(CANCELLATION, job.outcome_at) if job.cancelled_by == "partner" else None
    if job.status == "NO_SHOW":
        announced = job.support_informed_at is not None and job.support_informed_at < job.scheduled_at
        if announced:
            return OutcomeEntry(CANCELLATION, job.outcome_at)
        return OutcomeEntry(NO_SHOW, job.outcome_at, strike=True)
    return None


def apply_outcome(
    standing: Standing, job_id: str, entry: OutcomeEntry | None, seq: int = 0, previous_at: datetime | None = None
) -> tuple[bool, bool]:
    """R3.4: a job counts with its latest outcome. Returns (window changed, a new strike).

    ``seq`` is the stream sequence number of the job image: an image older than the one the
    standing already reflects is ignored, so two functions reading the same jobs stream (or a
    late retry) can never put an earlier outcome back. A job that leaves the window (R14.9:
    deleted, neutral, moved to another partner) is kept as a GONE marker for that reason, where
    its entry was (``previous_at``: the outcome time of the job's old image, when the entry
    itself was not read)."""
    before = standing.outcomes.get(job_id)
    if before is not None and seq and before.seq > seq:
        return False, False
    if entry is None:
        if before is None and not seq:
            return False, False
        moment = before.at if before is not None else previous_at or NOWHERE
        entry = OutcomeEntry(GONE, moment, seq=seq)
    else:
        entry = replace(entry, seq=seq)
    if before == entry:
        return False, False
    standing.outcomes[job_id] = entry
    was = before if before is not None and before.kind in RESOLVED else None
    if was is None and job_id in standing.strikes:
        was = OutcomeEntry(NO_SHOW, standing.strikes[job_id], strike=True)  # its entry lies further back
    now_resolved = entry if entry.kind in RESOLVED else None
    if (was is None and now_resolved is None) or (was is not None and was.same_outcome(now_resolved)):
        return False, False  # only the marker moved on: the window is the same (R14.2)
    new_strike = entry.strike and not (was is not None and was.strike)
    return True, new_strike
