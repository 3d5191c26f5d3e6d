#!/usr/bin/env python3
"""Benchmarks of Mila Partner Standing: measure and print, never assert (``make bench``).

Five measurements, each explained in bench/README.md:

1. rule core: µs per evaluation of a standing holding 50 / 500 / 5000 ratings and outcomes;
2. replay: small scenarios cut from the demo generator's output, replayed on moto;
3. memory: tracemalloc peak of the rule core at 5000 entries, peak RSS after the replays;
4. cold start: importing each functions/<name>/app.py in a fresh interpreter, against ``import boto3``;
5. the night: the nightly state machine's steps at 10k and 100k generated partners on DynamoDB
   Local (bench/night_probe.py), and from them a night at 5 M partners, in time and dollars.

Standard library and the project only. The numbers go to stdout as tables and to
bench/results.json (ignored by git). Machines are shared and noisy: read the ratios, which
compare measurements taken minutes apart in one run, rather than absolute times.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "mila_standing"
FUNCTIONS = ROOT / "functions"
RESULTS = Path(__file__).resolve().parent / "results.json"

for _path in (LAYER, ROOT / "tools"):  # the same modules `pip install -e .` exposes
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from mila_standing.domain.policy import Policy  # noqa: E402
from mila_standing.domain.standing import CANCELLATION, COMPLETED, NO_SHOW, OutcomeEntry, RatingEntry, Standing  # noqa: E402
from mila_standing.domain.times import format_time  # noqa: E402
from mila_standing.rules import (  # noqa: E402
    CityFigures,
    Judgement,
    cancellation_figures,
    evaluate,
    rating_figures,
)

CORE_SIZES = (50, 500, 5000)
REPLAY_LINES = (1_000, 10_000, 100_000)
NIGHT_PARTNERS = (10_000, 100_000)
PROJECTED_PARTNERS = 5_000_000
MEMORY_SIZE = 5000
COLD_REPEATS = 5
T0 = datetime(2024, 1, 1, tzinfo=UTC)


# --- helpers ------------------------------------------------------------------------------------


def table(title: str, headers: list[str], rows: list[list[Any]], note: str | None = None) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    out = [title, line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    if note:
        out.append(note)
    return "\n".join(out)


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def kib(n_bytes: float) -> str:
    return f"{n_bytes / 1024:,.0f} KiB"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / (1024 * 1024):,.1f} MiB"


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


class NullLog(io.TextIOBase):
    """The functions' log lines, counted and dropped (a StringIO would add to the RSS measured)."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


# --- 1. rule core -------------------------------------------------------------------------------


def build_standing(n: int, seed: int = 1) -> Standing:
    """A verified, ACTIVE partner with ``n`` ratings and ``n`` resolved jobs.

    Good figures (mostly 5 stars, about 2% cancellations) so an evaluation warns nobody: every
    evaluation does the same work and the standing does not change between iterations.
    Entries are inserted in shuffled time order, as redeliveries and late ratings leave them;
    the window sort therefore does real work instead of scanning an already-sorted list.
    """
    rnd = random.Random(seed)
    standing = Standing(partner_id="p-bench", city="x", verified=True, profile_known=True)
    jobs = [f"j-{i:06d}" for i in range(n)]
    order = list(range(n))
    rnd.shuffle(order)
    for i in order:
        at = T0 + timedelta(hours=6 * i, minutes=rnd.randrange(60))
        stars = 5 if rnd.random() < 0.9 else 4
        standing.ratings[jobs[i]] = RatingEntry(stars, at + timedelta(hours=2))
        roll = rnd.random()
        kind = CANCELLATION if roll < 0.02 else NO_SHOW if roll < 0.021 else COMPLETED
        standing.outcomes[jobs[i]] = OutcomeEntry(kind, at, strike=False)
    return standing


def core_judgement(policy: Any, n: int) -> Judgement:
    return Judgement(policy, CityFigures.default(policy), T0 + timedelta(hours=6 * n + 24))


