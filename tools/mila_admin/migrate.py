"""``mila-standing migrate``: the one-off rewrite of a deployed standing table into schema 2.

    mila-standing migrate --table NAME [--endpoint-url URL] [--segments N] [--checkpoint FILE]

Walks the table with a parallel Scan (segment by segment), and rewrites every standing item of
the old shape (legacy.py) through the store's own ``migrate``: the entries, decisions and flags
first (idempotent puts), then the aggregate, conditional on the old item being unchanged.
Idempotent (an item already in schema 2 is skipped) and resumable: after every page the scan's
position per segment goes to the checkpoint file, and a new run starts from there. The functions
of the new version migrate an old item themselves when they meet it first, so the walk may run
while they do; see docs/migration.md for the two-step deploy around it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from mila_standing.adapters.dynamodb.codec import from_attrs
from mila_standing.adapters.dynamodb.store import DynamoStandingStore
from mila_standing.adapters.table.legacy import is_legacy


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", required=True, help="the standing table's name")
    parser.add_argument("--endpoint-url", default=None, help="a DynamoDB endpoint (DynamoDB Local)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--segments", type=int, default=4, help="parallel Scan segments (default 4)")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=Path("migrate-checkpoint.json"),
        help="where the scan's position is kept (default ./migrate-checkpoint.json)",
    )


def migrate_table(
    client: Any, table: str, segments: int, checkpoint: Path, page_size: int = 100, after_page: Any = None
) -> dict[str, int]:
    """Migrate every legacy standing item; returns counts. ``after_page`` is called after each page
    (tests use it to stop a run half way)."""
    store = DynamoStandingStore(table, client)
    state: dict[str, Any] = json.loads(checkpoint.read_text()) if checkpoint.exists() else {}
    if state.get("segments") not in (None, segments):
        raise SystemExit(
            f"mila-standing migrate: {checkpoint} was written with --segments "
            f"{state['segments']}; resume with the same number"
        )
    state["segments"] = segments
    positions: dict[str, Any] = state.setdefault("positions", {})
    counts = {"scanned": 0, "migrated": 0, "already": 0, "changed_meanwhile": 0}
    for segment in range(segments):
        position = positions.get(str(segment), "start")
        while position != "done":
            kwargs: dict[str, Any] = {
                "TableName": table,
                "Segment": segment,
                "TotalSegments": segments,
                "Limit": page_size,
                "ConsistentRead": True,
            }
            if position != "start":
                kwargs["ExclusiveStartKey"] = position
            page = client.scan(**kwargs)
            for raw in page.get("Items", []):
                item = from_attrs(raw)
                if item.get("sk") != "STANDING":
                    continue
                counts["scanned"] += 1
                if not is_legacy(item):
                    counts["already"] += 1
                elif store.migrate(item):
                    counts["migrated"] += 1
                else:
                    counts["changed_meanwhile"] += 1  # a function migrated or changed it first
            position = page.get("LastEvaluatedKey") or "done"
            positions[str(segment)] = position
            checkpoint.write_text(json.dumps(state))
            if after_page:
                after_page()
    return counts


def run(args: argparse.Namespace) -> int:
    client = boto3.client(
        "dynamodb",
        endpoint_url=args.endpoint_url,
        region_name=args.region,
        config=Config(retries={"mode": "adaptive", "max_attempts": 10}),
    )
    started = time.perf_counter()
    counts = migrate_table(client, args.table, args.segments, args.checkpoint)
    print(
        json.dumps({**counts, "seconds": round(time.perf_counter() - started, 1), "checkpoint": str(args.checkpoint)}),
        file=sys.stderr,
    )
    return 0
