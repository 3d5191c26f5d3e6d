"""R4: a city's average and maximum cancellation rate."""

from __future__ import annotations

from fractions import Fraction

from ..domain.policy import CityPolicy
from ..domain.standing import CLOSED, Standing
from .judgement import CityFigures, city_maximum
from .windows import cancellation_figures


def city_figures(rates: list[Fraction], policy: CityPolicy) -> CityFigures:
    """R4.1: mean of the qualifying partners' rates, or the default with too few of them."""
    return combine_city_figures(sum(rates, Fraction(0)), len(rates), policy)


def combine_city_figures(total: Fraction, partners: int, policy: CityPolicy) -> CityFigures:
    """R4.1 from partial sums (the nightly check adds them up segment by segment)."""
    if partners < policy.cancellation.min_city_partners:
        average = policy.cancellation.default_city_average
    else:
        average = total / partners
    return CityFigures(average, city_maximum(average, policy), computed=True)


def qualifying_rate(standing: Standing, policy: CityPolicy) -> Fraction | None:
    """R4.1: the partner's rate if it counts towards the city average."""
    if standing.status == CLOSED:
        return None
    figures = cancellation_figures(standing, policy)
    return figures.rate if figures.resolved >= policy.cancellation.min_jobs else None
