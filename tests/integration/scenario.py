"""Builds scenario files for replay tests, in the CONTRACT §4 format."""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mila_replay.backends import DynamoDBEngine
from mila_replay.compare import differences
from mila_replay.engine import Replay
from mila_standing.domain.times import format_time

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# The session's DynamoDB Local (tests/integration/conftest.py starts one for the whole session).
ENGINE: DynamoDBEngine | None = None
# The moto cross-check (every calm replay also on moto, and the two engines must agree on
# everything SPEC fixes) runs where it earns its time: test_engine_differential.py, on generated
# histories and the scenarios that exercise moto's stream quirks. MILA_ENGINE_DIFFERENTIAL=1
# turns it on for every scenario test (worth it when the replay's moto corrections change).
DIFFERENTIAL = os.environ.get("MILA_ENGINE_DIFFERENTIAL") == "1"


def iso(moment: datetime) -> str:
    return format_time(moment)


def day(n: int, hour: int = 9, minute: int = 0) -> datetime:
    return T0.replace(hour=hour, minute=minute) + timedelta(days=n)


@dataclass
class ScenarioBuilder:
    tmp: Path
    lines: list[dict[str, Any]] = field(default_factory=list)
    policy: dict[str, Any] | None = None
    _job: int = 0

    def put(self, at: datetime, table: str, item: dict[str, Any]) -> ScenarioBuilder:
        self.lines.append({"at": iso(at), "put": {"table": table, "item": item}})
        return self

    def delete(self, at: datetime, table: str, key: dict[str, Any]) -> ScenarioBuilder:
        self.lines.append({"at": iso(at), "delete": {"table": table, "key": key}})
        return self

    def invoke(self, at: datetime, function: str, event: dict[str, Any] | None = None) -> ScenarioBuilder:
        self.lines.append({"at": iso(at), "invoke": {"function": function, "event": event or {}}})
        return self

    def nightly(self, day_number: int, event: dict[str, Any] | None = None) -> ScenarioBuilder:
        return self.invoke(day(day_number, hour=2), "nightly_check", event)

    def partner(self, partner_id: str, city: str = "berlin", at: datetime | None = None, **extra: Any):
        item = {
            "partner_id": partner_id,
            "city": city,
            "verified": True,
            "created_at": "2026-01-01T00:00:00Z",
            "user_pool_username": partner_id,
            **extra,
        }
        return self.put(at or day(0, hour=8), "partners", item)

    def rating(
        self,
        at: datetime,
        partner_id: str,
        stars: Any,
        job_id: str | None = None,
        rated_at: datetime | None = None,
        **extra: Any,
    ) -> ScenarioBuilder:
        self._job += 1
        item = {
            "job_id": job_id or f"r-{self._job:05d}",
            "partner_id": partner_id,
            "customer_id": "c-1",
            "stars": stars,
            "rated_at": iso(rated_at or at),
            **extra,
        }
        return self.put(at, "ratings", item)

    def ratings(self, at: datetime, partner_id: str, stars: list[int]) -> ScenarioBuilder:
        """A burst: all at the same time, rated one minute apart before it."""
        for i, s in enumerate(stars):
            self.rating(at, partner_id, s, rated_at=at - timedelta(minutes=len(stars) - i))
        return self

    def job(
        self,
        at: datetime,
        partner_id: str | None,
        status: str,
        job_id: str | None = None,
        city: str = "berlin",
        **extra: Any,
    ) -> ScenarioBuilder:
        self._job += 1
        item: dict[str, Any] = {
            "job_id": job_id or f"j-{self._job:05d}",
            "customer_id": "c-1",
            "city": city,
            "status": status,
            "scheduled_at": iso(at - timedelta(hours=1)),
        }
        if partner_id:
            item["partner_id"] = partner_id
        moment = {"COMPLETED": "completed_at", "CANCELLED": "cancelled_at", "NO_SHOW": "reported_at"}.get(status)
        if moment:
            item[moment] = iso(at)
        item.update(extra)
        return self.put(at, "jobs", item)

    def write(self, name: str = "scenario.jsonl") -> Path:
        path = self.tmp / name
        body = [json.dumps({"policy": self.policy})] if self.policy else []
        # Tests add lines in the order they read best; the file is in time order (stable).
        body += [json.dumps(line) for line in sorted(self.lines, key=lambda line: line["at"])]
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        return path

    def replay(
        self, chaos: int | None = None, log: io.StringIO | None = None, differential: bool | None = None
    ) -> dict[str, Any]:
        """Replay on DynamoDB Local (the default engine). ``differential``: a calm run is checked
        against moto too (default: only with MILA_ENGINE_DIFFERENTIAL=1)."""
        path = self.write()
        outcome = Replay(path, log=log or io.StringIO(), chaos_seed=chaos, engine=ENGINE or "dynamodb-local").run()
        if chaos is None and (DIFFERENTIAL if differential is None else differential):
            on_moto = Replay(path, engine="moto").run()
            disagreements = differences(outcome, on_moto)
            assert not disagreements, "DynamoDB Local and moto disagree:\n" + "\n".join(disagreements)
        return outcome


def notices_of(outcome: dict[str, Any], partner_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [n for n in outcome["notices"] if n["partner_id"] == partner_id and (kind is None or n["type"] == kind)]
