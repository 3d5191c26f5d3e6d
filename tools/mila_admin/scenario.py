"""Scenario files (CONTRACT §4): JSON Lines in time order; a bad line names its line number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mila_standing.domain.numbers import plain_as_written
from mila_standing.domain.times import parse_time

SOURCE_TABLES = ("partners", "jobs", "ratings")
KEYS = {"partners": "partner_id", "jobs": "job_id", "ratings": "job_id"}


class ScenarioError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


class ScenarioFileError(ValueError):
    """The scenario file itself cannot be read."""


@dataclass(frozen=True)
class Line:
    number: int
    at: datetime
    kind: str  # put | delete | invoke
    table: str | None = None
    item: dict[str, Any] | None = None
    function: str | None = None
    event: Any = None


@dataclass
class Scenario:
    policy: dict[str, Any] | None
    lines: list[Line]
    policy_line: int = 0


def load_scenario(path: str | Path, functions: set[str]) -> Scenario:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioFileError(f"cannot read the scenario {path}: {error.strerror}") from None
    policy: dict[str, Any] | None = None
    policy_line = 0
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            # Numbers as Decimal: DynamoDB takes no binary floats, and 4.0 stays 4.0 (R14.13).
            data = json.loads(raw, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise ScenarioError(number, f"not valid JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise ScenarioError(number, "must be a JSON object")
        if "policy" in data and not lines and policy is None:
            if set(data) != {"policy"} or not isinstance(data["policy"], dict):
                raise ScenarioError(number, 'a policy line is {"policy": {...}} and nothing else')
            policy, policy_line = plain_as_written(data["policy"]), number
            continue
        line = _parse_line(number, data, functions)
        if lines and line.at < lines[-1].at:
            raise ScenarioError(number, f"'at' {raw_at(data)} is earlier than the line before")
        lines.append(line)
    return Scenario(policy, lines, policy_line)


def raw_at(data: dict[str, Any]) -> str:
    return str(data.get("at"))


def _parse_line(number: int, data: dict[str, Any], functions: set[str]) -> Line:
    if "policy" in data:
        raise ScenarioError(number, "a policy line may only be the first line")
    try:
        at = parse_time(data.get("at"))
    except ValueError as error:
        raise ScenarioError(number, f"at: {error}") from None
    actions = [k for k in ("put", "delete", "invoke") if k in data]
    unknown = set(data) - {"at", "put", "delete", "invoke"}
    if len(actions) != 1 or unknown:
        raise ScenarioError(
            number,
            "needs 'at' and exactly one of 'put', 'delete', 'invoke'"
            + (f" (unknown field {sorted(unknown)[0]!r})" if unknown else ""),
        )
    kind = actions[0]
    body = data[kind]
    if not isinstance(body, dict):
        raise ScenarioError(number, f"{kind}: must be an object")
    if kind == "invoke":
        return _invoke(number, at, body, functions)
    return _write(number, at, kind, body)


def _invoke(number: int, at: datetime, body: dict[str, Any], functions: set[str]) -> Line:
    function = body.get("function")
    if function not in functions:
        raise ScenarioError(
            number, f"invoke.function: unknown function {function!r} (one of {', '.join(sorted(functions))})"
        )
    # Any JSON value: the function answers what a console user would see (ops: an error object).
    event = body.get("event", {})
    return Line(number, at, "invoke", function=function, event=plain_as_written(event))


def _write(number: int, at: datetime, kind: str, body: dict[str, Any]) -> Line:
    """A put or a delete: a source table and an item (or key) with the table's key."""
    table = body.get("table")
    if table not in SOURCE_TABLES:
        raise ScenarioError(number, f"{kind}.table: must be one of {', '.join(SOURCE_TABLES)}, got {table!r}")
    field = "item" if kind == "put" else "key"
    item = body.get(field)
    if not isinstance(item, dict):
        raise ScenarioError(number, f"{kind}.{field}: must be an object")
    key = KEYS[table]
    if not isinstance(item.get(key), str) or not item[key]:
        raise ScenarioError(number, f"{kind}.{field}.{key}: required, a non-empty string")
    if kind == "delete":
        item = {key: item[key]}
    return Line(number, at, kind, table=table, item=item)
