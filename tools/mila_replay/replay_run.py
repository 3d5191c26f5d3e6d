"""``mila-standing replay`` (CONTRACT §4): a scenario replayed against the real handlers on the
embedded AWS, its outcome written as JSON, with a progress bar on a terminal.

    mila-standing replay SCENARIO.jsonl [--policy FILE] [--out FILE] [--log-file FILE] [--chaos SEED]
                         [--engine dynamodb-local|moto] [--summary]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mila_admin.scenario import ScenarioError, ScenarioFileError
from mila_standing.domain.policy import PolicyError

from .backends import DEFAULT_ENGINE, ENGINES, EngineError
from .engine import DEFAULT_POLICY, Replay
from .outcome import write_outcome
from .summary import summarise


def add_arguments(replay: argparse.ArgumentParser) -> None:
    replay.add_argument("scenario", type=Path)
    replay.add_argument("--policy", type=Path, default=None, help="policy file (default infra/policy.yaml)")
    replay.add_argument("--out", type=Path, default=None, help="write the outcome JSON here (default stdout)")
    replay.add_argument("--log-file", type=Path, default=None, help="every log line the functions wrote")
    replay.add_argument(
        "--chaos",
        type=int,
        default=None,
        metavar="SEED",
        help="deliver streams as AWS may: duplicates, retries, other batch splits",
    )
    replay.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="DynamoDB engine: AWS's own DynamoDB Local (default) or moto in-process",
    )
    replay.add_argument("--summary", action="store_true", help="print a readable summary to stderr")


class Progress:
    """Where a long replay is, for the person at the terminal: lines done, records delivered,
    lines per second and the time left, on one line of stderr, about twice a second. Silent when
    stderr is not a terminal (CI, pipes), and never part of the outcome."""

    def __init__(self, stream: Any = None, clock: Any = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.clock = clock
        self.started = clock()
        self.shown = float("-inf")

    def __call__(self, done: int, total: int, records: int = 0) -> None:
        if not self.enabled or not total:
            return
        now = self.clock()
        if done < total and now - self.shown < 0.5:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else 0.0
        percent = done * 100 // total
        bar = "#" * (percent // 4)
        self.stream.write(
            f"\rreplay [{bar:<25}] {percent:3d}%  {done:,}/{total:,} lines  {records:,} records  "
            f"{rate:,.0f} lines/s  {_duration(left)} left "
        )
        if done == total:
            self.stream.write(
                f"\rreplay done: {total:,} lines, {records:,} records in {_duration(elapsed)}" + " " * 30 + "\n"
            )
        self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _writer(partial: Path | None) -> Callable[[dict[str, Any]], None]:
    """Where the outcome goes while the engine still runs: stdout, or beside its file's name."""

    def write(outcome: dict[str, Any]) -> None:
        if partial is None:
            write_outcome(outcome, sys.stdout)
            return
        with open(partial, "w", encoding="utf-8") as out:
            write_outcome(outcome, out)

    return write


def run(args: argparse.Namespace) -> int:
    for target in (args.out, args.log_file):
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
    log: Any = open(args.log_file or os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    partial = args.out.with_name(args.out.name + ".partial") if args.out else None
    write = _writer(partial)

    try:
        outcome = Replay(
            args.scenario, args.policy or DEFAULT_POLICY, log, args.chaos, Progress(), engine=args.engine, sink=write
        ).run()
        if partial is not None:
            partial.replace(args.out)  # nothing half-written under the outcome's name
    except ScenarioError as error:
        print(f"mila-standing replay: {args.scenario}: {error}", file=sys.stderr)
        return 2
    except (ScenarioFileError, PolicyError, EngineError) as error:
        print(f"mila-standing replay: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mila-standing replay: interrupted", file=sys.stderr)
        return 130
    finally:
        log.close()
        if partial is not None and partial.exists():
            partial.unlink()
    if args.summary:
        print(summarise(outcome), file=sys.stderr)
    return 0
