"""Reading a table's DynamoDB stream through the public Streams API, and handing the records
on in the shape Lambda gives them to a function.

DynamoDB Local behaves as AWS does. moto differs in three ways the replay corrects (only on the
moto engine): it writes a MODIFY record for a write that changed nothing (AWS writes none), two
INSERTs for an update that creates an item (AWS: one), and after a failed transaction it
restores a copy of the table, stream included, so an iterator taken before goes stale (the
reader asks for a fresh iterator after the last sequence number it read, every time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from .aws import REGION, EmbeddedAws, StreamOrigin, stack_stream_arn
from .capacity import item_size

PAGE = 1000  # GetRecords' maximum
ORIGIN = "_shard"  # the shard a raw record was read from (the replay's own mark, dropped on shaping)


@dataclass
class ShardPosition:
    shard_id: str
    parent: str | None
    iterator: str | None = None
    last_sequence: str | None = None
    closed: bool = False


@dataclass
class StreamReader:
    aws: EmbeddedAws
    arn: str
    table: str  # physical name
    shards: dict[str, ShardPosition] = field(default_factory=dict)
    delivered: int = 0  # records handed on so far: the next one's number in this stream

    @property
    def moto(self) -> bool:
        return self.aws.engine.endpoint_url is None

    def read(self, now: datetime) -> list[dict[str, Any]]:
        """Every record written since the last read, in stream order, shaped as Lambda delivers it."""
        raw = self._read_moto() if self.moto else self._read_shards()
        if self.moto:
            raw = as_aws_would(raw)
        return [self._lambda_shape(r, now) for r in raw]

    # --- moto: one shard; a fresh iterator each time (public API only) -------------------------
    def _read_moto(self) -> list[dict[str, Any]]:
        client = self.aws.streams_client
        position = self.shards.get("moto")
        if position is None:
            shard = client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
            position = self.shards["moto"] = ShardPosition(shard, None)
        iterator = client.get_shard_iterator(StreamArn=self.arn, ShardId=position.shard_id, **_start(position))[
            "ShardIterator"
        ]
        records: list[dict[str, Any]] = []
        while True:
            got = client.get_records(ShardIterator=iterator, Limit=PAGE)
            records += [{**r, ORIGIN: position.shard_id} for r in got.get("Records", [])]
            iterator = got.get("NextShardIterator")
            if len(got.get("Records", [])) < PAGE or not iterator:
                break
        if records:
            position.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
        return records

    # --- DynamoDB Local (and AWS): shards in lineage order, iterators kept ----------------------
    def _discover(self) -> None:
        client = self.aws.streams_client
        start: dict[str, Any] = {}
        while True:
            description = client.describe_stream(StreamArn=self.arn, **start)["StreamDescription"]
            for shard in description.get("Shards", []):
                if shard["ShardId"] not in self.shards:
                    self.shards[shard["ShardId"]] = ShardPosition(shard["ShardId"], shard.get("ParentShardId"))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return
            start = {"ExclusiveStartShardId": last}

    def _read_shards(self) -> list[dict[str, Any]]:
        if not self.shards:
            self._discover()
        records: list[dict[str, Any]] = []
        progressed = True
        while progressed:
            progressed = False
            for position in list(self.shards.values()):
                parent = self.shards.get(position.parent) if position.parent else None
                if position.closed or (parent is not None and not parent.closed):
                    continue  # a child shard is read once its parent is done (order per item)
                got, closed = self._read_shard(position)
                records += got
                if closed:
                    position.closed = progressed = True
                    self._discover()  # its children
        records.sort(key=lambda r: int(r["dynamodb"]["SequenceNumber"]))
        return records

    def _read_shard(self, position: ShardPosition) -> tuple[list[dict[str, Any]], bool]:
        client = self.aws.streams_client
        records: list[dict[str, Any]] = []
        while True:
            if position.iterator is None:
                position.iterator = client.get_shard_iterator(
                    StreamArn=self.arn, ShardId=position.shard_id, **_start(position)
                )["ShardIterator"]
            try:
                got = client.get_records(ShardIterator=position.iterator, Limit=PAGE)
            except ClientError as error:
                if error.response["Error"]["Code"] == "ExpiredIteratorException":
                    position.iterator = None  # iterators live 15 minutes; take a new one where we were
                    continue
                raise
            batch = got.get("Records", [])
            records += [{**r, ORIGIN: position.shard_id} for r in batch]
            if batch:
                position.last_sequence = batch[-1]["dynamodb"]["SequenceNumber"]
            position.iterator = got.get("NextShardIterator")
            if position.iterator is None:
                return records, True
            if len(batch) < PAGE:
                return records, False

    # --- the record as Lambda hands it over ---------------------------------------------------
    def _lambda_shape(self, record: dict[str, Any], now: datetime) -> dict[str, Any]:
        ddb = dict(record["dynamodb"])
        arn = stack_stream_arn(self.table)
        engine_sequence = ddb["SequenceNumber"]
        # Sequence numbers are opaque and increase within a shard. The engines number differently
        # (DynamoDB Local counts across all tables of the process, so a shared engine or another
        # batch split upstream shifts them), so the replay numbers each stream's records 1, 2, 3...
        # in stream order: the same writes give the same records, on either engine, with --chaos.
        self.delivered += 1
        ddb["SequenceNumber"] = f"{self.delivered:021d}"
        ddb["ApproximateCreationDateTime"] = int(now.timestamp())  # Lambda sends epoch seconds
        ddb.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
        # Where the engine keeps this record: what Lambda's failure records point at (redrive).
        self.aws.stream_origins[(arn, ddb["SequenceNumber"])] = StreamOrigin(
            self.arn, str(record.get(ORIGIN, "")), engine_sequence
        )
        if "SizeBytes" not in ddb:  # moto leaves it out
            ddb["SizeBytes"] = sum(item_size(ddb[k]) for k in ("Keys", "NewImage", "OldImage") if k in ddb)
        return {
            # The engines' event ids are random; one derived from the record keeps outcomes comparable.
            "eventID": _event_id(arn, ddb.get("SequenceNumber")),
            "eventName": record["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": ddb,
            "eventSourceARN": arn,  # Lambda adds it; the Streams API does not
        }


def _start(position: ShardPosition) -> dict[str, Any]:
    """Where to read a shard from: after the last record read, or from its oldest record."""
    if position.last_sequence:
        return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position.last_sequence}
    return {"ShardIteratorType": "TRIM_HORIZON"}


def _event_id(arn: str, sequence: Any) -> str:
    import uuid

    return uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}/{sequence}").hex


def as_aws_would(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """moto's records corrected to what AWS writes (see the module docstring)."""
    kept: list[dict[str, Any]] = []
    for record in records:
        ddb = record["dynamodb"]
        if record["eventName"] == "MODIFY" and "NewImage" in ddb and ddb.get("NewImage") == ddb.get("OldImage"):
            continue  # AWS writes no record for a write that changed nothing
        if (
            record["eventName"] == "INSERT"
            and kept
            and kept[-1]["eventName"] == "INSERT"
            and kept[-1]["dynamodb"].get("Keys") == ddb.get("Keys")
        ):
            kept.pop()  # moto's keys-only INSERT before the full one for an update that creates
        kept.append(record)
    return kept