def one_evaluation(standing: Standing, j: Judgement) -> Callable[[], None]:
    def run() -> None:
        rating_figures(standing, j.policy)
        cancellation_figures(standing, j.policy)
        evaluate(standing, j)

    return run


def calibrate(fn: Callable[[], None], batch_seconds: float) -> int:
    """timeit-style: how many calls make a batch of about ``batch_seconds``."""
    fn()  # warm
    iterations = 1
    while True:
        started = time.perf_counter()
        for _ in range(iterations):
            fn()
        elapsed = time.perf_counter() - started
        if elapsed >= batch_seconds or iterations >= 1_000_000:
            return iterations
        iterations = max(iterations * 2, int(iterations * batch_seconds / max(elapsed, 1e-9) * 1.1))


def time_batch(fn: Callable[[], None], iterations: int) -> float:
    started = time.perf_counter()
    for _ in range(iterations):
        fn()
    return (time.perf_counter() - started) / iterations


def bench_rule_core(sizes: tuple[int, ...], batch_seconds: float = 0.15, repeats: int = 7) -> dict[str, Any]:
    policy = Policy.from_mapping({"version": 1}).for_city("x")
    calls = []
    for n in sizes:
        standing = build_standing(n)
        j = core_judgement(policy, n)
        if evaluate(standing, j):  # a setup check, not a timing: every iteration must do the same work
            raise RuntimeError("the bench standing is meant to be quiet (no notices)")
        calls.append(one_evaluation(standing, j))
    iterations = [calibrate(fn, batch_seconds) for fn in calls]
    samples: list[list[float]] = [[] for _ in sizes]
    for _ in range(repeats):  # round robin over the sizes: a noisy moment hits every size alike
        for i, fn in enumerate(calls):
            samples[i].append(time_batch(fn, iterations[i]))
    results = [
        {
            "entries": n,
            "iterations": iterations[i],
            "repeats": repeats,
            "median_us": statistics.median(samples[i]) * 1e6,
            "best_us": min(samples[i]) * 1e6,
        }
        for i, n in enumerate(sizes)
    ]
    base = results[0]
    for r in results:
        r["ratio_vs_smallest"] = r["best_us"] / base["best_us"]  # best of the repeats: least noise
        r["median_ratio_vs_smallest"] = r["median_us"] / base["median_us"]
        r["entries_ratio"] = r["entries"] / base["entries"]
        r["ns_per_entry"] = r["median_us"] * 1000 / r["entries"]
    return {
        "policy_windows": {"rating": policy.rating.window, "cancellation": policy.cancellation.window},
        "sizes": results,
    }


def bench_core_memory(n: int) -> dict[str, Any]:
    policy = Policy.from_mapping({"version": 1}).for_city("x")
    j = core_judgement(policy, n)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        standing = build_standing(n)
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        one_evaluation(standing, j)()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"entries": n, "standing_bytes": held, "evaluation_peak_bytes": peak - base}


# --- 2. replay at city scale ---------------------------------------------------------------------

LINES_PER_PARTNER = 23  # what `mila-standing generate` writes per partner in a 30-day month


def generate_history(lines: int, seed: int, out: Path) -> int:
    from mila_replay.generate import generate

    partners = max(2, round(lines / LINES_PER_PARTNER))
    text = generate(partners=partners, days=30, seed=seed)
    out.write_text("\n".join(text) + "\n", encoding="utf-8")
    return partners


