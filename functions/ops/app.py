"""ops: console actions for people (R7, R12). See CONTRACT §2 and functions/ops/events/."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform import clock
from mila_standing.platform.caller import ops_request
from mila_standing.platform.failures import is_transient, reason_of
from mila_standing.platform.observability import logger, measured, metrics
from mila_standing.platform.runtime import runtime
from mila_standing.usecases.ops import error, handle


@logger.inject_lambda_context(log_event=False)  # notes may carry personal data
@measured("ops")
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="OpsCalls", unit="Count", value=1)
    event, caller = ops_request(event, context)  # the caller as the invocation records it
    try:
        answer = handle(runtime().standings, event, clock.now(), caller=caller)
    except Exception as failure:  # never an unhandled exception for a person at the console
        partner_id = event.get("partner_id") if isinstance(event, dict) else None
        reason = reason_of(failure)
        logger.exception("ops call failed", extra={"partner_id": partner_id, "reason": reason})
        if is_transient(failure):
            return error("INTERNAL", "the call failed and changed nothing; try again (see the function's logs)")
        # Issue 12 item 4: the partner's standing cannot be written; trying again will not help.
        metrics.add_metric(name="UnwritableRecords", unit="Count", value=1)
        return error("UNWRITABLE", f"partner {partner_id!r} cannot be written ({reason}); nothing changed")
    logger.info(
        "ops call",
        extra={
            "action": (event or {}).get("action") if isinstance(event, dict) else None,
            "outcome": "error" if "error" in answer else "ok",
            "caller_via": caller["via"],
            "caller_verified": caller["verified"],
        },
    )
    return answer
