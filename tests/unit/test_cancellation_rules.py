"""R3 cancellation window and rate, R4 city limits, R5 cancellation notices and suspension."""

from __future__ import annotations

import random
from datetime import timedelta
from fractions import Fraction

import pytest
from mila_standing.domain.standing import ACTIVE, CANCELLATION, CLOSED, COMPLETED, NO_SHOW, SUSPENDED, OutcomeEntry
from mila_standing.rules import (
    CANCELLATION_WARNING,
    CityFigures,
    apply_outcome,
    cancellation_figures,
    city_figures,
    city_maximum,
    evaluate,
    nightly,
    outcome_entry,
    qualifying_rate,
)

from .conftest import (
    DAY0,
    city_policy,
    day,
    figures,
    give_outcomes,
    give_ratings,
    job,
    judge,
    nights,
    partner,
    types,
    warning_days,
)

POLICY = city_policy()


def resolve(standing, j, **fields):
    """What on_cancel / on_job_completed do with an outcome image: window, then evaluate (R14.2)."""
    item = job(**fields)
    changed, _ = apply_outcome(standing, item.job_id, outcome_entry(item))
    return evaluate(standing, j) if changed else []


# --- R3 window and rate -------------------------------------------------------------------------


def test_r3_1_given_2_partner_cancellations_among_50_jobs_then_the_rate_is_exactly_0_04():
    standing = give_outcomes(partner(), completed=48, cancelled=2)

    figures_ = cancellation_figures(standing, POLICY)

    assert (figures_.resolved, figures_.cancellations) == (50, 2)
    assert figures_.rate == Fraction(1, 25)


def test_r3_1_given_50_newer_jobs_when_an_old_cancellation_arrives_late_then_it_is_outside_the_window():
    standing = give_outcomes(partner(), completed=50, start=DAY0 - timedelta(days=10))

    resolve(
        standing,
        judge(),
        job_id="late",
        status="CANCELLED",
        cancelled_by="partner",
        cancelled_at=(DAY0 - timedelta(days=40)).isoformat(),
    )

    assert cancellation_figures(standing, POLICY).rate == 0


def test_r3_1_given_a_full_window_when_a_newer_cancellation_arrives_then_the_oldest_job_leaves():
    standing = give_outcomes(partner(), completed=50, start=DAY0 - timedelta(days=10))

    resolve(standing, judge(), job_id="new", status="CANCELLED", cancelled_by="partner", cancelled_at=DAY0.isoformat())

    f = cancellation_figures(standing, POLICY)
    assert (f.resolved, f.cancellations) == (50, 1)


@pytest.mark.parametrize("by", ["customer", "support"])
def test_r3_2_given_a_cancellation_by_customer_or_support_then_it_is_neutral(by):
    standing = give_outcomes(partner(), completed=10)

    resolve(standing, judge(), job_id="neutral", status="CANCELLED", cancelled_by=by, cancelled_at=DAY0.isoformat())

    f = cancellation_figures(standing, POLICY)
    assert (f.resolved, f.cancellations) == (10, 0)


def test_r3_2_given_a_job_still_requested_or_accepted_then_it_is_not_resolved():
    assert outcome_entry(job(status="REQUESTED", partner_id=None, accepted_at=None)) is None
    assert outcome_entry(job(status="ACCEPTED")) is None


def test_r3_3_given_a_no_show_announced_before_the_appointment_then_a_cancellation_not_a_strike():
    announced = job(
        status="NO_SHOW",
        scheduled_at="2026-03-02T10:00:00Z",
        support_informed_at="2026-03-02T09:59:59Z",
        reported_at="2026-03-02T11:00:00Z",
    )

    entry = outcome_entry(announced)

    assert (entry.kind, entry.strike) == (CANCELLATION, False)


@pytest.mark.parametrize("informed", ["2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", None])
def test_r3_3_given_a_no_show_not_announced_before_the_appointment_then_it_is_a_strike(informed):
    unannounced = job(
        status="NO_SHOW",
        scheduled_at="2026-03-02T10:00:00Z",
        support_informed_at=informed,
        reported_at="2026-03-02T11:00:00Z",
    )

    entry = outcome_entry(unannounced)

    assert (entry.kind, entry.strike) == (NO_SHOW, True)


