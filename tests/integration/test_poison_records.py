"""Issue 12: a bad record never takes good ones with it (R14.13, R14.12, R11.1).

Each class of bad record is tried twice, both times in a burst between good records of the same
batch:
- as it arrives: validation (R14.13, to DynamoDB's and the ledger's limits) refuses it up front;
- past validation (the limit lifted by the test): it fails deep down - DynamoDB refuses the key
  (ValidationException), the ledger cannot hold the amount (decimal.Rounded), a conversion
  overflows - and the one classification (failures.is_transient) sends it to the failure
  destination at once, with its reason, instead of retrying it with every record after it.
Either way: the good records around it are applied, the bad one is dead-lettered once, at once
(no "retries exhausted"), and a good job's customer secrets are gone (R11.1).
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from mila_standing.domain import models
from mila_standing.usecases import ops, ratings

from .scenario import ScenarioBuilder, day, iso

CITY = "hamburg"
SECRETS = {"wifi": "hunter2-poison-good", "door": "door-7781-good"}


def dead_letters(outcome: dict[str, Any]) -> list[dict[str, Any]]:
    return outcome["dead_letters"]


def assert_at_once(outcome: dict[str, Any], reason: str) -> None:
    """The bad record is in the failure destination once, with its reason, never as 'retries exhausted'."""
    errors = [d["error"] for d in dead_letters(outcome)]
    assert len(errors) == 1, errors
    assert reason in errors[0] and "retries exhausted" not in errors[0], errors[0]


# --- a time that overflows in UTC (OverflowError) ------------------------------------------------


def rating_burst(scenario: ScenarioBuilder, bad_rated_at: str) -> None:
    scenario.partner("p1", city=CITY)
    at = day(1)
    scenario.rating(at, "p1", 5, rated_at=at - timedelta(minutes=4))
    scenario.rating(at, "p1", 4, job_id="r-bad", rated_at=at - timedelta(minutes=3))
    scenario.lines[-1]["put"]["item"]["rated_at"] = bad_rated_at
    scenario.rating(at, "p1", 4, rated_at=at - timedelta(minutes=2))
    scenario.rating(at, "p1", 3, rated_at=at - timedelta(minutes=1))


def test_r14_13_a_rating_whose_offset_overflows_in_utc_is_refused_and_the_burst_counts(scenario):
    # Given a burst of four ratings, the second rated "0001-01-01T00:00:00+05:00" (before year 1 in UTC)
    rating_burst(scenario, "0001-01-01T00:00:00+05:00")
    # When replayed
    outcome = scenario.replay()
    # Then the three good ratings count, and the bad one is dead-lettered at once with its reason
    assert outcome["partners"]["p1"]["rating_count"] == 3
    assert_at_once(outcome, "cannot be converted to UTC")


def test_issue_12_an_overflow_past_validation_is_bad_input_not_a_retry(scenario, monkeypatch):
    # Given the window entry of one rating overflows as it is built (as the UTC conversion did
    # before validation knew about it)
    real_entry = ratings.RatingEntry

    def entry(stars: int, rated_at: Any) -> Any:
        if stars == 1:
            raise OverflowError("date value out of range")
        return real_entry(stars, rated_at)

    monkeypatch.setattr(ratings, "RatingEntry", entry)
    scenario.partner("p1", city=CITY)
    at = day(1)
    for minute, stars in enumerate((5, 1, 4, 3)):
        scenario.rating(at, "p1", stars, rated_at=at - timedelta(minutes=4 - minute))
    # When replayed
    outcome = scenario.replay(differential=False)
    # Then the good ratings after it are applied, and it is dead-lettered once with the exception
    assert outcome["partners"]["p1"]["rating_count"] == 3
    assert_at_once(outcome, "OverflowError: date value out of range")


# --- an amount the ledger cannot hold (decimal.Rounded) -----------------------------------------


def paid_jobs(scenario: ScenarioBuilder, bad_price: int) -> None:
    scenario.partner("p1", city=CITY)
    at = day(1, 12)
    common = {"city": CITY, "payment_status": "PAID", "currency": "EUR", "accepted_at": iso(day(1, 8))}
    scenario.job(at, "p1", "COMPLETED", job_id="j-huge", price_cents=bad_price, **common)
    scenario.job(at, "p1", "COMPLETED", job_id="j-good", price_cents=1030, access_secrets=SECRETS, **common)
    # 1E+40 is a valid DynamoDB number (one significant digit), but boto3 cannot read it back
    # exactly: the platform deletes the job again so that the outcome's table scan can read the rest.
    scenario.delete(day(2), "jobs", {"job_id": "j-huge"})


def assert_good_job_booked_and_scrubbed(outcome: dict[str, Any], log: str) -> None:
    assert [(e["job_id"], e["kind"]) for e in outcome["ledger"]] == [("j-good", "COMMISSION")]
    jobs = {item["job_id"]: item for item in outcome["tables"]["jobs"]}
    assert "access_secrets" not in jobs["j-good"]  # R11.1
    assert outcome["partners"]["p1"]["resolved_jobs"] >= 1
    for value in SECRETS.values():  # R11.2
        assert value not in log and value not in str(dead_letters(outcome))


def test_r14_13_a_price_beyond_the_ledger_is_refused_and_the_next_paid_job_is_booked(scenario):
    # Given a completed, paid job priced 10**40 cents, then a good one carrying customer secrets
    paid_jobs(scenario, 10**40)
    log = io.StringIO()
    # When replayed
    outcome = scenario.replay(log=log)
    # Then the good job is booked and its secrets are gone; the bad one is dead-lettered with its reason
    assert_good_job_booked_and_scrubbed(outcome, log.getvalue())
    assert_at_once(outcome, "price_cents: must be at most 1000000000000 cents")


def test_issue_12_a_price_the_ledger_cannot_store_past_validation_is_bad_input(scenario, monkeypatch):
    # Given validation lets any price through, so the ledger entry fails (decimal.Rounded)
    monkeypatch.setattr(models, "MAX_PRICE_CENTS", 10**80)
    paid_jobs(scenario, 10**40)
    log = io.StringIO()
    # When replayed
    outcome = scenario.replay(log=log, differential=False)
    # Then the good job after it is booked and scrubbed, and the bad one is dead-lettered at once
    assert_good_job_booked_and_scrubbed(outcome, log.getvalue())
    assert_at_once(outcome, "Rounded")
    assert dead_letters(outcome)[0]["function"] == "on_job_completed"


# --- a key DynamoDB refuses (ValidationException) -----------------------------------------------


def registrations(scenario: ScenarioBuilder, phone: str) -> None:
    at = day(0, 8)
    scenario.partner("p-long", city=CITY, at=at, phone=phone)
    scenario.partner("p-next", city=CITY, at=at, phone="+49-next")
    scenario.rating(day(1), "p-next", 5)


def test_r14_13_a_fingerprint_longer_than_a_key_is_refused_and_the_next_registration_appears(scenario):
    # Given a partner whose phone fingerprint has 3,000 bytes, then another registration
    registrations(scenario, "9" * 3000)
    # When replayed
    outcome = scenario.replay()
    # Then the next registration is there, and the bad record is dead-lettered with its reason
    assert outcome["partners"]["p-next"]["dispatch_eligible"] is True  # a known, verified partner (R14.8)
    assert outcome["partners"]["p-next"]["rating_count"] == 1
    assert_at_once(outcome, "phone: must be at most 512 bytes")


def test_issue_12_a_key_dynamodb_refuses_is_bad_input_not_a_retry(scenario, monkeypatch):
    # Given validation lets the fingerprint through, so DynamoDB refuses the key
    monkeypatch.setattr(models, "MAX_FINGERPRINT_BYTES", 10**6)
    registrations(scenario, "9" * 3000)
    # When replayed
    outcome = scenario.replay(differential=False)
    # Then the next registration is applied, and the bad one is dead-lettered at once
    assert outcome["partners"]["p-next"]["dispatch_eligible"] is True  # a known, verified partner (R14.8)
    assert_at_once(outcome, "ValidationException")


def test_r14_13_ids_and_cities_beyond_key_limits_are_refused(scenario):
    # Given a rating of a partner id of 3,000 characters and a partner with a 100-letter city
    scenario.partner("p1", city=CITY)
    scenario.partner("p2", city="x" * 100)
    scenario.rating(day(1), "p" * 3000, 5)
    scenario.rating(day(1), "p1", 5)
    # When replayed
    outcome = scenario.replay()
    # Then both are refused with their reasons and p1's rating counts
    errors = sorted(d["error"] for d in dead_letters(outcome))
    assert len(errors) == 2
    assert "city: must be a lower-case city slug of at most 64 characters" in errors[0]
    assert "partner_id: must be at most 128 bytes" in errors[1]
    assert outcome["partners"]["p1"]["rating_count"] == 1


# --- a partner whose standing cannot be written (issue 12 item 4) ------------------------------


def test_issue_12_an_unwritable_partner_is_loud_and_others_are_applied(scenario, monkeypatch):
    # Given ids may be longer than a key (validation lifted): PARTNER#<id> exceeds 2,048 bytes
    monkeypatch.setattr(models, "MAX_ID_BYTES", 10**6)
    long_id = "p" * 2100
    scenario.partner("p1", city=CITY)
    at = day(1)
    scenario.rating(at, "p1", 5, rated_at=at - timedelta(minutes=3))
    scenario.rating(at, long_id, 5, rated_at=at - timedelta(minutes=2))
    scenario.rating(at, "p1", 4, rated_at=at - timedelta(minutes=1))
    log = io.StringIO()
    # When replayed
    outcome = scenario.replay(log=log, differential=False)
    # Then p1's ratings count; the unwritable partner's record is dead-lettered once, naming the
    # partner and the reason; the log says so with the partner id
    assert outcome["partners"]["p1"]["rating_count"] == 2
    assert_at_once(outcome, "cannot be written")
    assert "ValidationException" in dead_letters(outcome)[0]["error"]
    assert "the partner's standing cannot be written" in log.getvalue()
    assert long_id in log.getvalue()


@pytest.mark.parametrize(
    "event",
    [
        {"action": "report_incident", "partner_id": "p1", "category": "CONDUCT", "actor": "ops", "note": "x" * 200_000},
        {"action": "reinstate", "partner_id": "p1", "actor": "ops", "reason": "y" * 200_000},
        {"action": "explain", "partner_id": "p" * 3000},
    ],
)
def test_r14_13_ops_free_text_and_ids_over_the_limits_get_an_error_object(scenario, event):
    # Given a known partner
    scenario.partner("p1", city=CITY)
    # When ops send a 200 KB note or reason, or an over-long partner id
    scenario.invoke(day(1), "ops", event)
    outcome = scenario.replay()
    # Then the call answers INVALID_REQUEST and changes nothing
    answer = outcome["invocations"][-1]["response"]
    assert answer["error"]["code"] == "INVALID_REQUEST", answer
    assert "at most" in answer["error"]["message"]
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"


def test_issue_12_an_ops_call_dynamodb_refuses_answers_unwritable_and_changes_nothing(scenario, monkeypatch):
    # Given an incident whose decision grows past 400 KB on the way to DynamoDB (as a 200 KB note
    # copied into the standing did before notes were bounded)
    real_report = ops.report_incident

    def report(standing: Any, j: Any, category: str, actor: str, job_id: Any, note: Any) -> Any:
        return real_report(standing, j, category, actor, job_id, (note or "") * 300)

    monkeypatch.setattr(ops, "report_incident", report)
    scenario.partner("p1", city=CITY)
    scenario.invoke(
        day(1),
        "ops",
        {
            "action": "report_incident",
            "partner_id": "p1",
            "category": "DISCRIMINATION",
            "actor": "ops-a",
            "note": "n" * 2000,
        },
    )
    log = io.StringIO()
    # When replayed
    outcome = scenario.replay(log=log, differential=False)
    # Then ops get UNWRITABLE with the reason, nothing changed, and the log names the partner
    answer = outcome["invocations"][0]["response"]
    assert answer["error"]["code"] == "UNWRITABLE" and "ValidationException" in answer["error"]["message"]
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"
    assert '"partner_id":"p1"' in log.getvalue().replace(" ", "") and "ops call failed" in log.getvalue()
