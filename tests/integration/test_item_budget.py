"""Issue 12 item 3: no item can grow without bound. A partner with the longest id allowed is
driven through two years of ratings, outcomes, no-shows, warnings, suspensions, incidents
with the longest note allowed and reinstatements with the longest reason; every item of their
partition stays under the budget stated in standing.py (ITEM_BUDGET_BYTES, the aggregate under
AGGREGATE_BUDGET_BYTES), far below DynamoDB's 400 KB.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mila_replay.capacity import item_size
from mila_standing.adapters.dynamodb.codec import attribute_value
from mila_standing.domain.models import MAX_ID_BYTES
from mila_standing.domain.standing import AGGREGATE_BUDGET_BYTES, ITEM_BUDGET_BYTES
from mila_standing.usecases.ops import MAX_ACTOR_CHARS, MAX_NOTE_CHARS, MAX_REASON_CHARS

from .scenario import ScenarioBuilder, day, iso

CITY = "hamburg"
PARTNER = "p" * MAX_ID_BYTES
MONTHS = 24


def dynamodb_size(item: dict[str, Any]) -> int:
    """The item's size as DynamoDB counts it (attribute names and values)."""
    return item_size({k: attribute_value(v) for k, v in item.items()})


def years_of_trouble(scenario: ScenarioBuilder) -> None:
    scenario.partner(PARTNER, city=CITY, user_pool_username="u" * 128, phone="9" * 64)
    actor = "a" * MAX_ACTOR_CHARS
    for month in range(MONTHS):
        start = day(month * 30)
        at = start + timedelta(days=1)
        # a burst of poor ratings (warnings, then the night suspends: R2.2, R2.4)
        for i in range(8):
            scenario.rating(
                at, PARTNER, 3, job_id=f"r-{month:03d}-{i}-" + "x" * 100, rated_at=at - timedelta(minutes=10 - i)
            )
        # outcomes: completed, partner cancellations and an unannounced no-show (R3, R5, R6)
        for i in range(6):
            status, extra = ("CANCELLED", {"cancelled_by": "partner"}) if i % 3 == 0 else ("COMPLETED", {})
            scenario.job(
                at + timedelta(hours=i + 1),
                PARTNER,
                status,
                job_id=f"j-{month:03d}-{i}-" + "y" * 100,
                city=CITY,
                accepted_at=iso(start),
                **extra,
            )
        scenario.job(
            at + timedelta(hours=8),
            PARTNER,
            "NO_SHOW",
            job_id=f"n-{month:03d}-" + "z" * 100,
            city=CITY,
            accepted_at=iso(start),
        )
        scenario.nightly(month * 30 + 2)
        # an incident with the longest note, then a reinstatement with the longest reason (R7, R12.4)
        scenario.invoke(
            start + timedelta(days=3),
            "ops",
            {
                "action": "report_incident",
                "partner_id": PARTNER,
                "category": "ABUSIVE_BEHAVIOUR",
                "actor": actor,
                "job_id": f"j-{month:03d}-1-" + "y" * 100,
                "note": "n" * MAX_NOTE_CHARS,
            },
        )
        scenario.invoke(
            start + timedelta(days=4),
            "ops",
            {"action": "reinstate", "partner_id": PARTNER, "actor": actor, "reason": "r" * MAX_REASON_CHARS},
        )


def test_issue_12_two_years_of_events_and_incidents_keep_every_item_under_budget(scenario):
    # Given two years of trouble for a partner with the longest id allowed
    years_of_trouble(scenario)
    # When replayed
    outcome = scenario.replay(differential=False)
    # Then the partner went through it all (suspended, reinstated, many decisions)
    responses = [i["response"] for i in outcome["invocations"] if i["function"] == "ops"]
    assert sum(1 for r in responses if r.get("action") == "reinstate") >= MONTHS
    # and the largest item of their partition stays under the budget
    partition = [i for i in outcome["tables"]["standing"] if i["pk"] == f"PARTNER#{PARTNER}"]
    sizes = {item["sk"].split("#")[0]: 0 for item in partition}
    for item in partition:
        kind = item["sk"].split("#")[0]
        sizes[kind] = max(sizes[kind], dynamodb_size(item))
    print("largest item by kind after", MONTHS, "months (bytes):", sizes)
    assert sum(1 for i in partition if i["sk"].startswith("DECISION#")) >= 2 * MONTHS
    assert sizes["STANDING"] <= AGGREGATE_BUDGET_BYTES, sizes
    assert max(sizes.values()) <= ITEM_BUDGET_BYTES, sizes
    assert ITEM_BUDGET_BYTES * 20 <= 400 * 1024  # "far below" DynamoDB's limit
