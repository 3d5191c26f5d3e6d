"""The failure queue as AWS fills it, and `mila-standing redrive` (issue 11; CONTRACT §4 dead_letters,
§5 redrive): on the replay's engine (DynamoDB Local), the queue on moto."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from mila_admin.redrive import Redrive
from mila_replay.engine import Replay
from mila_standing.usecases import ratings
from moto import mock_aws

from . import scenario as scenarios
from .scenario import day

QUEUE = "StreamFailureQueue"


class Outage:
    """on_rating cannot save anything while the outage lasts: a transient failure, retried by
    Lambda until its retries run out."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, only: str | None = None) -> None:
        self.on = True
        real = ratings.rating_changes

        def failing(record: Any) -> Any:
            if self.on and (only is None or (record.dynamodb.keys or {}).get("job_id") == only):
                raise ConnectionError("injected: the standing table is unreachable")
            return real(record)

        monkeypatch.setattr(ratings, "rating_changes", failing)  # on_rating imports it at cold start


def _replay(scenario, hook) -> dict[str, Any]:
    path = scenario.write()
    return Replay(path, log=io.StringIO(), engine=scenarios.ENGINE or "dynamodb-local", before_outcome=hook).run()


def _redrive(aws, functions, mappings, streams: Any = None, **options: Any) -> Redrive:
    by_arn = {f"arn:aws:lambda:us-east-1:123456789012:function:mila-{m.function}": m.function for m in mappings}

    def invoke(function_arn: str, event: dict[str, Any]) -> Any:
        return functions.invoke(by_arn[function_arn], event)

    def filters(function_arn: str, stream_arn: str) -> list[dict[str, Any]]:
        return [
            p
            for m in mappings
            if m.function == by_arn[function_arn] and aws.refs.get(f"{m.source}.StreamArn") == stream_arn
            for p in m.filters
        ]

    return Redrive(
        aws.sqs,
        streams or aws.streams_client,
        invoke,
        aws.queues[QUEUE],
        filters=filters,
        say=lambda line: None,
        **options,
    )


class Trimmed:
    """The stream as it is 24 hours later for one sequence number (DynamoDB Local never trims)."""

    def __init__(self, streams: Any, sequence: str) -> None:
        self.streams, self.sequence = streams, sequence

    def get_shard_iterator(self, **params: Any) -> Any:
        if params["SequenceNumber"] == self.sequence:
            raise ClientError(
                {
                    "Error": {
                        "Code": "TrimmedDataAccessException",
                        "Message": "the requested record is past the trim horizon",
                    }
                },
                "GetShardIterator",
            )
        return self.streams.get_shard_iterator(**params)

    def get_records(self, **params: Any) -> Any:
        return self.streams.get_records(**params)


def _messages(aws) -> list[dict[str, Any]]:
    """What is on the queue, without taking it off (visibility 0)."""
    out = []
    while True:
        got = aws.sqs.receive_message(QueueUrl=aws.queues[QUEUE], MaxNumberOfMessages=10, VisibilityTimeout=0)
        new = [json.loads(m["Body"]) for m in got.get("Messages", []) if json.loads(m["Body"]) not in out]
        if not new:
            return out
        out += new


def test_exhausted_retries_send_lambdas_invocation_record_without_the_records(scenario, monkeypatch):
    """Issue 11 item 1: the destination gets Lambda's invocation record (DDBStreamBatchInfo), the
    outcome's dead_letters still list the records, marked by how they failed."""
    outage = Outage(monkeypatch)
    scenario.partner("p-1")
    scenario.rating(day(1), "p-1", 2, job_id="r-1")
    seen: dict[str, Any] = {}

    def look(aws, functions, mappings):
        seen["messages"] = _messages(aws)
        outage.on = False

    outcome = _replay(scenario, look)
    (message,) = seen["messages"]
    assert set(message) == {"requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"}
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["functionArn"].endswith(":function:mila-on_rating")
    assert message["requestContext"]["approximateInvokeCount"] == 6  # the first try and 5 retries
    info = message["DDBStreamBatchInfo"]
    assert set(info) == {
        "shardId",
        "startSequenceNumber",
        "endSequenceNumber",
        "approximateArrivalOfFirstRecord",
        "approximateArrivalOfLastRecord",
        "batchSize",
        "streamArn",
    }
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["approximateArrivalOfFirstRecord"] == "2026-03-03T09:00:00Z"
    assert "record" not in json.dumps(message).lower().replace("firstrecord", "").replace("lastrecord", "")
    (dead,) = outcome["dead_letters"]
    assert dead["function"] == "on_rating" and dead["failure"] == "RetryAttemptsExhausted"
    assert dead["record"]["dynamodb"]["Keys"]["job_id"] == {"S": "r-1"}
    assert "retries exhausted" in dead["error"]
    assert outcome["partners"]["p-1"]["rating_count"] == 0


def test_invalid_records_keep_the_handlers_own_message(scenario):
    """R14.13: the handler's message for bad input stays (record redacted, reason); marked InvalidRecord."""
    scenario.partner("p-1")
    scenario.rating(day(1), "p-1", 7, job_id="r-bad")
    outcome = scenario.replay(differential=False)
    (dead,) = outcome["dead_letters"]
    assert dead["failure"] == "InvalidRecord" and dead["function"] == "on_rating"
    assert dead["record"]["dynamodb"]["Keys"]["job_id"] == {"S": "r-bad"}


