"""R7 incidents, R12.3 human review, R12.4 reinstatement, with the R14.5 / R14.10 readings."""

from __future__ import annotations

import pytest
from mila_standing.domain.standing import ACTIVE, CLOSED, EXCLUDED, SUSPENDED
from mila_standing.rules import (
    DECISION_PENDING,
    RATING_WARNING,
    REINSTATED,
    OpsRefusal,
    active_strikes,
    decide,
    dispatch_score,
    evaluate,
    nightly,
    reinstate,
    report_incident,
)

from .conftest import city_policy, day, give_outcomes, give_ratings, judge, nights, partner, strike, types

REVIEW = city_policy({"decision_mode": "human_review"})


def partner_due_for_rating_suspension(policy=None):
    """Warned on day 0, 7 and 14 with an unchanged average of 4.0: R2.4 fires on day 15."""
    standing = give_ratings(partner(), [4] * 10)
    nights(standing, range(0, 15), policy)
    return standing


# --- R7 incidents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category",
    [
        "DISCRIMINATION",
        "PROPERTY_DAMAGE",
        "PHYSICAL_CONTACT",
        "ABUSIVE_BEHAVIOUR",
        "UNWANTED_CONTACT",
        "ILLEGAL_CONDUCT",
        "PRIVACY_BREACH",
    ],
)
def test_r7_1_given_a_conduct_incident_then_suspended_for_conduct_at_once(category):
    standing = partner()

    notices = report_incident(standing, judge(), category, actor="ops@mila", job_id="j-9")

    assert types(notices) == [SUSPENDED]
    assert (standing.status, standing.reason, standing.legal_action) == (SUSPENDED, "CONDUCT", False)
    assert notices[0].reasons["rule"] == "R7.1"


@pytest.mark.parametrize(
    "category",
    ["OFF_PLATFORM_WORK", "CASH_PAYMENT", "CANCEL_THEN_PERFORM", "MULTIPLE_ACCOUNTS", "UNAUTHORISED_MARKETING"],
)
def test_r7_2_given_a_fraud_incident_then_closed_for_fraud_with_legal_action(category):
    standing = partner()

    notices = report_incident(standing, judge(), category, actor="ops@mila")

    assert types(notices) == [CLOSED]
    assert (standing.status, standing.reason, standing.legal_action) == (CLOSED, "FRAUD", True)
    assert notices[0].reasons["rule"] == "R7.2"


def test_r7_3_given_an_unknown_category_then_refused_and_nothing_changes():
    standing = give_ratings(partner(), [5] * 10)
    before = standing.to_item()

    with pytest.raises(OpsRefusal) as refused:
        report_incident(standing, judge(), "RUDE_EMOJI", actor="ops@mila")

    assert refused.value.code == "UNKNOWN_CATEGORY"
    assert standing.to_item() == before


def test_r7_given_human_review_mode_then_incidents_still_take_effect_at_once():
    standing = partner()

    report_incident(standing, judge(policy=REVIEW), "DISCRIMINATION", actor="ops@mila")

    assert standing.status == SUSPENDED
    assert standing.pending_decision is None


def test_r14_10_given_a_suspended_partner_when_a_conduct_incident_arrives_then_the_reason_becomes_conduct():
    standing = partner_due_for_rating_suspension()
    nightly(standing, judge(day(15)))
    assert standing.reason == "RATING"

    notices = report_incident(standing, judge(day(16)), "PRIVACY_BREACH", actor="ops@mila")

    assert types(notices) == [SUSPENDED]
    assert (standing.status, standing.reason) == (SUSPENDED, "CONDUCT")


def test_r14_10_given_a_closed_partner_when_fraud_is_reported_then_fraud_and_legal_action_no_notice():
    standing = partner(status=CLOSED, reason="DUPLICATE_ACCOUNT")

    notices = report_incident(standing, judge(), "MULTIPLE_ACCOUNTS", actor="ops@mila")

    assert notices == []
    assert (standing.status, standing.reason, standing.legal_action) == (CLOSED, "FRAUD", True)


def test_r14_10_given_a_closed_partner_when_conduct_is_reported_then_it_is_recorded_and_changes_nothing():
    standing = partner(status=CLOSED, reason="DUPLICATE_ACCOUNT")

    notices = report_incident(standing, judge(), "ABUSIVE_BEHAVIOUR", actor="ops@mila")

    assert notices == []
    assert (standing.status, standing.reason, standing.legal_action) == (CLOSED, "DUPLICATE_ACCOUNT", False)
    assert standing.decisions[-1]["type"] == "INCIDENT_RECORDED"


# --- R12.3 / R14.5 human review ----------------------------------------------------------------------


def test_r12_3_given_human_review_when_r2_4_would_suspend_then_pending_decision_and_status_unchanged():
    standing = partner_due_for_rating_suspension(REVIEW)

    notices = nightly(standing, judge(day(15), REVIEW))

    assert types(notices) == [DECISION_PENDING]
    assert standing.status == ACTIVE
    pending = standing.pending_decision
    assert (pending["action"], pending["reason"], pending["rule"]) == ("SUSPEND", "RATING", "R2.4")
    assert pending["reasons"]["figures"]["rating_count"] == 10


def test_r12_3_given_human_review_when_a_second_strike_would_exclude_then_a_pending_decision():
    standing = partner()
    strike(standing, judge(day(0), REVIEW), "ns-1")

    notices = strike(standing, judge(day(1), REVIEW), "ns-2")

    assert types(notices) == [DECISION_PENDING]
    assert standing.status == ACTIVE
    proposal = standing.pending_decision
    assert (proposal["action"], proposal["reason"], proposal["rule"]) == ("EXCLUDE", "NO_SHOW", "R6.3")


