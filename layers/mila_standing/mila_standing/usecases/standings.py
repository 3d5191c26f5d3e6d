"""What every use case works with: the storage port, the policy, and the city figures in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..domain.policy import Policy
from ..domain.standing import WINDOWS, Standing
from ..rules import CityFigures, Judgement, Notice
from .changes import Change, Judge
from .ports import ReadPlan, StandingStore
from .unit_of_work import UnitOfWork


class Standings:
    """The partners' standings through the port, judged under the policy (one per cold start)."""

    def __init__(self, store: StandingStore, policy: Policy):
        self.store = store
        self.policy = policy
        self._city_cache: dict[str | None, CityFigures | None] = {}

    def judgement(self, standing: Standing, now: datetime, fresh: bool = False) -> Judgement:
        """The policy and city figures in force for a partner's home city (R4.3, R14.8)."""
        policy = self.policy.for_city(standing.city)
        if fresh or standing.city not in self._city_cache:
            self._city_cache[standing.city] = self.store.city_figures(standing.city)
        figures = self._city_cache[standing.city] or CityFigures.default(policy)
        return Judgement(policy, figures, now)

    def forget_city_figures(self) -> None:
        """A warm container must see tonight's city figures (R4)."""
        self._city_cache.clear()

    def window_sizes(self, city: str | None) -> tuple[int, int]:
        """The rating and cancellation windows of a city's policy (R1.1, R3.1): how much to read."""
        policy = self.policy.for_city(city)
        return policy.rating.window, policy.cancellation.window

    def load(self, partner_id: str, windows: frozenset[str] = WINDOWS) -> Standing:
        """A partner's aggregate with the newest entries of ``windows`` (none: the aggregate alone)."""
        return self.store.load(partner_id, ReadPlan(windows, sizes=self.window_sizes))

    def update(
        self,
        partner_id: str,
        changes: Sequence[Change],
        now: datetime,
        judge: Judge | None = None,
        first_read: Standing | None = None,
    ) -> list[Notice]:
        """The one write path of a partner's standing (the unit of work), judged as of ``now``."""
        judge = judge or (lambda standing: self.judgement(standing, now))
        return UnitOfWork(self.store, judge, self.window_sizes).apply(partner_id, changes, first_read)
