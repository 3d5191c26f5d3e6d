"""Jobs end to end through the replay: jobs stream -> on_cancel / on_job_completed -> cancellation
window (R3), city limits (R4), cancellation notices (R5), no-shows (R6), commission (R10) and
customer secrets (R11).

Every test reads Given / When / Then and cites the rule it checks (SPEC.md).
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from .scenario import ScenarioBuilder, day, iso, notices_of

CITY = "hamburg"  # no city overrides in infra/policy.yaml: the defaults apply


def history(
    scenario: ScenarioBuilder, at: datetime, partner_id: str, outcomes: str, city: str = CITY, prefix: str | None = None
) -> list[str]:
    """A burst of resolved jobs written at ``at``, their outcomes one minute apart before it.

    ``outcomes``: one letter per job, oldest first: C completed, X cancelled by the partner,
    N no-show (unannounced). Returns the job ids."""
    field_of: dict[str, tuple[str, dict[str, Any]]] = {
        "C": ("COMPLETED", {}),
        "X": ("CANCELLED", {"cancelled_by": "partner"}),
        "N": ("NO_SHOW", {}),
    }
    moment_of = {"COMPLETED": "completed_at", "CANCELLED": "cancelled_at", "NO_SHOW": "reported_at"}
    ids = []
    for i, letter in enumerate(outcomes):
        status, extra = field_of[letter]
        job_id = f"{prefix or partner_id}-{i:03d}"
        when = at - timedelta(minutes=len(outcomes) - i)
        scenario.job(
            at,
            partner_id,
            status,
            job_id=job_id,
            city=city,
            scheduled_at=iso(when - timedelta(hours=1)),
            **{moment_of[status]: iso(when)},
            **extra,
        )
        ids.append(job_id)
    return ids


def dead_letter_errors(outcome: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for dead in outcome["dead_letters"]:
        keys = dead["record"]["dynamodb"]["Keys"]
        errors.setdefault(keys["job_id"]["S"], []).append(dead["error"])
    return errors


def jobs_table(outcome: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["job_id"]: item for item in outcome["tables"]["jobs"]}


# --- R3 cancellation window and rate ------------------------------------------------------------


def test_r3_1_two_cancellations_among_50_jobs_is_004_over_the_last_50_by_outcome_time(scenario):
    for pid in ("p1", "p2", "p3"):
        scenario.partner(pid, city=CITY)
    # Given p1 with the code of conduct's example: 48 completed jobs and 2 partner cancellations,
    history(scenario, day(0), "p1", "C" * 24 + "X" + "C" * 24 + "X")
    # p2 with 50 recent completed jobs, then 10 partner cancellations that happened BEFORE
    # them but arrive a day later (60 resolved jobs; the 10 oldest fall out of the window),
    history(scenario, day(0), "p2", "C" * 50, prefix="p2-new")
    for i in range(10):
        scenario.job(
            day(1),
            "p2",
            "CANCELLED",
            job_id=f"p2-old-{i}",
            city=CITY,
            cancelled_by="partner",
            scheduled_at=iso(day(-10, minute=i)),
            cancelled_at=iso(day(-10, hour=10, minute=i)),
        )
    # and p3 with 51 outcomes at the very same moment: the tie is broken by job_id, so the
    # cancellation "a-0" is the oldest and leaves the window.
    scenario.job(day(0), "p3", "CANCELLED", job_id="a-0", city=CITY, cancelled_by="partner")
    for i in range(50):
        scenario.job(day(0), "p3", "COMPLETED", job_id=f"b-{i:02d}", city=CITY)
    # When the jobs are replayed
    outcome = scenario.replay()
    # Then the rate is 2 / 50 = 0.04 for p1, and p2's and p3's windows hold the 50 latest outcomes only.
    p1, p2, p3 = (outcome["partners"][pid] for pid in ("p1", "p2", "p3"))
    assert (p1["cancellation_rate"], p1["resolved_jobs"]) == (0.04, 50)
    assert (p2["cancellation_rate"], p2["resolved_jobs"]) == (0.0, 50)
    assert (p3["cancellation_rate"], p3["resolved_jobs"]) == (0.0, 50)
    assert notices_of(outcome, "p2", "CANCELLATION_WARNING") == []


def test_r3_2_customer_and_support_cancellations_are_neutral_and_unaccepted_jobs_ignored(scenario):
    # Given p1 with 10 completed jobs, 5 jobs cancelled by the customer and 5 by support,
    scenario.partner("p1", city=CITY)
    history(scenario, day(0), "p1", "C" * 10)
    for i in range(5):
        scenario.job(day(1), "p1", "CANCELLED", job_id=f"cust-{i}", city=CITY, cancelled_by="customer")
        scenario.job(day(1), "p1", "CANCELLED", job_id=f"supp-{i}", city=CITY, cancelled_by="support")
    # and a job no partner ever accepted, cancelled by its customer
    scenario.job(day(1), None, "CANCELLED", job_id="never-accepted", city=CITY, cancelled_by="customer")
    # When replayed
    outcome = scenario.replay()
    # Then only the 10 completed jobs are in p1's window, nobody is warned,
    p1 = outcome["partners"]["p1"]
    assert (p1["cancellation_rate"], p1["resolved_jobs"], p1["status"]) == (0.0, 10, "ACTIVE")
    assert outcome["notices"] == []
    # and the unaccepted job is simply ignored: no standing for anyone else, no dead letter.
    assert set(outcome["partners"]) == {"p1"}
    assert outcome["dead_letters"] == []


def test_r3_3_an_announced_no_show_counts_as_a_cancellation_not_a_strike(scenario):
    # Given p1 (announced) and p2 (informed support only after the appointment), 9 completed jobs each,
    for pid in ("p1", "p2"):
        scenario.partner(pid, city=CITY)
        history(scenario, day(0), pid, "C" * 9)
    # When each has a no-show for an appointment at 14:00, p1 having told support at 08:00,
    # p2 at 15:00
    scenario.job(
        day(1, 16),
        "p1",
        "NO_SHOW",
        job_id="ns-announced",
        city=CITY,
        scheduled_at=iso(day(1, 14)),
        support_informed_at=iso(day(1, 8)),
    )
    scenario.job(
        day(1, 16),
        "p2",
        "NO_SHOW",
        job_id="ns-late",
        city=CITY,
        scheduled_at=iso(day(1, 14)),
        support_informed_at=iso(day(1, 15)),
    )
    outcome = scenario.replay()
    # Then p1's no-show is a cancellation: in the rate, but no strike and no NO_SHOW_WARNING;
    p1 = outcome["partners"]["p1"]
    assert (p1["cancellation_rate"], p1["resolved_jobs"], p1["no_show_strikes"]) == (0.1, 10, 0)
    assert notices_of(outcome, "p1", "NO_SHOW_WARNING") == []
    assert [n["reasons"]["rule"] for n in notices_of(outcome, "p1")] == ["R5.2"]  # 0.1 > 0.03
    # and p2's (announced too late) is a strike with its one warning.
    p2 = outcome["partners"]["p2"]
    assert (p2["cancellation_rate"], p2["no_show_strikes"]) == (0.1, 1)
    assert len(notices_of(outcome, "p2", "NO_SHOW_WARNING")) == 1


def test_r3_4_a_corrected_outcome_counts_with_its_latest_status_and_r14_9_a_deleted_job_leaves(scenario):
    # Given p1 with 10 completed jobs and 2 partner cancellations (2 / 12),
    scenario.partner("p1", city=CITY)
    history(scenario, day(0), "p1", "C" * 10)
    scenario.job(day(1), "p1", "CANCELLED", job_id="x1", city=CITY, cancelled_by="partner")
    scenario.job(day(1), "p1", "CANCELLED", job_id="x2", city=CITY, cancelled_by="partner")
    # and p2 with 10 completed jobs and one unannounced no-show (a strike),
    scenario.partner("p2", city=CITY)
    history(scenario, day(0), "p2", "C" * 10)
    scenario.job(day(1), "p2", "NO_SHOW", job_id="ns1", city=CITY)
    # When support corrects x2 to COMPLETED, and the no-show job is deleted
    scenario.job(day(2), "p1", "COMPLETED", job_id="x2", city=CITY, completed_at=iso(day(1)))
    scenario.delete(day(2), "jobs", {"job_id": "ns1"})
    outcome = scenario.replay()
    # Then p1's rate drops to 1 / 12, x2 counted once (as completed),
    p1 = outcome["partners"]["p1"]
    assert (p1["cancellation_rate"], p1["resolved_jobs"]) == (1 / 12, 12)
    # and p2's window and strikes no longer hold the deleted job.
    p2 = outcome["partners"]["p2"]
    assert (p2["cancellation_rate"], p2["resolved_jobs"], p2["no_show_strikes"]) == (0.0, 10, 0)


# --- R4 city limits ----------------------------------------------------------------------------


def test_r4_city_average_and_maximum_from_the_nightly_check_and_r4_3_default_before_it(scenario):
    # Given hamburg: 5 partners with >= 10 resolved jobs (rates 0, 0.1, 0.2, 0.3, 0.05) and one
    # with only 9 (all cancelled; too few jobs to count),
    rates = {
        "h1": "C" * 10,
        "h2": "X" + "C" * 9,
        "h3": "XX" + "C" * 8,
        "h4": "XXX" + "C" * 7,
        "h5": "X" + "C" * 19,
        "h6": "X" * 9,
    }
    # leipzig: only 4 qualifying partners (and one with 9 jobs),
    rates |= {f"l{i}": "X" + "C" * 9 for i in range(1, 5)} | {"l5": "C" * 9}
    # koeln: 5 qualifying partners whose average 0.02 gives 1.5 x 0.02 = 0.03 < the 0.05 floor.
    rates |= {f"k{i}": "C" * 10 for i in range(1, 5)} | {"k5": "X" + "C" * 9}
    city_of = {"h": "hamburg", "l": "leipzig", "k": "koeln"}
    for pid, outcomes in rates.items():
        scenario.partner(pid, city=city_of[pid[0]])
        history(scenario, day(0), pid, outcomes, city=city_of[pid[0]])
    # When the nightly check runs for all cities,
    scenario.nightly(1)
    # and afterwards two new hamburg partners reach 10 jobs with rates 0.1 and 0.3
    for pid, outcomes in {"q1": "X" + "C" * 9, "q2": "XXX" + "C" * 7}.items():
        scenario.partner(pid, city=CITY, at=day(1, 8))
        history(scenario, day(1), pid, outcomes)
    outcome = scenario.replay()
    # Then hamburg's average is the mean of the 5 qualifying rates and its maximum 1.5 x that,
    hamburg_rates = [Fraction(0), Fraction(1, 10), Fraction(2, 10), Fraction(3, 10), Fraction(1, 20)]
    hamburg_average = sum(hamburg_rates, Fraction(0)) / 5
    assert outcome["cities"]["hamburg"] == {
        "average_cancellation_rate": float(hamburg_average),
        "maximum_cancellation_rate": float(hamburg_average * Fraction(3, 2)),
    }
    assert outcome["cities"]["hamburg"]["average_cancellation_rate"] == 0.13
    # leipzig, with fewer than 5 qualifying partners, uses the defaults,
    assert outcome["cities"]["leipzig"] == {"average_cancellation_rate": 0.03, "maximum_cancellation_rate": 0.05}
    # koeln's maximum is the floor.
    assert outcome["cities"]["koeln"] == {"average_cancellation_rate": 0.02, "maximum_cancellation_rate": 0.05}
    # R4.3: before the first nightly check h2 (0.1) was warned against the default 0.03;
    h2 = notices_of(outcome, "h2", "CANCELLATION_WARNING")
    assert [n["at"] for n in h2] == [iso(day(0))]
    assert h2[0]["reasons"]["thresholds"]["city_average"] == 0.03
    assert h2[0]["reasons"]["thresholds"]["city_maximum"] == 0.05
    # after it, q1 at the same 0.1 is below hamburg's 0.13 and not warned; q2 (0.3) is, against 0.13.
    assert notices_of(outcome, "q1", "CANCELLATION_WARNING") == []
    q2 = notices_of(outcome, "q2", "CANCELLATION_WARNING")
    assert len(q2) == 1 and q2[0]["reasons"]["thresholds"]["city_average"] == 0.13


# --- R5 cancellation notices and suspension ------------------------------------------------------


def test_r5_2_warning_at_once_then_r5_3_suspension_on_day_15_only_above_the_city_maximum(scenario):
    # Given p1 with 10 completed jobs (rate 0, no warning yet), and p2 with 19 completed jobs
    scenario.partner("p1", city=CITY)
    scenario.partner("p2", city=CITY)
    history(scenario, day(0, 8), "p1", "C" * 10)
    history(scenario, day(0, 8), "p2", "C" * 19)
    # When each cancels a job at 09:00 on day 0 (p1: 1 / 11 = 0.09 > the maximum 0.05;
    # p2: 1 / 20 = 0.05, above the average 0.03 but not above the maximum) and nightly checks run
    scenario.job(day(0), "p1", "CANCELLED", job_id="p1-x", city=CITY, cancelled_by="partner")
    scenario.job(day(0), "p2", "CANCELLED", job_id="p2-x", city=CITY, cancelled_by="partner")
    for n in range(1, 17):
        scenario.nightly(n)
    outcome = scenario.replay()
    # Then p1 is warned at once by the outcome (R5.2), again on days 7 and 14 by the nightly check,
    warnings = notices_of(outcome, "p1", "CANCELLATION_WARNING")
    assert [w["at"] for w in warnings] == [iso(day(0)), iso(day(7, 2)), iso(day(14, 2))]
    assert warnings[0]["reasons"]["rule"] == "R5.2"
    assert warnings[0]["reasons"]["figures"]["resolved_jobs"] == 11
    # and suspended for cancellations on day 15, citing the three warnings (R5.3, R12.1);
    suspended = notices_of(outcome, "p1", "SUSPENDED")
    assert [s["at"] for s in suspended] == [iso(day(15, 2))]
    assert suspended[0]["reasons"]["rule"] == "R5.3"
    assert suspended[0]["reasons"]["notices"] == [w["notice_id"] for w in warnings]
    p1 = outcome["partners"]["p1"]
    assert (p1["status"], p1["reason"], p1["dispatch_eligible"]) == ("SUSPENDED", "CANCELLATION", False)
    assert outcome["logins"]["p1"] is False
    # p2 gets the same warnings but, at exactly the maximum, stays active.
    assert len(notices_of(outcome, "p2", "CANCELLATION_WARNING")) == 3
    assert notices_of(outcome, "p2", "SUSPENDED") == []
    assert outcome["partners"]["p2"]["status"] == "ACTIVE"


# --- R6 no-shows -------------------------------------------------------------------------------


def test_r6_first_no_show_warns_and_the_second_excludes_at_once_in_the_stream_handler(scenario):
    # Given an active partner
    scenario.partner("p1", city=CITY)
    # When they miss an appointment without telling anyone on day 0, and again on day 3
    scenario.job(day(0), "p1", "NO_SHOW", job_id="ns1", city=CITY)
    scenario.job(day(3), "p1", "NO_SHOW", job_id="ns2", city=CITY)
    outcome = scenario.replay()  # no nightly check at all
    # Then the first strike brings the one warning (R6.2) and the second the exclusion, at once (R6.3),
    notices = notices_of(outcome, "p1")
    assert [(n["type"], n["at"]) for n in notices] == [("NO_SHOW_WARNING", iso(day(0))), ("EXCLUDED", iso(day(3)))]
    assert notices[0]["reasons"]["rule"] == "R6.2"
    assert notices[1]["reasons"]["rule"] == "R6.3"
    assert notices[1]["reasons"]["notices"] == [notices[0]["notice_id"]]
    assert outcome["invocations"] == []
    p1 = outcome["partners"]["p1"]
    assert (p1["status"], p1["reason"], p1["dispatch_eligible"], p1["no_show_strikes"]) == (
        "EXCLUDED",
        "NO_SHOW",
        False,
        2,
    )
    # the no-shows count in the cancellation rate too (R6.1), and an excluded partner may still log in.
    assert (p1["cancellation_rate"], p1["resolved_jobs"]) == (1.0, 2)
    assert outcome["logins"]["p1"] is True


def test_r6_3_with_one_strike_before_exclusion_the_first_no_show_excludes_without_warning(scenario):
    # Given the policy excludes at the first strike (R14.6),
    scenario.policy = {"defaults": {"no_show": {"strikes_before_exclusion": 1}}}
    scenario.partner("p1", city=CITY)
    scenario.partner("p2", city=CITY)
    # When p1 misses an appointment unannounced, p2 announced in time (R3.3)
    scenario.job(day(0), "p1", "NO_SHOW", job_id="ns1", city=CITY)
    scenario.job(
        day(0, 16),
        "p2",
        "NO_SHOW",
        job_id="ns2",
        city=CITY,
        scheduled_at=iso(day(0, 14)),
        support_informed_at=iso(day(0, 8)),
    )
    outcome = scenario.replay()
    # Then p1 is excluded straight away with no warning; p2 is not struck at all.
    assert [n["type"] for n in notices_of(outcome, "p1")] == ["EXCLUDED"]
    p1 = outcome["partners"]["p1"]
    assert (p1["status"], p1["reason"], p1["no_show_strikes"]) == ("EXCLUDED", "NO_SHOW", 1)
    assert notices_of(outcome, "p2") == []
    p2 = outcome["partners"]["p2"]
    assert (p2["status"], p2["no_show_strikes"]) == ("ACTIVE", 0)


def test_r6_1_a_strike_366_days_old_has_expired_one_365_days_old_still_counts(scenario):
    scenario.partner("p1", city=CITY)
    scenario.partner("p2", city=CITY)
    # Given p1 missed an appointment on day 0 and p2 on day 1 (both warned),
    scenario.job(day(0), "p1", "NO_SHOW", job_id="p1-ns1", city=CITY)
    scenario.job(day(1), "p2", "NO_SHOW", job_id="p2-ns1", city=CITY)
    # When both miss another on day 366: 366 days after p1's strike, 365 after p2's
    scenario.job(day(366), "p1", "NO_SHOW", job_id="p1-ns2", city=CITY)
    scenario.job(day(366), "p2", "NO_SHOW", job_id="p2-ns2", city=CITY)
    outcome = scenario.replay()
    # Then p1's old strike has expired: the new one is a first strike again and only warns,
    assert [n["type"] for n in notices_of(outcome, "p1")] == ["NO_SHOW_WARNING", "NO_SHOW_WARNING"]
    p1 = outcome["partners"]["p1"]
    assert (p1["status"], p1["no_show_strikes"]) == ("ACTIVE", 1)
    # while p2's still counts (R14.6) and the second strike excludes.
    assert [n["type"] for n in notices_of(outcome, "p2")] == ["NO_SHOW_WARNING", "EXCLUDED"]
    p2 = outcome["partners"]["p2"]
    assert (p2["status"], p2["reason"], p2["no_show_strikes"]) == ("EXCLUDED", "NO_SHOW", 2)


# --- R10 commission ------------------------------------------------------------------------------


def ledger_rows(outcome: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e["job_id"], e["kind"], e["price_cents"], e["commission_cents"], e["payout_cents"]) for e in outcome["ledger"]
    ]


def test_r10_1_commission_half_up_at_the_rate_of_the_jobs_city(scenario):
    # Given koeln charges 14.5 % and dresden 15 %; hamburg has the default 20 %,
    scenario.policy = {"cities": {"koeln": {"commission_rate": 0.145}, "dresden": {"commission_rate": 0.15}}}
    scenario.partner("p1", city="hamburg")
    scenario.partner("p2", city="koeln")
    # When paid jobs are completed - some outside the partner's home city
    paid: dict[str, Any] = {"payment_status": "PAID", "currency": "EUR"}
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-hamburg", city="hamburg", price_cents=1030, **paid)
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-koeln", city="koeln", price_cents=100, **paid)
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-dresden", city="dresden", price_cents=1030, **paid)
    scenario.job(
        day(0), "p2", "COMPLETED", job_id="j-koeln-partner-in-hamburg", city="hamburg", price_cents=1030, **paid
    )
    # (and a partner without any partners record: still booked, R14.8)
    scenario.job(day(0), "ghost", "COMPLETED", job_id="j-ghost", city="dresden", price_cents=1030, **paid)
    outcome = scenario.replay()
    # Then each earns one COMMISSION at its job's city rate, rounded half up, in whole cents:
    # 0.20 x 1030 = 206; 0.145 x 100 = 14.5 -> 15; 0.15 x 1030 = 154.5 -> 155.
    assert sorted(ledger_rows(outcome)) == sorted(
        [
            ("j-hamburg", "COMMISSION", 1030, 206, 824),
            ("j-koeln", "COMMISSION", 100, 15, 85),
            ("j-dresden", "COMMISSION", 1030, 155, 875),
            ("j-koeln-partner-in-hamburg", "COMMISSION", 1030, 206, 824),
            ("j-ghost", "COMMISSION", 1030, 155, 875),
        ]
    )
    assert {e["job_id"]: e["partner_id"] for e in outcome["ledger"]}["j-koeln-partner-in-hamburg"] == "p2"
    assert all(
        isinstance(e[k], int) for e in outcome["ledger"] for k in ("price_cents", "commission_cents", "payout_cents")
    )


def build_payment_lifecycle(scenario: ScenarioBuilder) -> None:
    scenario.partner("p1", city=CITY)
    job: dict[str, Any] = {"city": CITY, "price_cents": 1030, "completed_at": iso(day(0))}
    # j-pending is completed but never paid,
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-pending", payment_status="PENDING", **job)
    # j-paid is paid a day after completion, then rewritten with an unrelated change,
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-paid", payment_status="PENDING", **job)
    scenario.job(day(1), "p1", "COMPLETED", job_id="j-paid", payment_status="PAID", **job)
    scenario.job(
        day(2),
        "p1",
        "COMPLETED",
        job_id="j-paid",
        payment_status="PAID",
        currency="EUR",
        invoice_note="sent by post",
        **job,
    )
    # j-refund is paid, refunded on day 3, and rewritten after the refund.
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-refund", payment_status="PAID", **job)
    scenario.job(day(3), "p1", "COMPLETED", job_id="j-refund", payment_status="REFUNDED", **job)
    scenario.job(
        day(4), "p1", "COMPLETED", job_id="j-refund", payment_status="REFUNDED", invoice_note="refund confirmed", **job
    )
    # j-reprice is paid, then its price is corrected: the commission keeps the first paid price (R14.11);
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-reprice", payment_status="PAID", **job)
    scenario.job(day(2), "p1", "COMPLETED", job_id="j-reprice", payment_status="PAID", **(job | {"price_cents": 2000}))
    # j-unpaid-refund was never paid, and is refunded: nothing to reverse.
    scenario.job(day(0), "p1", "COMPLETED", job_id="j-unpaid-refund", payment_status="PENDING", **job)
    scenario.job(day(3), "p1", "COMPLETED", job_id="j-unpaid-refund", payment_status="REFUNDED", **job)


def test_r10_2_to_r10_4_nothing_until_paid_one_commission_one_reversal_also_under_chaos(scenario):
    # Given the payment lifecycle above
    build_payment_lifecycle(scenario)
    # When it is replayed, plainly and with redeliveries and transient failures
    plain = scenario.replay()
    chaotic = scenario.replay(chaos=7)
    # Then the unpaid job earns nothing, the paid one exactly one commission booked when it was
    # paid (day 1), the refunded one a commission and one reversal with the negated amounts.
    expected = [
        ("j-refund", "COMMISSION", 1030, 206, 824),
        ("j-reprice", "COMMISSION", 1030, 206, 824),
        ("j-paid", "COMMISSION", 1030, 206, 824),
        ("j-refund", "REVERSAL", -1030, -206, -824),
    ]
    assert ledger_rows(plain) == expected
    assert {(e["job_id"], e["kind"]): e["at"] for e in plain["ledger"]} == {
        ("j-refund", "COMMISSION"): iso(day(0)),
        ("j-reprice", "COMMISSION"): iso(day(0)),
        ("j-paid", "COMMISSION"): iso(day(1)),
        ("j-refund", "REVERSAL"): iso(day(3)),
    }
    assert ledger_rows(chaotic) == expected  # R10.4
    # Payment updates do not count as new outcomes (R3.4, R14.2).
    assert plain["partners"]["p1"]["resolved_jobs"] == chaotic["partners"]["p1"]["resolved_jobs"] == 5
    assert plain["dead_letters"] == chaotic["dead_letters"] == []


# --- R11 customer secrets ----------------------------------------------------------------------


def secrets(tag: str) -> dict[str, str]:
    unique = uuid.uuid4().hex[:10]
    return {"wifi_password": f"hunter2-{tag}-{unique}", "door_code": f"door-{tag}-{unique}"}


def build_secret_jobs(scenario: ScenarioBuilder) -> dict[str, dict[str, str]]:
    """Jobs accepted at 08:00 with secrets, reaching their outcomes at 12:00 (the platform
    rewrites the whole item, secrets included). Returns each job's secrets."""
    scenario.partner("p1", city=CITY, at=day(0, 7))
    finished: dict[str, tuple[str, dict[str, Any]]] = {
        "j-done": ("COMPLETED", {"price_cents": 1030, "payment_status": "PAID", "currency": "EUR"}),
        "j-partner-cancel": ("CANCELLED", {"cancelled_by": "partner"}),
        "j-customer-cancel": ("CANCELLED", {"cancelled_by": "customer"}),
        "j-no-show": ("NO_SHOW", {}),
        "j-bad": ("COMPLETED", {"price_cents": -5, "payment_status": "PAID"}),  # invalid (R14.12)
    }
    by_job = {job_id: secrets(job_id) for job_id in [*finished, "j-open"]}
    for job_id, access in by_job.items():
        scenario.job(
            day(0, 8),
            "p1",
            "ACCEPTED",
            job_id=job_id,
            city=CITY,
            access_secrets=access,
            accepted_at=iso(day(0, 8)),
            scheduled_at=iso(day(0, 11)),
        )
    for job_id, (status, extra) in finished.items():
        scenario.job(
            day(0, 12),
            "p1",
            status,
            job_id=job_id,
            city=CITY,
            access_secrets=by_job[job_id],
            accepted_at=iso(day(0, 8)),
            scheduled_at=iso(day(0, 11)),
            **extra,
        )
    return by_job


