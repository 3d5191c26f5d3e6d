"""Ratings end to end through the replay: stream -> on_rating -> standing -> nightly check."""

from __future__ import annotations

import io

from .scenario import day, notices_of

POOR = [4] * 12  # average 4.0: in the band and below the minimum everywhere


def test_r2_4_warnings_on_day_0_7_14_lead_to_suspension_on_day_15(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", POOR)
    for n in range(1, 17):
        scenario.nightly(n)
    outcome = scenario.replay()

    warnings = notices_of(outcome, "p1", "RATING_WARNING")
    assert [w["at"] for w in warnings] == ["2026-03-02T09:00:00Z", "2026-03-09T02:00:00Z", "2026-03-16T02:00:00Z"]
    suspended = notices_of(outcome, "p1", "SUSPENDED")
    assert [s["at"] for s in suspended] == ["2026-03-17T02:00:00Z"]
    assert suspended[0]["reasons"]["rule"] == "R2.4"
    assert suspended[0]["reasons"]["notices"] == [w["notice_id"] for w in warnings]  # R12.1
    p1 = outcome["partners"]["p1"]
    assert (p1["status"], p1["reason"], p1["dispatch_eligible"], p1["dispatch_score"]) == (
        "SUSPENDED",
        "RATING",
        False,
        0,
    )
    assert outcome["logins"]["p1"] is False  # R13: login blocked


def test_r2_4_no_suspension_without_a_third_warning(scenario):
    scenario.policy = {"defaults": {"notice_cooldown_days": 10}}
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", POOR)
    for n in range(1, 17):
        scenario.nightly(n)
    outcome = scenario.replay()
    assert len(notices_of(outcome, "p1", "RATING_WARNING")) == 2  # day 0 and day 10
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"


def test_r2_4_no_suspension_when_average_is_at_or_above_the_minimum(scenario):
    # hamburg: minimum 4.3, band up to 4.5. An average of exactly 4.3 is warned, never suspended.
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [4, 4, 4, 5, 5, 5, 4, 4, 4, 4])  # 43 / 10 = 4.3
    for n in range(1, 20):
        scenario.nightly(n)
    outcome = scenario.replay()
    assert len(notices_of(outcome, "p1", "RATING_WARNING")) == 3
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"
    assert outcome["partners"]["p1"]["rating_average"] == 4.3


def test_r2_4_no_suspension_when_the_average_improved_on_the_baseline(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [3] * 10)  # baseline 3.0
    scenario.rating(day(3), "p1", 5)  # 35 / 11 = 3.18: still in band, better than the baseline
    for n in range(1, 20):
        scenario.nightly(n)
    outcome = scenario.replay()
    assert len(notices_of(outcome, "p1", "RATING_WARNING")) == 3
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"


def test_r2_2_warning_at_once_when_a_rating_enters_the_band_and_r2_5_no_suspension_in_the_handler(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [5] * 10)
    scenario.ratings(day(1), "p1", [1] * 3)  # 53 / 13 = 4.08
    outcome = scenario.replay()
    warnings = notices_of(outcome, "p1", "RATING_WARNING")
    assert [w["at"] for w in warnings] == ["2026-03-03T09:00:00Z"]
    reasons = warnings[0]["reasons"]
    # R14.2: every rating evaluates; the 12th (52 / 12 = 4.33) already enters the band.
    assert reasons["rule"] == "R2.2" and reasons["figures"]["rating_count"] == 12
    assert reasons["thresholds"]["minimum"] == 4.3 and reasons["policy_version"] == "1"  # R12.1
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"  # R2.5


def test_r2_3_leaving_the_band_ends_the_streak(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [4] * 10)
    scenario.nightly(7)  # second warning
    scenario.ratings(day(8), "p1", [5] * 10)  # 90 / 20 = 4.5: out of the band
    scenario.ratings(day(9), "p1", [1, 1])  # back in: 92 / 22 = 4.18, a new streak starts
    for n in range(10, 30):
        scenario.nightly(n)
    outcome = scenario.replay()
    warnings = notices_of(outcome, "p1", "RATING_WARNING")
    assert [w["reasons"]["streak"] for w in warnings][:4] == [1, 2, 1, 2]
    suspended = notices_of(outcome, "p1", "SUSPENDED")
    assert suspended and suspended[0]["reasons"]["figures"]["baseline"] == 92 / 22


def test_r1_1_a_late_old_rating_falls_outside_the_window_of_the_last_50(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [5] * 50)
    scenario.rating(day(1), "p1", 1, rated_at=day(-30))  # arrives late, rated long ago
    outcome = scenario.replay()
    p1 = outcome["partners"]["p1"]
    assert (p1["rating_average"], p1["rating_count"]) == (5.0, 50)