def test_r3_4_given_a_partner_cancellation_when_corrected_to_completed_then_it_counts_as_completed():
    standing = give_outcomes(partner(), completed=9)
    resolve(standing, judge(), job_id="x", status="CANCELLED", cancelled_by="partner", cancelled_at=DAY0.isoformat())
    assert cancellation_figures(standing, POLICY).rate == Fraction(1, 10)

    resolve(standing, judge(), job_id="x", status="COMPLETED", completed_at=DAY0.isoformat())

    f = cancellation_figures(standing, POLICY)
    assert (f.resolved, f.cancellations) == (10, 0)


def test_r3_4_given_a_no_show_when_corrected_to_completed_then_the_strike_is_gone():
    standing = partner()
    resolve(standing, judge(), job_id="x", status="NO_SHOW", reported_at=DAY0.isoformat())

    resolve(standing, judge(), job_id="x", status="COMPLETED", completed_at=DAY0.isoformat())

    assert [e.strike for e in standing.outcomes.values()] == [False]


def test_r3_4_given_the_same_outcomes_in_shuffled_orders_with_redeliveries_then_the_rate_is_identical():
    rng = random.Random(7)
    jobs = []
    for i in range(70):
        when = (DAY0 - timedelta(minutes=rng.randint(0, 50_000))).isoformat()
        kind = rng.choice(["done", "done", "done", "partner", "customer", "no_show"])
        fields = {"job_id": f"job-{i:03d}"}
        if kind == "done":
            fields |= {"status": "COMPLETED", "completed_at": when}
        elif kind == "no_show":
            fields |= {"status": "NO_SHOW", "reported_at": when}
        else:
            fields |= {"status": "CANCELLED", "cancelled_by": kind, "cancelled_at": when}
        jobs.append(job(**fields))

    def replay(seed: int) -> tuple[int, int]:
        order = random.Random(seed)
        events = jobs + order.sample(jobs, 25)
        order.shuffle(events)
        standing = partner()
        for item in events:
            apply_outcome(standing, item.job_id, outcome_entry(item))
        f = cancellation_figures(standing, POLICY)
        return f.resolved, f.cancellations

    assert len({replay(seed) for seed in range(8)}) == 1
    assert replay(0)[0] == 50


def test_r14_9_given_a_resolved_job_when_deleted_then_it_leaves_the_window():
    standing = give_outcomes(partner(), completed=10, cancelled=1)

    apply_outcome(standing, "o-0000", None)

    f = cancellation_figures(standing, POLICY)
    assert (f.resolved, f.cancellations) == (10, 0)


# --- R4 city figures ------------------------------------------------------------------------------


def test_r4_1_given_5_qualifying_partners_then_the_city_average_is_their_mean_rate():
    rates = [Fraction(0), Fraction(1, 50), Fraction(2, 50), Fraction(3, 50), Fraction(4, 50)]

    city = city_figures(rates, POLICY)

    assert city.average == Fraction(2, 50)
    assert city.maximum == Fraction(3, 50)  # R4.2: 0.04 x 1.5 = 0.06 > floor 0.05
    assert city.computed is True


def test_r4_1_given_fewer_than_min_city_partners_then_the_city_uses_the_default_average():
    city = city_figures([Fraction(1, 2)] * 4, POLICY)

    assert city.average == Fraction(3, 100)
    assert city.maximum == Fraction(5, 100)  # R4.2: max(0.05, 0.045)


def test_r4_1_given_closed_partners_or_too_few_jobs_then_their_rate_does_not_count():
    qualifying = give_outcomes(partner("a"), completed=9, cancelled=1)
    too_few = give_outcomes(partner("b"), completed=8, cancelled=1)
    closed = give_outcomes(partner("c", status=CLOSED), completed=9, cancelled=1)

    assert qualifying_rate(qualifying, POLICY) == Fraction(1, 10)
    assert qualifying_rate(too_few, POLICY) is None
    assert qualifying_rate(closed, POLICY) is None


@pytest.mark.parametrize(
    ("average", "maximum"),
    [
        ("0", "0.05"),
        ("0.02", "0.05"),
        ("1/30", "0.05"),
        ("0.04", "0.06"),
        ("0.1", "0.15"),
    ],
)
def test_r4_2_then_the_city_maximum_is_the_larger_of_the_floor_and_average_times_factor(average, maximum):
    assert city_maximum(Fraction(average), POLICY) == Fraction(maximum)


