"""The one-off migration to schema 2 (issue 8), on a standing table the replay filled in the old
shape: tests/fixtures/legacy-demo-standing.json.gz is the `standing` table the schema-1 code left
after replaying infra/scenarios/demo.jsonl, with that replay's partners and notices.

Every partner reads the same after the migration (the CONTRACT §4 view; the dispatch score is now
computed when read, so only its sign is compared), the walk is resumable and idempotent, and a
function that meets an old item first migrates it before deciding anything on it.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from mila_admin.migrate import migrate_table
from mila_replay.aws import EmbeddedAws
from mila_replay.template import Template
from mila_standing.adapters.dynamodb.codec import attribute_value, from_attrs, to_attrs
from mila_standing.adapters.dynamodb.store import DynamoStandingStore
from mila_standing.adapters.table.items import figures_from_item
from mila_standing.adapters.table.legacy import is_legacy
from mila_standing.domain.policy import Policy
from mila_standing.domain.standing import RatingEntry
from mila_standing.domain.times import parse_time
from mila_standing.rules import CityFigures, Judgement
from mila_standing.usecases.changes import RatingChange
from mila_standing.usecases.unit_of_work import UnitOfWork
from mila_standing.usecases.views import partner_view

from . import scenario as scenarios

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "legacy-demo-standing.json.gz"


def _stored(item: dict[str, Any]) -> dict[str, Any]:
    """A JSON item as DynamoDB gives it back (numbers Decimal, by their written text): the codec's
    own round trip."""
    return from_attrs(attribute_value(item)["M"])


@pytest.fixture(scope="module")
def legacy() -> dict[str, Any]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as source:
        return json.load(source)


@pytest.fixture
def old_table(legacy):
    """The standing table on DynamoDB Local, holding the schema-1 items."""
    aws = EmbeddedAws(Template(), scenarios.ENGINE).start()
    store = DynamoStandingStore("standing", aws.dynamodb)
    store.batch_put([_stored(item) for item in legacy["items"]])
    yield aws, store
    aws.stop()


def _views(store: DynamoStandingStore, legacy: dict[str, Any]) -> dict[str, Any]:
    policy = Policy.load(ROOT / "infra" / "policy.yaml", overlay=legacy["policy_overlay"])
    figures = {i["city"]: figures_from_item(i) for i in legacy["items"] if i["sk"] == "FIGURES"}
    now = parse_time(legacy["now"])
    views = {}
    for partner_id in legacy["partners"]:
        standing = store.load(partner_id)
        city_policy = policy.for_city(standing.city)
        j = Judgement(city_policy, figures.get(standing.city) or CityFigures.default(city_policy), now)
        views[partner_id] = partner_view(standing, j)
    return views


def _comparable(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "dispatch_score": view["dispatch_score"] > 0}


def _standing_items(aws: EmbeddedAws) -> list[dict[str, Any]]:
    items = []
    for page in aws.dynamodb.get_paginator("scan").paginate(TableName="standing"):
        items += [from_attrs(i) for i in page["Items"]]
    return items


def test_issue_8_migration_keeps_every_partner_as_it_was_resumes_and_is_idempotent(old_table, legacy, tmp_path):
    aws, store = old_table
    before = _standing_items(aws)
    assert sum(1 for i in before if is_legacy(i)) == len(legacy["partners"]) > 30

    class Stop(Exception):
        pass

    pages = {"seen": 0}

    def crash_after_three_pages() -> None:
        pages["seen"] += 1
        if pages["seen"] == 3:
            raise Stop

    checkpoint = tmp_path / "checkpoint.json"
    with pytest.raises(Stop):  # a run that dies half way ...
        migrate_table(
            aws.dynamodb,
            "standing",
            segments=2,
            checkpoint=checkpoint,
            page_size=20,
            after_page=crash_after_three_pages,
        )
    first = sum(1 for i in _standing_items(aws) if i["sk"] == "STANDING" and not is_legacy(i))
    assert 0 < first < len(legacy["partners"])
    second = migrate_table(aws.dynamodb, "standing", segments=2, checkpoint=checkpoint, page_size=20)  # resumed
    assert second["migrated"] == len(legacy["partners"]) - first

    after = _standing_items(aws)
    assert not [i for i in after if is_legacy(i)]
    for partner_id, view in _views(store, legacy).items():
        assert _comparable(view) == _comparable(legacy["partners"][partner_id]), partner_id
    notices = sorted((i["notice_id"], i["type"]) for i in after if i["sk"].startswith("NOTICE#"))
    assert notices == sorted((n["notice_id"], n["type"]) for n in legacy["notices"])
    # decisions and review flags became items of their own; no aggregate is near the item limit
    assert any(i["sk"].startswith("DECISION#") for i in after) and any(i["sk"].startswith("FLAG#") for i in after)
    assert max(len(json.dumps(i, default=str)) for i in after if i["sk"] == "STANDING") < 4_000

    again = migrate_table(aws.dynamodb, "standing", segments=2, checkpoint=tmp_path / "fresh.json")
    assert again["migrated"] == 0 and again["already"] == len(legacy["partners"])  # idempotent
    assert _standing_items(aws) == after


def test_issue_8_a_function_meeting_an_old_item_migrates_it_before_deciding(old_table, legacy):
    aws, store = old_table
    partner_id = "p-leipzig-07"  # suspended for ratings in the demo: a full rating window
    old_view = legacy["partners"][partner_id]
    raw = aws.dynamodb.get_item(TableName="standing", Key=to_attrs({"pk": f"PARTNER#{partner_id}", "sk": "STANDING"}))[
        "Item"
    ]
    assert is_legacy(from_attrs(raw))
    policy = Policy.load(ROOT / "infra" / "policy.yaml").for_city("leipzig")
    now = parse_time(legacy["now"])

    def judge(standing):
        return Judgement(policy, CityFigures.default(policy), now)

    rating = RatingEntry(5, now)
    UnitOfWork(store, judge).apply(partner_id, [RatingChange("j-after-migration", rating)])

    standing = store.load(partner_id)
    assert standing.revision and not is_legacy(standing.to_item())
    assert "j-after-migration" in standing.ratings
    view = partner_view(standing, judge(standing))
    assert view["rating_count"] == min(50, old_view["rating_count"] + 1)
    assert (view["status"], view["reason"]) == (old_view["status"], old_view["reason"])
