"""Cold-start wiring (the composition root): settings, policy and the adapters, built once and
handed to the use cases, shared by every invocation of a warm container."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import boto3

from ..adapters.dynamodb.store import DynamoStandingStore
from ..adapters.notices import EventBridgeNotices
from ..adapters.source_tables import FailureQueue, JobsTable
from ..domain.policy import Policy
from ..usecases.standings import Standings
from .settings import Settings


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def policy(self) -> Policy:
        return Policy.load(self.settings.policy_file)

    @cached_property
    def store(self) -> DynamoStandingStore:
        return DynamoStandingStore(self.settings.standing_table, boto3.client("dynamodb"))

    @cached_property
    def standings(self) -> Standings:
        """What the use cases work with: the storage port and the policy."""
        return Standings(self.store, self.policy)

    @cached_property
    def publisher(self) -> EventBridgeNotices:
        return EventBridgeNotices(self.settings.event_bus_name, self.settings.user_pool_id)

    @cached_property
    def jobs(self) -> JobsTable:
        return JobsTable(self.settings.jobs_table, self.store.client)

    @cached_property
    def failures(self) -> FailureQueue:
        return FailureQueue(self.settings.failure_queue_url, lambda: boto3.client("sqs"))


_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        _runtime = Runtime(Settings.from_env())
    return _runtime


def reset() -> None:
    """A new cold start (the replay calls this between runs)."""
    global _runtime
    _runtime = None
