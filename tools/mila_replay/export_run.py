"""``mila-standing export SCENARIO --out DIR``: a scenario's source tables, as they stand after its
last line, written as DynamoDB's Export to S3 would write them (the shipped example export, tests,
and trying ``mila-standing import`` out). The format is mila_admin/export.py's; the function names
a scenario may invoke come from template.yaml, which is why this command is the emulator's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mila_admin.export import snapshot, write_export
from mila_admin.scenario import ScenarioError, ScenarioFileError, load_scenario

from .template import Template


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder to receive partners/, jobs/ and ratings/ exports as AWS writes them",
    )


def run(args: argparse.Namespace) -> int:
    """A scenario's tables as they stand after its last line, exported as DynamoDB would."""
    try:
        scenario = load_scenario(args.scenario, {spec.name for spec in Template().functions({})})
    except (ScenarioError, ScenarioFileError) as error:
        print(f"mila-standing export: {args.scenario}: {error}", file=sys.stderr)
        return 2
    if args.out.exists() and any(args.out.iterdir()):
        print(f"mila-standing export: {args.out}: not empty (an export goes into a folder of its own)", file=sys.stderr)
        return 2
    lines = [
        {
            line.kind: (
                {"table": line.table, "item": line.item}
                if line.kind == "put"
                else {"table": line.table, "key": line.item}
            )
        }
        for line in scenario.lines
        if line.kind in ("put", "delete")
    ]
    exported_at = scenario.lines[-1].at if scenario.lines else None
    if exported_at is None:
        print(f"mila-standing export: {args.scenario}: no lines", file=sys.stderr)
        return 2
    tables = snapshot(lines)
    for table, items in tables.items():
        write_export(args.out / table, table, items, exported_at)
    print(
        f"export: {', '.join(f'{len(items):,} {table}' for table, items in tables.items())} -> {args.out}",
        file=sys.stderr,
    )
    return 0
