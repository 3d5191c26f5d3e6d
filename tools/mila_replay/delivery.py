"""DynamoDB stream records delivered to the functions as AWS Lambda's event source mappings do:
each mapping applies the template's FilterCriteria, BatchSize, MaximumRetryAttempts,
MaximumRecordAgeInSeconds, BisectBatchOnFunctionError and ReportBatchItemFailures, and sends
exhausted or expired records to its on-failure destination as Lambda does: an invocation record
(``DDBStreamBatchInfo``: shard, first and last sequence numbers, batch size, stream ARN), never the
records themselves. (Reading the streams is streams.py; fetching them back is redrive.py.)
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import random
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mila_standing.domain.times import format_time
from mila_standing.platform import clock
from mila_standing.platform.observability import redact_secrets

from .aws import ACCOUNT, REGION, EmbeddedAws
from .template import FunctionSpec, Mapping

MISSING = object()


# --- filters (Lambda event filtering, the subset of the pattern syntax streams use) ------------


def matches(pattern: dict[str, Any], event: Any) -> bool:
    for key, rule in pattern.items():
        value = event.get(key, MISSING) if isinstance(event, dict) else MISSING
        if isinstance(rule, dict):
            if not matches(rule, value if isinstance(value, dict) else {}):
                return False
        elif isinstance(rule, list):
            if not any(_matches_value(r, value) for r in rule):
                return False
        elif not _matches_value(rule, value):
            return False
    return True


def _matches_value(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return (value is not MISSING) == bool(rule["exists"])
        if value is MISSING:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return value not in (excluded if isinstance(excluded, list) else [excluded])
        raise ValueError(f"filter rule not supported by the replay: {rule}")
    return value == rule


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


def passes(mapping: Mapping, record: dict[str, Any]) -> bool:
    return not mapping.filters or any(matches(p, record) for p in mapping.filters)


# --- functions ------------------------------------------------------------------------------------


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mila-{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/mila-{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "replay"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class FunctionError(Exception):
    """The function raised: AWS counts the whole invocation as failed."""


@dataclass
class Functions:
    specs: dict[str, FunctionSpec]
    log: io.TextIOBase
    on_invoke: Callable[[str], None] = lambda name: None
    _handlers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    invocations: int = 0
    _by_function: dict[str, int] = field(default_factory=dict)

    def handler(self, name: str) -> Callable[..., Any]:
        if name not in self._handlers:
            spec = self.specs[name]
            module_name, attr = spec.handler.rsplit(".", 1)
            path = spec.code_dir / f"{module_name}.py"
            loaded = importlib.util.spec_from_file_location(f"mila_function_{name}", path)
            if loaded is None or loaded.loader is None:
                raise RuntimeError(f"cannot load {path}")
            module = importlib.util.module_from_spec(loaded)
            sys.modules[loaded.name] = module
            loaded.loader.exec_module(module)
            self._handlers[name] = getattr(module, attr)
        return self._handlers[name]

    def invoke(self, name: str, event: Any) -> Any:
        self.invocations += 1
        self._by_function[name] = count = self._by_function.get(name, 0) + 1
        self.on_invoke(name)
        # A request id derived from the function's own count, not random: it reaches the tables
        # (the ops audit's caller.request_id), and a replay's tables are the same run to run
        # (--chaos only adds stream invocations, never console ones).
        request_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mila-replay/{name}/{count}"))
        with contextlib.redirect_stdout(self.log), contextlib.redirect_stderr(self.log):
            try:
                return self.handler(name)(event, LambdaContext(name, aws_request_id=request_id))
            except Exception as error:  # the Lambda runtime reports it as a function error
                print(
                    json.dumps(
                        {
                            "level": "ERROR",
                            "function": name,
                            "message": "unhandled error",
                            "error": f"{type(error).__name__}: {error}",
                        }
                    )
                )
                raise FunctionError(f"{type(error).__name__}: {error}") from error


# --- event source mappings -------------------------------------------------------------------------


@dataclass
class Chaos:
    """--chaos: what AWS may do to a stream delivery, none of which may change the outcome."""

    rng: random.Random
    duplicate: float = 0.2
    fail: float = 0.15
    crash: float = 0.3

    def batch_size(self, limit: int) -> int:
        return self.rng.randint(1, limit)

    def deliver_twice(self) -> bool:
        return self.rng.random() < self.duplicate

    def transient_failure(self) -> bool:
        return self.rng.random() < self.fail

    def worker_crashes(self) -> bool:
        """A nightly segment's worker dies half way (then Step Functions runs it again)."""
        return self.rng.random() < self.crash


