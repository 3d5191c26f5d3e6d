"""R12.2 explain: a partner's standing for a person, with reasons and a recovery hint."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from fractions import Fraction
from typing import Any

from ..domain.numbers import number, plain
from ..domain.standing import COMPLETED, OutcomeEntry, RatingEntry, Standing
from ..rules import (
    Judgement,
    above_city_average,
    cancellation_figures,
    in_rating_band,
    rating_figures,
)
from .views import partner_view

HINT_LIMIT = 500
NOTICE_FIELDS = ("notice_id", "type", "at", "audience", "message", "ops_message", "reasons")


def recovery_hint(standing: Standing, j: Judgement) -> dict[str, Any]:
    """How many new five-star ratings, or completed jobs without a cancellation, would take the
    partner out of the rating band (R2.1) or back to the city average (R5.1). Older entries drop
    out of the window as new ones come in, exactly as R1.1 and R3.1 count."""
    hint: dict[str, Any] = {}
    if in_rating_band(rating_figures(standing, j.policy), j.policy):
        trial = replace(standing, ratings=dict(standing.ratings))
        later = max((e.rated_at for e in trial.ratings.values()), default=j.now)
        for k in range(1, HINT_LIMIT + 1):
            trial.ratings[f"~hint{k:04d}"] = RatingEntry(5, later + timedelta(seconds=k))
            if not in_rating_band(rating_figures(trial, j.policy), j.policy):
                hint["five_star_ratings_to_leave_the_band"] = k
                break
    if above_city_average(cancellation_figures(standing, j.policy), j):
        trial = replace(standing, outcomes=dict(standing.outcomes))
        later = max((e.at for e in trial.outcomes.values()), default=j.now)
        for k in range(1, HINT_LIMIT + 1):
            trial.outcomes[f"~hint{k:04d}"] = OutcomeEntry(COMPLETED, later + timedelta(seconds=k))
            if not above_city_average(cancellation_figures(trial, j.policy), j):
                hint["completed_jobs_to_reach_the_city_average"] = k
                break
    return hint


def explain(
    standing: Standing,
    j: Judgement,
    notices: list[dict[str, Any]],
    decisions: list[dict[str, Any]],
    flags: list[dict[str, Any]],
    reviews: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    p = j.policy
    return plain(
        {
            "partner_id": standing.partner_id,
            "city": standing.city,
            "locale": standing.locale,  # the partner's messages' language: write a review's answer in it (R13.1)
            "standing": partner_view(standing, j),
            "streaks": {
                "rating": len(standing.rating_streak),
                "cancellation": len(standing.cancellation_streak),
                "rating_baseline": number(Fraction(*standing.rating_baseline)) if standing.rating_baseline else None,
            },
            "thresholds": {
                "policy_version": p.version,
                "decision_mode": p.decision_mode,
                "rating_minimum": number(p.rating.minimum),
                "rating_warning_margin": number(p.rating.warning_margin),
                "min_ratings": p.rating.min_ratings,
                "city_average_cancellation_rate": number(j.city.average),
                "city_maximum_cancellation_rate": number(j.city.maximum),
                "min_jobs": p.cancellation.min_jobs,
                "notice_cooldown_days": p.notice_cooldown_days,
                "strikes_before_exclusion": p.no_show.strikes_before_exclusion,
            },
            "pending_decision": standing.pending_decision,
            "decisions": [_record(d) for d in decisions],
            "review_flags": [_record(f) for f in flags],
            # What each notice said, and to whom (R13.1, R13.2), with its statement of reasons.
            "notices": [
                {k: n.get(k) for k in NOTICE_FIELDS if k in n or k not in ("message", "ops_message")} for n in notices
            ],
            "recovery_hint": recovery_hint(standing, j),
            # Issue 13: the partner's requests for review (APPEAL# records), oldest first.
            "reviews": [
                {
                    "review_id": r.get("review_id"),
                    "notice_id": r.get("notice_id"),
                    "status": r.get("status"),
                    "requested_at": r.get("requested_at"),
                    "deadline": r.get("deadline"),
                    "outcome": r.get("outcome"),
                }
                for r in reviews or []
            ],
        }
    )


def _record(item: dict[str, Any]) -> dict[str, Any]:
    """A stored DECISION# or FLAG# item as explain shows it (without its keys and bookkeeping).
    A decision without a reason says so (``"reason": null``: DynamoDB keeps no empty attribute)."""
    shown = {k: v for k, v in item.items() if k not in ("pk", "sk", "partner_id", "log_seq", "hash")}
    if "type" in shown and "reason" not in shown:
        shown["reason"] = None
    return shown
