"""--chaos (CONTRACT §4): duplicates, injected transient failures and other batch splits must not
change the outcome (R1.3, R3.4, R10.4)."""

from __future__ import annotations

from .scenario import day

COMPARED = ("partners", "notices", "ledger", "cities", "invocations", "dead_letters")


def _mixed(scenario):
    scenario.policy = {"cities": {"munich": {"decision_mode": "human_review"}}}
    for pid, city in (("p1", "hamburg"), ("p2", "hamburg"), ("p3", "munich"), ("p4", "hamburg")):
        scenario.partner(pid, city=city, phone=f"+49-{pid}")
    scenario.partner("p5", city="hamburg", phone="+49-p1", at=day(1))  # a duplicate account
    scenario.ratings(day(0), "p1", [4] * 12)
    for i in range(14):
        status = "CANCELLED" if i % 4 == 0 else "COMPLETED"
        scenario.job(
            day(0, 10, i),
            "p2",
            status,
            cancelled_by="partner" if status == "CANCELLED" else None,
            price_cents=1030 + i,
            payment_status="PAID",
            access_secrets={"wifi": f"secret-{i}"},
        )
    scenario.job(day(2), "p3", "NO_SHOW")
    scenario.job(day(3), "p3", "NO_SHOW")
    scenario.rating(day(2), "p4", 9)  # invalid
    scenario.rating(day(2), "p4", 5)
    for n in range(1, 18):
        scenario.nightly(n)
    return scenario


def test_chaos_runs_read_the_same_as_a_plain_run(scenario):
    _mixed(scenario)
    plain = scenario.replay()
    for seed in (1, 2):
        chaotic = scenario.replay(chaos=seed)
        for key in COMPARED:
            assert chaotic[key] == plain[key], f"{key} differs under --chaos {seed}"
        assert chaotic["stats"]["invocations"] > plain["stats"]["invocations"]  # chaos did something
    assert plain["partners"]["p1"]["reason"] == "RATING" and plain["partners"]["p2"]["reason"] == "CANCELLATION"
    assert plain["partners"]["p3"]["pending_decision"] == {"action": "EXCLUDE", "reason": "NO_SHOW"}
    assert plain["partners"]["p5"]["reason"] == "DUPLICATE_ACCOUNT"
    assert len(plain["dead_letters"]) == 1