def test_r14_5_given_a_pending_decision_then_later_triggers_are_dropped_and_it_is_not_proposed_again():
    standing = partner_due_for_rating_suspension(REVIEW)
    nightly(standing, judge(day(15), REVIEW))
    first = dict(standing.pending_decision)

    later = nights(standing, range(16, 22), REVIEW)
    excluded_later = strike(standing, judge(day(22), REVIEW), "ns-1") + strike(standing, judge(day(23), REVIEW), "ns-2")

    assert all(DECISION_PENDING not in types(n) for n in later.values())
    assert DECISION_PENDING not in types(excluded_later)
    assert standing.pending_decision == first
    assert standing.status == ACTIVE


def test_r14_5_given_a_pending_decision_then_warnings_go_on():
    standing = partner_due_for_rating_suspension(REVIEW)
    nightly(standing, judge(day(15), REVIEW))

    notices = nightly(standing, judge(day(21), REVIEW))

    assert types(notices) == [RATING_WARNING]


def test_r12_3_given_a_pending_suspension_when_ops_approve_then_it_is_applied():
    standing = partner_due_for_rating_suspension(REVIEW)
    nightly(standing, judge(day(15), REVIEW))

    notices = decide(standing, judge(day(16), REVIEW), approve=True, actor="ops@mila", why="confirmed")

    assert types(notices) == [SUSPENDED]
    assert (standing.status, standing.reason) == (SUSPENDED, "RATING")
    assert standing.pending_decision is None
    assert notices[0].reasons["approved_by"] == "ops@mila"
    assert notices[0].reasons["rule"] == "R2.4"


def test_r14_5_given_a_pending_suspension_when_ops_reject_then_streaks_end_but_no_show_strikes_stay():
    standing = partner_due_for_rating_suspension(REVIEW)
    strike(standing, judge(day(14), REVIEW), "ns-1")
    give_outcomes(standing, completed=47, cancelled=3)
    evaluate(standing, judge(day(14, 5), REVIEW))  # a cancellation warning too
    nightly(standing, judge(day(15), REVIEW))
    assert standing.cancellation_streak and standing.rating_streak

    notices = decide(standing, judge(day(16), REVIEW), approve=False, actor="ops@mila", why="unfair")

    assert notices == []
    assert standing.status == ACTIVE
    assert (standing.rating_streak, standing.rating_baseline, standing.cancellation_streak) == ([], None, [])
    assert active_strikes(standing, REVIEW, day(16)) == ["ns-1"]
    assert standing.pending_decision is None


def test_r12_3_given_no_pending_decision_when_ops_decide_then_refused():
    with pytest.raises(OpsRefusal) as refused:
        decide(partner(), judge(), approve=True, actor="ops@mila", why=None)
    assert refused.value.code == "NOTHING_PENDING"


# --- R12.4 reinstatement -------------------------------------------------------------------------------


def test_r12_4_given_an_excluded_partner_when_reinstated_then_active_with_streaks_and_strikes_reset():
    standing = give_outcomes(give_ratings(partner(), [4] * 10), completed=47, cancelled=3)
    evaluate(standing, judge(day(0)))
    strike(standing, judge(day(1)), "ns-1")
    strike(standing, judge(day(2)), "ns-2")
    assert standing.status == EXCLUDED

    notices = reinstate(standing, judge(day(3)), actor="ops@mila", why="appeal upheld")

    assert types(notices) == [REINSTATED]
    assert (standing.status, standing.reason) == (ACTIVE, None)
    assert (standing.rating_streak, standing.rating_baseline, standing.cancellation_streak) == ([], None, [])
    assert active_strikes(standing, city_policy(), day(3)) == []
    assert notices[0].reasons["actor"] == "ops@mila"
    assert notices[0].reasons["figures"]["previous_status"] == EXCLUDED


def test_r14_5_given_a_pending_decision_when_the_partner_is_reinstated_then_the_pending_decision_is_cleared():
    # Given a suspended partner whose stored standing still carries a pending proposal
    standing = partner(
        status=SUSPENDED,
        reason="CONDUCT",
        pending_decision={"action": "EXCLUDE", "reason": "NO_SHOW", "rule": "R6.3", "reasons": {}},
    )

    reinstate(standing, judge(day(3), REVIEW), actor="ops@mila", why="cleared")

    assert standing.pending_decision is None
    assert standing.status == ACTIVE


def test_r12_4_given_a_closed_partner_when_reinstated_then_refused_with_code_closed():
    standing = partner(status=CLOSED, reason="FRAUD", legal_action=True)
    before = standing.to_item()

    with pytest.raises(OpsRefusal) as refused:
        reinstate(standing, judge(), actor="ops@mila", why="please")

    assert refused.value.code == "CLOSED"
    assert standing.to_item() == before


def test_r14_10_given_an_active_partner_when_reinstated_then_refused_with_code_not_restricted():
    with pytest.raises(OpsRefusal) as refused:
        reinstate(partner(), judge(), actor="ops@mila", why="just in case")
    assert refused.value.code == "NOT_RESTRICTED"


def test_r12_4_given_a_reinstated_partner_then_dispatch_eligibility_returns():
    standing = partner()
    report_incident(standing, judge(), "PROPERTY_DAMAGE", actor="ops@mila")
    assert dispatch_score(standing, judge()) == 0

    reinstate(standing, judge(day(1)), actor="ops@mila", why="insurance settled")

    assert dispatch_score(standing, judge(day(1))) > 0