def assert_no_secret_leaked(outcome: dict[str, Any], log: str, by_job: dict[str, dict[str, str]]) -> None:
    jobs = jobs_table(outcome)
    # R11.1: finished jobs lose their secrets; the open (ACCEPTED) one keeps them.
    for job_id in by_job:
        if job_id != "j-open":
            assert "access_secrets" not in jobs[job_id], job_id
    assert jobs["j-open"]["access_secrets"] == by_job["j-open"]
    # R11.2: no secret value anywhere else - other tables, notices, ledger, dead letters,
    # invocations, stats - nor in any log line.
    elsewhere = {k: v for k, v in outcome.items() if k != "tables"}
    elsewhere["tables"] = {t: items for t, items in outcome["tables"].items() if t != "jobs"}
    elsewhere["jobs"] = [item for job_id, item in jobs.items() if job_id != "j-open"]
    dumped = json.dumps(elsewhere, default=str)
    for job_id, access in by_job.items():
        for value in access.values():
            assert value not in dumped, f"{job_id}: secret copied into the outcome"
            assert value not in log, f"{job_id}: secret in the log"


def test_r11_secrets_leave_finished_jobs_and_nothing_else_holds_them(scenario):
    # Given jobs carrying customer secrets, accepted and then finished in every way
    by_job = build_secret_jobs(scenario)
    log = io.StringIO()
    # When replayed
    outcome = scenario.replay(log=log)
    # Then the secrets are gone from every finished job and never copied anywhere (R11.1, R11.2),
    assert log.getvalue()  # the functions did log
    assert_no_secret_leaked(outcome, log.getvalue(), by_job)
    # R14.12: the invalid finished job was scrubbed too; its dead letter carries [REDACTED].
    errors = dead_letter_errors(outcome)
    assert set(errors) == {"j-bad"} and len(errors["j-bad"]) == 1 and "price_cents" in errors["j-bad"][0]
    dead = [d for d in outcome["dead_letters"] if d["record"]["dynamodb"]["Keys"]["job_id"]["S"] == "j-bad"]
    assert dead[0]["record"]["dynamodb"]["NewImage"]["access_secrets"]["M"] == {
        "wifi_password": {"S": "[REDACTED]"},
        "door_code": {"S": "[REDACTED]"},
    }
    # R11.3: the scrub is no new outcome: one commission, one no-show warning, the window holds
    # the 3 resolved jobs once, no dead letter for the scrub write,
    assert ledger_rows(outcome) == [("j-done", "COMMISSION", 1030, 206, 824)]
    assert [n["type"] for n in notices_of(outcome, "p1")] == ["NO_SHOW_WARNING"]
    assert outcome["partners"]["p1"]["resolved_jobs"] == 3
    assert outcome["partners"]["p1"]["no_show_strikes"] == 1
    # and no loop: each finished job is scrubbed by exactly one write, and the functions run a
    # bounded number of times (at most once per delivered stream record: the replay splits
    # batches where the two jobs functions' records interleave, to keep the stream's order).
    calls = outcome["stats"]["aws_calls"]
    published_marks = len(outcome["notices"])  # publish_notices marks each notice once (UpdateItem)
    assert calls.get("dynamodb.UpdateItem", 0) - published_marks == 5
    assert outcome["stats"]["invocations"] <= outcome["stats"]["stream_records"]
    # Redelivery and transient failures change none of this (CONTRACT §4 --chaos).
    chaotic = scenario.replay(chaos=11)
    for key in ("partners", "notices", "ledger"):
        assert chaotic[key] == outcome[key], key
    assert jobs_table(chaotic) == jobs_table(outcome)
    assert dead_letter_errors(chaotic) == errors


