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
from botocore.exceptions import ClientError
from mila_admin.scenario import SOURCE_TABLES, Line, Scenario, ScenarioError, load_scenario
from mila_standing.adapters.dynamodb.codec import attribute_value
from mila_standing.domain.policy import Policy, PolicyError
from mila_standing.domain.times import format_time
from mila_standing.platform import clock
from mila_standing.platform import runtime as standing_runtime

from .aws import EmbeddedAws
from .backends import DEFAULT_ENGINE, DynamoDBEngine, make_engine
from .chaos import Chaos
from .failure_record import OnFailureQueues
from .lambda_runtime import Functions
from .mappings import MappingRunner, deliver_in_stream_order
from .night import NightStateMachine
from .outcome import build_outcome
from .streams import StreamReader
from .template import TEMPLATE, Mapping, Template

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POLICY = ROOT / "infra" / "policy.yaml"
# Deliver partners first: the other functions judge a partner by the home city it records.
DELIVERY_ORDER = ("PartnersTable", "JobsTable", "RatingsTable", "StandingTable")

Progress = Callable[[int, int, int], None]
"""Called after each line: (lines done, lines in all, stream records delivered so far)."""


@dataclass
class Replay:
    scenario_path: Path
    policy_path: Path = DEFAULT_POLICY
    log: io.TextIOBase = field(default_factory=io.StringIO)
    chaos_seed: int | None = None
    progress: Progress | None = None
    template_path: Path = TEMPLATE
    # "dynamodb-local" (default), "moto", or an engine already running (tests share one per session).
    engine: str | DynamoDBEngine = DEFAULT_ENGINE
    # Receives the outcome while the engine still runs, its tables streamed from it (the CLI writes
    # a city-sized outcome this way); run() then returns the outcome without its tables.
    sink: Callable[[dict[str, Any]], None] | None = None
    # Called after the last line, before the outcome is built, with what an operator would have at
    # hand on AWS: the resources, the functions and the mappings (the redrive tests use it).
    before_outcome: Callable[[EmbeddedAws, Functions, list[Mapping]], None] | None = None

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
        owned = isinstance(self.engine, str)
        engine = make_engine(self.engine) if isinstance(self.engine, str) else self.engine
        saved_env = dict(os.environ)
        try:
            with tempfile.TemporaryDirectory(prefix="mila-replay-") as workdir:
                policy_file = Path(workdir) / "policy.yaml"
                policy_file.write_text(yaml.safe_dump(policy.raw), encoding="utf-8")
                aws = EmbeddedAws(template, engine)
                try:
                    aws.start()
                    return self._run(template, aws, scenario, policy, policy_file, started)
                finally:
                    aws.stop()
        finally:
            if owned:
                engine.stop()  # also on a bad line, an error or Ctrl-C: no JVM is left behind
            clock.set_now(None)
            standing_runtime.reset()
            os.environ.clear()
            os.environ.update(saved_env)

    def _run(
        self,
        template: Template,
        aws: EmbeddedAws,
        scenario: Scenario,
        policy: Policy,
        policy_file: Path,
        started: float,
    ) -> dict[str, Any]:
        functions = _functions(template, aws, policy_file, self.log)
        chaos = Chaos(random.Random(self.chaos_seed)) if self.chaos_seed is not None else None
        night = NightStateMachine.from_template(template, functions, chaos, aws.crash)
        mappings = template.mappings(aws.streams, aws.queue_arns)
        deliver = StreamDelivery.of(
            aws, [MappingRunner(m, functions, OnFailureQueues.of(aws), chaos) for m in mappings]
        )
        invocations = self._apply(scenario.lines, aws, functions, night, deliver)
        final = scenario.lines[-1].at if scenario.lines else clock.now()
        if self.before_outcome is not None:
            self.before_outcome(aws, functions, mappings)
            deliver(final)
        outcome = build_outcome(
            aws,
            policy,
            final,
            invocations,
            lazy_tables=self.sink is not None,
            stats={
                "engine": aws.engine.name,
                "stream_records": deliver.records,
                "invocations": functions.invocations,
                "seconds": round(time.perf_counter() - started, 3),
                "aws_calls": dict(sorted(aws.aws_calls.items())),
                # moto's own figures ignore indexes: only AWS's engine's count (None on moto).
                "capacity": aws.capacity.summary(deliver.source_records) if aws.engine.endpoint_url else None,
            },
        )
        if self.sink is not None:
            self.sink(outcome)
            outcome.pop("tables")
        return outcome

    def _apply(
        self,
        lines: list[Line],
        aws: EmbeddedAws,
        functions: Functions,
        night: NightStateMachine | None,
        deliver: StreamDelivery,
    ) -> list[dict[str, Any]]:
        """Every line in order, the streams delivered after each (a burst: after its last write);
        returns the invocations' answers."""
        invocations: list[dict[str, Any]] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if line.kind == "invoke":
                invocations.append(_invoke(line, functions, night, deliver))
                index += 1
            else:
                burst = _burst(lines, index)
                aws.counting = False
                for write in burst:
                    self._write(aws, write)
                deliver(line.at)
                index += len(burst)
            if self.progress:
                self.progress(index, len(lines), deliver.records)
        aws.counting = False
        return invocations

    @staticmethod
    def _write(aws: EmbeddedAws, line: Line) -> None:
        table = line.table or ""
        try:
            attrs = {k: attribute_value(v) for k, v in (line.item or {}).items()}
            if line.kind == "put":
                aws.dynamodb.put_item(TableName=table, Item=attrs)
                if table == "partners":
                    aws.sign_up((line.item or {}).get("user_pool_username"))
            else:
                aws.dynamodb.delete_item(TableName=table, Key=attrs)
        except (ClientError, ArithmeticError, AttributeError, TypeError, ValueError) as error:
            # DynamoDB refused the item: a bad line, named by its number, with DynamoDB's own words.
            raise ScenarioError(line.number, f"{line.kind}: DynamoDB refused the item ({_reason(error)})") from None
        aws.mark_dirty(table)


