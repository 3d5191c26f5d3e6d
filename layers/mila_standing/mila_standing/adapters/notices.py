"""Publishing notices (R13): EventBridge for the notification service, Cognito for the login."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ..domain.numbers import plain

SOURCE = "mila.partner-standing"
BLOCKING = {"SUSPENDED", "CLOSED"}
log = logging.getLogger(__name__)


# The notice event's detail (schemas/notice-event.schema.json, docs/notices.md): the message for
# the partner (R13.1) or, on an ops-facing notice, the message for ops (R13.2), and the statement
# of reasons (R12.1). The partner's login name stays in the table.
DETAIL = ("notice_id", "partner_id", "type", "at", "audience", "message", "ops_message", "reasons")


def event_detail(notice: dict[str, Any]) -> dict[str, Any]:
    return {k: notice[k] for k in DETAIL if notice.get(k) is not None}


class EventBridgeNotices:
    """The notices bus (the notification service reads it) and the user pool (logins, R13)."""

    def __init__(self, bus: str | None, user_pool_id: str | None):
        self.bus, self.user_pool_id = bus, user_pool_id
        self._events = boto3.client("events") if bus else None
        self._cognito = boto3.client("cognito-idp") if user_pool_id else None

    def publish(self, notices: list[dict[str, Any]], at: datetime) -> None:
        """Send notices to the bus, ten per call, as events of the time ``at`` (the function's clock:
        when published); a partially failed call raises so it is retried."""
        if not self._events:
            return
        for start in range(0, len(notices), 10):
            chunk = notices[start : start + 10]
            answer = self._events.put_events(
                Entries=[
                    {
                        "Source": SOURCE,
                        "Time": at,
                        "DetailType": n["type"],
                        "Detail": json.dumps(plain(event_detail(n)), default=str),
                        "EventBusName": self.bus,
                    }
                    for n in chunk
                ]
            )
            if answer.get("FailedEntryCount"):
                raise RuntimeError(f"EventBridge refused {answer['FailedEntryCount']} notices")

    def follow_login(self, notice: dict[str, Any]) -> str | None:
        """R13: SUSPENDED / CLOSED disable the partner's login, REINSTATED enables it. Answers
        "disabled" or "enabled" when it changed the login, None otherwise."""
        username = notice.get("user_pool_username")
        if not (self._cognito and username):
            return None
        call, change = None, None
        if notice["type"] in BLOCKING:
            call, change = self._cognito.admin_disable_user, "disabled"
        elif notice["type"] == "REINSTATED":
            call, change = self._cognito.admin_enable_user, "enabled"
        if call is None:
            return None
        try:
            call(UserPoolId=self.user_pool_id, Username=username)
        except ClientError as error:
            if error.response["Error"]["Code"] != "UserNotFoundException":
                raise
            log.warning("no user pool account for the partner", extra={"notice_id": notice.get("notice_id")})
            return None
        return change
