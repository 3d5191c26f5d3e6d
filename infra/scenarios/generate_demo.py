#!/usr/bin/env python3
"""Generate the demo scenario: one month (October 2026) of partners, jobs, ratings and ops in
Leipzig and in a smaller city, Halle, where restrictions are decided by a human.

Deterministic (``random.Random`` seeded, default 2026)::

    python infra/scenarios/generate_demo.py [--out PATH] [--seed N] [--quiet]

Writes JSON Lines in the scenario format of CONTRACT §4 (default: ``demo.jsonl`` next to this
file): first the policy line ``{"policy": {"cities": {"halle": {"decision_mode":
"human_review"}}}}``, then the lines. It re-reads what it wrote, checks it (time order, types,
one write per key per burst), runs it through the project's own rules in memory (infra/policy.yaml
with that line) and prints what each story partner shows (``--quiet``: only what did not come
out). Exit code 1 if a story does not come out.

The story is demo/story.py; demo/builder.py makes the lines, demo/reference.py runs them
through the real use cases, demo/report.py checks each story. Needs the project's packages
(``make scenario`` runs it in the project's venv).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from demo import lines as scenario_lines
from demo.builder import DEFAULT_SEED, POLICY_FILE, demo_policy, generate
from demo.reference import ReferenceDriver
from demo.report import printed, report
from demo.story import POLICY
from mila_standing.domain.policy import Policy

DEFAULT_OUT = Path(__file__).resolve().parent / "demo.jsonl"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    ap.add_argument("--quiet", action="store_true", help="no per-partner check output, only what did not come out")
    args = ap.parse_args(argv)

    written, _ = generate(args.seed, demo_policy())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(scenario_lines.dump(written), encoding="utf-8")

    # Check what was written, from the file.
    policy, lines = scenario_lines.read(args.out)
    problems = [] if policy == POLICY else [f"line 1: expected the policy line {POLICY}"]
    problems += scenario_lines.check_lines(lines)
    driver = ReferenceDriver(Policy.load(POLICY_FILE, overlay=policy)).run(lines)
    count = len(lines) + (policy is not None)
    print(f"wrote {count} lines to {args.out} ({scenario_lines.summary(lines, policy)})")
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    stories = report(lines, driver)
    for text in printed(stories, driver, quiet=args.quiet):
        print(text)
    ok = not problems and all(story.ok for story in stories)
    print("check: OK" if ok else "check: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
