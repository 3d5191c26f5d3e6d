"""The notice event (R13, R13.1, R13.2; CONTRACT §6): what the notification service receives from the
notices bus, validated against the schema in the repository (schemas/notice-event.schema.json), and
the bus's archive, from which a consumer that lost notices gets them again.

The notices scenario (infra/scenarios/notices.jsonl: every notice type, German and English) is
replayed once on DynamoDB Local with the real handlers; before the outcome is read, the events the
bus delivered are taken off the replay's consumer queue (a consumer that then loses them), and the
archive is replayed to the bus, as `aws events start-replay` does."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mila_replay.engine import Replay

from . import scenario as scenarios

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "notice-event.schema.json").read_text(encoding="utf-8"))
OPS_FACING = {"DECISION_PENDING", "REVIEW_DUE", "REVIEW_OVERDUE"}


@pytest.fixture(scope="module")
def replayed() -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def lose_then_replay_the_archive(aws, _functions, _mappings) -> None:
        seen["delivered"] = aws.drain_queue(aws.notice_tap)  # what the consumer got, then lost
        events = aws.client("events")
        archive = events.describe_archive(ArchiveName="NoticeArchive")
        seen["archive"] = archive
        bus = aws.refs["NoticeBus.Arn"]
        events.start_replay(
            ReplayName="lost-notices",
            EventSourceArn=archive["ArchiveArn"],
            EventStartTime=datetime(2026, 1, 1, tzinfo=UTC),
            EventEndTime=datetime(2100, 1, 1, tzinfo=UTC),
            Destination={"Arn": bus},
        )
        seen["replay"] = events.describe_replay(ReplayName="lost-notices")["State"]

    outcome = Replay(
        ROOT / "infra" / "scenarios" / "notices.jsonl",
        engine=scenarios.ENGINE or "dynamodb-local",
        before_outcome=lose_then_replay_the_archive,
    ).run()
    return {"outcome": outcome, **seen}


def _validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_r13_every_published_event_validates_against_the_schema_in_the_repository(replayed):
    """Given every event the notices bus delivered for the month, then each one validates against
    schemas/notice-event.schema.json, its detail-type is its notice's type, and there is one event
    per stored notice (a calm run publishes each once)."""
    validator = _validator()
    delivered = replayed["delivered"]
    problems = [f"{e['detail'].get('notice_id')}: {err.message}" for e in delivered for err in validator.iter_errors(e)]
    assert problems == []
    assert all(e["detail-type"] == e["detail"]["type"] for e in delivered)
    notices = replayed["outcome"]["notices"]
    assert sorted(e["detail"]["notice_id"] for e in delivered) == sorted(n["notice_id"] for n in notices)
    assert len(delivered) == len(notices) > 40


def test_r13_1_the_event_carries_the_notice_as_stored_with_its_message_and_no_login_name(replayed):
    """Given each notice of the outcome (as stored in the standing table), then its event carries the
    same message (partner notices) or ops message (ops notices), the same statement of reasons, and
    not the partner's user-pool login name (it stays in the table)."""
    by_id = {e["detail"]["notice_id"]: e["detail"] for e in replayed["delivered"]}
    for notice in replayed["outcome"]["notices"]:
        detail = by_id[notice["notice_id"]]
        words = "ops_message" if notice["type"] in OPS_FACING else "message"
        assert detail[words] == notice[words] and detail["audience"] == notice["audience"]
        assert detail["reasons"] == notice["reasons"]
        assert "user_pool_username" not in detail
        assert ("message" in detail) != (notice["type"] in OPS_FACING)


def test_r13_a_consumer_that_lost_notices_gets_them_again_from_the_bus_archive(replayed):
    """Given the consumer lost every event it had received, when the bus's archive (template.yaml's
    AWS::Events::Archive) is replayed to the bus, then every notice arrives again, with the same
    detail, still valid against the schema: the consumer deduplicates by detail.notice_id."""
    assert replayed["archive"]["EventCount"] == len(replayed["delivered"])
    assert replayed["replay"] == "COMPLETED"
    again = replayed["outcome"]["events"]
    assert {e["detail"]["notice_id"]: e["detail"] for e in again} == {
        e["detail"]["notice_id"]: e["detail"] for e in replayed["delivered"]
    }
    validator = _validator()
    assert [err.message for e in again for err in validator.iter_errors(e)] == []


def test_r13_2_ops_notices_reach_the_bus_marked_for_ops_with_no_partner_message(replayed):
    """Ops-facing notices are on the bus for the ops team's channel (R13.2): audience "ops", an ops
    message in the policy's ops_locale (Halle's English, Leipzig's German), no partner message."""
    ops = [e["detail"] for e in replayed["delivered"] if e["detail"]["type"] in OPS_FACING]
    assert {d["type"] for d in ops} == OPS_FACING
    assert all(d["audience"] == "ops" and "message" not in d for d in ops)
    assert {d["ops_message"]["locale"] for d in ops if d["partner_id"].startswith("p-halle")} == {"en"}
    assert {d["ops_message"]["locale"] for d in ops if d["partner_id"].startswith("p-leipzig")} == {"de"}