@dataclass
class MappingRunner:
    mapping: Mapping
    functions: Functions
    aws: EmbeddedAws
    chaos: Chaos | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)

    def offer(self, records: list[dict[str, Any]]) -> None:
        self.pending += [r for r in records if passes(self.mapping, r)]

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
            self._exhausted(batch[:expired], "record age exceeded", "RecordAgeExceeded", attempts=0)
            batch = batch[expired:]
            if not batch:
                return
        retries = self.mapping.maximum_retry_attempts
        # -1 means "until the record expires" on AWS; the replay stops after 100 attempts.
        self._run(batch, retries if retries >= 0 else 100, injected=0)

    def _run(self, batch: list[dict[str, Any]], retries_left: int, injected: int) -> None:
        error: str | None = None
        try:
            if self.chaos and injected < 2 and self.chaos.transient_failure():
                raise FunctionError("injected transient failure (throttled)")
            response = self.functions.invoke(self.mapping.function, {"Records": batch})
            if self.chaos and self.chaos.deliver_twice():
                response = self.functions.invoke(self.mapping.function, {"Records": batch})
        except FunctionError as failure:
            if "injected" in str(failure):
                # A throttle or timeout outside the function: retried as AWS does, not a real failure.
                return self._run(batch, retries_left, injected + 1)
            error = str(failure)
            if retries_left == 0:
                return self._exhausted(batch, f"retries exhausted: {error}", function_error="Unhandled")
            if self.mapping.bisect and len(batch) > 1:
                middle = len(batch) // 2  # splitting does not use up the retry quota
                self._run(batch[:middle], retries_left, injected)
                self._run(batch[middle:], retries_left, injected)
                return None
            return self._run(batch, retries_left - 1, injected)
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
            return self._exhausted(rest, "retries exhausted: the function reported these records as failed")
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

    def _exhausted(
        self,
        records: list[dict[str, Any]],
        error: str,
        condition: str = "RetryAttemptsExhausted",
        attempts: int | None = None,
        function_error: str | None = None,
    ) -> None:
        """What Lambda sends to the on-failure destination: one invocation record per shard of the
        batch, pointing at the records (AWS never includes them). The replay remembers which records
        each message stands for, for the outcome's dead_letters."""
        queue = self.mapping.on_failure
        if queue is None:
            return  # no destination: AWS drops them once the record ages out
        if attempts is None:
            retries = self.mapping.maximum_retry_attempts
            attempts = (retries if retries >= 0 else 100) + 1
        for shard_records in _by_shard(self.aws, records):
            request_id = str(uuid.uuid4())
            message = invocation_record(
                self.aws, self.mapping.function, shard_records, request_id, condition, attempts, function_error
            )
            self.aws.failed_batches[request_id] = {
                "function": self.mapping.function,
                "error": error,
                "failure": condition,
                "records": [redact_secrets(r) for r in shard_records],
            }
            self.aws.sqs.send_message(QueueUrl=self.aws.queues[queue], MessageBody=json.dumps(message))


def _origin(aws: EmbeddedAws, record: dict[str, Any]) -> Any:
    return aws.stream_origins.get((record.get("eventSourceARN", ""), record["dynamodb"]["SequenceNumber"]))


def _by_shard(aws: EmbeddedAws, records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive records of one shard together (a Lambda batch never spans shards)."""
    groups: list[list[dict[str, Any]]] = []
    last: Any = MISSING
    for record in records:
        origin = _origin(aws, record)
        shard = origin.shard_id if origin else None
        if not groups or shard != last:
            groups.append([])
        groups[-1].append(record)
        last = shard
    return groups


def _arrival(record: dict[str, Any]) -> str:
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    moment = datetime.fromtimestamp(float(created), UTC) if created is not None else clock.now()
    return format_time(moment, timespec="seconds")  # DynamoDB streams: whole seconds


def invocation_record(
    aws: EmbeddedAws,
    function: str,
    records: list[dict[str, Any]],
    request_id: str,
    condition: str,
    attempts: int,
    function_error: str | None,
) -> dict[str, Any]:
    """The message Lambda sends to a stream mapping's on-failure destination (AWS Lambda developer
    guide, "Retaining discarded records for a DynamoDB event source"): the invocation, the
    condition and ``DDBStreamBatchInfo``, never the records. Sequence numbers and the stream ARN
    are the engine's, so GetShardIterator AT_SEQUENCE_NUMBER finds the records again."""
    first, last = records[0], records[-1]
    first_origin, last_origin = _origin(aws, first), _origin(aws, last)
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mila-{function}",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": format_time(clock.now(), timespec="milliseconds"),
        "DDBStreamBatchInfo": {
            "shardId": first_origin.shard_id if first_origin else "",
            "startSequenceNumber": first_origin.sequence_number
            if first_origin
            else first["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": last_origin.sequence_number if last_origin else last["dynamodb"]["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _arrival(first),
            "approximateArrivalOfLastRecord": _arrival(last),
            "batchSize": len(records),
            "streamArn": first_origin.stream_arn if first_origin else first.get("eventSourceARN", ""),
        },
    }
