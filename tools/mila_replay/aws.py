"""The embedded AWS: moto in-process, resources created as template.yaml declares them."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from moto import mock_aws

from .template import Template, short_table_name

REGION = "us-east-1"
NOTICE_TAP = "replay-notice-tap"


def fake_credentials() -> None:
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        # botocore >= 1.44 routes dynamodbstreams to an account host moto does not know (LOCAL-AWS.md).
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    })


@dataclass
class EmbeddedAws:
    template: Template
    refs: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> physical name
    streams: dict[str, str] = field(default_factory=dict)  # stream arn -> table logical id
    queues: dict[str, str] = field(default_factory=dict)  # logical id -> url
    queue_arns: dict[str, str] = field(default_factory=dict)
    aws_calls: Counter[str] = field(default_factory=Counter)
    counting: bool = False

    def start(self) -> EmbeddedAws:
        fake_credentials()
        self._mock = mock_aws()
        self._mock.start()
        # The replay's own calls go through this session; the functions' through the default one,
        # whose calls are counted for stats.aws_calls.
        self.session = boto3.Session(region_name=REGION)
        boto3.setup_default_session(region_name=REGION)
        boto3.DEFAULT_SESSION.events.register("before-call", self._count)  # type: ignore[union-attr]
        self.dynamodb = self.client("dynamodb")
        self.sqs = self.client("sqs")
        self.streams_client = self.client("dynamodbstreams")
        self._create()
        return self

    def stop(self) -> None:
        self._mock.stop()
        boto3.DEFAULT_SESSION = None

    def client(self, service: str) -> Any:
        return self.session.client(service, config=Config(retries={"mode": "standard"}))

    def _count(self, model: Any = None, **_: Any) -> None:
        if self.counting and model is not None:
            self.aws_calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    def _create(self) -> None:
        t = self.template
        for logical, res in t.of_type("AWS::DynamoDB::Table").items():
            if t.created(logical):
                self._table(logical, res.get("Properties", {}))
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
        cognito = self.client("cognito-idp")
        for logical, _res in t.of_type("AWS::Cognito::UserPool").items():
            if t.created(logical):
                pool = cognito.create_user_pool(PoolName=logical)["UserPool"]
                self.refs[logical], self.refs[f"{logical}.Arn"] = pool["Id"], pool["Arn"]
        self.user_pool_id = next((self.refs[k] for k in t.of_type("AWS::Cognito::UserPool") if k in self.refs), None)

    def _table(self, logical: str, props: dict[str, Any]) -> None:
        name = short_table_name(logical)
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
        self.refs[logical], self.refs[f"{logical}.Arn"] = name, description["TableArn"]
        if description.get("LatestStreamArn"):
            self.refs[f"{logical}.StreamArn"] = description["LatestStreamArn"]
            self.streams[description["LatestStreamArn"]] = logical

    def _tap(self, events: Any, bus: str) -> None:
        """A queue on the bus, so the replay can show what the notification service would receive."""
        url = self.sqs.create_queue(QueueName=NOTICE_TAP)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="replay-notices", EventBusName=bus,
                        EventPattern=json.dumps({"source": ["mila.partner-standing"]}))
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
        cognito = self.client("cognito-idp")
        try:
            cognito.admin_create_user(UserPoolId=self.user_pool_id, Username=username, MessageAction="SUPPRESS")
        except cognito.exceptions.UsernameExistsException:
            pass