def bench_replay(sizes: tuple[int, ...], seed: int, workdir: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Each size in a fresh process with its own DynamoDB Local (peak memory per size)."""
    runs = []
    for target in sizes:
        path = workdir / f"history-{target}.jsonl"
        partners = generate_history(target, seed, path)
        say(f"  replay of about {target:,} lines ({partners:,} partners) ...")
        done = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("replay_probe.py")), str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"replay probe failed: {done.stderr.strip()[-2000:]}")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        run["partners_generated"] = partners
        run["ms_per_line"] = run["seconds"] * 1000 / run["lines"]
        run["lines_per_s"] = run["lines"] / run["seconds"]
        alone = run["engine_alone"]
        run["engine_alone_lines_per_s"] = run["lines"] / alone["seconds"] if alone["seconds"] else None
        run["speed_vs_engine_alone"] = alone["seconds"] / run["seconds"]
        runs.append(run)
    first, last = runs[0], runs[-1]
    from mila_replay.template import load_template

    memory_mb = int(load_template()["Globals"]["Function"].get("MemorySize", 128))
    return {
        "seed": seed,
        "runs": runs,
        "cost": cost_per_million_events(last, memory_mb),
        "growth": {
            "from_lines": first["lines"],
            "to_lines": last["lines"],
            "time_per_line_ratio": last["ms_per_line"] / first["ms_per_line"],
        },
    }


# --- 5. the night ----------------------------------------------------------------------------------

# Public list prices (US East (N. Virginia), on-demand; the figure for DynamoDB writes),
# read from the AWS pricing pages for this model in December 2026. BENCHMARKS.md uses the same.
PRICES = {
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_read_unit": 0.125 / 1e6,
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,
    "step_functions_standard_transition": 0.025 / 1000,
    "step_functions_express_request": 1.00 / 1e6,
    "step_functions_express_gb_second": 0.00001667,
    "eventbridge_event": 1.00 / 1e6,
    "sqs_request": 0.40 / 1e6,
    "dynamodb_storage_gb_month": 0.25,
}


# On AWS a DynamoDB call from Lambda in the same region takes a few milliseconds; the replay's
# calls go to DynamoDB Local on a shared laptop-class machine, so Lambda time is estimated from
# the calls made, not from the replay's wall time.
AWS_CALL_SECONDS = 0.005
INVOCATION_OVERHEAD_SECONDS = 0.010


def cost_per_million_events(run: dict[str, Any], memory_mb: int) -> dict[str, Any] | None:
    """Dollars per million source events (partners, jobs, ratings records), from the replay's
    measured units, invocations, calls and notices, at PRICES."""
    capacity = run.get("capacity")
    if not capacity or not capacity.get("source_records"):
        return None
    events = capacity["source_records"]
    per_event = {
        "write_units": capacity["write_units"] / events,
        "read_units": capacity["read_units"] / events,
        "invocations": run["invocations"] / events,
        "aws_calls": sum(run["aws_calls"].values()) / events,
        "notices": run["notices"] / events,
    }
    lambda_seconds = per_event["aws_calls"] * AWS_CALL_SECONDS + per_event["invocations"] * INVOCATION_OVERHEAD_SECONDS
    million = 1e6
    cost = {
        "dynamodb_writes": per_event["write_units"] * million * PRICES["dynamodb_write_unit"],
        "dynamodb_reads": per_event["read_units"] * million * PRICES["dynamodb_read_unit"],
        "lambda": per_event["invocations"] * million * PRICES["lambda_request"]
        + lambda_seconds * million * memory_mb / 1024 * PRICES["lambda_gb_second"],
        "eventbridge": per_event["notices"] * million * PRICES["eventbridge_event"],
    }
    return {
        "events": events,
        "per_event": per_event,
        "lambda_seconds_per_event": lambda_seconds,
        "cost_usd": cost,
        "total_usd": sum(cost.values()),
        "floor_usd": million * PRICES["dynamodb_write_unit"],
    }


def bench_night(sizes: tuple[int, ...], seed: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Each size in a fresh process with its own DynamoDB Local; then the projection."""
    runs = []
    for partners in sizes:
        say(f"  night of {partners:,} partners (seeding, the night, the same night again) ...")
        rerun = [] if partners == sizes[0] else ["--no-rerun"]  # the smallest shows it; the re-run costs a night
        done = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("night_probe.py")),
                str(partners),
                "--seed",
                str(seed),
                *rerun,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"night probe failed: {done.stderr.strip()[-2000:]}")
        runs.append(night_figures(json.loads(done.stdout.strip().splitlines()[-1])))
    base = runs[0]
    for run in runs:
        run["ms_per_partner_ratio"] = run["ms_per_partner"] / base["ms_per_partner"]
    return {"seed": seed, "runs": runs, "projection": project_night(runs[-1], PROJECTED_PARTNERS)}


