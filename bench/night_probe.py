#!/usr/bin/env python3
"""One night measured in a fresh process (bench/run.py runs one per size), on its own DynamoDB Local.

    python bench/night_probe.py PARTNERS [--seed N]

1. Seeds the standing table with PARTNERS generated partners as the functions would have left
   them after a month (each partner's ratings and resolved jobs applied through the real
   ``changes`` and rules in memory, then written with the store's own item shapes, in
   BatchWriteItem calls: seeding through the functions would take hours at 100k partners).
   About one partner in ten is below its city's rating minimum or above its cancellation
   average, so the night has work; the others are quiet (a few jobs this month). Four
   threads write at once (DynamoDB Local takes them in parallel).
2. Runs the night as the state machine does (tools/mila_replay/night.py: plan, figures per
   segment, combine, evaluate per segment, summarize), each step an invocation of the real
   nightly_check handler, and measures every step: wall time, DynamoDB calls and the capacity
   units DynamoDB Local reports (as AWS bills them; capacity.py).
3. Runs the same night again (unless --no-rerun): the re-run (a retried execution) sends nothing.

Prints one JSON object (bench/run.py renders it).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import random
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "layers" / "mila_standing", ROOT / "tools"):
    sys.path.insert(0, str(_path))

from mila_replay.aws import EmbeddedAws  # noqa: E402
from mila_replay.backends import DynamoDBLocal  # noqa: E402
from mila_replay.lambda_runtime import Functions  # noqa: E402
from mila_replay.night import NightStateMachine  # noqa: E402
from mila_replay.template import Template  # noqa: E402
from mila_standing.adapters.dynamodb.store import DynamoStandingStore  # noqa: E402
from mila_standing.adapters.table import keys  # noqa: E402
from mila_standing.adapters.table.writes import Put, plan_save  # noqa: E402
from mila_standing.domain.policy import Policy  # noqa: E402
from mila_standing.domain.standing import CANCELLATION, COMPLETED, OutcomeEntry, RatingEntry, Standing  # noqa: E402
from mila_standing.platform import clock, runtime  # noqa: E402
from mila_standing.rules import CityFigures, Judgement  # noqa: E402
from mila_standing.usecases.changes import OutcomeChange, RatingChange  # noqa: E402
from mila_standing.usecases.ports import ChangeSet, Snapshot  # noqa: E402

CITIES = (("berlin", 0.4), ("hamburg", 0.25), ("leipzig", 0.2), ("dresden", 0.15))
NIGHT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
# Resolved jobs (one rating each unless cancelled) in the month before the night: a weak partner
# has enough to be judged (policy: min_ratings, min_jobs 10); a quiet one has a few, like most.
WEAK_JOBS, QUIET_JOBS = 14, 3


class NullLog(io.TextIOBase):
    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def partner(index: int, rnd: random.Random, policy: Policy) -> tuple[Standing, list[Any]]:
    """A partner after a month, as the functions leave it, with the notices it was sent."""
    city = rnd.choices([c for c, _ in CITIES], [w for _, w in CITIES])[0]
    standing = Standing(partner_id=f"p-{city}-{index:07d}", city=city, verified=True, profile_known=True)
    city_policy = policy.for_city(city)
    weak = rnd.random() < 0.1  # the night's work: low stars or many cancellations
    notices: list[Any] = []
    for job in range(WEAK_JOBS if weak else QUIET_JOBS):
        at = NIGHT - timedelta(days=30) + timedelta(days=job * 2, hours=rnd.randrange(12))
        job_id = f"j-{index:07d}-{job:02d}"
        cancelled = rnd.random() < (0.3 if weak else 0.01)
        outcome = OutcomeEntry(CANCELLATION if cancelled else COMPLETED, at, seq=job + 1)
        judgement = Judgement(city_policy, CityFigures.default(city_policy), at)
        judge = functools.partial(_same, judgement)
        notices += OutcomeChange(job_id, outcome, job + 1).apply(standing, judge)
        if not cancelled:
            stars = rnd.choice((2, 3, 4)) if weak else rnd.choice((4, 5, 5, 5))
            notices += RatingChange(job_id, RatingEntry(stars, at + timedelta(hours=3))).apply(standing, judge)
    return standing, notices


def _same(judgement: Judgement, _standing: Standing) -> Judgement:
    return judgement


def seed(store: DynamoStandingStore, partners: int, seed_value: int, threads: int = 4) -> dict[str, Any]:
    rnd = random.Random(seed_value)
    policy = Policy.load(ROOT / "infra" / "policy.yaml")
    started, items, batch = time.perf_counter(), 0, []
    with ThreadPoolExecutor(threads) as pool:
        pending = []
        for index in range(partners):
            standing, notices = partner(index, rnd, policy)
            planned = plan_save(ChangeSet(standing, Snapshot(None, {}, {}), notices))
            batch += [w.item for w in planned.entries if isinstance(w, Put)]
            batch += [w.item for w in planned.decided]
            batch += [planned.aggregate.item] if planned.aggregate else []
            if len(batch) >= 500:
                items += len(batch)
                pending.append(pool.submit(_flush, store, batch))
                batch = []
        items += len(batch)
        pending.append(pool.submit(_flush, store, batch))
        for done in pending:
            done.result()
    for city, _ in CITIES:
        store.put(keys.city_key(city))
    return {"items": items, "seconds": time.perf_counter() - started}


def _flush(store: DynamoStandingStore, batch: list[dict[str, Any]]) -> None:
    store.batch_put(batch)


def measure_night(partners: int, seed_value: int, rerun: bool = True) -> dict[str, Any]:
    engine = DynamoDBLocal().start()
    saved = dict(os.environ)
    template = Template()
    aws = EmbeddedAws(template, engine)
    try:
        aws.start()
        specs = {spec.name: spec for spec in template.functions(aws.refs)}
        for spec in specs.values():
            os.environ.update(spec.environment)
        os.environ["POLICY_FILE"] = str(ROOT / "infra" / "policy.yaml")
        runtime.reset()
        store = DynamoStandingStore(aws.tables["StandingTable"], aws.dynamodb)
        seeded = seed(store, partners, seed_value)

        steps: list[dict[str, Any]] = []

        def invoking(name: str) -> None:
            aws.counting = True
            aws.current_function = name

        functions = Functions(specs, NullLog(), on_invoke=invoking)
        timed = _Timed(functions, aws, steps)
        machine = NightStateMachine.from_template(template, timed, None, aws.crash)  # type: ignore[arg-type]
        assert machine is not None
        clock.set_now(NIGHT)
        started = time.perf_counter()
        summary = machine.run({}, NIGHT)
        night_seconds = time.perf_counter() - started
        first = list(steps)
        steps.clear()
        started = time.perf_counter()
        again = machine.run({}, NIGHT) if rerun else None  # the same night once more: a retried execution
        rerun_seconds = time.perf_counter() - started
    finally:
        aws.stop()
        engine.stop()
        clock.set_now(None)
        runtime.reset()
        os.environ.clear()
        os.environ.update(saved)
    return {
        "partners": partners,
        "seeded": seeded,
        "summary": _short(summary),
        "seconds": night_seconds,
        "steps": first,
        "rerun": {"seconds": rerun_seconds, "summary": _short(again), "steps": list(steps)} if rerun else None,
        "python_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _short(summary: Any) -> Any:
    if not isinstance(summary, dict):
        return summary
    return {
        k: v
        for k, v in summary.items()
        if k in ("partners_evaluated", "warnings", "suspensions", "pending_decisions", "segments", "error")
    }


class _Timed:
    """Functions, with every invocation's wall time, DynamoDB calls and capacity units kept."""

    def __init__(self, functions: Functions, aws: EmbeddedAws, steps: list[dict[str, Any]]):
        self.functions, self.aws, self.steps = functions, aws, steps

    def invoke(self, name: str, event: Any) -> Any:
        write, read = self.aws.capacity.totals()
        calls = sum(self.aws.aws_calls.values())
        started = time.perf_counter()
        answer = self.functions.invoke(name, event)
        seconds = time.perf_counter() - started
        write_after, read_after = self.aws.capacity.totals()
        self.steps.append(
            {
                "phase": event.get("phase"),
                "seconds": seconds,
                "calls": sum(self.aws.aws_calls.values()) - calls,
                "read_units": read_after - read,
                "write_units": write_after - write,
            }
        )
        return answer


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("partners", type=int)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--no-rerun", action="store_true", help="leave out the second run of the same night")
    args = ap.parse_args()
    print(json.dumps(measure_night(args.partners, args.seed, rerun=not args.no_rerun), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
