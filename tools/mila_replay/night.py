"""The nightly state machine (template.yaml ``NightlyStateMachine``), run by the replay as Step
Functions runs it: Plan, then the figures of every segment (the Distributed Map), Combine, the
evaluation of every segment, Summarize, each step an invocation of the same nightly_check
function, a failed segment retried as the task's Retry says.

A scenario's ``invoke nightly_check`` with a run of the night ({} or {"city": ...}) is the
schedule starting the state machine; a dry run, which the state machine refuses, is the console
invoking the function itself. Under ``--chaos`` a segment's worker may crash half way (one of
its DynamoDB calls fails, as in an outage or a timeout) and be run again: the outcome must not
change (nightly.py: the night's mark makes a re-run send nothing twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mila_standing.domain.times import format_time

from .chaos import Chaos
from .lambda_runtime import FunctionError, Functions
from .template import Template

STATE_MACHINE = "NightlyStateMachine"


@dataclass
class NightStateMachine:
    functions: Functions
    function: str  # the function its tasks invoke (nightly_check)
    attempts: int  # a segment task's MaxAttempts + 1
    chaos: Chaos | None = None
    faults: Any = None  # arms a crash of the next invocation after n DynamoDB calls (aws.EmbeddedAws)

    @classmethod
    def from_template(
        cls, template: Template, functions: Functions, chaos: Chaos | None, faults: Any
    ) -> NightStateMachine | None:
        machine = template.resources.get(STATE_MACHINE)
        if machine is None:
            return None
        definition = machine["Properties"]["Definition"]
        segment_task = next(iter(definition["States"]["Evaluate"]["ItemProcessor"]["States"].values()))
        retry = max((int(r.get("MaxAttempts", 3)) for r in segment_task.get("Retry", [])), default=0)
        target = machine["Properties"]["DefinitionSubstitutions"]["NightlyCheck"]["Fn::GetAtt"][0]
        name = next(s.name for s in template.functions({}) if s.logical_id == target)
        return cls(functions, name, retry + 1, chaos, faults)

    def runs(self, function: str | None, event: Any) -> bool:
        """Whether an invocation of ``function`` with ``event`` is a start of this state machine."""
        return (
            function == self.function
            and isinstance(event, dict)
            and "phase" not in event
            and event.get("dry_run") is not True
        )

    def run(self, request: dict[str, Any], at: datetime) -> Any:
        planned = self._task({"phase": "plan", "request": request, "started": format_time(at)})
        if "error" in planned:
            return planned  # the Choice state fails the execution; the answer says why
        plan, segments = planned["plan"], planned["segments"]
        for segment in segments:  # Figures: a Distributed Map over the segments
            self._task({"phase": "figures", "plan": plan, "segment": segment}, may_crash=True)
        figures = self._task({"phase": "combine", "plan": plan})["figures"]
        for segment in segments:  # Evaluate: the same segments, tonight's figures
            self._task({"phase": "evaluate", "plan": plan, "segment": segment, "figures": figures}, may_crash=True)
        return self._task({"phase": "summarize", "plan": plan, "figures": figures})

    def _task(self, event: dict[str, Any], may_crash: bool = False) -> Any:
        for attempt in range(1, self.attempts + 1):
            if may_crash and self.chaos and attempt < self.attempts and self.chaos.worker_crashes():
                self.faults(self.chaos.calls_before_crash())  # the worker dies after a few calls
            try:
                return self.functions.invoke(self.function, event)
            except FunctionError:
                if attempt == self.attempts:
                    raise
        raise AssertionError("unreachable")
