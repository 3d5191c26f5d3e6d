"""What Lambda sends to a stream mapping's on-failure destination, and the embedded AWS's
destinations that receive it.

The message is an invocation record (AWS Lambda developer guide, "Retaining discarded records
for a DynamoDB event source"): the invocation, its condition and ``DDBStreamBatchInfo`` (shard,
first and last sequence numbers, batch size, stream ARN), never the records themselves; one
message per shard, as a Lambda batch never spans shards. Sequence numbers and the stream ARN are
the engine's, so that GetShardIterator AT_SEQUENCE_NUMBER finds the records again (redrive).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mila_standing.domain.times import format_time
from mila_standing.platform import clock
from mila_standing.platform.observability import redact_secrets

from .aws import ACCOUNT, REGION, StreamOrigin
from .mappings import Discarded

Origins = dict[tuple[str, str], StreamOrigin]
"""(replay stream ARN, replay sequence number) -> where the engine keeps that record."""


@dataclass
class OnFailureQueues:
    """The mappings' on-failure destinations on the embedded AWS (a ``FailureSink``): each
    discarded batch goes to its queue as Lambda's messages, and the replay remembers which records
    each message stands for (``failed_batches``, the outcome's dead_letters: AWS's names none)."""

    sqs: Any
    queues: dict[str, str]  # logical id -> url
    origins: Origins
    failed_batches: dict[str, dict[str, Any]]  # the message's requestId -> its records

    @classmethod
    def of(cls, aws: Any) -> OnFailureQueues:
        """The destinations of an ``EmbeddedAws`` (or anything with its four attributes)."""
        return cls(aws.sqs, aws.queues, aws.stream_origins, aws.failed_batches)

    def send(self, destination: str, discarded: Discarded) -> None:
        for shard_records in by_shard(self.origins, discarded.records):
            request_id = str(uuid.uuid4())
            message = invocation_record(self.origins, discarded, shard_records, request_id)
            self.failed_batches[request_id] = {
                "function": discarded.function,
                "error": discarded.error,
                "failure": discarded.condition,
                "records": [redact_secrets(r) for r in shard_records],
            }
            self.sqs.send_message(QueueUrl=self.queues[destination], MessageBody=json.dumps(message))


def _origin(origins: Origins, record: dict[str, Any]) -> StreamOrigin | None:
    return origins.get((record.get("eventSourceARN", ""), record["dynamodb"]["SequenceNumber"]))


def by_shard(origins: Origins, records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive records of one shard together (a Lambda batch never spans shards)."""
    groups: list[list[dict[str, Any]]] = []
    last: str | None = None
    for record in records:
        origin = _origin(origins, record)
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
    origins: Origins, discarded: Discarded, records: list[dict[str, Any]], request_id: str
) -> dict[str, Any]:
    """Lambda's message for ``records`` (one shard's part of what was discarded)."""
    first, last = records[0], records[-1]
    first_origin, last_origin = _origin(origins, first), _origin(origins, last)
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if discarded.function_error:
        response["functionError"] = discarded.function_error
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mila-{discarded.function}",
            "condition": discarded.condition,
            "approximateInvokeCount": discarded.attempts,
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
