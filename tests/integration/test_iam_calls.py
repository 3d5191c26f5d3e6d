"""Issue 12 item 6: the calls the functions really make, recorded during a replay, are each granted
by the role (tests/infra/calls.py is what the template test holds every role to)."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

import boto3
from mila_replay import engine
from mila_replay.aws import EmbeddedAws
from mila_replay.engine import Replay

from ..infra.calls import CALLS, SCRUB_ATTRIBUTES
from .scenario import ScenarioBuilder, day
from .test_chaos import _mixed

TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Delete": "DeleteItem",
    "Update": "UpdateItem",
    "ConditionCheck": "ConditionCheckItem",
}
PREFIX = {"dynamodb": "dynamodb", "sqs": "sqs", "events": "events", "cognito-idp": "cognito-idp"}


def logical_function(name: str) -> str:
    return "".join(part.title() for part in name.split("_")) + "Function"


class CallRecorder:
    """Hooks the functions' boto3 session (the replay's own calls use another one)."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.scrubbed_attributes: set[str] = set()
        self.aws: EmbeddedAws | None = None

    def attach(self, aws: EmbeddedAws) -> None:
        self.aws = aws
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", self._record)  # type: ignore[union-attr]

    def _resource(self, table: str, index: str | None = None) -> str:
        assert self.aws is not None
        logical = {physical: lid for lid, physical in self.aws.tables.items()}.get(table, table)
        if logical == "StandingTable":
            return "listing" if index == "city_listing" else "standing"
        return {"JobsTable": "jobs"}.get(logical, logical)

    def _add(self, action: str, resource: str) -> None:
        assert self.aws is not None
        self.calls[logical_function(self.aws.current_function or "?")][action].add(resource)

    def _record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.endpoint_prefix
        if service == "streams.dynamodb":
            return
        prefix = {"cognito-idp": "cognito-idp"}.get(service, service)
        name = model.name
        if service == "dynamodb":
            if name == "TransactWriteItems":
                for action in params["TransactItems"]:
                    ((kind, body),) = action.items()
                    self._add(f"dynamodb:{TRANSACT_ACTIONS[kind]}", self._resource(body["TableName"]))
                return
            tables = list(params.get("RequestItems", {})) or [params.get("TableName", "")]
            for table in tables:
                self._add(f"dynamodb:{name}", self._resource(table, params.get("IndexName")))
            if name == "UpdateItem" and self._resource(tables[0]) == "jobs":
                names = set(params.get("ExpressionAttributeNames", {}).values()) | set(params["Key"])
                expressions = " ".join(str(params.get(k, "")) for k in ("UpdateExpression", "ConditionExpression"))
                names |= {
                    w
                    for w in re.findall(r"(?<![#:])\b[a-z_]+\b", expressions)
                    if w not in {"remove", "and", "attribute_exists", "set"}
                }
                self.scrubbed_attributes |= names
            return
        resource = {"sqs": "queue", "events": "bus", "cognito-idp": "user_pool"}.get(service, service)
        self._add(f"{prefix}:{name}", resource)


def rich(scenario: ScenarioBuilder) -> ScenarioBuilder:
    """Every function at work: ratings (one moved back out of the window: a delete), outcomes
    with secrets, the ledger, duplicates, warnings and restrictions, nightly checks, ops calls,
    a bad record."""
    _mixed(scenario)
    scenario.rating(day(2, 10), "p1", 4, job_id="r-00001", voided=True)  # leaves the window (R1.2)
    scenario.invoke(day(19), "ops", {"action": "explain", "partner_id": "p1"})
    scenario.invoke(day(19, 10), "ops", {"action": "reinstate", "partner_id": "p1", "actor": "ops", "reason": "r"})
    scenario.invoke(
        day(19, 11),
        "ops",
        {"action": "report_incident", "partner_id": "p4", "category": "CASH_PAYMENT", "actor": "ops", "note": "n"},
    )
    scenario.invoke(day(19, 12), "ops", {"action": "decide", "partner_id": "p3", "approve": True, "actor": "ops"})
    scenario.invoke(day(20, 2), "nightly_check", {"city": "hamburg"})
    return scenario


def test_issue_12_every_call_a_function_makes_is_granted_to_its_role(scenario, monkeypatch):
    recorder = CallRecorder()
    real_start = EmbeddedAws.start

    def start(aws: EmbeddedAws) -> EmbeddedAws:
        started = real_start(aws)
        recorder.attach(started)
        return started

    monkeypatch.setattr(EmbeddedAws, "start", start)
    assert engine.EmbeddedAws is EmbeddedAws
    outcome = Replay(rich(scenario).write(), log=io.StringIO(), engine="moto").run()
    assert outcome["dead_letters"]  # the failure queue was used
    recorded = {f: {a: set(r) for a, r in actions.items()} for f, actions in recorder.calls.items()}
    assert set(recorded) == set(CALLS), recorded.keys()
    for function, actions in recorded.items():
        for action, resources in actions.items():
            assert resources <= CALLS[function].get(action, set()), (function, action, resources)
    assert recorder.scrubbed_attributes and recorder.scrubbed_attributes <= SCRUB_ATTRIBUTES
    # and, the other way round, the role grants little the replay did not use
    unused = {(f, a) for f, actions in CALLS.items() for a in actions if a not in recorded.get(f, {})}
    print("granted but not exercised by this scenario:", sorted(unused))
