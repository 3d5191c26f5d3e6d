"""The nightly check fanned out (issue 9): the replay runs it as the state machine does, step by
step and segment by segment; a worker that dies half way is run again and the night still sends
each notice once (R2.2, R2.4, R14.4); a re-run of the same night sends nothing new."""

from __future__ import annotations

from typing import Any

import pytest
from mila_replay import engine
from mila_replay.night import NightStateMachine

from .scenario import ScenarioBuilder, day, notices_of

CITY = "hamburg"
POOR = [4] * 12


def poor_raters(scenario: ScenarioBuilder, count: int = 6) -> ScenarioBuilder:
    """Partners warned on day 0 (stream), 7 and 14 (nightly), suspended by the night of day 15 (R2.4)."""
    for n in range(count):
        scenario.partner(f"p{n}", city=CITY)
        scenario.ratings(day(0), f"p{n}", POOR)
    scenario.partner("good", city=CITY)
    scenario.ratings(day(0), "good", [5] * 12)
    return scenario


class CrashingNight(NightStateMachine):
    """Every evaluate segment's worker dies after a few calls the first time it runs."""

    crashes: list[dict[str, Any]] = []

    def _task(self, event: dict[str, Any], may_crash: bool = False) -> Any:
        if event.get("phase") == "evaluate":
            CrashingNight.crashes.append(event["segment"])
            self.faults(5)  # 5 DynamoDB calls in: a partner or two written, the rest not
        return super()._task(event, may_crash)


def test_issue_9_a_worker_dying_half_way_is_run_again_and_every_notice_goes_out_once(scenario, monkeypatch):
    poor_raters(scenario)
    for n in range(1, 17):
        scenario.nightly(n)
    calm = scenario.replay(differential=False)
    monkeypatch.setattr(engine, "NightStateMachine", CrashingNight)
    CrashingNight.crashes = []
    crashed = scenario.replay(differential=False)
    assert len(CrashingNight.crashes) >= 16  # every night's evaluate segment died once and ran again
    assert crashed["notices"] == calm["notices"]
    assert crashed["partners"] == calm["partners"]
    assert [i["response"] for i in crashed["invocations"]] == [i["response"] for i in calm["invocations"]]
    for n in range(6):
        assert [x["type"] for x in notices_of(calm, f"p{n}")] == ["RATING_WARNING"] * 3 + ["SUSPENDED"]


def test_issue_9_a_second_run_of_the_same_night_sends_nothing_new(scenario):
    poor_raters(scenario, count=3)
    for n in range(1, 17):
        scenario.nightly(n)
    once = scenario.replay(differential=False)
    scenario.nightly(7)  # the night of day 7 again, and day 15's, later the same day
    scenario.invoke(day(15, hour=4), "nightly_check", {})
    twice = scenario.replay(differential=False)
    assert twice["notices"] == once["notices"]
    again = [i["response"] for i in twice["invocations"] if i["at"] == "2026-03-17T04:00:00Z"][0]
    # the re-run reports what the night did for those partners (stored with the night's mark)
    assert (again["partners_evaluated"], again["suspensions"]) == (4, 3)


def test_issue_9_the_summary_counts_per_city_and_the_state_machine_answers_it(scenario):
    poor_raters(scenario, count=2)
    scenario.partner("m1", city="munich")
    scenario.ratings(day(0), "m1", POOR)
    scenario.nightly(7)
    outcome = scenario.replay()
    (night,) = [i["response"] for i in outcome["invocations"]]
    assert night["warnings"] == 3 and night["partners_evaluated"] == 4
    assert night["per_city"] == {
        "hamburg": {
            "partners_evaluated": 3,
            "warnings": 2,
            "suspensions": 0,
            "pending_decisions": 0,
            "review_reminders": 0,
        },
        "munich": {
            "partners_evaluated": 1,
            "warnings": 1,
            "suspensions": 0,
            "pending_decisions": 0,
            "review_reminders": 0,
        },
    }
    # each step was an invocation of nightly_check: plan, figures, combine, evaluate, summarize
    assert outcome["stats"]["invocations"] >= 5


@pytest.mark.parametrize(
    "event, code",
    [
        ({"city": "berln"}, "UNKNOWN_CITY"),
        ({"cty": "hamburg"}, "INVALID_REQUEST"),
        (None, "INVALID_REQUEST"),
        ([], "INVALID_REQUEST"),
        ("", "INVALID_REQUEST"),
        (0, "INVALID_REQUEST"),
        (False, "INVALID_REQUEST"),
    ],
)
def test_contract_5_a_night_for_an_unknown_city_or_not_an_object_is_refused_and_writes_nothing(scenario, event, code):
    scenario.partner("p1", city=CITY)
    scenario.lines.append({"at": "2026-03-03T02:00:00Z", "invoke": {"function": "nightly_check", "event": event}})
    outcome = scenario.replay(differential=False)
    (answer,) = [i["response"] for i in outcome["invocations"]]
    assert set(answer) == {"error"} and answer["error"]["code"] == code
    assert outcome["cities"][CITY]["average_cancellation_rate"] == 0.03  # no figures were written (R4.3)
    assert not [i for i in outcome["tables"]["standing"] if str(i["pk"]).startswith(("NIGHT#", "CITY#"))]


def test_contract_5_the_raw_scheduled_event_means_all_cities(scenario):
    poor_raters(scenario, count=1)
    scheduled = {
        "version": "0",
        "id": "e-1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-03-09T02:00:00Z",
        "region": "eu-central-1",
        "resources": ["arn:aws:events:eu-central-1:123456789012:rule/mila-nightly"],
        "detail": {},
    }
    scenario.invoke(day(7, hour=2), "nightly_check", scheduled)
    outcome = scenario.replay(differential=False)
    (answer,) = [i["response"] for i in outcome["invocations"]]
    assert answer["partners_evaluated"] == 2 and answer["warnings"] == 1
