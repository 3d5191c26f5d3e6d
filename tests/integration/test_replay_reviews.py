"""Issue 13, review rights (Platform Work Directive Art. 11), end to end through the replay's
command line on the checked-in scenario ``infra/scenarios/review-rights.jsonl``:

Given partner h1 with a RATING_WARNING (h1:000001) and a conduct SUSPENDED (h1:000002) on day 0,
when the partner asks on day 1 for a review of both, ops uphold the warning on day 2, the nights
of day 2..17 run (days 13 and 16 twice), and ops correct the suspension on day 17,
then ops get one REVIEW_DUE (day 13) and one REVIEW_OVERDUE (day 16), each answer is a
REVIEW_ANSWERED notice with its statement of reasons (R12.1), published (R13), the corrected
suspension reinstates h1 (R12.4), explain lists both reviews, and every bad call is an error
object that changes nothing. Partner h3's reminder falls due between two runs of one night.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mila_admin.cli import main
from mila_replay import engine

from .scenario import day, iso, notices_of
from .test_nightly_fanout import CrashingNight
from .test_replay_ops import assert_error, assert_notices_persisted_and_published, audits, ops_at

SCENARIO = Path(__file__).resolve().parents[2] / "infra" / "scenarios" / "review-rights.jsonl"
WARNING, SUSPENSION = "h1:000001", "h1:000002"
FIRST, SECOND = "h1:review-000001", "h1:review-000002"


def replay(tmp: Path) -> dict[str, Any]:
    out = tmp / "outcome.json"
    assert main(["replay", str(SCENARIO), "--out", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return replay(tmp_path_factory.mktemp("reviews"))


def kinds(outcome: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(n["at"], n["notice_id"], n["type"]) for n in notices_of(outcome, "h1")]


def test_issue_13_a_request_answers_its_review_id_and_a_deadline_14_days_later(outcome):
    answer = ops_at(outcome, day(1, hour=10, minute=5))
    assert answer["review_id"] == SECOND
    assert answer["deadline"] == iso(day(15, hour=10, minute=5))
    assert answer["notices"] == []  # a request is no decision: nothing goes to the partner


def test_issue_13_review_due_and_overdue_go_to_ops_once_on_the_right_nights(outcome):
    reminders = [n for n in notices_of(outcome, "h1") if n["type"] in ("REVIEW_DUE", "REVIEW_OVERDUE")]
    # deadline day 15 10:05: day 12 02:00 is before deadline - 3 days, day 13 02:00 after;
    # day 15 02:00 is before the deadline, day 16 02:00 after. The re-runs at 04:00 send nothing.
    assert [(n["type"], n["at"]) for n in reminders] == [
        ("REVIEW_DUE", iso(day(13, hour=2))),
        ("REVIEW_OVERDUE", iso(day(16, hour=2))),
    ]
    for reminder in reminders:
        assert reminder["reasons"]["to"] == "ops" and reminder["reasons"]["partner_id"] == "h1"
        assert reminder["reasons"]["figures"]["review_id"] == SECOND  # the upheld one is answered: no reminder
    assert not notices_of(outcome, "h2", "REVIEW_DUE")  # no review, no reminder


def test_issue_13_a_reminder_falling_due_between_two_runs_of_a_night_goes_out_with_the_second(outcome):
    """h3 is warned by the night of day 14 at 02:00 (R2.2: the night is marked); its review's
    deadline minus 3 days is day 14 03:00: the re-run at 04:00 sends the REVIEW_DUE, the warning
    is not sent again."""
    on_day_14 = [(n["type"], n["at"]) for n in notices_of(outcome, "h3") if n["at"].startswith(iso(day(14))[:10])]
    assert on_day_14 == [("RATING_WARNING", iso(day(14, hour=2))), ("REVIEW_DUE", iso(day(14, hour=4)))]


def test_issue_13_an_upheld_answer_is_a_notice_with_reasons_and_changes_no_status(outcome):
    answer = ops_at(outcome, day(2, hour=10))
    assert answer["outcome"] == "upheld" and answer["standing"]["status"] == "SUSPENDED"
    (notice,) = answer["notices"]
    assert notice["type"] == "REVIEW_ANSWERED"
    assert notice["reasons"]["rule"] and notice["reasons"]["notices"] == [WARNING]
    assert notice["reasons"]["reason"].startswith("The ratings come from four different customers")
    assert notice["reasons"]["figures"]["within_deadline"] is True


def test_issue_13_r12_4_a_corrected_suspension_reinstates_the_partner_and_is_published(outcome):
    answer = ops_at(outcome, day(17, hour=9))
    assert [n["type"] for n in answer["notices"]] == ["REINSTATED", "REVIEW_ANSWERED"]
    reinstated, answered = answer["notices"]
    assert reinstated["reasons"]["rule"] == "R12.4" and reinstated["reasons"]["review_id"] == SECOND
    assert answered["reasons"]["outcome"] == "corrected"
    assert answered["reasons"]["figures"]["within_deadline"] is False  # answered after the deadline
    assert outcome["partners"]["h1"]["status"] == "ACTIVE"
    assert outcome["logins"]["h1"] is True  # R13: REINSTATED enables the login again
    assert_notices_persisted_and_published(outcome)
    assert kinds(outcome)[-2:] == [
        (iso(day(17, hour=9)), "h1:000006", "REINSTATED"),
        (iso(day(17, hour=9)), "h1:000007", "REVIEW_ANSWERED"),
    ]


def test_issue_13_explain_lists_both_reviews(outcome):
    explained = ops_at(outcome, day(17, hour=10))
    assert explained["reviews"] == [
        {
            "review_id": FIRST,
            "notice_id": WARNING,
            "status": "ANSWERED",
            "requested_at": iso(day(1, hour=10)),
            "deadline": iso(day(15, hour=10)),
            "outcome": "upheld",
        },
        {
            "review_id": SECOND,
            "notice_id": SUSPENSION,
            "status": "ANSWERED",
            "requested_at": iso(day(1, hour=10, minute=5)),
            "deadline": iso(day(15, hour=10, minute=5)),
            "outcome": "corrected",
        },
    ]


@pytest.mark.parametrize(
    "at, code",
    [
        (day(1, hour=11), "REVIEW_OPEN"),  # one open request per notice
        (day(1, hour=11, minute=1), "NOT_THE_PARTNERS_NOTICE"),
        (day(1, hour=11, minute=2), "UNKNOWN_NOTICE"),
        (day(1, hour=11, minute=3), "UNKNOWN_PARTNER"),
        (day(1, hour=11, minute=4), "INVALID_REQUEST"),  # no text
        (day(1, hour=11, minute=5), "INVALID_REQUEST"),  # an answer without a reason
        (day(1, hour=11, minute=6), "UNKNOWN_REVIEW"),
        (day(2, hour=11), "ALREADY_ANSWERED"),  # answering twice
    ],
    ids=[
        "open",
        "other-partner",
        "unknown-notice",
        "unknown-partner",
        "no-text",
        "no-reason",
        "unknown-review",
        "twice",
    ],
)
def test_issue_13_every_bad_call_is_an_error_object(outcome, at, code):
    assert_error(ops_at(outcome, at), code)


def test_issue_13_bad_calls_change_nothing_and_good_ones_are_audited(outcome):
    accepted = [
        i
        for i in outcome["invocations"]
        if i["function"] == "ops" and i["response"].get("ok") and i["response"]["partner_id"] == "h1"
    ]
    assert len(audits(outcome, "h1")) == len(accepted) == 5  # an incident, two requests, two answers
    records = [
        i for i in outcome["tables"]["standing"] if i["pk"] == "PARTNER#h1" and str(i["sk"]).startswith("APPEAL#")
    ]
    assert [(r["review_id"], r["status"]) for r in records] == [(FIRST, "ANSWERED"), (SECOND, "ANSWERED")]
    assert not [i for i in outcome["tables"]["standing"] if i["pk"] == "PARTNER#nobody"]


def test_issue_13_a_night_worker_dying_half_way_sends_each_reminder_once(outcome, tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "NightStateMachine", CrashingNight)
    CrashingNight.crashes = []
    crashed = replay(tmp_path)
    assert CrashingNight.crashes  # the evaluate segments died and ran again
    assert crashed["notices"] == outcome["notices"]
    assert crashed["partners"] == outcome["partners"]


def test_issue_13_console_events_exist_for_both_actions():
    events = Path(__file__).resolve().parents[2] / "functions" / "ops" / "events"
    actions = {json.loads(p.read_text())["action"] for p in events.glob("*.json")}
    assert {"request_review", "answer_review"} <= actions
