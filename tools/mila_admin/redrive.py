"""``mila-standing redrive``: stream records that ended in the failure queue, back to their function.

Lambda's message for a batch that ran out of retries or of age holds no record, only where the
records are (``DDBStreamBatchInfo``: stream, shard, first and last sequence numbers, batch size).
Redrive reads every message first, handles them in stream order (per function, stream and shard,
by first sequence number), fetches the records back from the stream (GetShardIterator
AT_SEQUENCE_NUMBER, then GetRecords up to the last sequence number), keeps the ones the function's
filter lets through, and invokes the function with them as Lambda would. A message is deleted
only once its records were applied without a failure; anything else stays on the queue and is
reported on its own line. Applying a record twice changes nothing (windows are keyed by job id,
R1.3, R3.4; the ledger by job id, R10.4), so a redrive interrupted between the invocation and the
delete is simply run again.

What redrive cannot do, it says: a record past the stream's 24-hour retention is gone from the
stream (the line says what to do instead); a message that is not a failure record is left alone.
The handlers' own messages for invalid input carry the record (secrets redacted) and its reason:
sending it again would fail the same way, so they are reported and left for a person, who fixes
the source item (a new write is delivered again) and then deletes the message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from .filters import passes

RETENTION_HINT = (
    "the stream keeps records 24 hours: write the affected items again in their table "
    "(or restore them from point-in-time recovery) so that the stream delivers them anew, "
    "then delete this message"
)
PAGE = 1000
VISIBILITY_SECONDS = 900  # a message being handled is hidden from a second redrive meanwhile

Invoke = Callable[[str, dict[str, Any]], Any]
"""(function ARN or name, event) -> the function's answer; raises if the function errors."""
Filters = Callable[[str, str], list[dict[str, Any]]]
"""(function ARN or name, stream ARN) -> the mapping's filter patterns ([] = every record)."""


@dataclass
class Message:
    receipt: str
    message_id: str
    body: dict[str, Any]

    @property
    def info(self) -> dict[str, Any]:
        return dict(self.body["DDBStreamBatchInfo"])

    @property
    def function(self) -> str:
        return str(self.body["requestContext"]["functionArn"])

    def order(self) -> tuple[str, str, str, int]:
        info = self.info
        return (self.function, str(info["streamArn"]), str(info["shardId"]), int(info["startSequenceNumber"]))


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    redriven: int = 0  # messages applied and deleted
    records: int = 0
    left: int = 0  # messages left on the queue

    @property
    def ok(self) -> bool:
        return self.left == 0