def _key_filters(table: str, mappings: list[Mapping]) -> dict[str, list[dict[str, Any]]]:
    """The Keys part of every filter on a table's stream, when every filter constrains keys: a write
    whose key matches none of them can never reach a function, so its stream need not be read yet."""
    patterns: list[dict[str, Any]] = []
    for mapping in mappings:
        if not mapping.filters:
            return {}
        for pattern in mapping.filters:
            keys = (pattern.get("dynamodb") or {}).get("Keys")
            if keys is None:
                return {}
            patterns.append(keys)
    return {table: patterns} if patterns else {}


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Message", str(error))
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _functions(template: Template, aws: EmbeddedAws, policy_file: Path, log: io.TextIOBase) -> Functions:
    """The stack's functions with the environment template.yaml gives them, cold for this run."""
    specs = {spec.name: spec for spec in template.functions(aws.refs)}
    for spec in specs.values():
        os.environ.update(spec.environment)  # same values in every function of this stack
    os.environ["POLICY_FILE"] = str(policy_file)
    standing_runtime.reset()  # a cold start for this run's environment
    return Functions(specs, log, on_invoke=aws.invoking)


def _burst(lines: list[Line], index: int) -> list[Line]:
    """The writes from ``index`` on that share its time (CONTRACT §4: delivered together)."""
    burst = [lines[index]]
    while (
        index + len(burst) < len(lines)
        and lines[index + len(burst)].at == lines[index].at
        and lines[index + len(burst)].kind != "invoke"
    ):
        burst.append(lines[index + len(burst)])
    return burst


def _invoke(
    line: Line, functions: Functions, night: NightStateMachine | None, deliver: StreamDelivery
) -> dict[str, Any]:
    """An invoke line: after everything written before it is delivered, and what it wrote after."""
    deliver(line.at)
    clock.set_now(line.at)
    try:
        if night is not None and night.runs(line.function, line.event):
            response = night.run(line.event, line.at)  # the schedule starts the state machine
        else:
            response = functions.invoke(line.function or "", line.event)
    except Exception as error:  # an unhandled error is the invocation's answer, as on AWS
        response = {"errorMessage": str(error), "errorType": type(error).__name__}
    invocation = {"function": line.function, "at": format_time(line.at), "response": response}
    deliver(line.at)
    return invocation


@dataclass
class StreamDelivery:
    """Lambda's pollers: every stream with something new read, its records filtered and handed to
    its mappings in batches, until no stream has anything new (CONTRACT §4, delivery timing)."""

    aws: EmbeddedAws
    readers: dict[str, StreamReader]  # table logical id -> its stream's reader, in delivery order
    runners: list[MappingRunner]
    source_streams: set[str]  # the platform's tables (their records are the capacity's denominator)
    records: int = 0  # stream records some mapping took, so far
    source_records: int = 0  # of them, from the platform's tables

    @classmethod
    def of(cls, aws: EmbeddedAws, runners: list[MappingRunner]) -> StreamDelivery:
        readers = {logical: StreamReader(aws, arn, aws.tables[logical]) for arn, logical in aws.streams.items()}
        for logical in readers:
            mappings = [r.mapping for r in runners if r.mapping.source == logical]
            aws.key_filters.update(_key_filters(aws.tables[logical], mappings))
        order = sorted(readers, key=lambda t: DELIVERY_ORDER.index(t) if t in DELIVERY_ORDER else 99)
        source_streams = {logical for logical in readers if aws.tables[logical] in SOURCE_TABLES}
        return cls(aws, {logical: readers[logical] for logical in order}, runners, source_streams)

    def __call__(self, now: datetime) -> None:
        clock.set_now(now)
        while True:
            worked = False
            for logical, reader in self.readers.items():
                worked = self._stream(logical, reader, now) or worked
            if not worked and not any(self.aws.dirty.values()):
                return

    def _stream(self, logical: str, reader: StreamReader, now: datetime) -> bool:
        """One stream's new records to its mappings; whether any function was invoked."""
        if not self.aws.dirty.pop(self.aws.tables[logical], False):
            return False  # nothing written there that any mapping could take
        records = reader.read(now)
        on_stream = [runner for runner in self.runners if runner.mapping.source == logical]
        wanted = sum(1 for r in records if any(runner.takes(r) for runner in on_stream))
        self.records += wanted
        if logical in self.source_streams:
            self.source_records += wanted
        for runner in on_stream:
            runner.offer(records)
        return deliver_in_stream_order(on_stream)


def run_replay(
    scenario: str | Path,
    policy: str | Path | None = None,
    chaos: int | None = None,
    log: io.TextIOBase | None = None,
    engine: str | DynamoDBEngine = DEFAULT_ENGINE,
) -> dict[str, Any]:
    """Convenience for tests and the CLI."""
    replay = Replay(
        Path(scenario), Path(policy) if policy else DEFAULT_POLICY, log or io.StringIO(), chaos, engine=engine
    )
    return replay.run()
