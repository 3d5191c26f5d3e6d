"""Scenario lines (CONTRACT §4) as the demo writes them: the time format, the file, and the
checks a generated file must pass before anyone replays it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mila_admin.scenario import KEYS

from .story import END, START

Line = dict[str, Any]


def iso(dt: datetime) -> str:
    """Whole seconds, UTC, with a Z (the scenario's own times never carry fractions)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def dump(lines: list[Line]) -> str:
    """The file's text: one compact JSON object a line."""
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)


def read(path: Path) -> tuple[dict[str, Any] | None, list[Line]]:
    """The policy line (None if the file has none) and the other lines."""
    with path.open(encoding="utf-8") as fh:
        written = [json.loads(x) for x in fh]
    if written and set(written[0]) == {"policy"}:
        return written[0]["policy"], written[1:]
    return None, written


def summary(lines: list[Line], policy: dict[str, Any] | None) -> str:
    """How many lines of each kind (``policy``: the file's policy line), and how many share their
    time with the line before."""
    counts: Counter[str] = Counter()
    for line in lines:
        op = next(k for k in ("put", "delete", "invoke") if k in line)
        counts[f"{op}:{line[op].get('table', line[op].get('function'))}"] += 1
    bursts = sum(1 for a, b in zip(lines, lines[1:], strict=False) if a["at"] == b["at"])
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    if policy is not None:
        by_kind = f"policy 1, {by_kind}"
    return f"{by_kind}; {bursts} lines share their time with the previous line"


def check_lines(lines: list[Line]) -> list[str]:
    """Time order within the month, one write per key per burst, each key's writes strictly
    later than its previous one, and the items' types."""
    problems: list[str] = []
    prev = ""
    seen_in_burst: set[tuple[str, str]] = set()
    last_put_at: dict[tuple[str, str], str] = {}
    for n, line in enumerate(lines, 1):
        at = line["at"]
        if at < prev:
            problems.append(f"line {n}: time goes back ({at} < {prev})")
        if at != prev:
            seen_in_burst = set()
        prev = at
        if not (START <= parse(at) < END):
            problems.append(f"line {n}: {at} outside the month")
        op = next((k for k in ("put", "delete") if k in line), None)
        if op is None:
            continue
        table = line[op]["table"]
        body = line[op]["item"] if op == "put" else line[op]["key"]
        key = (table, body[KEYS[table]])
        if key in seen_in_burst:
            problems.append(f"line {n}: {key} written twice in one burst")
        seen_in_burst.add(key)
        if key in last_put_at and last_put_at[key] >= at:
            problems.append(f"line {n}: {key} not strictly later than its previous write")
        last_put_at[key] = at
        if op == "put":
            problems += [f"line {n}: {p}" for p in item_problems(table, body)]
    return problems


def item_problems(table: str, item: dict[str, Any]) -> list[str]:
    if table == "ratings":
        s = item["stars"]
        return [] if type(s) is int and 1 <= s <= 5 else [f"bad stars {s!r}"]
    if table != "jobs":
        return []
    problems = [
        f"job without {f}" for f in ("job_id", "customer_id", "city", "status", "scheduled_at") if f not in item
    ]
    price = item.get("price_cents")
    if "price_cents" in item and (type(price) is not int or not 4900 <= price <= 18900):
        problems.append(f"bad price {price!r}")
    return problems
