"""The replay: scenario lines applied to the embedded AWS, streams delivered, the outcome built."""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from mila_standing import clock
from mila_standing import runtime as standing_runtime
from mila_standing.policy import Policy, PolicyError

from .aws import EmbeddedAws
from .delivery import Chaos, Functions, MappingRunner, StreamReader, deliver_in_stream_order
from .outcome import build_outcome
from .scenario import Line, Scenario, ScenarioError, load_scenario
from .template import TEMPLATE, Template

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POLICY = ROOT / "infra" / "policy.yaml"
# Deliver partners first: the other functions judge a partner by the home city it records.
DELIVERY_ORDER = ("PartnersTable", "JobsTable", "RatingsTable", "StandingTable")
_serializer = TypeSerializer()


@dataclass
class Replay:
    scenario_path: Path
    policy_path: Path = DEFAULT_POLICY
    log: io.TextIOBase = field(default_factory=io.StringIO)
    chaos_seed: int | None = None
    progress: Callable[[int, int], None] | None = None
    template_path: Path = TEMPLATE

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        template = Template(self.template_path)
        function_names = {spec.name for spec in template.functions({})}
        scenario = load_scenario(self.scenario_path, function_names)
        try:  # an invalid file is a PolicyError naming the file and field
            policy = Policy.load(self.policy_path, overlay=scenario.policy)
        except PolicyError as error:
            if str(error).startswith("policy file"):
                raise
            raise ScenarioError(scenario.policy_line, f"policy.{error}") from None
        saved_env = dict(os.environ)
        with tempfile.TemporaryDirectory(prefix="mila-replay-") as workdir:
            policy_file = Path(workdir) / "policy.yaml"
            policy_file.write_text(yaml.safe_dump(policy.raw), encoding="utf-8")
            aws = EmbeddedAws(template).start()
            try:
                return self._run(template, aws, scenario, policy, policy_file, started)
            finally:
                aws.stop()
                clock.set_now(None)
                standing_runtime.reset()
                os.environ.clear()
                os.environ.update(saved_env)

    def _run(self, template: Template, aws: EmbeddedAws, scenario: Scenario, policy: Policy,
             policy_file: Path, started: float) -> dict[str, Any]:
        specs = {spec.name: spec for spec in template.functions(aws.refs)}
        for spec in specs.values():
            os.environ.update(spec.environment)  # same values in every function of this stack
        os.environ["POLICY_FILE"] = str(policy_file)
        standing_runtime.reset()  # a cold start for this run's environment

        def counting() -> None:
            aws.counting = True

        functions = Functions(specs, self.log, on_invoke=counting)
        chaos = Chaos(random.Random(self.chaos_seed)) if self.chaos_seed is not None else None
        mappings = template.mappings(aws.streams, aws.queue_arns)
        runners = [MappingRunner(m, functions, aws, chaos) for m in mappings]
        readers = {logical: StreamReader(aws, arn) for arn, logical in aws.streams.items()}
        order = sorted(readers, key=lambda t: DELIVERY_ORDER.index(t) if t in DELIVERY_ORDER else 99)
        invocations: list[dict[str, Any]] = []
        stream_records = 0

        def deliver(now: datetime) -> None:
            nonlocal stream_records
            clock.set_now(now)
            while True:
                worked = False
                for logical in order:
                    records = readers[logical].read(now)
                    stream_records += len(records)
                    for runner in runners:
                        if runner.mapping.source == logical:
                            runner.offer(records)
                    on_stream = [runner for runner in runners if runner.mapping.source == logical]
                    worked = deliver_in_stream_order(on_stream) or worked
                if not worked:
                    return

        lines = scenario.lines
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.kind == "invoke":
                deliver(line.at)
                clock.set_now(line.at)
                try:
                    response = functions.invoke(line.function or "", line.event)
                except Exception as error:  # an unhandled error is the invocation's answer, as on AWS
                    response = {"errorMessage": str(error), "errorType": type(error).__name__}
                invocations.append({"function": line.function, "at": _iso(line.at),
                                    "response": response})
                deliver(line.at)
                index += 1
            else:
                burst = [line]
                while (index + len(burst) < len(lines) and lines[index + len(burst)].at == line.at
                       and lines[index + len(burst)].kind != "invoke"):
                    burst.append(lines[index + len(burst)])
                aws.counting = False
                for write in burst:
                    try:
                        self._write(aws, write)
                    except (ClientError, ArithmeticError, AttributeError, TypeError, ValueError) as error:
                        # DynamoDB (here: moto) refused the item: a bad line, named by its number.
                        raise ScenarioError(write.number, f"{write.kind}: DynamoDB refused the item "
                                                          f"({_reason(error)})") from None
                deliver(line.at)
                index += len(burst)
            if self.progress:
                self.progress(index, len(lines))
        aws.counting = False
        final = lines[-1].at if lines else clock.now()
        return build_outcome(aws, policy, final, invocations, stats={
            "stream_records": stream_records,
            "invocations": functions.invocations,
            "seconds": round(time.perf_counter() - started, 3),
            "aws_calls": dict(sorted(aws.aws_calls.items())),
        })

    @staticmethod
    def _write(aws: EmbeddedAws, line: Line) -> None:
        table = line.table
        attrs = {k: _serializer.serialize(v) for k, v in (line.item or {}).items()}
        if line.kind == "put":
            aws.dynamodb.put_item(TableName=table, Item=attrs)
            if table == "partners":
                aws.sign_up((line.item or {}).get("user_pool_username"))
        else:
            aws.dynamodb.delete_item(TableName=table, Key=attrs)


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Message", str(error))
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _iso(moment: datetime) -> str:
    from mila_standing.models import format_time

    return format_time(moment)


def run_replay(scenario: str | Path, policy: str | Path | None = None, chaos: int | None = None,
               log: io.TextIOBase | None = None) -> dict[str, Any]:
    """Convenience for tests and the CLI."""
    replay = Replay(Path(scenario), Path(policy) if policy else DEFAULT_POLICY, log or io.StringIO(), chaos)
    return replay.run()
