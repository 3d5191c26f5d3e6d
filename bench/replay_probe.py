#!/usr/bin/env python3
"""One replay measured in a fresh process (bench/run.py runs one per size), on its own DynamoDB
Local: first the engine alone (the scenario's source writes put straight into DynamoDB Local,
no functions, no streams read), then the replay as the CLI runs it (outcome streamed to nowhere).

Prints one JSON object: seconds of each, the replay's statistics, the peak RSS of this Python
process and the JVM's high-water mark (VmHWM), both read at the end of the replay.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "layers" / "mila_standing", ROOT / "tools"):
    sys.path.insert(0, str(_path))

from mila_admin.scenario import load_scenario  # noqa: E402
from mila_replay.aws import EmbeddedAws  # noqa: E402
from mila_replay.backends import DynamoDBLocal  # noqa: E402
from mila_replay.engine import Replay  # noqa: E402
from mila_replay.outcome import write_outcome  # noqa: E402
from mila_replay.template import Template  # noqa: E402
from mila_standing.adapters.dynamodb.codec import attribute_value  # noqa: E402


class NullLog(io.TextIOBase):
    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def jvm_high_water(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def engine_alone(scenario: Path, engine: DynamoDBLocal) -> dict[str, Any]:
    """The same source writes, straight into DynamoDB Local: what the engine costs by itself."""
    template = Template()
    lines = load_scenario(scenario, {s.name for s in template.functions({})}).lines
    saved = dict(os.environ)
    aws = EmbeddedAws(template, engine).start()
    try:
        writes = 0
        started = time.perf_counter()
        for line in lines:
            if line.kind == "put":
                aws.dynamodb.put_item(TableName=line.table, Item={k: attribute_value(v) for k, v in line.item.items()})
            elif line.kind == "delete":
                aws.dynamodb.delete_item(
                    TableName=line.table, Key={k: attribute_value(v) for k, v in line.item.items()}
                )
            else:
                continue
            writes += 1
        seconds = time.perf_counter() - started
    finally:
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)
    return {"writes": writes, "seconds": seconds}


def main() -> int:
    scenario = Path(sys.argv[1])
    lines = sum(1 for raw in scenario.read_text(encoding="utf-8").splitlines() if raw.strip())
    engine = DynamoDBLocal().start()
    try:
        alone = engine_alone(scenario, engine)
        high_water: dict[str, Any] = {}

        def sink(outcome: dict[str, Any]) -> None:
            with open(os.devnull, "w", encoding="utf-8") as out:
                write_outcome(outcome, out)
            high_water["jvm"] = jvm_high_water(engine.pid)

        started = time.perf_counter()
        outcome = Replay(scenario, log=NullLog(), engine=engine, sink=sink).run()
        seconds = time.perf_counter() - started
    finally:
        engine.stop()
    stats = outcome["stats"]
    print(
        json.dumps(
            {
                "lines": lines,
                "seconds": seconds,
                "engine_alone": alone,
                "stream_records": stats["stream_records"],
                "invocations": stats["invocations"],
                "aws_calls": stats["aws_calls"],
                "capacity": stats["capacity"],
                "partners": len(outcome["partners"]),
                "notices": len(outcome["notices"]),
                "python_peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "jvm_peak_rss": high_water.get("jvm"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