def night_figures(run: dict[str, Any]) -> dict[str, Any]:
    n = run["partners"]
    steps = run["steps"]
    by_phase: dict[str, dict[str, float]] = {}
    for step in steps:
        phase = by_phase.setdefault(
            step["phase"],
            {"seconds": 0.0, "read_units": 0.0, "write_units": 0.0, "calls": 0, "steps": 0, "longest_seconds": 0.0},
        )
        for key in ("seconds", "read_units", "write_units", "calls"):
            phase[key] += step[key]
        phase["steps"] += 1
        phase["longest_seconds"] = max(phase["longest_seconds"], step["seconds"])
    summary = run["summary"]
    changed = summary.get("warnings", 0) + summary.get("suspensions", 0) + summary.get("pending_decisions", 0)
    read = sum(s["read_units"] for s in steps)
    write = sum(s["write_units"] for s in steps)
    rerun = run["rerun"] or {"seconds": None, "steps": [], "summary": None}
    return {
        "partners": n,
        "seeded_items": run["seeded"]["items"],
        "seed_seconds": run["seeded"]["seconds"],
        "seconds": run["seconds"],
        "ms_per_partner": run["seconds"] * 1000 / n,
        "segments": by_phase.get("evaluate", {}).get("steps", 0),
        "phases": by_phase,
        "notices": changed,
        "summary": summary,
        "read_units_per_partner": read / n,
        "write_units_per_partner": write / n,
        "write_units_per_notice": write / changed if changed else None,
        "segment_seconds": max(by_phase.get("figures", {}).get("longest_seconds", 0), 0)
        + by_phase.get("evaluate", {}).get("longest_seconds", 0),
        "rerun_seconds": rerun["seconds"],
        "rerun_write_units": sum(s["write_units"] for s in rerun["steps"]) if run["rerun"] else None,
        "rerun_summary": rerun["summary"],
        "python_peak_rss": run["python_peak_rss"],
    }


