"""Observability (issue 11 item 4): a function dimension on every metric; each published notice and
login change logged with its notice_id and nothing personal (R13, R11.2)."""

from __future__ import annotations

import io
import json

from .scenario import day


def test_metrics_name_their_function_and_publish_notices_logs_notice_ids(scenario):
    # Given a partner whose phone and username are in the partners table, suspended for conduct (R7.1),
    scenario.partner("p-1", phone="+49 170 0000000", user_pool_username="p-1@example.org")
    scenario.invoke(
        day(1),
        "ops",
        {"action": "report_incident", "partner_id": "p-1", "category": "DISCRIMINATION", "actor": "ops@mila"},
    )
    log = io.StringIO()
    outcome = scenario.replay(log=log, differential=False)
    assert outcome["logins"]["p-1@example.org"] is False
    lines = [json.loads(line) for line in log.getvalue().splitlines() if line.startswith("{")]
    # then every metric carries the function that emitted it beside the service,
    emf = [line for line in lines if "_aws" in line]
    assert emf
    for blob in emf:
        (dimensions,) = blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
        assert set(dimensions) == {"service", "function"}, dimensions
    assert {blob["function"] for blob in emf} >= {"on_partner", "ops", "publish_notices"}
    # and publish_notices logged the notice and the login it disabled, by notice_id only.
    (notice,) = outcome["notices"]
    published = [line for line in lines if line.get("message") == "notice published"]
    changed = [line for line in lines if line.get("message") == "login changed"]
    assert [line["notice_id"] for line in published] == [notice["notice_id"]]
    assert [(line["notice_id"], line["login"]) for line in changed] == [(notice["notice_id"], "disabled")]
    text = log.getvalue()
    assert "example.org" not in text and "170 0000000" not in text
    # The ops call's audit keeps the typed actor and, beside it, the caller as the invocation gave
    # it: a direct invoke carries no identity, so it points at CloudTrail by request id (item 5).
    (audit,) = [i for i in outcome["tables"]["standing"] if str(i.get("sk", "")).startswith("AUDIT#")]
    assert audit["request"]["actor"] == "ops@mila"
    assert audit["caller"]["via"] == "direct-invoke" and audit["caller"]["verified"] is False
    assert audit["caller"]["request_id"]
