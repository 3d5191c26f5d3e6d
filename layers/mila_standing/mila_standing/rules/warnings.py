"""R2.2 / R2.3 rating warnings and R5.2 cancellation warnings: one evaluation (R14.2)."""

from __future__ import annotations

from ..domain.policy import CityPolicy
from ..domain.standing import ACTIVE, Standing
from .judgement import Judgement, Notice, new_notice, statement
from .statements import cancellation_thresholds, cancellation_view, rating_thresholds, rating_view
from .windows import CancellationFigures, RatingFigures, cancellation_figures, keep_strikes, rating_figures

RATING_WARNING = "RATING_WARNING"
CANCELLATION_WARNING = "CANCELLATION_WARNING"


def warning_due(standing: Standing, kind: str, j: Judgement) -> bool:
    """R14.1: calendar days in UTC since the last warning of this kind."""
    last = standing.last_warnings.get(kind)
    return last is None or (j.now.date() - last.date()).days >= j.policy.notice_cooldown_days


def in_rating_band(figures: RatingFigures, policy: CityPolicy) -> bool:
    """R2.1, compared exactly (R14.7): total / count < minimum + margin."""
    r = policy.rating
    return figures.count >= r.min_ratings and figures.total < (r.minimum + r.warning_margin) * figures.count


def above_city_average(figures: CancellationFigures, j: Judgement) -> bool:
    """R5.1"""
    return (
        figures.resolved >= j.policy.cancellation.min_jobs and figures.cancellations > j.city.average * figures.resolved
    )


def evaluate(standing: Standing, j: Judgement, ratings: bool = True, cancellations: bool = True) -> list[Notice]:
    """R14.2: the warning rules of the window that changed (R2.2/R2.3 for ratings, R5.2 for
    outcomes; both at night).

    R14.3: only ACTIVE partners are warned; the streaks of others stand still.
    """
    keep_strikes(standing, j.policy, j.now)
    if ratings:  # remembered whatever the status: a reinstated partner is judged on it at night
        standing.rating_band = (in_rating_band(rating_figures(standing, j.policy), j.policy), j.policy.rating_band_key)
    notices: list[Notice] = []
    if standing.status == ACTIVE:
        if ratings:
            notices += _rating_warning(standing, j)
        if cancellations:
            notices += _cancellation_warning(standing, j)
    return notices


def _rating_warning(standing: Standing, j: Judgement) -> list[Notice]:
    figures = rating_figures(standing, j.policy)
    if not in_rating_band(figures, j.policy):
        standing.rating_streak.clear()  # R2.3
        standing.rating_baseline = None
        return []
    if not warning_due(standing, RATING_WARNING, j):
        return []
    if not standing.rating_streak:
        standing.rating_baseline = (figures.total, figures.count)  # R2.2 baseline
    reasons = statement(
        "R2.2",
        j,
        rating_view(figures),
        rating_thresholds(j.policy),
        standing.rating_streak,
        streak=len(standing.rating_streak) + 1,
        academy="https://academy.mila.com",
    )
    notice = new_notice(standing, RATING_WARNING, j, reasons)
    standing.rating_streak.add(notice.notice_id)
    standing.last_warnings[RATING_WARNING] = j.now
    return [notice]


def _cancellation_warning(standing: Standing, j: Judgement) -> list[Notice]:
    figures = cancellation_figures(standing, j.policy)
    if not above_city_average(figures, j):
        if figures.resolved == 0 or figures.cancellations <= j.city.average * figures.resolved:
            standing.cancellation_streak.clear()  # R5.2: a rate at or below the city average ends the streak
        return []
    if not warning_due(standing, CANCELLATION_WARNING, j):
        return []
    reasons = statement(
        "R5.2",
        j,
        cancellation_view(figures),
        cancellation_thresholds(j),
        standing.cancellation_streak,
        streak=len(standing.cancellation_streak) + 1,
    )
    notice = new_notice(standing, CANCELLATION_WARNING, j, reasons)
    standing.cancellation_streak.add(notice.notice_id)
    standing.last_warnings[CANCELLATION_WARNING] = j.now
    return [notice]
