"""on_job_completed: jobs stream, COMPLETED and payment changes -> the cancellation window (R3),
the commission ledger (R10) and secret removal (R11)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform import clock
from mila_standing.platform.observability import logger, measured
from mila_standing.platform.runtime import runtime
from mila_standing.platform.streams import process_stream
from mila_standing.usecases.changes import PartnerChange
from mila_standing.usecases.jobs import parse_job_record
from mila_standing.usecases.ledger import book


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    services = runtime()
    job, changes = parse_job_record(services.jobs, record)
    if job is not None:
        book(services.standings, job, clock.now())  # R10, idempotent by job id
    return changes


@logger.inject_lambda_context(log_event=False)  # R11.2: job images carry customer secrets
@measured("on_job_completed")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_job_completed", parse)
