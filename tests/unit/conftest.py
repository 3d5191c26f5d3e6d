"""Small builders for the rule-core unit tests: no AWS, time always passed in.

Tests import these directly (``from .conftest import ...``) so each test reads as
Given (builders) / When (one rule-core call) / Then (an outcome a partner or ops sees).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from mila_standing.domain.models import Job
from mila_standing.domain.policy import CityPolicy, Policy, deep_merge
from mila_standing.domain.standing import COMPLETED, OutcomeEntry, RatingEntry, Standing
from mila_standing.rules import (
    CityFigures,
    Judgement,
    Notice,
    apply_outcome,
    apply_rating,
    evaluate,
    nightly,
    no_show_ladder,
    outcome_entry,
)

# Day 0 of every scenario, at the nightly check's fixed hour (UTC).
DAY0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def day(n: float = 0, hour: int = 3, minute: int = 0) -> datetime:
    """A moment on scenario day ``n`` (UTC)."""
    return (DAY0 + timedelta(days=n)).replace(hour=hour, minute=minute)


def city_policy(overrides: dict[str, Any] | None = None, city: str | None = None) -> CityPolicy:
    """The defaults from SPEC, with ``overrides`` deep-merged into ``defaults``."""
    raw: dict[str, Any] = {"version": 1, "defaults": deep_merge({}, overrides or {})}
    return Policy.from_mapping(raw).for_city(city)


def judge(now: datetime = DAY0, policy: CityPolicy | None = None, figures: CityFigures | None = None) -> Judgement:
    """A Judgement at ``now``; city figures default to the policy's R4.3 defaults."""
    policy = policy or city_policy()
    return Judgement(policy, figures or CityFigures.default(policy), now)


def figures(average: str | Fraction, maximum: str | Fraction) -> CityFigures:
    """Computed city figures (R4), exact."""
    return CityFigures(Fraction(average), Fraction(maximum), True)


def partner(partner_id: str = "p-1", **fields: Any) -> Standing:
    """An ACTIVE, verified partner with a known profile in berlin."""
    values: dict[str, Any] = {"city": "berlin", "verified": True, "profile_known": True}
    return Standing(partner_id, **(values | fields))


def give_ratings(standing: Standing, stars: list[int], start: datetime | None = None, prefix: str = "r") -> Standing:
    """Put live ratings in the window, one hour apart, oldest first (job ids sort in time order)."""
    start = start or DAY0 - timedelta(days=60)
    offset = len(standing.ratings)
    for i, s in enumerate(stars):
        standing.ratings[f"{prefix}-{offset + i:04d}"] = RatingEntry(s, start + timedelta(hours=offset + i))
    return standing


def give_outcomes(
    standing: Standing, completed: int = 0, cancelled: int = 0, no_shows: int = 0, start: datetime | None = None
) -> Standing:
    """Put resolved jobs in the window (cancellations and no-shows first, then completions)."""
    start = start or DAY0 - timedelta(days=60)
    kinds = ["CANCELLATION"] * cancelled + ["NO_SHOW"] * no_shows + [COMPLETED] * completed
    offset = len(standing.outcomes)
    for i, kind in enumerate(kinds):
        standing.outcomes[f"o-{offset + i:04d}"] = OutcomeEntry(
            kind, start + timedelta(hours=offset + i), strike=kind == "NO_SHOW"
        )
    return standing


def rate(
    standing: Standing, j: Judgement, job_id: str, stars: int | None, rated_at: datetime | None = None
) -> list[Notice]:
    """What on_rating does with one rating image: apply it (None = deleted/voided), then evaluate."""
    entry = None if stars is None else RatingEntry(stars, rated_at or j.now)
    if not apply_rating(standing, job_id, entry):
        return []
    return evaluate(standing, j)


def job(**fields: Any) -> Job:
    """A valid jobs item (CONTRACT §1), ACCEPTED by p-1 unless overridden; None removes a field."""
    item: dict[str, Any] = {
        "job_id": "j-1",
        "customer_id": "c-1",
        "city": "berlin",
        "status": "ACCEPTED",
        "scheduled_at": "2026-03-02T10:00:00Z",
        "partner_id": "p-1",
        "accepted_at": "2026-03-01T10:00:00Z",
    }
    item.update(fields)
    return Job.parse({k: v for k, v in item.items() if v is not None})


def no_show_job(job_id: str, reported_at: datetime, **fields: Any) -> Job:
    when = reported_at.isoformat()
    return job(job_id=job_id, status="NO_SHOW", scheduled_at=when, reported_at=when, **fields)


def strike(standing: Standing, j: Judgement, job_id: str, reported_at: datetime | None = None) -> list[Notice]:
    """What on_cancel does with an unannounced NO_SHOW: window, then the ladder on a new strike."""
    entry = outcome_entry(no_show_job(job_id, reported_at or j.now))
    changed, new_strike = apply_outcome(standing, job_id, entry)
    notices = evaluate(standing, j) if changed else []
    return notices + (no_show_ladder(standing, j, job_id) if new_strike else [])


def nights(
    standing: Standing, days: range | list[int], policy: CityPolicy | None = None, city: CityFigures | None = None
) -> dict[int, list[Notice]]:
    """Run the nightly check on each given day; returns the notices of each night."""
    policy = policy or city_policy()
    return {d: nightly(standing, judge(day(d), policy, city)) for d in days}


def types(notices: list[Notice]) -> list[str]:
    return [n.type for n in notices]


def warning_days(by_night: dict[int, list[Notice]], kind: str) -> list[int]:
    return [d for d, notices in by_night.items() if kind in types(notices)]
