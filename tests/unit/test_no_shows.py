"""R6 no-shows and the R14.6 readings: one warning, then exclusion at once in the stream handler."""

from __future__ import annotations

from fractions import Fraction

from mila_standing.domain.standing import ACTIVE, CLOSED, EXCLUDED, SUSPENDED
from mila_standing.rules import (
    NO_SHOW_WARNING,
    active_strikes,
    cancellation_figures,
    reinstate,
    report_incident,
)

from .conftest import city_policy, day, give_outcomes, judge, partner, strike, types

POLICY = city_policy()


def test_r6_2_given_a_first_strike_then_a_no_show_warning_and_the_partner_stays_active():
    standing = partner()

    notices = strike(standing, judge(day(0)), "ns-1")

    assert types(notices) == [NO_SHOW_WARNING]
    assert notices[0].reasons["rule"] == "R6.2"
    assert standing.status == ACTIVE


def test_r6_3_given_a_second_strike_then_excluded_at_once_for_no_show():
    standing = partner()
    first = strike(standing, judge(day(0)), "ns-1")

    notices = strike(standing, judge(day(30)), "ns-2")

    assert types(notices) == [EXCLUDED]
    assert (standing.status, standing.reason) == (EXCLUDED, "NO_SHOW")
    assert notices[0].reasons["rule"] == "R6.3"
    assert notices[0].reasons["notices"] == [first[0].notice_id]


def test_r6_1_given_a_no_show_redelivered_then_it_is_still_one_strike():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1", reported_at=day(0))

    assert strike(standing, judge(day(0)), "ns-1", reported_at=day(0)) == []
    assert standing.status == ACTIVE


def test_r14_6_given_strikes_before_exclusion_1_then_the_first_strike_excludes_without_a_warning():
    p = city_policy({"no_show": {"strikes_before_exclusion": 1}})
    standing = partner()

    notices = strike(standing, judge(day(0), p), "ns-1")

    assert types(notices) == [EXCLUDED]
    assert standing.status == EXCLUDED


def test_r14_6_given_a_strike_exactly_365_days_old_then_it_still_counts_and_the_new_strike_excludes():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1", reported_at=day(0))

    notices = strike(standing, judge(day(365)), "ns-2", reported_at=day(365))

    assert types(notices) == [EXCLUDED]


def test_r14_6_given_a_strike_366_days_old_then_it_expired_and_the_new_strike_warns_again():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1", reported_at=day(0))

    notices = strike(standing, judge(day(366)), "ns-2", reported_at=day(366))

    assert types(notices) == [NO_SHOW_WARNING]
    assert standing.status == ACTIVE
    assert active_strikes(standing, POLICY, day(366)) == ["ns-2"]


def test_r14_6_given_an_expired_strike_then_the_no_show_still_counts_in_the_cancellation_rate():
    standing = give_outcomes(partner(), completed=9)
    strike(standing, judge(day(0)), "ns-1", reported_at=day(0))

    assert active_strikes(standing, POLICY, day(400)) == []
    assert cancellation_figures(standing, POLICY).rate == Fraction(1, 10)


def test_r14_6_given_an_excluded_partner_when_further_strikes_arrive_then_nothing_changes():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1")
    strike(standing, judge(day(1)), "ns-2")
    before = (standing.status, standing.reason, len(standing.decisions))

    notices = strike(standing, judge(day(2)), "ns-3")

    assert notices == []
    assert (standing.status, standing.reason, len(standing.decisions)) == before


def test_r6_3_given_a_suspended_partner_when_a_strike_would_exclude_then_the_partner_stays_suspended():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1")
    report_incident(standing, judge(day(1)), "UNWANTED_CONTACT", actor="ops@mila")

    notices = strike(standing, judge(day(2)), "ns-2")

    assert notices == []
    assert (standing.status, standing.reason) == (SUSPENDED, "CONDUCT")


def test_r6_3_given_a_closed_partner_when_a_strike_arrives_then_the_partner_stays_closed():
    standing = partner()
    report_incident(standing, judge(day(0)), "CASH_PAYMENT", actor="ops@mila")

    assert strike(standing, judge(day(1)), "ns-1") == []
    assert standing.status == CLOSED


def test_r14_6_given_a_reinstated_partner_then_old_strikes_are_forgiven_and_a_new_strike_warns_again():
    standing = partner()
    strike(standing, judge(day(0)), "ns-1")
    strike(standing, judge(day(1)), "ns-2")
    reinstate(standing, judge(day(2)), actor="ops@mila", why="appeal upheld")
    assert active_strikes(standing, POLICY, day(2)) == []

    notices = strike(standing, judge(day(3)), "ns-3")

    assert types(notices) == [NO_SHOW_WARNING]
    assert standing.status == ACTIVE


def test_r6_2_given_three_strikes_before_exclusion_then_only_the_first_strike_warns_and_the_third_excludes():
    p = city_policy({"no_show": {"strikes_before_exclusion": 3}})
    standing = partner()

    first = strike(standing, judge(day(0), p), "ns-1")
    second = strike(standing, judge(day(10), p), "ns-2")
    third = strike(standing, judge(day(20), p), "ns-3")

    assert (types(first), types(second), types(third)) == ([NO_SHOW_WARNING], [], [EXCLUDED])


def test_r6_1_a_strike_further_back_than_the_entries_read_still_counts():
    """Given an unexpired strike whose entry lies behind hundreds of newer jobs (the store reads
    only the newest entries of the window, and keeps the strike in the standing), when evaluated,
    then the strike still counts (R6.1) while the rate uses the last 50 jobs (R3.1)."""
    from datetime import UTC, datetime, timedelta

    from mila_standing.domain.policy import Policy
    from mila_standing.domain.standing import COMPLETED, OutcomeEntry, Standing
    from mila_standing.rules import CityFigures, Judgement, active_strikes, cancellation_figures, evaluate

    policy = Policy.from_mapping({"version": 1}).for_city(None)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    standing = Standing("p1", city="x", verified=True, profile_known=True, strikes={"strike": start})
    for i in range(60):  # the newest entries, as the store reads them
        standing.outcomes[f"j{i:04d}"] = OutcomeEntry(COMPLETED, start + timedelta(hours=340 + i))
    now = start + timedelta(days=30)
    evaluate(standing, Judgement(policy, CityFigures.default(policy), now))
    assert active_strikes(standing, policy, now) == ["strike"]
    assert cancellation_figures(standing, policy).rate == 0
    assert standing.strikes == {"strike": start}  # kept until it expires (R14.6)
    evaluate(standing, Judgement(policy, CityFigures.default(policy), start + timedelta(days=366)))
    assert standing.strikes == {}  # expired: forgotten, so the standing stays small
