"""mila-standing replay SCENARIO.jsonl [--policy FILE] [--out FILE] [--log-file FILE] [--chaos SEED]"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from mila_standing.policy import PolicyError

from .scenario import ScenarioError, ScenarioFileError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mila-standing", description="Mila partner standing tools")
    commands = parser.add_subparsers(dest="command", required=True)
    replay = commands.add_parser("replay", help="replay a scenario against the real handlers on an embedded AWS")
    replay.add_argument("scenario", type=Path)
    replay.add_argument("--policy", type=Path, default=None, help="policy file (default infra/policy.yaml)")
    replay.add_argument("--out", type=Path, default=None, help="write the outcome JSON here (default stdout)")
    replay.add_argument("--log-file", type=Path, default=None, help="every log line the functions wrote")
    replay.add_argument("--chaos", type=int, default=None, metavar="SEED",
                        help="deliver streams as AWS may: duplicates, retries, other batch splits")
    replay.add_argument("--summary", action="store_true", help="print a readable summary to stderr")
    return parser


class Progress:
    """A progress bar on a terminal (stderr); silent otherwise."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        percent = done * 100 // total
        if percent != self.last:
            self.last = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\rreplay [{bar:<25}] {percent:3d}% ({done}/{total} lines)")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .engine import DEFAULT_POLICY, Replay
    from .summary import summarise

    for target in (args.out, args.log_file):
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
    log: Any = open(args.log_file, "w", encoding="utf-8") if args.log_file else io.StringIO()  # noqa: SIM115
    try:
        outcome = Replay(args.scenario, args.policy or DEFAULT_POLICY, log, args.chaos, Progress()).run()
    except ScenarioError as error:
        print(f"mila-standing replay: {args.scenario}: {error}", file=sys.stderr)
        return 2
    except (ScenarioFileError, PolicyError) as error:
        print(f"mila-standing replay: {error}", file=sys.stderr)
        return 2
    finally:
        log.close()
    text = json.dumps(outcome, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.summary:
        print(summarise(outcome), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
