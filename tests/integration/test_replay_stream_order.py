"""Two functions read the jobs stream; together they must judge the jobs by their latest image,
in the stream's order (R3.4, R14.2, R14.9), and invalid partner records must not keep a city."""

from __future__ import annotations

from .scenario import day, notices_of


def _completed(scenario, at, partner, count, prefix="done"):
    for i in range(count):
        scenario.job(at, partner, "COMPLETED", job_id=f"{prefix}-{partner}-{i}")


def test_r3_4_a_correction_in_the_same_burst_counts_with_the_latest_image(scenario):
    scenario.partner("p1", city="hamburg")
    _completed(scenario, day(0), "p1", 9)
    scenario.job(day(1), "p1", "COMPLETED", job_id="x")
    scenario.job(day(1), "p1", "CANCELLED", job_id="x", cancelled_by="partner")  # same at: one burst
    partner = scenario.replay()["partners"]["p1"]
    assert (partner["resolved_jobs"], partner["cancellation_rate"]) == (10, 0.1)


def test_r14_9_a_job_written_and_deleted_in_one_burst_is_not_counted(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.job(day(1), "p1", "COMPLETED", job_id="x")
    scenario.delete(day(1), "jobs", {"job_id": "x"})
    assert scenario.replay()["partners"]["p1"]["resolved_jobs"] == 0


def test_r14_2_a_burst_is_evaluated_in_stream_order(scenario):
    """Given 9 completed jobs, when one burst brings 40 completions and then one partner
    cancellation, then no state with the cancellation but without the completions is judged."""
    scenario.partner("p1", city="hamburg")
    _completed(scenario, day(0), "p1", 9, prefix="old")
    _completed(scenario, day(1), "p1", 40)
    scenario.job(day(1), "p1", "CANCELLED", job_id="x", cancelled_by="partner")
    outcome = scenario.replay()
    assert outcome["partners"]["p1"]["cancellation_rate"] == 1 / 50
    assert notices_of(outcome, "p1") == []  # 0.02 is not above the default average 0.03


def test_r3_4_a_reassigned_job_leaves_the_first_partners_window(scenario):
    for pid in ("p1", "p2"):
        scenario.partner(pid, city="hamburg")
    scenario.job(day(1), "p1", "CANCELLED", job_id="a", cancelled_by="partner")
    scenario.job(day(2), None, "REQUESTED", job_id="a")  # back to the pool
    scenario.job(day(3), "p2", "ACCEPTED", job_id="a")
    scenario.job(day(4), "p2", "COMPLETED", job_id="a")
    partners = scenario.replay()["partners"]
    assert partners["p1"]["resolved_jobs"] == 0 and partners["p1"]["cancellation_rate"] is None
    assert partners["p2"]["resolved_jobs"] == 1


def test_r14_8_a_deleted_partners_record_means_the_default_policy(scenario):
    """Berlin's minimum is 4.5 (band below 4.7); the default band ends at 4.5."""
    scenario.partner("p1", city="berlin")
    scenario.delete(day(0, 9), "partners", {"partner_id": "p1"})
    scenario.ratings(day(1), "p1", [5, 5, 5, 5, 5, 4, 4, 4, 4, 5])  # 4.6
    outcome = scenario.replay()
    assert notices_of(outcome, "p1") == []
    assert outcome["partners"]["p1"]["dispatch_eligible"] is False


def test_r14_8_an_invalid_partner_update_is_dead_lettered_and_the_partner_not_eligible(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.partner("p1", city="hamburg", at=day(1), verified="yes")
    outcome = scenario.replay()
    assert [d["function"] for d in outcome["dead_letters"]] == ["on_partner"]
    assert "verified" in outcome["dead_letters"][0]["error"]
    assert outcome["partners"]["p1"]["dispatch_eligible"] is False


def test_r14_13_fields_the_rules_do_not_use_never_drop_a_record(scenario):
    scenario.partner("p1", city="hamburg", user_pool_username=123, email=["x"])
    scenario.job(
        day(1), "p1", "COMPLETED", job_id="a", customer_id=42, currency=978, price_cents=1000, payment_status="PAID"
    )
    scenario.rating(day(1), "p1", 5, customer_id=7)
    outcome = scenario.replay()
    assert outcome["dead_letters"] == []
    p1 = outcome["partners"]["p1"]
    assert (p1["resolved_jobs"], p1["rating_count"], p1["dispatch_eligible"]) == (1, 1, True)
    assert [e["commission_cents"] for e in outcome["ledger"]] == [200]
