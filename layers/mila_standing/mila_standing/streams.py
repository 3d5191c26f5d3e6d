"""Stream handling shared by every stream function.

The shape is Powertools' BatchProcessor for DynamoDB streams with a partial batch response, in
two steps:

1. each record is parsed into changes for one or more partners (an invalid record goes to the
   failure destination with its reason and counts as handled: it can never succeed, and it must
   not block the shard);
2. the changes are applied partner by partner, in stream order, to the standing read once, and
   written through the one write path per partner (store.update: retried on a conflict).

Lambda restarts a stream batch from the lowest failed sequence number, so once a record fails,
the ones after it are reported failed too: a partner's changes are never applied out of order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from . import clock
from .changes import Change
from .models import InvalidRecord
from .observability import logger, metrics, redact_secrets
from .runtime import Runtime, runtime


@dataclass
class PartnerChange:
    partner_id: str
    change: Change


class EarlierRecordFailed(Exception):
    """An earlier record of this batch failed: this one is retried after it, in order."""


@dataclass
class PartnerBatch:
    runtime: Runtime
    now: datetime
    function: str
    changes: dict[str, list[tuple[str, Change]]] = field(default_factory=dict)
    first_failure: str | None = None

    def take(self, record: DynamoDBRecord, parse: Callable[[DynamoDBRecord], Iterable[PartnerChange]]) -> None:
        sequence = record.dynamodb.sequence_number if record.dynamodb else None
        if self.first_failure is not None:
            raise EarlierRecordFailed(self.first_failure)
        try:
            changes = list(parse(record))
        except InvalidRecord as invalid:
            self.dead_letter(record, str(invalid))
            changes = invalid.changes
        except Exception:
            self.first_failure = sequence
            raise
        for each in changes:
            self.changes.setdefault(each.partner_id, []).append((sequence or "", each.change))

    def dead_letter(self, record: DynamoDBRecord, reason: str) -> None:
        """Bad input: to the failure destination with its reason, secrets redacted (R14.12)."""
        logger.warning("invalid record sent to the failure destination",
                       extra={"reason": reason, "event_id": record.event_id})
        metrics.add_metric(name="InvalidRecords", unit="Count", value=1)
        self.runtime.failures.send({"function": self.function, "error": reason,
                                    "record": redact_secrets(record.raw_event)})

    def flush(self) -> list[str]:
        """Apply and write each partner's changes; returns the sequence numbers that failed."""
        failed: list[str] = []
        for partner_id, changes in self.changes.items():
            try:
                notices = self.runtime.update(partner_id, [change for _, change in changes], self.now)
                if notices:
                    metrics.add_metric(name="Notices", unit="Count", value=len(notices))
            except Exception:
                logger.exception("could not save the partner's standing", extra={"partner_id": partner_id})
                failed += [sequence for sequence, _ in changes]
        return failed


def process_stream(event: dict[str, Any], context: Any, function: str,
                   parse: Callable[[DynamoDBRecord], Iterable[PartnerChange]]) -> dict[str, Any]:
    """The whole stream handler: parse, apply per partner, partial batch response."""
    rt = runtime()
    rt.forget_city_figures()  # a warm container must see tonight's city figures (R4)
    batch = PartnerBatch(rt, clock.now(), function)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    with processor(records=event.get("Records", []), handler=lambda record: batch.take(record, parse),
                   lambda_context=context):
        processor.process()
    response = processor.response()
    failures = response["batchItemFailures"]
    reported = {f["itemIdentifier"] for f in failures}
    failures += [{"itemIdentifier": s} for s in batch.flush() if s and s not in reported]
    metrics.add_metric(name="RecordsReceived", unit="Count", value=len(event.get("Records", [])))
    if failures:
        metrics.add_metric(name="RecordsFailed", unit="Count", value=len(failures))
    return {"batchItemFailures": failures}


def image(record: DynamoDBRecord, which: str) -> dict[str, Any]:
    """A record's NewImage or OldImage as a plain dict ({} when absent, e.g. NewImage on REMOVE)."""
    if record.dynamodb is None:
        return {}
    found = record.dynamodb.new_image if which == "new" else record.dynamodb.old_image
    return dict(found or {})