def test_redrive_fetches_the_records_back_from_the_stream_and_applies_them_once(scenario, monkeypatch):
    """Issue 11 item 2, R1.3: after the outage, redrive fetches the failed ratings by shard and
    sequence range, hands them to on_rating in order, deletes the message; a second redrive (or a
    duplicate message) changes nothing."""
    outage = Outage(monkeypatch)
    scenario.partner("p-1")
    scenario.rating(day(1), "p-1", 2, job_id="r-1")
    scenario.rating(day(1, hour=10), "p-1", 3, job_id="r-2")
    reports: list[Any] = []

    def heal_and_redrive(aws, functions, mappings):
        messages = _messages(aws)
        assert len(messages) == 2
        outage.on = False
        # The same failure record twice (SQS delivers at least once): applied once all the same.
        aws.sqs.send_message(QueueUrl=aws.queues[QUEUE], MessageBody=json.dumps(messages[0]))
        reports.append(_redrive(aws, functions, mappings).run())
        reports.append(_redrive(aws, functions, mappings).run())

    outcome = _replay(scenario, heal_and_redrive)
    first, second = reports
    assert (first.redriven, first.records, first.left) == (3, 3, 0)
    assert all("applied; deleted" in line for line in first.lines)
    assert second.lines == ["the failure queue is empty: nothing to redrive"]
    assert outcome["partners"]["p-1"]["rating_count"] == 2
    assert outcome["dead_letters"] == []  # nothing left on the queue


def test_redrive_reports_each_bad_message_and_keeps_it_until_handled(scenario, monkeypatch):
    """Issue 11, bad input: a malformed message, a record no longer in the stream, a handler's
    invalid-input message: one clear line each, nothing deleted, the good one applied."""
    outage = Outage(monkeypatch, only="r-1")
    scenario.partner("p-1")
    scenario.rating(day(1), "p-1", 2, job_id="r-1")
    scenario.rating(day(1, hour=10), "p-1", 9, job_id="r-bad")
    reports: list[Any] = []

    def redrive(aws, functions, mappings):
        url = aws.queues[QUEUE]
        (good,) = [m for m in _messages(aws) if "DDBStreamBatchInfo" in m]
        gone = json.loads(json.dumps(good))
        gone["DDBStreamBatchInfo"]["startSequenceNumber"] = gone["DDBStreamBatchInfo"]["endSequenceNumber"] = "9" * 21
        aws.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(gone))
        aws.sqs.send_message(QueueUrl=url, MessageBody="not json {")
        outage.on = False
        streams = Trimmed(aws.streams_client, "9" * 21)
        reports.append(_redrive(aws, functions, mappings, streams).run())
        reports.append(_redrive(aws, functions, mappings, streams, discard_unrecoverable=True).run())

    outcome = _replay(scenario, redrive)
    first, second = reports
    assert first.redriven == 1 and first.left == 3
    text = "\n".join(first.lines)
    assert "malformed" in text and "left on the queue" in text
    assert "no longer in the stream" in text and "24 hours" in text
    assert "invalid input from on_rating" in text and "stars" in text
    assert len(first.lines) == 4
    assert second.redriven == 0 and second.left == 0 and len(second.lines) == 3
    assert all("deleted (--discard-unrecoverable)" in line for line in second.lines)
    assert outcome["partners"]["p-1"]["rating_count"] == 1


def test_redrive_on_an_empty_queue_says_so():
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        report = Redrive(sqs, None, lambda f, e: None, url, say=lambda line: None).run()
    assert report.lines == ["the failure queue is empty: nothing to redrive"] and report.ok


def test_records_past_their_maximum_age_are_discarded_with_lambdas_condition():
    """Issue 11 item 1: MaximumRecordAgeInSeconds (21600 in the template): Lambda does not invoke
    the function with an expired record; its invocation record says RecordAgeExceeded."""
    from datetime import timedelta
    from types import SimpleNamespace

    from mila_replay.aws import StreamOrigin
    from mila_replay.failure_record import OnFailureQueues
    from mila_replay.mappings import MappingRunner
    from mila_replay.template import Mapping
    from mila_standing.platform import clock

    sent: list[dict[str, Any]] = []
    aws = SimpleNamespace(
        queues={QUEUE: "q"},
        failed_batches={},
        stream_origins={("arn:replay", "000000000000000000001"): StreamOrigin("arn:engine", "shard-1", "17")},
        sqs=SimpleNamespace(send_message=lambda QueueUrl, MessageBody: sent.append(json.loads(MessageBody))),
    )
    functions = SimpleNamespace(invoke=lambda name, event: pytest.fail("an expired record was delivered"))
    mapping = Mapping("on_rating", "RatingsTable", maximum_retry_attempts=5, on_failure=QUEUE, maximum_record_age=21600)
    runner = MappingRunner(mapping, functions, OnFailureQueues.of(aws))  # type: ignore[arg-type]
    written = day(1)
    runner.offer(
        [
            {
                "eventSourceARN": "arn:replay",
                "eventID": "e1",
                "dynamodb": {
                    "SequenceNumber": "000000000000000000001",
                    "ApproximateCreationDateTime": int(written.timestamp()),
                    "Keys": {"job_id": {"S": "r-1"}},
                },
            }
        ]
    )
    clock.set_now(written + timedelta(hours=7))
    try:
        runner.deliver_batch()
    finally:
        clock.set_now(None)
    (message,) = sent
    assert message["requestContext"]["condition"] == "RecordAgeExceeded"
    assert message["requestContext"]["approximateInvokeCount"] == 0
    assert message["DDBStreamBatchInfo"]["shardId"] == "shard-1"
    assert message["DDBStreamBatchInfo"]["startSequenceNumber"] == "17"
    assert message["DDBStreamBatchInfo"]["streamArn"] == "arn:engine"
    (failed,) = aws.failed_batches.values()
    assert failed["failure"] == "RecordAgeExceeded" and failed["records"][0]["eventID"] == "e1"
