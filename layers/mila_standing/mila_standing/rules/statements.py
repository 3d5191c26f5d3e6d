"""The figures and thresholds quoted in statements of reasons (R12.1)."""

from __future__ import annotations

from typing import Any

from ..domain.numbers import number
from ..domain.policy import CityPolicy
from .judgement import Judgement
from .windows import CancellationFigures, RatingFigures


def rating_view(figures: RatingFigures) -> dict[str, Any]:
    return {"rating_average": number(figures.average), "rating_count": figures.count, "window": figures.window}


def cancellation_view(figures: CancellationFigures) -> dict[str, Any]:
    return {
        "cancellation_rate": number(figures.rate),
        "resolved_jobs": figures.resolved,
        "cancellations": figures.cancellations,
        "window": figures.window,
    }


def rating_thresholds(p: CityPolicy) -> dict[str, Any]:
    r = p.rating
    return {
        "minimum": number(r.minimum),
        "warning_margin": number(r.warning_margin),
        "min_ratings": r.min_ratings,
        "notices_before_suspension": r.notices_before_suspension,
        "notice_cooldown_days": p.notice_cooldown_days,
    }


def cancellation_thresholds(j: Judgement) -> dict[str, Any]:
    c = j.policy.cancellation
    return {
        "city_average": number(j.city.average),
        "city_maximum": number(j.city.maximum),
        "city_figures": "nightly" if j.city.computed else "default",
        "min_jobs": c.min_jobs,
        "notices_before_suspension": c.notices_before_suspension,
        "notice_cooldown_days": j.policy.notice_cooldown_days,
    }
