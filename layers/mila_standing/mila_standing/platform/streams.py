"""Stream handling shared by every stream function.

The shape is Powertools' BatchProcessor for DynamoDB streams with a partial batch response, in
two steps:

1. each record is parsed into changes for one or more partners (an invalid record goes to the
   failure destination with its reason and counts as handled: it can never succeed, and it must
   not block the shard);
2. the changes are applied partner by partner, in stream order, to the standing read once, and
   written through the one write path per partner (the unit of work: retried on a conflict).

Whether a failure is retried is decided in one place (failures.is_transient). A transient one
(throttling, a timeout, a conflict) is reported as a partial batch failure; Lambda restarts the
batch from the lowest failed sequence number, so the records after it are reported failed too:
a partner's changes are never applied out of order. Anything else fails the same way on every
retry: the record goes to the failure destination at once with its reason, as an invalid record
does, and the batch goes on (issue 12: a bad record never takes good ones with it). A partner
whose standing cannot be written is failed loudly: logged with the partner id and the reason,
counted (UnwritableRecords), and each of its records sent to the failure destination.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..domain.models import InvalidRecord
from ..usecases.changes import Change, PartnerChange
from . import clock
from .failures import is_transient, reason_of, secret_values
from .observability import logger, metrics, redact_secrets
from .runtime import Runtime, runtime


class EarlierRecordFailed(Exception):
    """An earlier record of this batch failed: this one is retried after it, in order."""


@dataclass
class PartnerBatch:
    runtime: Runtime
    now: datetime
    function: str
    # partner -> its changes in stream order, each with the sequence number and record it came from
    changes: dict[str, list[tuple[str, Change, DynamoDBRecord]]] = field(default_factory=dict)
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
        except Exception as error:
            if is_transient(error):
                logger.warning(
                    "transient failure: the record is retried",
                    extra={"event_id": record.event_id, "reason": self.reason(error, record)},
                )
                self.first_failure = sequence
                raise
            # Bad input found past validation: it would fail the same way on every retry.
            self.dead_letter(record, self.reason(error, record))
            changes = []
        for each in changes:
            self.changes.setdefault(each.partner_id, []).append((sequence or "", each.change, record))

    @staticmethod
    def reason(error: BaseException, record: DynamoDBRecord) -> str:
        return reason_of(error, secret_values(record.raw_event))

    def dead_letter(self, record: DynamoDBRecord, reason: str, partner_id: str | None = None) -> None:
        """Bad input: to the failure destination with its reason, secrets redacted (R14.12)."""
        logger.warning(
            "invalid record sent to the failure destination",
            extra={"reason": reason, "event_id": record.event_id, "partner_id": partner_id},
        )
        metrics.add_metric(name="InvalidRecords", unit="Count", value=1)
        message = {"function": self.function, "error": reason, "record": redact_secrets(record.raw_event)}
        if partner_id is not None:
            message["partner_id"] = partner_id
        self.runtime.failures.send(message)

    def flush(self) -> list[str]:
        """Apply and write each partner's changes; returns the sequence numbers that failed."""
        failed: list[str] = []
        for partner_id, changes in self.changes.items():
            failed += self._write(partner_id, changes)
        return failed

    def _write(self, partner_id: str, changes: list[tuple[str, Change, DynamoDBRecord]]) -> list[str]:
        try:
            self._update(partner_id, [change for _, change, _ in changes])
            return []
        except Exception as error:
            if is_transient(error):
                logger.exception("could not save the partner's standing; retried", extra={"partner_id": partner_id})
                return [sequence for sequence, _, _ in changes]
            if len(changes) == 1:
                self.unwritable(partner_id, changes[0][2], error)
                return []
        # Some change cannot be written, whatever the retry: apply them one by one, in order, so
        # that only the records that cannot be written go to the failure destination.
        for position, (_, change, record) in enumerate(changes):
            try:
                self._update(partner_id, [change])
            except Exception as error:
                if is_transient(error):
                    return [sequence for sequence, _, _ in changes[position:]]
                self.unwritable(partner_id, record, error)
        return []

    def _update(self, partner_id: str, changes: list[Change]) -> None:
        notices = self.runtime.standings.update(partner_id, changes, self.now)
        if notices:
            metrics.add_metric(name="Notices", unit="Count", value=len(notices))

    def unwritable(self, partner_id: str, record: DynamoDBRecord, error: BaseException) -> None:
        """Issue 12 item 4: a partner's standing that cannot be written fails loudly: the log
        names the partner and the reason, a metric counts it, and ops find the record with its
        reason and partner id in the failure queue (to redrive once the cause is fixed)."""
        reason = self.reason(error, record)
        logger.error(
            "the partner's standing cannot be written: record sent to the failure destination",
            extra={"partner_id": partner_id, "reason": reason, "event_id": record.event_id},
        )
        metrics.add_metric(name="UnwritableRecords", unit="Count", value=1)
        self.dead_letter(record, f"partner {partner_id!r} cannot be written: {reason}", partner_id)


def process_stream(
    event: dict[str, Any], context: Any, function: str, parse: Callable[[DynamoDBRecord], Iterable[PartnerChange]]
) -> dict[str, Any]:
    """The whole stream handler: parse, apply per partner, partial batch response."""
    services = runtime()
    services.standings.forget_city_figures()  # a warm container must see tonight's city figures (R4)
    batch = PartnerBatch(services, clock.now(), function)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    with processor(
        records=event.get("Records", []), handler=lambda record: batch.take(record, parse), lambda_context=context
    ):
        processor.process()
    response = processor.response()
    failures = response["batchItemFailures"]
    reported = {f["itemIdentifier"] for f in failures}
    failures += [{"itemIdentifier": s} for s in batch.flush() if s and s not in reported]
    metrics.add_metric(name="RecordsReceived", unit="Count", value=len(event.get("Records", [])))
    if failures:
        metrics.add_metric(name="RecordsFailed", unit="Count", value=len(failures))
    return {"batchItemFailures": failures}
