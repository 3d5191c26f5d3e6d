"""What the nightly_check function is asked (CONTRACT §2, §5), and its answers.

Two kinds of event:

* a **run** of the night: ``{}`` (all cities), ``{"city": "berlin"}``, ``{"dry_run": true}``, or
  the raw EventBridge scheduled event (all cities). From the console it runs every step in this
  one invocation and answers the summary.
* a **step** of the state machine (template.yaml ``NightlyStateMachine``): ``{"phase": "plan" |
  "figures" | "combine" | "evaluate" | "summarize", ...}``, each answering what the next step needs.

Only a JSON object is a request. An unknown city (no partner lives there and the policy does not
name it) is refused, as is anything else that is not one of the above: an error object, nothing
written, and the ``InvalidRequests`` metric counts it (the alarm on refused scheduled runs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ..domain.models import CitySlug, JsonBool, Time, describe
from ..domain.times import format_time
from .nightly import NightPlan, combine, evaluate_segment, figures_segment, plan, run_nightly, summarize
from .standings import Standings


class NightRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: CitySlug | None = None
    dry_run: JsonBool = False


class ScheduledEvent(BaseModel):
    """What EventBridge sends on a schedule when no Input is set: it means all cities."""

    model_config = ConfigDict(extra="allow")
    source: Literal["aws.events", "aws.scheduler"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: dict[str, Any]


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phase: Literal["plan"]
    request: Any = None
    started: Time | None = None


class FiguresStep(_Step):
    phase: Literal["figures"]
    segment: dict[str, Any]


class CombineStep(_Step):
    phase: Literal["combine"]


class EvaluateStep(_Step):
    phase: Literal["evaluate"]
    segment: dict[str, Any]
    figures: dict[str, Any]


class SummarizeStep(_Step):
    phase: Literal["summarize"]
    figures: dict[str, Any]


Step = Annotated[PlanStep | FiguresStep | CombineStep | EvaluateStep | SummarizeStep, Field(discriminator="phase")]
STEPS: TypeAdapter[Any] = TypeAdapter(Step)


def run_request(standings: Standings, event: Any) -> RunRequest:
    """A run of the night from what was sent, or NightRefused."""
    if not isinstance(event, dict):
        raise NightRefused(
            "INVALID_REQUEST",
            'the event must be a JSON object: {} for all cities, {"city": "berlin"}, {"dry_run": true}',
        )
    if "source" in event and "detail-type" in event:
        try:
            ScheduledEvent.model_validate(event)
            return RunRequest()  # the schedule, without its Input: all cities
        except ValidationError:
            pass
    try:
        request = RunRequest.model_validate(event)
    except ValidationError as invalid:
        raise NightRefused("INVALID_REQUEST", describe(invalid)) from None
    if (
        request.city is not None
        and request.city not in standings.policy.cities
        and request.city not in standings.store.cities()
    ):
        raise NightRefused("UNKNOWN_CITY", f"no partner lives in {request.city!r} and the policy does not name it")
    return request


def handle(standings: Standings, event: Any, now: datetime) -> dict[str, Any]:
    """One invocation of nightly_check: a step of the state machine, or a whole run."""
    try:
        if isinstance(event, dict) and "phase" in event:
            return _step(standings, event, now)
        request = run_request(standings, event)
    except NightRefused as refused:
        return error(refused.code, str(refused))
    return run_nightly(standings, now, city=request.city, all_cities=request.city is None, dry_run=request.dry_run)


def _step(standings: Standings, event: dict[str, Any], now: datetime) -> dict[str, Any]:
    try:
        step = STEPS.validate_python(event)
    except ValidationError as invalid:
        raise NightRefused("INVALID_REQUEST", describe(invalid)) from None
    if isinstance(step, PlanStep):
        request = run_request(standings, step.request if step.request is not None else {})
        if request.dry_run:
            raise NightRefused("INVALID_REQUEST", "a dry run runs in one invocation: invoke nightly_check itself")
        night = plan(standings, step.started or now, request.city, request.city is None, persist=True)
        return {"plan": night.to_json(), "segments": night.segments(), "at": format_time(night.now)}
    night = NightPlan.from_json(step.plan)
    if isinstance(step, FiguresStep):
        return figures_segment(standings, night, step.segment)
    if isinstance(step, CombineStep):
        return {"figures": combine(standings, night)}
    if isinstance(step, EvaluateStep):
        return evaluate_segment(standings, night, step.segment, step.figures)
    return summarize(standings, night, step.figures)
