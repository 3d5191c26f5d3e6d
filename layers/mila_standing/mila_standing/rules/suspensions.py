"""The nightly rules (R14.4): R2.4 before R5.3, both before the night's warnings."""

from __future__ import annotations

from fractions import Fraction

from ..standing import ACTIVE, Standing, number
from .judgement import Judgement, Notice, statement
from .restrictions import restrict
from .statements import cancellation_thresholds, cancellation_view, rating_thresholds, rating_view
from .warnings import evaluate
from .windows import cancellation_figures, rating_figures


def nightly(standing: Standing, j: Judgement) -> list[Notice]:
    """R14.4: suspensions (R2.4 before R5.3) are checked before the night's warnings."""
    notices: list[Notice] = []
    if standing.status == ACTIVE:
        notices += _rating_suspension(standing, j) or _cancellation_suspension(standing, j)
    return notices + evaluate(standing, j)


def _rating_suspension(standing: Standing, j: Judgement) -> list[Notice]:
    """R2.4: enough warnings, below the minimum, no improvement on the streak's baseline."""
    r = j.policy.rating
    figures = rating_figures(standing, j.policy)
    if len(standing.rating_streak) < r.notices_before_suspension or not figures.count:
        return []
    if standing.rating_baseline is None:
        return []
    base_total, base_count = standing.rating_baseline
    below_minimum = figures.total < r.minimum * figures.count
    no_improvement = figures.total * base_count <= base_total * figures.count
    if not (below_minimum and no_improvement):
        return []
    view = rating_view(figures) | {"baseline": number(Fraction(base_total, base_count)),
                                   "streak": len(standing.rating_streak)}
    reasons = statement("R2.4", j, view, rating_thresholds(j.policy), standing.rating_streak)
    return restrict(standing, j, "SUSPEND", "RATING", reasons)


def _cancellation_suspension(standing: Standing, j: Judgement) -> list[Notice]:
    """R5.3: enough warnings and above the city maximum."""
    c = j.policy.cancellation
    figures = cancellation_figures(standing, j.policy)
    if len(standing.cancellation_streak) < c.notices_before_suspension or not figures.resolved:
        return []
    if not figures.cancellations > j.city.maximum * figures.resolved:
        return []
    view = cancellation_view(figures) | {"streak": len(standing.cancellation_streak)}
    reasons = statement("R5.3", j, view, cancellation_thresholds(j), standing.cancellation_streak)
    return restrict(standing, j, "SUSPEND", "CANCELLATION", reasons)
