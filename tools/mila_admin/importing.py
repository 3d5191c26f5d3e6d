"""``mila-standing import EXPORT… [--out FILE]``: a replay scenario from the platform's exports.
(The other way, a scenario's tables as an export to try this on, is the emulator's
``mila-standing export``: mila_replay/export_run.py.)

The scenario goes to ``--out`` (or stdout); what could not be reconstructed goes to stderr as
counts and, with ``--out``, to ``FILE.import.json`` next to it. Bad items are counted and listed,
never fatal; a place that is no export, or an export missing a table, is one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .export import ExportError, find_exports, read_items
from .history import Reconstruction, SourceItem, rebuild
from .scenario import SOURCE_TABLES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "exports",
        nargs="+",
        metavar="EXPORT",
        help="a DynamoDB export folder (or s3://bucket/prefix) holding the partners, jobs and "
        "ratings exports, or one such place per table",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the scenario here (default stdout)")


def import_history(locations: list[str]) -> Reconstruction:
    exports = find_exports(locations)  # every table found before any item is read: a missing one is fatal

    def items() -> Iterator[SourceItem]:
        for table in SOURCE_TABLES:
            yield from read_items(exports[table])

    return rebuild(list(items()))


def write_scenario(history: Reconstruction, out: IO[str]) -> None:
    for line in history.lines:
        out.write(json.dumps(line, separators=(",", ":"), default=_number) + "\n")


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # the text of a short decimal survives the float (4.5 stays 4.5)
    raise TypeError(f"cannot write {type(value).__name__}")


def describe(history: Reconstruction) -> str:
    """What the import did and could not do, for the person at the terminal."""
    summary = history.summary()
    items = ", ".join(f"{n:,} {table}" for table, n in summary["items"].items())
    text = [f"import: {items} → {summary['events']:,} events ({summary['nightly_checks']} nightly checks)"]
    for what, count in summary["not_reconstructed"].items():
        text.append(f"  not reconstructed: {count:,} {what}")
    for what in summary["not_in_a_snapshot"]:
        text.append(f"  not in a snapshot: {what}")
    bad = summary["bad_items"]
    text.append(f"  bad items: {bad['count']:,}")
    text += [f"    {b['where']}: {b['table']}: {b['reason']}" for b in bad["items"][:20]]
    if bad["count"] > 20:
        text.append(f"    … {bad['count'] - 20:,} more (all in the .import.json)")
    return "\n".join(text)


def run(args: argparse.Namespace) -> int:
    try:
        history = import_history(args.exports)
    except ExportError as error:
        print(f"mila-standing import: {error}", file=sys.stderr)
        return 2
    if args.out is None:
        write_scenario(history, sys.stdout)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        partial = args.out.with_name(args.out.name + ".partial")
        with open(partial, "w", encoding="utf-8") as out:
            write_scenario(history, out)
        sidecar = args.out.with_name(args.out.name + ".import.json")
        sidecar.write_text(json.dumps(history.summary(), indent=2) + "\n", encoding="utf-8")
        partial.replace(args.out)
    print(describe(history), file=sys.stderr)
    return 0
