"""Issue 13: a partner's review rights (Platform Work Directive Art. 11) in the rule core:
opening a review, the nightly reminders (REVIEW_DUE, REVIEW_OVERDUE) and the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mila_standing.domain.standing import ACTIVE, CLOSED, SUSPENDED, Standing
from mila_standing.domain.times import format_time
from mila_standing.rules import OpsRefusal, report_incident, reviews

from .conftest import day, give_ratings, judge, nights, partner, types


def stored(notice) -> dict:
    """A notice as the store keeps it (the NOTICE# item the ops function reads)."""
    return {"notice_id": notice.notice_id, "type": notice.type, "reasons": notice.reasons}


def suspended_partner() -> tuple[Standing, dict]:
    standing = partner()
    (notice,) = report_incident(standing, judge(day(0)), "ABUSIVE_BEHAVIOUR", "ops-anna")
    return standing, stored(notice)


def opened(standing: Standing, notice: dict, at=None) -> dict:
    return reviews.request_review(standing, judge(at or day(1, hour=10)), notice)


def reminder_nights(standing: Standing, days) -> dict[int, list[str]]:
    return {d: types(reviews.reminders(standing, judge(day(d)))) for d in days}


# --- request ---------------------------------------------------------------------------------


def test_issue_13_given_a_suspension_when_the_partner_asks_then_a_review_is_open_for_two_weeks():
    standing, notice = suspended_partner()
    review = opened(standing, notice, day(1, hour=10))
    assert review["review_id"] == "p-1:review-000001"
    assert review["deadline"] == format_time(day(1, hour=10) + timedelta(days=14))
    assert standing.reviews[review["review_id"]]["notice_id"] == notice["notice_id"]


def test_issue_13_given_an_open_review_of_a_notice_then_a_second_request_for_it_is_refused():
    standing, notice = suspended_partner()
    opened(standing, notice)
    with pytest.raises(OpsRefusal) as refused:
        opened(standing, notice)
    assert refused.value.code == "REVIEW_OPEN"


def test_issue_13_given_an_ops_facing_notice_then_it_cannot_be_reviewed():
    standing = partner()
    with pytest.raises(OpsRefusal) as refused:
        opened(standing, {"notice_id": "p-1:000001", "type": "DECISION_PENDING"})
    assert refused.value.code == "NOT_REVIEWABLE"
    assert standing.review_seq == 0 and not standing.reviews


# --- the clock -------------------------------------------------------------------------------


def test_issue_13_reminders_come_once_each_on_the_first_nights_at_deadline_minus_3_and_after_it():
    standing, notice = suspended_partner()
    opened(standing, notice, day(1, hour=10))  # deadline: day 15, 10:00; nights at 03:00
    sent = reminder_nights(standing, range(2, 25))
    assert {d: kinds for d, kinds in sent.items() if kinds} == {
        13: ["REVIEW_DUE"],  # day 12 03:00 is before day 12 10:00 (deadline - 3 days)
        16: ["REVIEW_OVERDUE"],  # day 15 03:00 is before the deadline itself
    }


def test_issue_13_given_no_night_ran_before_the_deadline_then_the_first_one_sends_both_in_order():
    standing, notice = suspended_partner()
    opened(standing, notice, day(1, hour=10))
    assert reminder_nights(standing, [20, 21]) == {20: ["REVIEW_DUE", "REVIEW_OVERDUE"], 21: []}


def test_issue_13_the_reminder_is_to_ops_with_the_partner_and_a_statement_of_reasons():
    standing, notice = suspended_partner()
    review = opened(standing, notice, day(1, hour=10))
    assert reviews.reminder_due(standing, day(13)) and not reviews.reminder_due(standing, day(12))
    (due,) = reviews.reminders(standing, judge(day(13)))
    assert due.notice_id == "p-1:000002"  # the partner's notice ids go on in order (R13)
    assert due.reasons["rule"] == reviews.RULE and due.reasons["to"] == "ops"
    assert due.reasons["partner_id"] == "p-1"
    assert due.reasons["figures"] | {} == {
        "review_id": review["review_id"],
        "notice_id": notice["notice_id"],
        "deadline": review["deadline"],
        "days_left": 2,
    }


# --- the answer ------------------------------------------------------------------------------


def test_issue_13_r12_4_corrected_suspension_reinstates_with_the_review_as_reason():
    standing, notice = suspended_partner()
    review = opened(standing, notice)
    answered = reviews.answer_review(
        standing, judge(day(3)), review, notice, "corrected", "ops-ben", "the customer withdrew the complaint"
    )
    assert types(answered) == ["REINSTATED", "REVIEW_ANSWERED"]
    assert standing.status == ACTIVE and standing.reviews == {}
    assert answered[0].reasons["review_id"] == review["review_id"]
    assert answered[0].reasons["reason"] == "the customer withdrew the complaint"
    statement = answered[1].reasons
    assert statement["outcome"] == "corrected" and statement["notices"] == [notice["notice_id"]]
    assert statement["figures"]["within_deadline"] is True
    assert statement["effect"] == {"reinstated": True, "notice_id": answered[0].notice_id}
    assert review["status"] == "ANSWERED" and review["outcome"] == "corrected"


def test_issue_13_upheld_changes_nothing_but_answers_with_reasons():
    standing, notice = suspended_partner()
    review = opened(standing, notice)
    answered = reviews.answer_review(standing, judge(day(3)), review, notice, "upheld", "ops-ben", "evidence")
    assert types(answered) == ["REVIEW_ANSWERED"] and standing.status == SUSPENDED
    assert answered[0].reasons["reason"] == "evidence" and answered[0].reasons["effect"] == {}


def test_issue_13_an_answered_review_cannot_be_answered_again_and_sends_no_reminder():
    standing, notice = suspended_partner()
    review = opened(standing, notice)
    reviews.answer_review(standing, judge(day(3)), dict(review), notice, "upheld", "ops-ben", "evidence")
    with pytest.raises(OpsRefusal) as refused:
        reviews.answer_review(standing, judge(day(4)), dict(review), notice, "upheld", "ops-ben", "again")
    assert refused.value.code == "ALREADY_ANSWERED"
    assert reminder_nights(standing, range(2, 30)) == {d: [] for d in range(2, 30)}


def test_issue_13_r12_4_a_closure_is_never_corrected_into_a_reinstatement():
    standing = partner()
    (closure,) = report_incident(standing, judge(day(0)), "CASH_PAYMENT", "ops-anna")
    review = opened(standing, stored(closure))
    with pytest.raises(OpsRefusal) as refused:
        reviews.answer_review(standing, judge(day(3)), review, stored(closure), "corrected", "ops", "no")
    assert refused.value.code == "CLOSED" and standing.status == CLOSED


def test_issue_13_r2_4_a_corrected_rating_warning_leaves_its_streak():
    standing = give_ratings(partner(), [4] * 10)
    by_night = nights(standing, range(0, 8))  # R2.2: warned on day 0 and day 7
    warnings = [n for ns in by_night.values() for n in ns if n.type == "RATING_WARNING"]
    assert len(standing.rating_streak) == 2
    review = opened(standing, stored(warnings[1]), day(7, hour=10))
    answered = reviews.answer_review(
        standing,
        judge(day(8)),
        review,
        stored(warnings[1]),
        "corrected",
        "ops-ben",
        "two of the ratings were from a test account",
    )
    assert len(standing.rating_streak) == 1 and warnings[1].notice_id not in standing.rating_streak.ids
    assert answered[-1].reasons["effect"] == {"removed_from_streak": True}
    assert standing.status == ACTIVE
