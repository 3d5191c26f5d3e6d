"""Edge cases found by reviewing the product against SPEC and CONTRACT (R8.1, R12.3, R13, R14.5,
CONTRACT §2-§4)."""

from __future__ import annotations

import json

from mila_admin.cli import main

from .scenario import day, notices_of

HUMAN_REVIEW = {"cities": {"munich": {"decision_mode": "human_review"}}}


def _ops(scenario, at, **event):
    return scenario.invoke(at, "ops", event)


def _pending_rating_suspension(scenario, pid="p1"):
    """Warnings on days 0, 7, 14 in munich (human review): a pending SUSPEND on day 15."""
    scenario.policy = HUMAN_REVIEW
    scenario.partner(pid, city="munich")
    scenario.ratings(day(0), pid, [4] * 12)
    for n in (7, 14, 15):
        scenario.nightly(n)


def test_r8_1_a_deleted_partner_holds_no_fingerprint(scenario):
    scenario.partner("old", city="hamburg", phone="+49-1")
    scenario.delete(day(0, 9), "partners", {"partner_id": "old"})
    scenario.partner("new", city="hamburg", phone="+49-1", at=day(1))
    assert scenario.replay()["partners"]["new"]["status"] == "ACTIVE"


def test_r14_5_an_incident_keeps_the_pending_decision_and_reinstatement_clears_it(scenario):
    _pending_rating_suspension(scenario)
    _ops(scenario, day(16), action="report_incident", partner_id="p1", category="DISCRIMINATION", actor="ops-a")
    _ops(scenario, day(16, 10), action="reinstate", partner_id="p1", actor="ops-a", reason="cleared")
    _ops(scenario, day(16, 11), action="decide", partner_id="p1", approve=True, actor="ops-a")
    outcome = scenario.replay()
    answers = [i["response"] for i in outcome["invocations"] if i["function"] == "ops"]
    assert answers[0]["standing"]["pending_decision"] == {"action": "SUSPEND", "reason": "RATING"}
    assert answers[1]["standing"]["pending_decision"] is None  # R14.5: reinstate clears it
    assert answers[2]["error"]["code"] == "NOTHING_PENDING"
    assert outcome["partners"]["p1"]["status"] == "ACTIVE"


def test_r12_3_approve_applies_a_suspension_to_an_excluded_partner(scenario):
    """Approve applies the stored action when it restricts more than the current status."""
    _pending_rating_suspension(scenario)
    scenario.partner("p1", city="hamburg", at=day(15, 9))  # moves to an automatic city
    scenario.job(day(15, 10), "p1", "NO_SHOW", city="hamburg")
    scenario.job(day(15, 11), "p1", "NO_SHOW", city="hamburg")  # EXCLUDED at once
    _ops(scenario, day(16), action="decide", partner_id="p1", approve=True, actor="ops-a")
    outcome = scenario.replay()
    assert (outcome["partners"]["p1"]["status"], outcome["partners"]["p1"]["reason"]) == ("SUSPENDED", "RATING")
    assert outcome["logins"]["p1"] is False
    assert [n["type"] for n in notices_of(outcome, "p1")][-2:] == ["EXCLUDED", "SUSPENDED"]


def test_r13_notices_after_a_refused_write_are_still_published(scenario):
    """A call that would make an item over 400 KB changes nothing - since issue 12 it is refused up
    front (R14.13; the write DynamoDB refuses is tested in test_poison_records.py) - and what comes
    after is delivered as before: the suspension blocks the login."""
    scenario.partner("p1", city="hamburg")
    _ops(
        scenario,
        day(1),
        action="report_incident",
        partner_id="p1",
        category="DISCRIMINATION",
        actor="ops-a",
        note="n" * 420_000,
    )
    _ops(scenario, day(2), action="report_incident", partner_id="p1", category="DISCRIMINATION", actor="ops-a")
    outcome = scenario.replay()
    assert outcome["invocations"][0]["response"]["error"]["code"] == "INVALID_REQUEST"
    assert outcome["partners"]["p1"]["status"] == "SUSPENDED"
    assert outcome["logins"]["p1"] is False
    assert outcome["stats"]["published_notices"] == len(outcome["notices"]) == 1


def test_contract_2_ops_answers_a_non_object_event_with_an_error(scenario):
    scenario.partner("p1", city="hamburg")
    scenario.invoke(day(1), "ops", [1, 2])
    outcome = scenario.replay()
    assert outcome["invocations"][0]["response"]["error"]["code"] == "INVALID_REQUEST"


def test_contract_4_cities_show_the_figures_in_force_before_the_first_night(scenario):
    scenario.partner("p1", city="hamburg")
    assert scenario.replay()["cities"] == {
        "hamburg": {"average_cancellation_rate": 0.03, "maximum_cancellation_rate": 0.05}
    }


def test_contract_4_an_item_dynamodb_refuses_is_a_bad_line(scenario, capsys):
    scenario.partner("p1", city="hamburg")
    # 39 significant digits: DynamoDB keeps 38 (its own message names the line's problem)
    scenario.put(
        day(1),
        "jobs",
        {
            "job_id": "j",
            "city": "hamburg",
            "status": "COMPLETED",
            "scheduled_at": "2026-03-03T08:00:00Z",
            "price_cents": 123456789012345678901234567890123456789,
        },
    )
    assert main(["replay", str(scenario.write())]) == 2
    error = capsys.readouterr().err
    assert "line 2:" in error and "precision up to 38 digits" in error


def test_contract_3_a_bad_policy_line_names_its_line_and_field(scenario, capsys):
    scenario.policy = {"defaults": {"rating": {"minimum": "high"}}}
    scenario.partner("p1")
    assert main(["replay", str(scenario.write())]) == 2
    assert "line 1: policy.defaults.rating.minimum" in capsys.readouterr().err


def test_contract_4_out_and_log_file_directories_are_created(scenario, tmp_path):
    scenario.partner("p1")
    out = tmp_path / "new" / "dir" / "outcome.json"
    assert main(["replay", str(scenario.write()), "--out", str(out), "--log-file", str(tmp_path / "l" / "f.log")]) == 0
    assert json.loads(out.read_text())["partners"]["p1"]["status"] == "ACTIVE"