def project_night(run: dict[str, Any], partners: int) -> dict[str, Any]:
    """A night at ``partners``: segments of SEGMENT_PARTNERS, MaxConcurrency workers at a time.
    Two estimates of a worker's speed: as measured here (one DynamoDB Local on 2 shared cores, an
    upper bound) and from the calls it made at AWS_CALL_SECONDS each (what Lambda is billed on)."""
    from mila_replay.template import load_template
    from mila_standing.usecases.nightly import SEGMENT_PARTNERS

    template = load_template()
    states = template["Resources"]["NightlyStateMachine"]["Properties"]["Definition"]["States"]
    concurrency = int(states["Evaluate"].get("MaxConcurrency", 1))
    memory_mb = int(template["Globals"]["Function"].get("MemorySize", 128))
    segments = -(-partners // SEGMENT_PARTNERS)
    waves = -(-segments // concurrency)
    phases = {phase: values for phase, values in run["phases"].items() if phase in ("figures", "evaluate")}
    measured = {phase: v["seconds"] / run["partners"] * SEGMENT_PARTNERS for phase, v in phases.items()}
    on_aws = {
        phase: (v["calls"] / run["partners"] * AWS_CALL_SECONDS + 0.0002) * SEGMENT_PARTNERS
        for phase, v in phases.items()
    }  # + 0.2 ms of Python per partner (the rule core, bench 1)
    worker_seconds = sum(on_aws.values()) * segments
    units = {"read": run["read_units_per_partner"] * partners, "write": run["write_units_per_partner"] * partners}
    cost = {
        "dynamodb_reads": units["read"] * PRICES["dynamodb_read_unit"],
        "dynamodb_writes": units["write"] * PRICES["dynamodb_write_unit"],
        "lambda": (2 * segments + 3) * PRICES["lambda_request"]
        + worker_seconds * memory_mb / 1024 * PRICES["lambda_gb_second"],
        "step_functions": 12 * PRICES["step_functions_standard_transition"]
        + 2
        * segments
        * (
            PRICES["step_functions_express_request"]
            + 0.064 * sum(on_aws.values()) / 2 * PRICES["step_functions_express_gb_second"]
        ),
    }
    return {
        "partners": partners,
        "segment_partners": SEGMENT_PARTNERS,
        "segments": segments,
        "max_concurrency": concurrency,
        "memory_mb": memory_mb,
        "waves": waves,
        "segment_seconds_measured": measured,
        "segment_seconds_on_aws": on_aws,
        "lambda_timeout_seconds": 900,
        "wall_seconds_measured": waves * sum(measured.values()),
        "wall_seconds_on_aws": waves * sum(on_aws.values()),
        "worker_seconds_on_aws": worker_seconds,
        "units": units,
        "cost_usd": cost,
        "total_usd": sum(cost.values()),
    }


# --- 4. cold start ------------------------------------------------------------------------------

PROBE = """
import importlib.util, json, sys, time
target = sys.argv[1]
started = time.perf_counter()
if target == "boto3":
    import boto3  # noqa: F401
else:
    spec = importlib.util.spec_from_file_location("app", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
print(json.dumps({"seconds": time.perf_counter() - started, "modules": len(sys.modules)}))
"""


def probe(target: str, function_dir: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    paths = [str(LAYER)] + ([str(function_dir)] if function_dir else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["POWERTOOLS_METRICS_NAMESPACE"] = env.get("POWERTOOLS_METRICS_NAMESPACE", "Mila/PartnerStanding")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, target], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "process_seconds": wall}


def bench_cold_start(repeats: int) -> dict[str, Any]:
    apps = sorted(p for p in FUNCTIONS.glob("*/app.py"))
    missing = sorted(d.name for d in FUNCTIONS.iterdir() if d.is_dir() and not (d / "app.py").exists())
    targets: list[tuple[str, str, Path | None]] = [("import boto3", "boto3", None)]
    targets += [(p.parent.name, str(p), p.parent) for p in apps]
    # Compile every .pyc once, untimed: the timed runs then all read bytecode, as a deployed layer does.
    for _, target, fdir in targets:
        probe(target, fdir)
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in targets}
    for _ in range(repeats):  # round robin: a noisy moment spreads over every target
        for name, target, fdir in targets:
            samples[name].append(probe(target, fdir))
    rows: list[dict[str, Any]] = []
    for name, _, _ in targets:
        ok = [s for s in samples[name] if "seconds" in s]
        if not ok:
            rows.append({"name": name, "error": samples[name][0].get("error")})
            continue
        rows.append(
            {
                "name": name,
                "import_ms": statistics.median(s["seconds"] for s in ok) * 1000,
                "process_ms": statistics.median(s["process_seconds"] for s in ok) * 1000,
                "modules": ok[0]["modules"],
                "samples": len(ok),
            }
        )
    base = rows[0].get("import_ms")
    for r in rows:
        if base and "import_ms" in r:
            r["ratio_vs_boto3"] = r["import_ms"] / base
    return {"repeats": repeats, "functions_without_app_py": missing, "rows": rows}


# --- main ---------------------------------------------------------------------------------------


def _core_section(results: dict[str, Any]) -> list[str]:
    """Section 1 of the report: the rule core."""
    parts: list[str] = []
    core = results.get("rule_core")
    if core:
        rows = [
            [
                r["entries"],
                r["iterations"],
                fmt(r["median_us"]),
                fmt(r["best_us"]),
                fmt(r["ns_per_entry"], 0),
                f"{r['ratio_vs_smallest']:.1f}x",
                f"{r['entries_ratio']:.0f}x",
            ]
            for r in core["sizes"]
        ]
        parts.append(
            table(
                "1. Rule core: rating_figures + cancellation_figures + evaluate on one standing",
                ["entries", "iters", "median µs", "best µs", "ns/entry", "x vs smallest", "entries x"],
                rows,
                f"   windows: rating {core['policy_windows']['rating']}, cancellation "
                f"{core['policy_windows']['cancellation']}; entries = ratings = resolved jobs held; "
                "ns/entry from the median, x vs smallest from the best",
            )
        )
    return parts


def _replay_section(results: dict[str, Any]) -> list[str]:
    """Sections 2 and 2b: the replay, and its capacity units per source record."""
    parts: list[str] = []
    replay = results.get("replay")
    if replay:
        rows = []
        for r in replay["runs"]:
            capacity = r.get("capacity") or {}
            rows.append(
                [
                    f"{r['lines']:,}",
                    f"{r['partners']:,}",
                    fmt(r["seconds"], 1),
                    fmt(r["ms_per_line"], 2),
                    fmt(r["lines_per_s"], 0),
                    fmt(r["engine_alone_lines_per_s"] or 0, 0),
                    f"{r['speed_vs_engine_alone']:.2f}",
                    f"{r['stream_records']:,}",
                    fmt(capacity.get("write_units_per_source_record") or 0, 2),
                    mib(r["python_peak_rss"]),
                    mib(r["jvm_peak_rss"] or 0),
                ]
            )
        g = replay["growth"]
        parts.append(
            table(
                f"2. Replay on DynamoDB Local: generated month (mila-standing generate --seed {replay['seed']})",
                [
                    "lines",
                    "partners",
                    "seconds",
                    "ms/line",
                    "lines/s",
                    "engine alone/s",
                    "x engine",
                    "records",
                    "WU/source rec",
                    "python peak",
                    "JVM peak",
                ],
                rows,
                f"   growth: time per line at {g['to_lines']:,} lines / at {g['from_lines']:,} lines = "
                f"{g['time_per_line_ratio']:.2f}x (1.00x = linear); x engine = replay speed / the same source "
                "writes put straight into DynamoDB Local",
            )
        )
        largest = replay["runs"][-1]
        capacity = largest.get("capacity")
        if capacity:
            n = capacity["source_records"] or 1
            rows = [
                [f"function {name}", fmt(v["write_units"] / n, 3), fmt(v["read_units"] / n, 3)]
                for name, v in capacity["by_function"].items()
            ]
            rows += [
                [f"table {name}", fmt(v["write_units"] / n, 3), fmt(v["read_units"] / n, 3)]
                for name, v in capacity["by_table"].items()
            ]
            rows.append(["all", fmt(capacity["write_units"] / n, 3), fmt(capacity["read_units"] / n, 3)])
            parts.append(
                table(
                    f"2b. Capacity units per source record at {largest['lines']:,} lines "
                    f"({capacity['source_records']:,} source records delivered), as AWS bills them",
                    ["where", "write units", "read units"],
                    rows,
                    "   DynamoDB Local's ReturnConsumedCapacity (indexes included; transactions corrected, "
                    "tools/mila_replay/capacity.py)",
                )
            )
    return parts


def _cost_section(results: dict[str, Any]) -> list[str]:
    """Section 2c: the cost per million source events."""
    parts: list[str] = []
    cost = (results.get("replay") or {}).get("cost")
    if cost:
        pe = cost["per_event"]
        rows = [
            ["write units", fmt(pe["write_units"], 3), f"$ {cost['cost_usd']['dynamodb_writes']:,.2f}"],
            ["read units", fmt(pe["read_units"], 3), f"$ {cost['cost_usd']['dynamodb_reads']:,.2f}"],
            [
                "Lambda invocations (+ GB-s estimated)",
                fmt(pe["invocations"], 3),
                f"$ {cost['cost_usd']['lambda']:,.2f}",
            ],
            ["EventBridge notices", fmt(pe["notices"], 4), f"$ {cost['cost_usd']['eventbridge']:,.2f}"],
            ["all", "", f"$ {cost['total_usd']:,.2f}"],
            ["floor: one write unit per event", "1.000", f"$ {cost['floor_usd']:,.2f}"],
        ]
        parts.append(
            table(
                f"2c. Cost per million source events ({cost['events']:,} events measured)",
                ["what", "per event", "per million events"],
                rows,
                f"   Lambda time estimated at {AWS_CALL_SECONDS * 1000:.0f} ms per DynamoDB call + "
                f"{INVOCATION_OVERHEAD_SECONDS * 1000:.0f} ms per invocation; "
                "prices: PRICES in bench/run.py",
            )
        )
    return parts


def _memory_section(results: dict[str, Any]) -> list[str]:
    """Section 3: memory."""
    parts: list[str] = []
    memory = results.get("memory")
    if memory:
        rows = []
        core_mem = memory.get("rule_core")
        if core_mem:
            n = core_mem["entries"]
            rows.append([f"rule core, standing with {n}+{n} entries (held)", kib(core_mem["standing_bytes"])])
            rows.append(
                [f"rule core, one evaluation at {n} entries (tracemalloc peak)", kib(core_mem["evaluation_peak_bytes"])]
            )
        parts.append(table("3. Memory", ["what", "size"], rows))
    return parts


def _night_section(results: dict[str, Any]) -> list[str]:
    """Sections 5 and 5b: the night, and its projection to the largest city."""
    parts: list[str] = []
    night = results.get("night")
    if night:
        rows = []
        for r in night["runs"]:
            ph = r["phases"]
            rows.append(
                [
                    f"{r['partners']:,}",
                    r["segments"],
                    fmt(r["seconds"], 1),
                    fmt(r["ms_per_partner"], 2),
                    f"{r['ms_per_partner_ratio']:.2f}x",
                    fmt(ph.get("figures", {}).get("seconds", 0), 1),
                    fmt(ph.get("evaluate", {}).get("seconds", 0), 1),
                    fmt(r["segment_seconds"], 1),
                    fmt(r["read_units_per_partner"], 2),
                    fmt(r["write_units_per_partner"], 3),
                    r["notices"],
                    fmt(r["write_units_per_notice"] or 0, 2),
                    "-" if r["rerun_write_units"] is None else fmt(r["rerun_write_units"], 0),
                ]
            )
        parts.append(
            table(
                f"5. The night (NightlyStateMachine's steps, real nightly_check handler, DynamoDB Local; "
                f"seed {night['seed']})",
                [
                    "partners",
                    "segments",
                    "night s",
                    "ms/partner",
                    "x smallest",
                    "figures s",
                    "evaluate s",
                    "segment s",
                    "RU/partner",
                    "WU/partner",
                    "notices",
                    "WU/notice",
                    "re-run WU",
                ],
                rows,
                "   segment s = the longest figures step + the longest evaluate step (one worker's share); "
                "re-run = the same night again (a retried execution): sends nothing, writes only the segments' marks",
            )
        )
        p = night["projection"]
        rows = [
            ["segments of partners", f"{p['segments']:,} x {p['segment_partners']:,}"],
            ["workers at a time (MaxConcurrency)", p["max_concurrency"]],
            [
                "one segment, figures + evaluate, as measured here",
                " + ".join(fmt(v, 0) + " s" for v in p["segment_seconds_measured"].values())
                + f" (Lambda timeout {p['lambda_timeout_seconds']} s)",
            ],
            [
                "one segment, figures + evaluate, on AWS (calls x 5 ms)",
                " + ".join(fmt(v, 0) + " s" for v in p["segment_seconds_on_aws"].values()),
            ],
            [
                "wall time of the night, measured / on AWS",
                f"{fmt(p['wall_seconds_measured'] / 60, 1)} / {fmt(p['wall_seconds_on_aws'] / 60, 1)} min "
                f"in {p['waves']} wave(s)",
            ],
            ["read / write units", f"{p['units']['read']:,.0f} / {p['units']['write']:,.0f}"],
        ]
        rows += [[f"cost: {k}", f"$ {v:,.2f}"] for k, v in p["cost_usd"].items()]
        rows.append(["cost of the night", f"$ {p['total_usd']:,.2f}"])
        parts.append(
            table(
                f"5b. Projected: a night at {p['partners']:,} partners, at the largest run's per-partner figures",
                ["what", "value"],
                rows,
                "   prices: bench/run.py PRICES (BENCHMARKS.md); Lambda billed on the AWS estimate",
            )
        )
    return parts


def _cold_section(results: dict[str, Any]) -> list[str]:
    """Section 4: cold starts."""
    parts: list[str] = []
    cold = results.get("cold_start")
    if cold:
        rows = []
        for r in cold["rows"]:
            if "error" in r:
                rows.append([r["name"], "error", "-", "-", "-"])
            else:
                rows.append(
                    [
                        r["name"],
                        fmt(r["import_ms"]),
                        f"{r.get('ratio_vs_boto3', 0):.2f}x",
                        fmt(r["process_ms"]),
                        r["modules"],
                    ]
                )
        note = f"   median of {cold['repeats']} fresh interpreters each"
        if cold["functions_without_app_py"]:
            note += f"; no app.py (skipped): {', '.join(cold['functions_without_app_py'])}"
        parts.append(
            table(
                "4. Cold start: import in a fresh interpreter",
                ["import", "import ms", "x vs boto3", "process ms", "modules"],
                rows,
                note,
            )
        )
    return parts


def render(results: dict[str, Any]) -> str:
    parts: list[str] = []
    for section in (_core_section, _replay_section, _cost_section, _memory_section, _night_section, _cold_section):
        parts += section(results)
    parts.append(
        f"total {results['total_seconds']:.1f} s on {results['machine']['cpus']} CPU(s), "
        f"Python {results['machine']['python']}; results in {results['out']}"
    )
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--core-sizes", type=int, nargs="+", default=list(CORE_SIZES))
    ap.add_argument(
        "--replay-lines",
        type=int,
        nargs="+",
        default=list(REPLAY_LINES),
        help="history sizes in scenario lines (default: %(default)s)",
    )
    ap.add_argument(
        "--night-partners",
        type=int,
        nargs="+",
        default=list(NIGHT_PARTNERS),
        help="partners of the night's runs (default: %(default)s)",
    )
    ap.add_argument("--seed", type=int, default=2026, help="generator seed (default: %(default)s)")
    ap.add_argument("--cold-repeats", type=int, default=COLD_REPEATS)
    ap.add_argument(
        "--skip",
        choices=["core", "replay", "night", "cold"],
        action="append",
        default=[],
        help="leave a part out (repeatable)",
    )
    ap.add_argument("--out", type=Path, default=RESULTS, help="results JSON (default: %(default)s)")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": format_time(datetime.now(UTC), timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()),
        },
        "memory": {},
    }

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    if "core" not in args.skip:
        say("rule core ...")
        results["rule_core"] = bench_rule_core(tuple(args.core_sizes))
        say("rule core memory ...")
        results["memory"]["rule_core"] = bench_core_memory(MEMORY_SIZE)
    if "replay" not in args.skip:
        say(f"replay {args.replay_lines} lines (the longest part) ...")
        with tempfile.TemporaryDirectory(prefix="mila-bench-") as workdir:
            results["replay"] = bench_replay(tuple(args.replay_lines), args.seed, Path(workdir), say)
    if "night" not in args.skip:
        say(f"night of {args.night_partners} partners ...")
        results["night"] = bench_night(tuple(args.night_partners), args.seed, say)
    if "cold" not in args.skip:
        say("cold starts ...")
        results["cold_start"] = bench_cold_start(args.cold_repeats)
    results["total_seconds"] = time.perf_counter() - started
    results["out"] = str(args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out)
    results["machine"]["load_average_after"] = list(os.getloadavg())

    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
