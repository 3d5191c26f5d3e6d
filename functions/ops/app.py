"""ops: console actions for people (R7, R12). See CONTRACT §2 and functions/ops/events/."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing import clock
from mila_standing.caller import ops_request
from mila_standing.observability import logger, measured, metrics
from mila_standing.ops import error, handle
from mila_standing.runtime import runtime


@logger.inject_lambda_context(log_event=False)  # notes may carry personal data
@measured("ops")
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="OpsCalls", unit="Count", value=1)
    event, caller = ops_request(event, context)  # the caller as the invocation records it
    try:
        answer = handle(runtime(), event, clock.now(), caller=caller)
    except Exception:  # never an unhandled exception for a person at the console
        logger.exception("ops call failed")
        return error("INTERNAL", "the call failed and changed nothing; see the function's logs")
    logger.info("ops call", extra={"action": (event or {}).get("action") if isinstance(event, dict) else None,
                                   "outcome": "error" if "error" in answer else "ok",
                                   "caller_via": caller["via"], "caller_verified": caller["verified"]})
    return answer