@dataclass
class Redrive:
    sqs: Any
    streams: Any
    invoke: Invoke
    queue_url: str
    filters: Filters = lambda function, stream: []
    dry_run: bool = False
    discard_unrecoverable: bool = False  # delete malformed, invalid-input and expired messages once reported
    say: Callable[[str], None] = print
    report: Report = field(default_factory=Report)

    def run(self) -> Report:
        messages = self._receive_all()
        if not messages:
            self._line("the failure queue is empty: nothing to redrive")
            return self.report
        failures: list[Message] = []
        for message in messages:
            if _is_failure_record(message.body):
                failures.append(message)
            elif _is_invalid_input(message.body):
                self._unrecoverable(
                    message,
                    f"invalid input from {message.body['function']}: "
                    f"{message.body['error']} (fix the source item; a new write is "
                    "delivered again)",
                )
            else:
                self._unrecoverable(message, "malformed: not a Lambda failure record nor a handler's message")
        for message in sorted(failures, key=Message.order):
            self._redrive(message)
        return self.report

    # --- the queue -------------------------------------------------------------------------
    def _receive_all(self) -> list[Message]:
        out: list[Message] = []
        while True:
            got = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=VISIBILITY_SECONDS
            )
            batch = got.get("Messages", [])
            if not batch:
                return out
            for raw in batch:
                try:
                    body = json.loads(raw["Body"])
                except (TypeError, ValueError):
                    body = None
                out.append(Message(raw["ReceiptHandle"], raw["MessageId"], body if isinstance(body, dict) else {}))

    def _delete(self, message: Message) -> None:
        if not self.dry_run:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message.receipt)

    def _leave(self, message: Message, text: str) -> None:
        """Left on the queue, visible again at once for the next redrive or a person."""
        self.report.left += 1
        self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message.receipt, VisibilityTimeout=0)
        self._line(text)

    def _line(self, text: str) -> None:
        self.report.lines.append(text)
        self.say(text)

    def _unrecoverable(self, message: Message, why: str) -> None:
        if self.discard_unrecoverable and not self.dry_run:
            self._delete(message)
            self._line(f"message {message.message_id}: {why}; deleted (--discard-unrecoverable)")
        else:
            self._leave(message, f"message {message.message_id}: {why}; left on the queue")

    # --- one failure record ------------------------------------------------------------------
    def _redrive(self, message: Message) -> None:
        info = message.info
        where = (
            f"{_name(message.function)} shard {info['shardId']} "
            f"sequence {info['startSequenceNumber']}..{info['endSequenceNumber']}"
        )
        try:
            records = self._fetch(info)
        except ParamValidationError as error:
            self._unrecoverable(message, f"{where}: not a position in a stream ({error})")
            return
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("TrimmedDataAccessException", "ResourceNotFoundException"):
                self._unrecoverable(message, f"{where}: no longer in the stream ({code}): {RETENTION_HINT}")
            else:
                self._leave(
                    message,
                    f"message {message.message_id}: {where}: could not read the stream ({code}): "
                    "left on the queue, run redrive again",
                )
            return
        if not records or int(records[0]["dynamodb"]["SequenceNumber"]) != int(info["startSequenceNumber"]):
            self._unrecoverable(message, f"{where}: the records are no longer in the stream: {RETENTION_HINT}")
            return
        patterns = self.filters(message.function, str(info["streamArn"]))
        wanted = [r for r in records if passes(patterns, r)]
        if self.dry_run:
            self._leave(message, f"message {message.message_id}: {where}: would send {len(wanted)} record(s) (dry run)")
            return
        try:
            answer = self.invoke(message.function, {"Records": wanted}) if wanted else {}
        except Exception as error:  # the function failed: nothing is lost, the message stays
            self._leave(
                message,
                f"message {message.message_id}: {where}: the function failed again ({error}): left on the queue",
            )
            return
        failed = (answer or {}).get("batchItemFailures") if isinstance(answer, dict) else None
        if failed:
            self._leave(
                message,
                f"message {message.message_id}: {where}: {len(failed)} record(s) failed again: left on the queue",
            )
            return
        self._delete(message)
        self.report.redriven += 1
        self.report.records += len(wanted)
        self._line(f"message {message.message_id}: {where}: {len(wanted)} record(s) applied; deleted")

    def _fetch(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        """The batch's records, from its first sequence number up to its last, shaped as Lambda
        hands them to a function."""
        stream, end = str(info["streamArn"]), int(info["endSequenceNumber"])
        iterator = self.streams.get_shard_iterator(
            StreamArn=stream,
            ShardId=str(info["shardId"]),
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=str(info["startSequenceNumber"]),
        )["ShardIterator"]
        records: list[dict[str, Any]] = []
        while iterator:
            got = self.streams.get_records(ShardIterator=iterator, Limit=PAGE)
            page = got.get("Records", [])
            for record in page:
                if int(record["dynamodb"]["SequenceNumber"]) > end:
                    return records
                records.append(lambda_shape(record, stream))
            if not page:
                return records
            iterator = got.get("NextShardIterator")
        return records


def lambda_shape(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A Streams API record as Lambda delivers it: with the stream's ARN, the time in epoch seconds."""
    ddb = dict(record["dynamodb"])
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        ddb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": ddb, "eventSourceARN": stream_arn}


def _is_failure_record(body: dict[str, Any]) -> bool:
    info = body.get("DDBStreamBatchInfo")
    context = body.get("requestContext")
    if not isinstance(info, dict) or not isinstance(context, dict) or not context.get("functionArn"):
        return False
    try:
        int(info["startSequenceNumber"])
        int(info["endSequenceNumber"])
        return bool(info["shardId"]) and bool(info["streamArn"])
    except (KeyError, TypeError, ValueError):
        return False


def _is_invalid_input(body: dict[str, Any]) -> bool:
    return isinstance(body.get("function"), str) and isinstance(body.get("record"), dict) and "error" in body


def _name(function_arn: str) -> str:
    """arn:aws:lambda:…:function:NAME[:qualifier] -> NAME."""
    parts = function_arn.split(":")
    return parts[6] if len(parts) > 6 and parts[5] == "function" else function_arn


# --- the command line on AWS ------------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    parser.add_argument("--queue-url", required=True, help="the stack's StreamFailureQueueUrl output")
    parser.add_argument("--region", default=None)
    parser.add_argument("--dry-run", action="store_true", help="fetch and report, invoke and delete nothing")
    parser.add_argument(
        "--discard-unrecoverable",
        action="store_true",
        help="delete malformed, invalid-input and expired messages once reported",
    )


def run(args: Any) -> int:
    import boto3

    session = boto3.Session(region_name=args.region)
    lambda_client = session.client("lambda")

    def invoke(function: str, event: dict[str, Any]) -> Any:
        answer = lambda_client.invoke(
            FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event, default=str).encode()
        )
        payload = json.loads(answer["Payload"].read() or b"null")
        if answer.get("FunctionError"):
            raise RuntimeError(f"{answer['FunctionError']}: {(payload or {}).get('errorMessage', '')}")
        return payload

    def filters(function: str, stream: str) -> list[dict[str, Any]]:
        pages = lambda_client.get_paginator("list_event_source_mappings").paginate(
            FunctionName=function, EventSourceArn=stream
        )
        return [
            json.loads(f["Pattern"])
            for page in pages
            for m in page.get("EventSourceMappings", [])
            for f in (m.get("FilterCriteria") or {}).get("Filters", [])
        ]

    report = Redrive(
        session.client("sqs"),
        session.client("dynamodbstreams"),
        invoke,
        args.queue_url,
        filters=filters,
        dry_run=args.dry_run,
        discard_unrecoverable=args.discard_unrecoverable,
    ).run()
    print(f"redrive: {report.redriven} message(s), {report.records} record(s) applied; {report.left} left on the queue")
    return 0 if report.ok else 1
