"""``mila-standing whatif HISTORY --policy A --policy B [--out DIR]``: replay one history under two
policies and write ``DIR/report.json`` and ``DIR/report.html``.

HISTORY is a scenario file or an export (a folder or ``s3://`` place, imported first). The two
replays are independent engines: with two cores and no shared engine they run side by side in
two processes. Everything is checked before any replay starts; nothing is written unless both
replays finished (both files are renamed into place at the very end).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from mila_admin.export import ExportError, is_export
from mila_admin.importing import describe, import_history, write_scenario
from mila_admin.scenario import ScenarioError, ScenarioFileError, load_scenario
from mila_standing.domain.policy import Policy, PolicyError

from .backends import DEFAULT_ENGINE, ENGINES, EngineError
from .engine import DEFAULT_POLICY, Replay
from .report_html import render
from .template import Template
from .whatif import compare

DEFAULT_OUT = Path("out") / "whatif"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("history", help="a scenario (.jsonl) or a DynamoDB export (folder or s3://bucket/prefix)")
    parser.add_argument(
        "--policy",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="twice: A then B; once: B, with A = infra/policy.yaml",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for report.html and report.json (default out/whatif)"
    )
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE)
    parser.add_argument(
        "--jobs",
        type=int,
        choices=(1, 2),
        default=None,
        help="replays at once (default: 2 when there are 2 cores and no shared engine)",
    )


class WhatIfError(ValueError):
    """Bad input: one line naming the file and what is wrong."""


def _policies(given: list[Path]) -> dict[str, Path]:
    if len(given) == 1:
        return {"a": DEFAULT_POLICY, "b": given[0]}
    if len(given) == 2:
        return {"a": given[0], "b": given[1]}
    raise WhatIfError("--policy: give B (A is infra/policy.yaml) or A and B")


class ReplayRefused(RuntimeError):
    """A line DynamoDB refused while replaying (a ScenarioError), in a form a worker process can
    hand back: ScenarioError's two-argument constructor does not survive pickling."""


def _replay(scenario: Path, policy: Path, engine: str) -> dict[str, Any]:
    """One run, in a process of its own when parallel (the replay sets the clock and environment)."""
    try:
        return Replay(scenario, policy, io.StringIO(), engine=engine, sink=lambda _: None).run()
    except ScenarioError as error:
        raise ReplayRefused(str(error)) from None


def _parallel(jobs: int | None, engine: str) -> bool:
    if engine != "moto" and os.environ.get("MILA_DYNAMODB_ENDPOINT"):
        return False  # a shared engine (the test suite's) takes one replay at a time: same table names
    if jobs is not None:
        return jobs == 2
    return (os.cpu_count() or 1) >= 2


def whatif(
    history: str,
    policies: dict[str, Path],
    out: Path,
    engine: str = DEFAULT_ENGINE,
    jobs: int | None = None,
    say: Any = None,
) -> dict[str, Any]:
    say = say or (lambda text: None)
    started = time.perf_counter()
    loaded = {}
    for side, path in policies.items():
        loaded[side] = Policy.load(path)  # PolicyError names the file and the field
    with tempfile.TemporaryDirectory(prefix="mila-whatif-") as workdir:
        imported = None
        if is_export(history):
            reconstruction = import_history([history])
            imported = reconstruction.summary()
            scenario = Path(workdir) / "history.jsonl"
            with open(scenario, "w", encoding="utf-8") as file:
                write_scenario(reconstruction, file)
            say(describe(reconstruction))
        else:
            scenario = Path(history)
        function_names = {spec.name for spec in Template().functions({})}
        try:
            parsed = load_scenario(scenario, function_names)
        except ScenarioError as error:
            raise WhatIfError(f"{history}: not a scenario or an export ({error})") from None
        cities: dict[str, str] = {}
        for line in parsed.lines:
            if line.kind == "put" and line.table == "partners" and isinstance((line.item or {}).get("city"), str):
                cities[line.item["partner_id"]] = line.item["city"]  # type: ignore[index]
        if parsed.policy:  # a scenario's policy line applies under both policies, as in a replay
            loaded = {side: Policy.load(path, overlay=parsed.policy) for side, path in policies.items()}
        parallel = _parallel(jobs, engine)
        say(
            f"whatif: replaying {len(parsed.lines):,} events under A and B "
            f"{'in parallel' if parallel else 'one after the other'}"
        )
        outcomes: dict[str, dict[str, Any]] = {}
        if parallel:
            with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
                futures = {side: pool.submit(_replay, scenario, policies[side], engine) for side in ("a", "b")}
                outcomes = {side: future.result() for side, future in futures.items()}
        else:
            outcomes = {side: _replay(scenario, policies[side], engine) for side in ("a", "b")}
    report = compare(outcomes["a"], outcomes["b"], cities, loaded)
    report = {
        "policies": {side: {"path": _shown(policies[side]), "version": loaded[side].version} for side in ("a", "b")},
        "history": {"path": str(history), "lines": len(parsed.lines), "import": imported},
        **report,
        "runs": {
            side: {
                key: outcomes[side]["stats"].get(key) for key in ("engine", "stream_records", "invocations", "seconds")
            }
            for side in ("a", "b")
        },
        "parallel": parallel,
        "seconds": round(time.perf_counter() - started, 3),
    }
    _write(out, report)
    return report


def _shown(path: Path) -> str:
    """A path as the person typed it, or relative to where they are (never this machine's layout)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _write(out: Path, report: dict[str, Any]) -> None:
    """Both files or neither: written beside their names, then renamed into place."""
    import json

    out.mkdir(parents=True, exist_ok=True)
    files = {"report.json": json.dumps(report, indent=2, default=str) + "\n", "report.html": render(report)}
    partials = []
    try:
        for name, text in files.items():
            partial = out / f".{name}.partial"
            partial.write_text(text, encoding="utf-8")
            partials.append((partial, out / name))
        for partial, final in partials:
            partial.replace(final)
    finally:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    try:
        policies = _policies(args.policy)
        report = whatif(
            args.history, policies, args.out, args.engine, args.jobs, say=lambda text: print(text, file=sys.stderr)
        )
    except (WhatIfError, ExportError, PolicyError, ScenarioFileError, EngineError) as error:
        print(f"mila-standing whatif: {error}", file=sys.stderr)
        return 2
    except ReplayRefused as error:  # DynamoDB refused an item while replaying it
        print(f"mila-standing whatif: {args.history}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mila-standing whatif: interrupted", file=sys.stderr)
        return 130
    overall = report["overall"]
    print(
        f"whatif: {len(report['differences']):,} partners differ; restrictions A "
        f"{sum(overall['a'][k] for k in ('suspensions', 'exclusions', 'closures', 'pending_decisions'))} → B "
        f"{sum(overall['b'][k] for k in ('suspensions', 'exclusions', 'closures', 'pending_decisions'))}; "
        f"{report['seconds']:.1f} s",
        file=sys.stderr,
    )
    print(f"whatif: {args.out / 'report.html'}  {args.out / 'report.json'}", file=sys.stderr)
    return 0
