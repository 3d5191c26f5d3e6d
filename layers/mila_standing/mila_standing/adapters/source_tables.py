"""Adapters for what we write outside our own table: the platform's jobs table (the secret
scrub, R11) and the stream functions' failure queue (bad records, R14.12)."""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from ..domain.models import SECRET_FIELD

log = logging.getLogger(__name__)


class JobsTable:
    def __init__(self, name: str | None, client: Any):
        self.name, self.client = name, client

    def remove_secrets(self, job_id: str, status: str) -> bool:
        """R11.1: REMOVE access_secrets, only while the job still has them and this status (the
        condition keeps the write from resurrecting a deleted job or touching a job whose status
        moved on meanwhile: the newer image is scrubbed when it arrives). True if removed."""
        if not self.name:
            log.warning("JOBS_TABLE not configured: cannot remove a finished job's secrets")
            return False
        try:
            self.client.update_item(
                TableName=self.name,
                Key={"job_id": {"S": job_id}},
                UpdateExpression="REMOVE #secrets",
                ConditionExpression="attribute_exists(#secrets) AND #status = :status",
                ExpressionAttributeNames={"#secrets": SECRET_FIELD, "#status": "status"},
                ExpressionAttributeValues={":status": {"S": status}},
            )
            log.info("removed a finished job's access secrets", extra={"job_id": job_id})
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False


class FailureQueue:
    """The on-failure destination the handlers write to themselves (records that can never succeed)."""

    def __init__(self, url: str | None, client_factory: Any):
        self.url, self._client_factory = url, client_factory
        self._client: Any = None

    def send(self, body: dict[str, Any]) -> None:
        if not self.url:
            return
        if self._client is None:
            self._client = self._client_factory()
        self._client.send_message(QueueUrl=self.url, MessageBody=json.dumps(body, default=str))
