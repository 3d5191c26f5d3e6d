"""Cold-start wiring: settings, policy and the adapters, built once and shared by every invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import boto3

from . import clock
from .notices import NoticePublisher
from .policy import Policy
from .rules import CityFigures, Judgement
from .settings import Settings
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
    def dynamodb(self):  # type: ignore[no-untyped-def]
        return self.store.client

    @cached_property
    def sqs(self):  # type: ignore[no-untyped-def]
        return boto3.client("sqs")

    def judgement(self, standing: Standing, now: datetime | None = None, fresh: bool = False) -> Judgement:
        """The policy and city figures in force for a partner's home city (R4.3, R14.8)."""
        policy = self.policy.for_city(standing.city)
        if fresh or standing.city not in self._city_cache:
            self._city_cache[standing.city] = self.store.city_figures(standing.city)
        figures = self._city_cache[standing.city] or CityFigures.default(policy)
        return Judgement(policy, figures, now or clock.now())

    def forget_city_figures(self) -> None:
        self._city_cache.clear()


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
