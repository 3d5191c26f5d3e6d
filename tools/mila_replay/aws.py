"""The embedded AWS: DynamoDB on its engine (DynamoDB Local by default, or moto), and moto in
process for what has no local AWS engine (SQS, EventBridge, Cognito). Resources are created as
template.yaml declares them.

The functions create their clients from boto3's default session, as on Lambda; the replay hooks
that session (botocore events, public API) to count the functions' calls, to ask DynamoDB for the
capacity they consume, and to learn which tables they wrote, so that only streams with something
new are read.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from mila_admin.filters import matches
from moto import mock_aws
from moto.core.config import DefaultConfig

from .backends import DynamoDBEngine, MotoDynamoDB
from .capacity import WITH_CAPACITY, WRITES, CapacityMeter
from .chaos import InjectedServiceError
from .template import Template, short_table_name

REGION = "us-east-1"
ACCOUNT = "123456789012"
NOTICE_TAP = "replay-notice-tap"
_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")


def fake_credentials() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            # botocore >= 1.44 routes dynamodbstreams to an account host moto does not know (LOCAL-AWS.md).
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )


def written_keys(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table, key or item) of every item a write request touches."""
    if operation == "PutItem":
        return [(params["TableName"], params.get("Item", {}))]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], params.get("Key", {}))]
    if operation == "TransactWriteItems":
        out = []
        for action in params.get("TransactItems", []):
            ((kind, body),) = action.items()
            if kind != "ConditionCheck":
                out.append((body["TableName"], body.get("Item") or body.get("Key") or {}))
        return out
    if operation == "BatchWriteItem":
        return [
            (table, (r.get("PutRequest") or {}).get("Item") or (r.get("DeleteRequest") or {}).get("Key") or {})
            for table, requests in params.get("RequestItems", {}).items()
            for r in requests
        ]
    return []


@dataclass(frozen=True)
class StreamOrigin:
    """Where the engine keeps a delivered record: its stream, shard and own sequence number (the
    replay renumbers records 1, 2, 3... per stream; a failure record must point at the engine's)."""

    stream_arn: str
    shard_id: str
    sequence_number: str


