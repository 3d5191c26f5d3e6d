"""The nightly rules (R14.4): R2.4 before R5.3, both before the night's warnings."""

from __future__ import annotations

from fractions import Fraction

from ..domain.numbers import number
from ..domain.standing import ACTIVE, Standing
from .judgement import Judgement, Notice, statement
from .restrictions import restrict
from .statements import cancellation_thresholds, cancellation_view, rating_thresholds, rating_view
from .warnings import above_city_average, evaluate
from .windows import CancellationFigures, cancellation_figures, rating_figures


def nightly(standing: Standing, j: Judgement, ratings: bool = True, cancellations: bool = True) -> list[Notice]:
    """R14.4: suspensions (R2.4 before R5.3) are checked before the night's warnings. A window
    left out (night_windows) is one in which nothing can happen tonight."""
    notices: list[Notice] = []
    if standing.status == ACTIVE:
        notices += (
            (ratings and _rating_suspension(standing, j))
            or (cancellations and _cancellation_suspension(standing, j))
            or []
        )
    return notices + evaluate(standing, j, ratings=ratings, cancellations=cancellations)


def night_windows(standing: Standing, j: Judgement, cancellation: CancellationFigures) -> frozenset[str]:
    """Which windows tonight's rules (R2.4, R5.3, R2.2, R2.3, R5.2) can act on, from the
    standing's aggregate and its cancellation figures alone. Empty: nothing can happen tonight,
    and evaluating the partner would leave the standing as it is. Exact, not a guess:

    * ratings: only with a rating streak (R2.3, R2.4) or in the band (R2.2); whether the window
      is in the band is remembered from its last evaluation, under the same thresholds;
    * outcomes: only with a cancellation streak (R5.2, R5.3) or above tonight's city average;
    * both: when a strike expires tonight (the standing forgets it, R14.6).
    """
    if standing.status != ACTIVE:
        return frozenset()  # R14.3: only ACTIVE partners are warned or restricted
    limit = j.policy.no_show.strike_window_days
    if any(
        (j.now.date() - at.date()).days > limit
        for at in [*standing.strikes.values(), *standing.forgiven_strikes.values()]
    ):
        return frozenset({"ratings", "outcomes"})
    windows = set()
    band = standing.rating_band
    if standing.rating_streak or band is None or band[1] != j.policy.rating_band_key or band[0]:
        windows.add("ratings")
    if standing.cancellation_streak or above_city_average(cancellation, j):
        windows.add("outcomes")
    return frozenset(windows)


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
    view = rating_view(figures) | {
        "baseline": number(Fraction(base_total, base_count)),
        "streak": len(standing.rating_streak),
    }
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