def test_r4_3_given_no_nightly_check_yet_then_handlers_use_the_default_average_and_its_maximum():
    city = CityFigures.default(POLICY)
    assert (city.average, city.maximum, city.computed) == (Fraction(3, 100), Fraction(5, 100), False)


# --- R5 notices and suspension ----------------------------------------------------------------------


def test_r5_2_given_a_rate_above_the_city_average_when_an_outcome_arrives_then_a_cancellation_warning():
    standing = give_outcomes(partner(), completed=48, cancelled=1)

    notices = resolve(
        standing, judge(), job_id="c2", status="CANCELLED", cancelled_by="partner", cancelled_at=DAY0.isoformat()
    )  # 2 / 50 = 0.04 > 0.03

    assert types(notices) == [CANCELLATION_WARNING]
    assert notices[0].reasons["rule"] == "R5.2"
    assert notices[0].reasons["thresholds"]["city_figures"] == "default"
    assert len(standing.cancellation_streak) == 1


def test_r5_1_given_a_rate_exactly_at_the_city_average_then_no_warning():
    standing = give_outcomes(partner(), completed=48, cancelled=2)  # 0.04

    assert evaluate(standing, judge(figures=figures("0.04", "0.06"))) == []


def test_r5_1_given_fewer_than_min_jobs_then_no_warning_whatever_the_rate():
    standing = give_outcomes(partner(), completed=4, cancelled=5)

    assert evaluate(standing, judge()) == []


def test_r5_2_given_a_streak_when_the_rate_drops_to_the_city_average_then_the_streak_ends():
    standing = give_outcomes(partner(), completed=47, cancelled=3)
    evaluate(standing, judge())
    assert len(standing.cancellation_streak) == 1

    for job_id in ("o-0000", "o-0001", "o-0002"):  # support corrects them to completed: 0 / 50
        apply_outcome(standing, job_id, OutcomeEntry(COMPLETED, standing.outcomes[job_id].at))
    evaluate(standing, judge(day(1)))

    assert standing.cancellation_streak == []


def test_r5_3_given_three_warnings_and_a_rate_above_the_city_maximum_then_suspended_on_day_15():
    standing = give_outcomes(partner(), completed=47, cancelled=3)  # 0.06 > max 0.05

    by_night = nights(standing, range(0, 16))

    assert warning_days(by_night, CANCELLATION_WARNING) == [0, 7, 14]
    assert types(by_night[15]) == [SUSPENDED]
    assert (standing.status, standing.reason) == (SUSPENDED, "CANCELLATION")
    assert by_night[15][0].reasons["rule"] == "R5.3"
    assert by_night[15][0].reasons["notices"] == standing.cancellation_streak


def test_r5_3_given_a_rate_exactly_at_the_city_maximum_then_no_suspension_but_warnings_go_on():
    standing = give_outcomes(partner(), completed=19, cancelled=1)  # 1 / 20 = 0.05 = maximum

    by_night = nights(standing, range(0, 22))

    assert warning_days(by_night, CANCELLATION_WARNING) == [0, 7, 14, 21]
    assert standing.status == ACTIVE


def test_r5_3_given_computed_city_figures_then_the_nightly_check_uses_them_not_the_defaults():
    # Given a city whose partners cancel a lot: average 0.08, maximum 0.12
    standing = give_outcomes(partner(), completed=45, cancelled=5)  # 0.10

    by_night = nights(standing, range(0, 16), city=figures("0.08", "0.12"))

    # Then above the average (warned) but not above the maximum (not suspended)
    assert warning_days(by_night, CANCELLATION_WARNING) == [0, 7, 14]
    assert standing.status == ACTIVE
    assert by_night[0][0].reasons["thresholds"]["city_figures"] == "nightly"


def test_r14_4_given_both_rating_and_cancellation_suspensions_due_then_r2_4_comes_first_and_only_once():
    standing = give_outcomes(give_ratings(partner(), [4] * 10), completed=47, cancelled=3)
    nights(standing, range(0, 15))

    notices = nightly(standing, judge(day(15)))

    assert types(notices) == [SUSPENDED]
    assert (notices[0].reasons["rule"], standing.reason) == ("R2.4", "RATING")
