"""Ops calls record the caller as AWS gives it (issue 11 item 5), beside the typed actor."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

from mila_standing.platform.caller import ops_request

REQUEST = {"action": "explain", "partner_id": "p-1"}
CONTEXT = SimpleNamespace(aws_request_id="req-1", identity=None)


def test_a_signed_function_url_call_records_the_iam_principal():
    event = {
        "requestContext": {
            "authorizer": {"iam": {"userArn": "arn:aws:sts::1:assumed-role/ops/ana", "accountId": "1"}},
            "http": {"sourceIp": "10.0.0.1"},
        },
        "body": base64.b64encode(json.dumps(REQUEST).encode()).decode(),
        "isBase64Encoded": True,
    }
    request, caller = ops_request(event, CONTEXT)
    assert request == REQUEST
    assert caller == {
        "via": "iam-signed-request",
        "verified": True,
        "principal": "arn:aws:sts::1:assumed-role/ops/ana",
        "account": "1",
        "source_ip": "10.0.0.1",
        "request_id": "req-1",
    }


def test_a_rest_api_iam_call_records_the_principal():
    event = {"requestContext": {"identity": {"userArn": "arn:aws:iam::1:user/ana"}}, "body": json.dumps(REQUEST)}
    request, caller = ops_request(event, CONTEXT)
    assert request == REQUEST and caller["principal"] == "arn:aws:iam::1:user/ana" and caller["verified"]


def test_a_direct_invoke_has_no_identity_and_says_where_to_find_it():
    request, caller = ops_request(REQUEST, CONTEXT)
    assert request == REQUEST
    assert caller["via"] == "direct-invoke" and caller["verified"] is False and caller["request_id"] == "req-1"
    assert "CloudTrail" in caller["see"]


def test_a_cognito_identity_is_recorded():
    context = SimpleNamespace(
        aws_request_id="r", identity=SimpleNamespace(cognito_identity_id="eu:1", cognito_identity_pool_id="eu:pool")
    )
    _, caller = ops_request(REQUEST, context)
    assert caller["via"] == "cognito-identity" and caller["principal"] == "eu:1"


def test_a_body_that_is_not_json_becomes_an_invalid_request():
    request, _ = ops_request({"requestContext": {}, "body": "{nope"}, CONTEXT)
    assert request is None  # ops.handle answers INVALID_REQUEST for a non-object
