"""publish_notices: standing-table stream (notice items) -> EventBridge and the user pool (R13).

A transactional outbox: notices are written with the standing in one transaction, and published
from the table's stream, so a notice is never lost nor published without being persisted.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.observability import logger, metrics
from mila_standing.runtime import runtime

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    notice = dict(record.dynamodb.new_image or {}) if record.dynamodb else {}
    if not str(notice.get("sk", "")).startswith("NOTICE#"):
        return
    publisher = runtime().publisher
    publisher.publish([notice])
    publisher.follow_login(notice)
    metrics.add_metric(name="NoticesPublished", unit="Count", value=1)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
