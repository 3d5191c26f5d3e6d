"""The notice event's contract (schemas/notice-event.schema.json, CONTRACT §6): the publisher's event
detail for a partner notice and for an ops notice validates; the schema refuses what a consumer must
never receive: a partner notice without its message, an ops notice with a partner message, a
message in a language the system does not write, an event without its deduplication key."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mila_standing.adapters.notices import SOURCE, event_detail
from mila_standing.adapters.table.items import notice_item
from mila_standing.domain.numbers import plain
from mila_standing.domain.policy import Policy
from mila_standing.domain.standing import Standing
from mila_standing.rules import Notice
from mila_standing.usecases.messages import compose

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "notice-event.schema.json").read_text())
AT = datetime(2026, 10, 17, 2, tzinfo=UTC)


def _event(notice: Notice) -> dict[str, Any]:
    """The event as EventBridge hands it to a rule's target, built from the stored item as publish_notices does."""
    detail = json.loads(json.dumps(plain(event_detail(notice_item(notice))), default=str))
    return {
        "version": "0",
        "id": "6642686e-01d6-4849-9e6e-0b358386b638",
        "detail-type": notice.type,
        "source": SOURCE,
        "account": "123456789012",
        "time": "2026-10-17T02:00:05Z",
        "region": "eu-central-1",
        "resources": [],
        "detail": detail,
    }


def _notice(kind: str, reasons: dict[str, Any], locale: str = "de") -> Notice:
    notice = Notice("p-1", kind, AT, reasons, "p-1:000004", user_pool_username="p-1-login")
    compose(
        notice, Standing("p-1", city="leipzig", locale=locale), Policy({"version": 1}).for_city("leipzig"), strict=True
    )
    return notice


WARNING = {
    "rule": "R2.2",
    "figures": {"rating_average": 4.1, "rating_count": 10, "window": 50},
    "thresholds": {
        "minimum": 4.3,
        "warning_margin": 0.2,
        "min_ratings": 10,
        "notices_before_suspension": 3,
        "notice_cooldown_days": 7,
    },
    "policy_version": "1",
    "decision_mode": "automatic",
    "notices": [],
    "streak": 1,
}
PENDING = {
    "rule": "R6.3",
    "figures": {"no_show_strikes": 2, "strikes": ["j-1", "j-2"], "strike_window_days": 365},
    "thresholds": {"strikes_before_exclusion": 2},
    "policy_version": "1",
    "decision_mode": "human_review",
    "notices": ["p-1:000001"],
    "proposed_action": "EXCLUDE",
    "proposed_reason": "NO_SHOW",
}


def _errors(event: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(event)]


def test_contract_6_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("locale", ["de", "en"])
def test_r13_1_a_partner_notice_event_validates_and_carries_no_login_name(locale):
    event = _event(_notice("RATING_WARNING", WARNING, locale))
    assert _errors(event) == []
    assert event["detail"]["audience"] == "partner" and event["detail"]["message"]["locale"] == locale
    assert "user_pool_username" not in event["detail"]


def test_r13_2_an_ops_notice_event_validates_with_its_ops_message_only():
    event = _event(_notice("DECISION_PENDING", PENDING))
    assert _errors(event) == []
    assert event["detail"]["audience"] == "ops" and "message" not in event["detail"]


def _broken(event: dict[str, Any], change) -> dict[str, Any]:
    copied = copy.deepcopy(event)
    change(copied["detail"])
    return copied


@pytest.mark.parametrize(
    ("what", "kind", "change"),
    [
        ("a partner notice without its message", "RATING_WARNING", lambda d: d.pop("message")),
        ("a partner notice marked for ops", "RATING_WARNING", lambda d: d.update(audience="ops")),
        ("a partner notice with an ops message too", "RATING_WARNING", lambda d: d.update(ops_message=d["message"])),
        ("an ops notice with a partner message", "DECISION_PENDING", lambda d: d.update(message=d["ops_message"])),
        ("an ops notice marked for the partner", "DECISION_PENDING", lambda d: d.update(audience="partner")),
        ("a message in another language", "RATING_WARNING", lambda d: d["message"].update(locale="fr")),
        ("a message without a subject", "RATING_WARNING", lambda d: d["message"].pop("subject")),
        ("a subject of two lines", "RATING_WARNING", lambda d: d["message"].update(subject="a\nb")),
        ("an event without its deduplication key", "RATING_WARNING", lambda d: d.pop("notice_id")),
        ("a statement of reasons without its rule", "RATING_WARNING", lambda d: d["reasons"].pop("rule")),
        ("an unknown type", "RATING_WARNING", lambda d: d.update(type="WARNING")),
    ],
)
def test_contract_6_the_schema_refuses_what_a_consumer_must_never_receive(what, kind, change):
    event = _event(_notice(kind, WARNING if kind == "RATING_WARNING" else PENDING))
    assert _errors(_broken(event, change)), what