def test_r11_2_no_secret_in_the_logs_at_debug_level_even_if_events_are_logged(scenario, monkeypatch):
    from mila_standing.platform.observability import logger

    # Given logging turned up: DEBUG, and Powertools' "log the incoming event" switch on.
    # (The replay sets each function's environment from template.yaml, and the logger is
    # built once per process, so the level is also set on the logger itself.)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    previous = logger.log_level
    logger.setLevel("DEBUG")
    try:
        by_job = build_secret_jobs(scenario)
        log = io.StringIO()
        # When replayed
        outcome = scenario.replay(log=log)
    finally:
        logger.setLevel(previous)
    # Then still no secret value is logged or copied anywhere.
    assert log.getvalue()
    assert_no_secret_leaked(outcome, log.getvalue(), by_job)


# --- bad input -----------------------------------------------------------------------------------


def test_bad_jobs_go_to_the_failure_destination_naming_the_field_and_good_ones_are_processed(scenario):
    # Given a burst of good and bad jobs for p1
    scenario.partner("p1", city=CITY)
    scenario.job(day(0), "p1", "COMPLETED", job_id="good-paid", city=CITY, price_cents=1000, payment_status="PAID")
    scenario.job(day(0), "p1", "CANCELLED", job_id="good-cancel", city=CITY, cancelled_by="partner")
    # unknown status (carrying a payment status, so the completed-jobs filter hands it over)
    scenario.job(day(0), "p1", "FINISHED", job_id="bad-status", city=CITY, payment_status="PAID", price_cents=1000)
    scenario.job(day(0), "p1", "COMPLETED", job_id="bad-price", city=CITY, price_cents=-5, payment_status="PAID")
    scenario.job(day(0), "p1", "CANCELLED", job_id="bad-cancelled-by", city=CITY, cancelled_by="robot")
    scenario.job(day(0), None, "COMPLETED", job_id="bad-partner", city=CITY)
    scenario.job(day(0), "p1", "COMPLETED", job_id="bad-time", city=CITY, completed_at="yesterday")
    scenario.job(day(0), "p1", "COMPLETED", job_id="good-done", city=CITY)
    # When replayed
    outcome = scenario.replay()
    # Then each bad job is dead-lettered with an error naming its field,
    errors = dead_letter_errors(outcome)
    assert set(errors) == {"bad-status", "bad-price", "bad-cancelled-by", "bad-partner", "bad-time"}
    named = {
        "bad-status": "status",
        "bad-price": "price_cents",
        "bad-cancelled-by": "cancelled_by",
        "bad-partner": "partner_id",
        "bad-time": "completed_at",
    }
    for job_id, field in named.items():
        assert all(field in e for e in errors[job_id]), (job_id, errors[job_id])
    # and the good jobs of the same burst are processed: window, notices and ledger.
    p1 = outcome["partners"]["p1"]
    assert (p1["resolved_jobs"], p1["cancellation_rate"]) == (3, 1 / 3)
    assert ledger_rows(outcome) == [("good-paid", "COMMISSION", 1000, 200, 800)]