@dataclass
class EmbeddedAws:
    template: Template
    engine: DynamoDBEngine = field(default_factory=MotoDynamoDB)
    refs: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> physical name
    streams: dict[str, str] = field(default_factory=dict)  # stream arn -> table logical id
    queues: dict[str, str] = field(default_factory=dict)  # logical id -> url
    queue_arns: dict[str, str] = field(default_factory=dict)
    aws_calls: Counter[str] = field(default_factory=Counter)
    capacity: CapacityMeter = field(default_factory=CapacityMeter)
    counting: bool = False
    cognito: Any = None
    crash_after: int | None = None  # a fault armed for the next invocation: its n-th DynamoDB call fails
    _mock: Any = None
    current_function: str | None = None
    # Tables written since their stream was last read, and whether any write there could pass a
    # mapping's key filter (``interesting``); see Replay.deliver.
    dirty: dict[str, bool] = field(default_factory=dict)
    key_filters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> Keys patterns
    # (replay stream arn, replay sequence number) -> where the engine keeps that record
    stream_origins: dict[tuple[str, str], StreamOrigin] = field(default_factory=dict)
    # requestId of each failure record Lambda would send -> the records it stands for (the outcome
    # lists them in dead_letters; AWS's message itself carries no record)
    failed_batches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def start(self) -> EmbeddedAws:
        fake_credentials()
        self.engine.start()
        local = self.engine.endpoint_url is not None
        passthrough = ["dynamodb", "dynamodbstreams"] if local else []  # DynamoDB Local answers those
        self._mock = mock_aws(config=DefaultConfig(core={"passthrough": {"services": passthrough}}))
        self._mock.start()
        for variable in _ENDPOINT_VARIABLES:  # the functions' default clients reach the engine
            if local:
                os.environ[variable] = str(self.engine.endpoint_url)
            else:
                os.environ.pop(variable, None)
        # The replay's own calls go through this session; the functions' through the default one.
        self.session = boto3.Session(region_name=REGION)
        boto3.setup_default_session(region_name=REGION)
        events = boto3.DEFAULT_SESSION.events
        events.register("before-call", self._count)
        events.register("before-parameter-build.dynamodb", self._ask_for_capacity)
        events.register("after-call.dynamodb", self._after_dynamodb_call)
        self.dynamodb = self.client("dynamodb")
        self.sqs = self.client("sqs")
        self.streams_client = self.client("dynamodbstreams")
        self._create()
        return self

    def stop(self) -> None:
        """Undo what start() did, as far as it got."""
        mock = self._mock
        if mock is None:
            return
        try:
            for name in self.tables.values():  # a shared engine starts the next replay empty
                if self.engine.endpoint_url is not None and self.engine.running:
                    self.dynamodb.delete_table(TableName=name)
        finally:
            mock.stop()
            self._mock = None
            boto3.DEFAULT_SESSION = None
            for variable in _ENDPOINT_VARIABLES:
                os.environ.pop(variable, None)

    def client(self, service: str) -> Any:
        config = Config(retries={"mode": "standard"}, max_pool_connections=4)
        if service in ("dynamodb", "dynamodbstreams") and self.engine.endpoint_url:
            return self.session.client(service, endpoint_url=self.engine.endpoint_url, config=config)
        return self.session.client(service, config=config)

    def invoking(self, function: str) -> None:
        """A function runs: its calls count from here on, and are its own."""
        self.counting = True
        self.current_function = function

    # --- hooks on the functions' session ----------------------------------------------------
    def _count(self, model: Any = None, **_: Any) -> None:
        if self.counting and model is not None:
            self.aws_calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    def crash(self, calls: int) -> None:
        self.crash_after = calls

    def _ask_for_capacity(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context["mila_params"] = params
        if self.crash_after is not None:
            self.crash_after -= 1
            if self.crash_after <= 0:
                self.crash_after = None
                raise InjectedServiceError(model.name)
        if self.counting and model.name in WITH_CAPACITY:
            params.setdefault("ReturnConsumedCapacity", "INDEXES")

    def _after_dynamodb_call(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        params = context.get("mila_params") or {}
        if http_response.status_code >= 300:
            return
        if model.name in WRITES:
            for table, key in written_keys(model.name, params):
                self.mark_dirty(table, key)
        if self.counting and model.name in WITH_CAPACITY:
            self.capacity.record(self.current_function or "?", model.name, params, parsed.get("ConsumedCapacity"))

    def mark_dirty(self, table: str, key: dict[str, Any] | None = None) -> None:
        patterns = self.key_filters.get(table)
        interesting = patterns is None or key is None or any(matches(p, key) for p in patterns)
        self.dirty[table] = self.dirty.get(table, False) or interesting

    # --- resources ------------------------------------------------------------------------
    def _create(self) -> None:
        t = self.template
        for logical, res in t.of_type("AWS::DynamoDB::Table").items():
            if t.created(logical):
                self._table(logical, t.evaluate(res.get("Properties", {}), self.refs))
        for logical, _res in t.of_type("AWS::SQS::Queue").items():
            url = self.sqs.create_queue(QueueName=logical)["QueueUrl"]
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self.queues[logical], self.queue_arns[logical] = url, arn
            self.refs[logical], self.refs[f"{logical}.Arn"] = url, arn
        events = self.client("events")
        for logical, res in t.of_type("AWS::Events::EventBus").items():
            name = t.evaluate(res.get("Properties", {}).get("Name"), self.refs) or logical
            arn = events.create_event_bus(Name=name)["EventBusArn"]
            self.refs[logical], self.refs[f"{logical}.Arn"] = name, arn
            self._tap(events, name)
        for logical, res in t.of_type("AWS::Events::Archive").items():
            # The bus's archive (R13): every notice event is kept, so a lost one can be replayed.
            props = t.evaluate(res.get("Properties", {}), self.refs)
            events.create_archive(
                ArchiveName=logical,
                EventSourceArn=props["SourceArn"],
                EventPattern=json.dumps(props.get("EventPattern") or {}),
                RetentionDays=int(props.get("RetentionDays") or 0),
            )
            self.refs[logical], self.refs[f"{logical}.Arn"] = (
                logical,
                f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{logical}",
            )
        cognito = self.cognito = self.client("cognito-idp")
        for logical, _res in t.of_type("AWS::Cognito::UserPool").items():
            if t.created(logical):
                pool = cognito.create_user_pool(PoolName=logical)["UserPool"]
                self.refs[logical], self.refs[f"{logical}.Arn"] = pool["Id"], pool["Arn"]
        self.user_pool_id = next((self.refs[k] for k in t.of_type("AWS::Cognito::UserPool") if k in self.refs), None)

    def _table(self, logical: str, props: dict[str, Any]) -> None:
        name = short_table_name(logical)
        if self.engine.endpoint_url is not None and name in self.dynamodb.list_tables().get("TableNames", []):
            self.dynamodb.delete_table(TableName=name)  # left over by a replay that was killed
        args: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = [
                {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
                for gsi in props["GlobalSecondaryIndexes"]
            ]
        if props.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        description = self.dynamodb.create_table(**args)["TableDescription"]
        self.tables[logical] = name
        self.capacity.names[name] = name
        self.refs[logical] = name
        # The stack's own ARNs, whatever the engine calls them (DynamoDB Local: region "ddblocal").
        self.refs[f"{logical}.Arn"] = stack_table_arn(name)
        if description.get("LatestStreamArn"):
            self.refs[f"{logical}.StreamArn"] = description["LatestStreamArn"]
            self.streams[description["LatestStreamArn"]] = logical

    def _tap(self, events: Any, bus: str) -> None:
        """A queue on the bus, so the replay can show what the notification service would receive."""
        url = self.sqs.create_queue(QueueName=NOTICE_TAP)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(
            Name="replay-notices", EventBusName=bus, EventPattern=json.dumps({"source": ["mila.partner-standing"]})
        )
        events.put_targets(Rule="replay-notices", EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
        self.notice_tap = url

    def drain_queue(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            batch = got.get("Messages", [])
            if not batch:
                return messages
            for m in batch:
                messages.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def sign_up(self, username: object) -> None:
        """The platform creates a partner's login at registration; the replay plays that part."""
        if not (self.user_pool_id and isinstance(username, str) and username):
            return
        cognito = self.cognito  # one client: making one costs more than the call
        try:
            cognito.admin_create_user(UserPoolId=self.user_pool_id, Username=username, MessageAction="SUPPRESS")
        except cognito.exceptions.UsernameExistsException:
            pass


def stack_table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def stack_stream_arn(name: str) -> str:
    """A stream's ARN as records carry it, with a fixed label (the engines label streams with
    the wall-clock time they were created), so records are identical from run to run."""
    return f"{stack_table_arn(name)}/stream/replay"