def test_r1_2_replaced_voided_and_deleted_ratings(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.rating(day(0), "p1", 1, job_id="j1")
    scenario.rating(day(0, 10), "p1", 5, job_id="j1")  # re-rated: counts with 5
    scenario.rating(day(0), "p1", 2, job_id="j2")
    scenario.rating(day(1), "p1", 2, job_id="j2", voided=True)  # voided by support
    scenario.rating(day(0), "p1", 3, job_id="j3")
    scenario.delete(day(2), "ratings", {"job_id": "j3"})
    outcome = scenario.replay()
    p1 = outcome["partners"]["p1"]
    assert (p1["rating_average"], p1["rating_count"]) == (5.0, 1)


def test_r1_3_order_and_duplicates_do_not_change_the_result(scenario, tmp_path):
    from .scenario import ScenarioBuilder

    stars = [5, 4, 3, 5, 4, 2, 5, 5, 1, 4, 4, 3]
    forward = ScenarioBuilder(tmp_path / "a")
    backward = ScenarioBuilder(tmp_path / "b")
    for builder in (forward, backward):
        (tmp_path / ("a" if builder is forward else "b")).mkdir()
        builder.partner("p1", city="hamburg")
    for i, s in enumerate(stars):
        forward.rating(day(1, minute=i), "p1", s, job_id=f"j{i}", rated_at=day(0, minute=i))
    for i, s in reversed(list(enumerate(stars))):
        backward.rating(day(1, minute=11 - i), "p1", s, job_id=f"j{i}", rated_at=day(0, minute=i))
        backward.rating(day(1, minute=11 - i), "p1", s, job_id=f"j{i}", rated_at=day(0, minute=i))  # twice
    a, b = forward.replay()["partners"]["p1"], backward.replay()["partners"]["p1"]
    assert a == b


def test_bad_rating_goes_to_the_failure_destination_and_its_neighbours_are_processed(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.rating(day(0), "p1", 5, job_id="good-1")
    scenario.rating(day(0), "p1", 6, job_id="bad-stars")
    scenario.rating(day(0), "p1", "4", job_id="bad-string")
    scenario.put(day(0), "ratings", {"job_id": "bad-partner", "stars": 4, "rated_at": "2026-03-02T09:00:00Z"})
    scenario.put(day(0), "ratings", {"job_id": "bad-time", "partner_id": "p1", "stars": 4, "rated_at": "yesterday"})
    scenario.rating(day(0), "p1", 4, job_id="good-2")
    outcome = scenario.replay()
    errors = {d["record"]["dynamodb"]["Keys"]["job_id"]["S"]: d["error"] for d in outcome["dead_letters"]}
    assert set(errors) == {"bad-stars", "bad-string", "bad-partner", "bad-time"}
    assert "stars" in errors["bad-stars"] and "stars" in errors["bad-string"]
    assert "partner_id" in errors["bad-partner"] and "rated_at" in errors["bad-time"]
    assert all(d["function"] == "on_rating" for d in outcome["dead_letters"])
    assert outcome["partners"]["p1"]["rating_count"] == 2


def test_r13_notices_are_persisted_and_published(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", POOR)
    outcome = scenario.replay()
    persisted = [i for i in outcome["tables"]["standing"] if i["sk"].startswith("NOTICE#")]
    assert len(persisted) == len(outcome["notices"]) == 1
    assert outcome["stats"]["published_notices"] == 1


def test_one_write_path_per_partner_per_batch_and_a_write_unit_per_rating(scenario):
    """Given a partner and a burst of 30 good ratings (one batch), then the registration writes the
    standing once (and the city registry the nightly check plans with), and the ratings write one
    small entry each (one write unit per rating, in two BatchWriteItem calls of up to 25) and the
    standing one unit more, once: it now knows its window is out of the band (R2.1), which lets
    the nightly check leave this window unread. No transaction: nothing was decided."""
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", [5] * 30)  # one burst, one batch
    outcome = scenario.replay()
    calls = outcome["stats"]["aws_calls"]
    assert (calls.get("dynamodb.PutItem", 0), calls.get("dynamodb.TransactWriteItems", 0)) == (3, 0)
    assert calls.get("dynamodb.BatchWriteItem", 0) == 2
    assert outcome["stats"]["capacity"]["by_function"]["on_rating"]["write_units"] == 30 + 1
    assert outcome["partners"]["p1"]["rating_count"] == 30


def test_r9_better_partners_score_higher_and_restricted_ones_score_zero(scenario):
    for pid in ("good", "average", "poor", "unverified"):
        scenario.partner(pid, city="hamburg", verified=pid != "unverified")
    scenario.ratings(day(0), "good", [5] * 12)
    scenario.ratings(day(0), "average", [5, 4] * 6)
    scenario.ratings(day(0), "poor", [4, 3] * 6)
    scenario.ratings(day(0), "unverified", [5] * 12)
    scenario.nightly(1)
    partners = scenario.replay()["partners"]
    assert (
        1
        >= partners["good"]["dispatch_score"]
        > partners["average"]["dispatch_score"]
        > partners["poor"]["dispatch_score"]
        > 0
    )
    assert partners["unverified"]["dispatch_eligible"] is False and partners["unverified"]["dispatch_score"] == 0


def test_r14_8_ratings_of_an_unknown_partner_are_processed_under_the_default_policy(scenario):
    scenario.ratings(day(0), "ghost", POOR)
    for n in range(1, 17):
        scenario.nightly(n)
    outcome = scenario.replay()
    assert outcome["partners"]["ghost"]["status"] == "SUSPENDED"
    assert outcome["partners"]["ghost"]["dispatch_eligible"] is False


def test_nightly_dry_run_reports_and_writes_nothing(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.ratings(day(0), "p1", POOR)
    scenario.nightly(7, {"city": "hamburg", "dry_run": True})
    outcome = scenario.replay()
    response = outcome["invocations"][0]["response"]
    assert response["dry_run"] is True and response["warnings"] == 1
    assert response["would"] == [{"partner_id": "p1", "type": "RATING_WARNING", "rule": "R2.2"}]
    assert len(notices_of(outcome, "p1")) == 1  # only the day-0 warning exists


def test_no_log_line_carries_the_event(scenario):
    log = io.StringIO()
    scenario.partner("p1", city="hamburg")
    scenario.rating(day(0), "p1", 5, comment="the wifi password is hunter2")
    scenario.replay(log=log)
    assert "hunter2" not in log.getvalue()
