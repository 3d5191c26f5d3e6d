"""nightly_check: the daily schedule, or ops from the console (R2.4, R4, R5.3, R9, R12.3).

Event: {} for all cities, or {"city": "berlin", "dry_run": true}. Returns a summary.
"""


from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing import clock
from mila_standing.models import CitySlug, StrictBool, describe
from mila_standing.nightly import run_nightly
from mila_standing.observability import logger, metrics
from mila_standing.runtime import runtime
from pydantic import BaseModel, ConfigDict, ValidationError


class NightlyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: CitySlug | None = None
    dry_run: StrictBool = False


@logger.inject_lambda_context(log_event=True)  # the event holds no personal data: {} or a city
@metrics.log_metrics
def lambda_handler(event: "dict[str, Any] | None", context: LambdaContext) -> "dict[str, Any]":
    try:
        request = NightlyRequest.model_validate(event or {})
    except ValidationError as invalid:
        metrics.add_metric(name="InvalidRequests", unit="Count", value=1)
        return {"error": {"code": "INVALID_REQUEST", "message": describe(invalid)}}
    summary = run_nightly(runtime(), clock.now(), city=request.city, all_cities=request.city is None,
                          dry_run=request.dry_run)
    metrics.add_metric(name="Warnings", unit="Count", value=summary["warnings"])
    metrics.add_metric(name="Suspensions", unit="Count", value=summary["suspensions"])
    return summary
