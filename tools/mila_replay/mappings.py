"""DynamoDB stream records delivered to the functions as AWS Lambda's event source mappings do:
each mapping applies the template's FilterCriteria, BatchSize, MaximumRetryAttempts,
MaximumRecordAgeInSeconds, BisectBatchOnFunctionError and ReportBatchItemFailures, and hands the
records it gives up on (retries exhausted, too old) to its on-failure destination through a
``FailureSink``. (Reading the streams is streams.py; the message Lambda writes to the destination
is failure_record.py; fetching the records back is redrive.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from mila_admin.filters import passes
from mila_standing.platform import clock

from .chaos import Chaos, InjectedFailure, caused_by_chaos
from .lambda_runtime import FunctionError, Functions
from .template import Mapping

UNTIL_EXPIRY = 100  # MaximumRetryAttempts -1 retries until the record expires on AWS; the replay stops here


@dataclass(frozen=True)
class Discarded:
    """Records a mapping gave up on, and what Lambda's failure record says about them."""

    function: str
    records: list[dict[str, Any]]
    error: str  # the replay's own words, for the outcome's dead_letters
    condition: str  # RetryAttemptsExhausted | RecordAgeExceeded
    attempts: int  # approximateInvokeCount
    function_error: str | None = None  # "Unhandled" when the function itself raised


class FailureSink(Protocol):
    """A mapping's on-failure destination (an SQS queue's logical id) and what goes there."""

    def send(self, destination: str, discarded: Discarded) -> None: ...


def _sequence(record: dict[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def deliver_in_stream_order(runners: list[MappingRunner]) -> bool:
    """Deliver the pending records of the mappings on ONE stream, batch by batch, so that the
    functions together see the writes in the stream's order: the mapping whose next record is
    oldest goes first, and its batch stops before another mapping's next record. (On AWS two
    mappings run independently; the handlers do not rely on their order, see
    rules.apply_outcome, but a deterministic replay should not invent an order either.)"""
    worked = False
    while True:
        waiting = [r for r in runners if r.pending]
        if not waiting:
            return worked
        worked = True
        first = min(waiting, key=lambda r: r.next_sequence() or 0)  # ties: template order
        others = [r.next_sequence() for r in waiting if r is not first]
        first.deliver_batch(min(s for s in others if s is not None) if others else None)


@dataclass
class MappingRunner:
    mapping: Mapping
    functions: Functions
    failures: FailureSink
    chaos: Chaos | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)

    def takes(self, record: dict[str, Any]) -> bool:
        """Whether the mapping's filter lets the record through to its function."""
        return passes(self.mapping.filters, record)

    def offer(self, records: list[dict[str, Any]]) -> None:
        self.pending += [r for r in records if self.takes(r)]

    def next_sequence(self) -> int | None:
        return _sequence(self.pending[0]) if self.pending else None

    def deliver_batch(self, up_to: int | None = None) -> None:
        """One batch of up to BatchSize pending records, none after sequence number ``up_to``."""
        size = self.mapping.batch_size
        if self.chaos:
            size = self.chaos.batch_size(size)
        count = 1
        while count < min(size, len(self.pending)) and (up_to is None or _sequence(self.pending[count]) <= up_to):
            count += 1
        batch, self.pending = self.pending[:count], self.pending[count:]
        expired = self._expired(batch)
        if expired:
            # Lambda discards records older than MaximumRecordAgeInSeconds before invoking.
            self._discard(batch[:expired], "record age exceeded", "RecordAgeExceeded", attempts=0)
            batch = batch[expired:]
            if not batch:
                return
        self._run(batch, self._retries(), injected=0)

    def _retries(self) -> int:
        retries = self.mapping.maximum_retry_attempts
        return retries if retries >= 0 else UNTIL_EXPIRY

    def _run(self, batch: list[dict[str, Any]], retries_left: int, injected: int) -> None:
        try:
            response = self._invoke(batch, injected)
        except InjectedFailure:
            # A throttle or timeout outside the function: retried as AWS does, not a real failure.
            return self._run(batch, retries_left, injected + 1)
        except FunctionError as failure:
            if caused_by_chaos(failure):  # the function died of an injected fault (a worker's crash)
                return self._run(batch, retries_left, injected + 1)
            return self._function_failed(batch, retries_left, injected, str(failure))
        return self._some_failed(batch, response, retries_left, injected)

    def _invoke(self, batch: list[dict[str, Any]], injected: int) -> Any:
        if self.chaos:
            self.chaos.throttle(injected)
        response = self.functions.invoke(self.mapping.function, {"Records": batch})
        if self.chaos and self.chaos.deliver_twice():
            response = self.functions.invoke(self.mapping.function, {"Records": batch})
        return response

    def _function_failed(self, batch: list[dict[str, Any]], retries_left: int, injected: int, error: str) -> None:
        if retries_left == 0:
            return self._discard(batch, f"retries exhausted: {error}", function_error="Unhandled")
        if self.mapping.bisect and len(batch) > 1:
            middle = len(batch) // 2  # splitting does not use up the retry quota
            self._run(batch[:middle], retries_left, injected)
            self._run(batch[middle:], retries_left, injected)
            return None
        return self._run(batch, retries_left - 1, injected)

    def _some_failed(self, batch: list[dict[str, Any]], response: Any, retries_left: int, injected: int) -> None:
        """ReportBatchItemFailures: the records the function reported as failed come again."""
        failed = (
            {f.get("itemIdentifier") for f in (response or {}).get("batchItemFailures", [])}
            if self.mapping.report_item_failures and isinstance(response, dict)
            else set()
        )
        if not failed:
            return None
        # Lambda restarts from the lowest failed sequence number (the checkpoint).
        sequences = [r["dynamodb"]["SequenceNumber"] for r in batch]
        position = min((i for i, s in enumerate(sequences) if s in failed), default=0)
        rest = batch[position:]
        if retries_left == 0:
            return self._discard(rest, "retries exhausted: the function reported these records as failed")
        return self._run(rest, retries_left - 1, injected)

    def _expired(self, batch: list[dict[str, Any]]) -> int:
        """How many records at the head of the batch are past MaximumRecordAgeInSeconds."""
        if self.mapping.maximum_record_age < 0:
            return 0
        now = clock.now().timestamp()
        count = 0
        for record in batch:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if created is None or now - float(created) <= self.mapping.maximum_record_age:
                break
            count += 1
        return count

    def _discard(
        self,
        records: list[dict[str, Any]],
        error: str,
        condition: str = "RetryAttemptsExhausted",
        attempts: int | None = None,
        function_error: str | None = None,
    ) -> None:
        destination = self.mapping.on_failure
        if destination is None:
            return  # no destination: AWS drops them once the record ages out
        invoked = self._retries() + 1 if attempts is None else attempts
        self.failures.send(
            destination, Discarded(self.mapping.function, records, error, condition, invoked, function_error)
        )
