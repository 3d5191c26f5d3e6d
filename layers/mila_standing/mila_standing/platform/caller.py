"""Who called the ops function, from what the invocation carries (issue 11; the human-review audit
of the EU Platform Work Directive wants the person, not only the name they typed).

- Through the function URL (AuthType AWS_IAM) or an IAM-authorised API: AWS signs the request
  and puts the principal in ``requestContext`` (``authorizer.iam`` for function URLs and HTTP APIs,
  ``identity`` for REST APIs). Recorded as ``verified``; the ops request is the JSON body.
- Through the Cognito identity of a mobile SDK: ``context.identity``.
- A direct Invoke (console "Test", ``aws lambda invoke``) carries no identity into the function.
  Recorded with ``verified: false`` and the invocation's request id, which CloudTrail's Invoke
  data event for the same call carries beside the caller's ``userIdentity`` (when data events for
  Lambda are logged): that is where the person is, not in the function.
The typed ``actor`` stays in the request beside it.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def ops_request(event: Any, context: Any) -> tuple[Any, dict[str, Any]]:
    """(the ops request, the caller) of an invocation: a direct event, or an HTTP one with a body."""
    request_id = getattr(context, "aws_request_id", None)
    if isinstance(event, dict) and isinstance(event.get("requestContext"), dict) and "body" in event:
        ctx = event["requestContext"]
        iam = (ctx.get("authorizer") or {}).get("iam") or ctx.get("identity") or {}
        caller = {
            "via": "iam-signed-request",
            "verified": bool(iam.get("userArn")),
            "principal": iam.get("userArn"),
            "account": iam.get("accountId"),
            "source_ip": (ctx.get("http") or {}).get("sourceIp") or iam.get("sourceIp"),
            "request_id": request_id,
        }
        return _body(event), {k: v for k, v in caller.items() if v is not None}
    identity = getattr(context, "identity", None)
    cognito = getattr(identity, "cognito_identity_id", None) if identity is not None else None
    if cognito:
        return event, {
            "via": "cognito-identity",
            "verified": True,
            "principal": cognito,
            "pool": getattr(identity, "cognito_identity_pool_id", None),
            "request_id": request_id,
        }
    return event, {
        "via": "direct-invoke",
        "verified": False,
        "request_id": request_id,
        "see": "CloudTrail Lambda Invoke data event with this requestID",
    }


def _body(event: dict[str, Any]) -> Any:
    body = event.get("body")
    if body is None:
        return {}
    try:
        text = base64.b64decode(body).decode() if event.get("isBase64Encoded") else body
        return json.loads(text)
    except (ValueError, TypeError):
        return None  # not JSON: ops.handle answers INVALID_REQUEST
