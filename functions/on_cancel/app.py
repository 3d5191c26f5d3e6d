"""on_cancel: jobs stream, outcomes CANCELLED / NO_SHOW and deletions -> the cancellation window
(R3), the immediate cancellation warning (R5.2), no-show strikes (R6) and secret removal (R11)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform.observability import logger, measured
from mila_standing.platform.runtime import runtime
from mila_standing.platform.streams import process_stream
from mila_standing.usecases.changes import PartnerChange
from mila_standing.usecases.jobs import parse_job_record


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    _job, changes = parse_job_record(runtime().jobs, record)
    return changes


@logger.inject_lambda_context(log_event=False)  # R11.2: job images carry customer secrets
@measured("on_cancel")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_cancel", parse)
