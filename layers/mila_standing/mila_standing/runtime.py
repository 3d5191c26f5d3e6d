"""Cold-start wiring: settings, policy and the adapters, built once and shared by every invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import boto3

from . import clock
from .changes import Change
from .notices import NoticePublisher
from .policy import Policy
from .rules import CityFigures, Judgement, Notice
from .settings import Settings
from .source_tables import FailureQueue, JobsTable
from .standing import Standing
from .store import StandingStore


@dataclass
class Runtime:
    settings: Settings
    _city_cache: dict[str | None, CityFigures | None] = field(default_factory=dict)

    @cached_property
    def policy(self) -> Policy:
        return Policy.load(self.settings.policy_file)

    @cached_property
    def store(self) -> StandingStore:
        return StandingStore(self.settings.standing_table, boto3.client("dynamodb"))

    @cached_property
    def publisher(self) -> NoticePublisher:
        return NoticePublisher(self.settings.event_bus_name, self.settings.user_pool_id)

    @cached_property
    def jobs(self) -> JobsTable:
        return JobsTable(self.settings.jobs_table, self.store.client)

    @cached_property
    def failures(self) -> FailureQueue:
        return FailureQueue(self.settings.failure_queue_url, lambda: boto3.client("sqs"))

    def judgement(self, standing: Standing, now: datetime | None = None, fresh: bool = False) -> Judgement:
        """The policy and city figures in force for a partner's home city (R4.3, R14.8)."""
        policy = self.policy.for_city(standing.city)
        if fresh or standing.city not in self._city_cache:
            self._city_cache[standing.city] = self.store.city_figures(standing.city)
        figures = self._city_cache[standing.city] or CityFigures.default(policy)
        return Judgement(policy, figures, now or clock.now())

    def forget_city_figures(self) -> None:
        self._city_cache.clear()

    def window_sizes(self, city: str | None) -> tuple[int, int]:
        """The rating and cancellation windows of a city's policy (R1.1, R3.1): how much to read."""
        policy = self.policy.for_city(city)
        return policy.rating.window, policy.cancellation.window

    def update(self, partner_id: str, changes: list[Change], now: datetime, **options: Any) -> list[Notice]:
        """The one write path of a partner's standing (store.update), judged as of ``now``."""
        judge = options.pop("judge", None) or (lambda standing: self.judgement(standing, now))
        return self.store.update(partner_id, changes, judge, window_sizes=self.window_sizes, **options)


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
