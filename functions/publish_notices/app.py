"""publish_notices: standing-table stream (notice keys) -> EventBridge and the user pool (R13).

A transactional outbox: notices are written with the standing in one transaction and published
from the table's stream, so a notice is never lost nor published without being stored. The
stream carries keys only; the notice is read here, and marked once published so that a
redelivered record does not publish it again (usecases/publishing.py).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.adapters.table.keys import notice_of
from mila_standing.platform import clock
from mila_standing.platform.observability import logger, measured, metrics
from mila_standing.platform.runtime import runtime
from mila_standing.usecases.publishing import publish_notice

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    notice = notice_of(dict(record.dynamodb.keys or {}) if record.dynamodb else {})
    if notice is None:
        return  # not a notice (the mapping's filter lets only NOTICE# keys through)
    services = runtime()
    published = publish_notice(services.store, services.publisher, *notice, clock.now())
    if published is None:
        return  # redelivered: already published
    # notice_id and type only: the notice's partner is in its id, names and logins are not logged.
    logger.info("notice published", extra={"notice_id": published.notice_id, "type": published.type})
    if published.login:
        logger.info("login changed", extra={"notice_id": published.notice_id, "login": published.login})
        metrics.add_metric(name="LoginChanges", unit="Count", value=1)
    metrics.add_metric(name="NoticesPublished", unit="Count", value=1)


@logger.inject_lambda_context(log_event=False)
@measured("publish_notices")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="NoticeRecordsReceived", unit="Count", value=len(event.get("Records", [])))
    answer = process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    if answer.get("batchItemFailures"):
        metrics.add_metric(name="RecordsFailed", unit="Count", value=len(answer["batchItemFailures"]))
    return answer
