"""R9 dispatch priority, documented in docs/dispatch-score.md."""

from __future__ import annotations

from ..domain.standing import ACTIVE, Standing
from .judgement import Judgement
from .windows import cancellation_figures, rating_figures


def dispatch_eligible(standing: Standing) -> bool:
    """R9.1 (and R14.8: a partner without a valid partners record is not eligible)."""
    return standing.status == ACTIVE and standing.verified and standing.profile_known


def dispatch_score(standing: Standing, j: Judgement) -> float:
    """R9.2: computed when read (outcome, explain), from the windows and the city's figures in force.

    rating part  = (r - 1) / 4 with r the Bayesian average of the window's stars and
                   `min_ratings` prior ratings halfway between the city minimum and 5 stars;
    reliability  = 1 - c with c the Bayesian cancellation rate of the window and `min_jobs`
                   prior jobs at the city's average rate;
    score        = rating part x reliability, in (0, 1].
    """
    if not dispatch_eligible(standing):
        return 0.0
    p = j.policy
    ratings = rating_figures(standing, p)
    prior_stars = (p.rating.minimum + 5) / 2  # a typical good partner of the city: never a free 5.0
    r = (ratings.total + prior_stars * p.rating.min_ratings) / (ratings.count + p.rating.min_ratings)
    jobs = cancellation_figures(standing, p)
    k = p.cancellation.min_jobs
    c = (jobs.cancellations + j.city.average * k) / (jobs.resolved + k)
    score = (r - 1) / 4 * (1 - c)
    return max(float(score), 1e-9)
