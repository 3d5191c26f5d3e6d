"""R12.1 statements of reasons on every warning and status change; R14.14 counts in the view."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from mila_standing.domain.standing import Standing
from mila_standing.rules import Notice, decide, evaluate, nightly, reinstate, report_incident
from mila_standing.usecases.views import partner_view

from .conftest import city_policy, day, give_outcomes, give_ratings, judge, nights, partner, strike

REVIEW = city_policy({"decision_mode": "human_review"})


def rating_warning(s: Standing) -> list[Notice]:
    return evaluate(give_ratings(s, [4] * 10), judge())


def cancellation_warning(s: Standing) -> list[Notice]:
    return evaluate(give_outcomes(s, completed=47, cancelled=3), judge())


def rating_suspension(s: Standing) -> list[Notice]:
    nights(give_ratings(s, [4] * 10), range(0, 15))
    return nightly(s, judge(day(15)))


def cancellation_suspension(s: Standing) -> list[Notice]:
    nights(give_outcomes(s, completed=47, cancelled=3), range(0, 15))
    return nightly(s, judge(day(15)))


def no_show_warning(s: Standing) -> list[Notice]:
    return strike(s, judge(day(0)), "ns-1")


def exclusion(s: Standing) -> list[Notice]:
    strike(s, judge(day(0)), "ns-1")
    return strike(s, judge(day(1)), "ns-2")


def conduct(s: Standing) -> list[Notice]:
    return report_incident(s, judge(), "DISCRIMINATION", actor="ops@mila")


def fraud(s: Standing) -> list[Notice]:
    return report_incident(s, judge(), "CASH_PAYMENT", actor="ops@mila")


def reinstatement(s: Standing) -> list[Notice]:
    conduct(s)
    return reinstate(s, judge(day(1)), actor="ops@mila", why="appeal upheld")


def pending(s: Standing) -> list[Notice]:
    nights(give_ratings(s, [4] * 10), range(0, 15), REVIEW)
    return nightly(s, judge(day(15), REVIEW))


def approved(s: Standing) -> list[Notice]:
    pending(s)
    return decide(s, judge(day(16), REVIEW), approve=True, actor="ops@mila", why="confirmed")


PRODUCERS: list[tuple[str, Callable[[Standing], list[Notice]], str]] = [
    ("RATING_WARNING", rating_warning, "R2.2"),
    ("CANCELLATION_WARNING", cancellation_warning, "R5.2"),
    ("SUSPENDED", rating_suspension, "R2.4"),
    ("SUSPENDED", cancellation_suspension, "R5.3"),
    ("NO_SHOW_WARNING", no_show_warning, "R6.2"),
    ("EXCLUDED", exclusion, "R6.3"),
    ("SUSPENDED", conduct, "R7.1"),
    ("CLOSED", fraud, "R7.2"),
    ("REINSTATED", reinstatement, "R12.4"),
    ("DECISION_PENDING", pending, "R2.4"),
    ("SUSPENDED", approved, "R2.4"),
]


@pytest.mark.parametrize(("kind", "produce", "rule"), PRODUCERS, ids=[p[1].__name__ for p in PRODUCERS])
def test_r12_1_given_any_warning_or_status_change_then_its_notice_carries_a_full_statement_of_reasons(
    kind, produce, rule
):
    # Given a partner / When a rule decides a warning or a status change
    notices = produce(partner())

    # Then the notice says which rule, on which figures, against which thresholds, under which policy
    assert [n.type for n in notices] == [kind]
    reasons = notices[0].reasons
    assert reasons["rule"] == rule
    assert {"figures", "thresholds", "policy_version", "notices"} <= set(reasons)
    assert reasons["policy_version"] == "1"
    assert isinstance(reasons["notices"], list)
    assert reasons["figures"]


def test_r12_1_given_a_rating_warning_then_figures_and_thresholds_are_exact_numbers():
    reasons = rating_warning(partner())[0].reasons

    assert reasons["figures"]["rating_average"] == Decimal(4)
    assert reasons["figures"]["rating_count"] == 10
    assert reasons["thresholds"]["minimum"] == Decimal("4.3")
    assert reasons["thresholds"]["warning_margin"] == Decimal("0.2")


def test_r12_1_given_status_changes_then_each_is_recorded_in_the_standing_with_its_reasons():
    standing = partner()
    rating_suspension(standing)

    assert [d["status"] for d in standing.decisions] == ["SUSPENDED"]
    assert standing.decisions[-1]["reasons"]["rule"] == "R2.4"


def test_r14_14_given_more_than_50_ratings_and_jobs_then_the_view_counts_what_is_in_the_window():
    standing = give_outcomes(give_ratings(partner(), [5] * 70), completed=60, cancelled=2)
    strike(standing, judge(day(0)), "ns-old", reported_at=day(0))
    strike(standing, judge(day(1)), "ns-new", reported_at=day(1))

    view = partner_view(standing, judge(day(366)))

    assert (view["rating_count"], view["resolved_jobs"]) == (50, 50)
    assert view["no_show_strikes"] == 1  # the day-0 strike expired on day 366
    # the 2 oldest cancellations fell out of the window; the 2 newest no-shows count
    assert view["cancellation_rate"] == pytest.approx(0.04)


def test_r12_2_given_a_standing_saved_and_loaded_then_the_view_and_its_decisions_are_unchanged():
    """Storage shape (schema 2): the aggregate item, one item per window entry, one per decision."""
    from mila_standing.adapters.table.items import outcome_item, rating_item, standing_from_items
    from mila_standing.adapters.table.writes import plan_save
    from mila_standing.usecases.ports import ChangeSet, Snapshot

    standing = partner()
    rating_suspension(standing)
    strike(standing, judge(day(16)), "ns-1")

    items = [{**standing.to_item(), "pk": "PARTNER#p-1", "sk": "STANDING", "revision": "r1"}]
    items += [rating_item("p-1", job, entry) for job, entry in standing.ratings.items()]
    items += [outcome_item("p-1", job, entry) for job, entry in standing.outcomes.items()]
    reloaded = standing_from_items(items)

    assert partner_view(reloaded, judge(day(17))) == partner_view(standing, judge(day(17)))
    assert reloaded.rating_streak == standing.rating_streak
    stored = [put.item for put in plan_save(ChangeSet(standing, Snapshot(None, {}, {}))).decided]
    decisions = [i for i in stored if i["sk"].startswith("DECISION#")]
    assert [d["reasons"] for d in decisions] == [d["reasons"] for d in standing.decisions]
    assert [d["status"] for d in decisions] == ["SUSPENDED"]
