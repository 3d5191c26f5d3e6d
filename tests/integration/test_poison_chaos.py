"""Issue 12 item 5: chaos equals calm on scenarios with poison records in every position of a
batch (first, middle, last), for several seeds (--chaos, CONTRACT §4).

Before, what a poison record took down with it depended on how the batch was split; now it is
dead-lettered by its handler at once whatever the split, so the outcome cannot depend on it.
"""

from __future__ import annotations

from datetime import timedelta

from mila_standing.domain import models

from .scenario import ScenarioBuilder, day, iso
from .test_chaos import COMPARED

CITY = "hamburg"
OVERFLOWS = "0001-01-01T00:00:00+05:00"  # refused up front (R14.13)
SEEDS = (1, 2, 3)


def poisoned(scenario: ScenarioBuilder) -> int:
    """Bursts (one batch each, calm) with bad records first, in the middle and last; the bad
    prices and fingerprints fail past validation (the test lifts those limits). Returns how
    many records are bad."""
    for pid in ("p1", "p2", "p3"):
        scenario.partner(pid, city=CITY)
    bad = 0
    for burst, position in enumerate(("first", "middle", "last")):
        at = day(1 + burst)
        stars = [5, 4, 4, 3, 5]
        bad_at = {"first": 0, "middle": 2, "last": 4}[position]
        for i, s in enumerate(stars):
            scenario.rating(at, "p1", s, rated_at=at - timedelta(minutes=10 - i))
            if i == bad_at:
                scenario.rating(at, "p1", 4, rated_at=at - timedelta(minutes=10 - i))
                scenario.lines[-1]["put"]["item"]["rated_at"] = OVERFLOWS
                bad += 1
        jobs_at = day(1 + burst, 12)
        for i in range(5):
            if i == bad_at:  # the ledger cannot hold it (decimal.Rounded, past validation)
                scenario.job(
                    jobs_at,
                    "p2",
                    "COMPLETED",
                    job_id=f"j-huge-{position}",
                    city=CITY,
                    price_cents=10**40,
                    payment_status="PAID",
                    accepted_at=iso(day(0)),
                )
                bad += 1
            scenario.job(
                jobs_at,
                "p2",
                "COMPLETED",
                city=CITY,
                price_cents=1000 + i,
                payment_status="PAID",
                access_secrets={"wifi": f"w-{position}-{i}"},
                accepted_at=iso(day(0)),
            )
        scenario.delete(day(5), "jobs", {"job_id": f"j-huge-{position}"})  # see test_poison_records
        for i in range(4):
            if i == min(bad_at, 3):  # DynamoDB refuses the key (ValidationException, past validation)
                scenario.partner(f"p-long-{position}", city=CITY, at=at + timedelta(hours=3), phone="9" * 3000)
                bad += 1
            scenario.partner(f"p-{position}-{i}", city=CITY, at=at + timedelta(hours=3), phone=f"+49-{position}-{i}")
    return bad


def test_issue_12_chaos_equals_calm_with_poison_first_middle_and_last(scenario, monkeypatch):
    monkeypatch.setattr(models, "MAX_PRICE_CENTS", 10**80)
    monkeypatch.setattr(models, "MAX_FINGERPRINT_BYTES", 10**6)
    bad = poisoned(scenario)
    calm = scenario.replay(differential=False)
    # Every good record applied, every bad one dead-lettered at once (none as "retries exhausted")
    assert calm["partners"]["p1"]["rating_count"] == 15
    assert len([e for e in calm["ledger"] if e["job_id"].startswith("j-") and "huge" not in e["job_id"]]) == 15
    jobs = {item["job_id"]: item for item in calm["tables"]["jobs"]}
    assert not any("access_secrets" in item for item in jobs.values())  # R11.1
    assert all(f"p-{pos}-{i}" in calm["partners"] for pos in ("first", "middle", "last") for i in range(4))
    errors = [d["error"] for d in calm["dead_letters"]]
    assert len(errors) == bad and not any("retries exhausted" in e for e in errors), errors
    for seed in SEEDS:
        chaotic = scenario.replay(chaos=seed)
        for key in COMPARED:
            assert chaotic[key] == calm[key], f"{key} differs under --chaos {seed}"
