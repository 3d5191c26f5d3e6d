"""nightly_check: the night's rules (R2.4, R4, R5.3, R9, R12.3, R14.4), run by the nightly state
machine step by step, or whole from the console.

Events (night_requests.py): {} for all cities, {"city": "berlin", "dry_run": true}, the raw
scheduled event; or a state machine step {"phase": ...}. Answers the summary, the step's result,
or {"error": {"code", "message"}}.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform import clock
from mila_standing.platform.observability import logger, measured, metrics, traced
from mila_standing.platform.runtime import runtime
from mila_standing.usecases.night_requests import handle


@logger.inject_lambda_context(log_event=False)  # steps carry partner ids: not logged
@measured("nightly_check")
@traced  # minutes of DynamoDB calls once a night: worth a trace (observability.py)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    answer = handle(runtime().standings, event, clock.now())
    if "error" in answer:
        metrics.add_metric(name="InvalidRequests", unit="Count", value=1)
        logger.warning("nightly request refused", extra={"code": answer["error"]["code"]})
    elif "partners_evaluated" in answer and not answer.get("dry_run"):
        logger.info("nightly check done", extra={k: v for k, v in answer.items() if k != "would"})
        metrics.add_metric(name="NightsCompleted", unit="Count", value=1)  # the alarm on a night that never ran
        metrics.add_metric(name="Warnings", unit="Count", value=answer["warnings"])
        metrics.add_metric(name="Suspensions", unit="Count", value=answer["suspensions"])
    else:
        metrics.add_metric(name="NightSteps", unit="Count", value=1)
    return answer
