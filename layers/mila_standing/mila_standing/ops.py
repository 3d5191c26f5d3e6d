"""Ops actions from the console (CONTRACT §2): incidents (R7), reinstatement (R12.4), decisions
on pending restrictions (R12.3) and explanations (R12.2). Each answers JSON; an invalid call
answers {"error": {"code", "message"}} and changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .changes import Evaluation
from .explain import explain
from .models import StrictBool, describe, format_time
from .rules import Judgement, Notice, OpsRefusal, decide, reinstate, report_incident
from .runtime import Runtime
from .standing import Standing
from .views import partner_view, plain


class _Request(BaseModel):
    # Extra fields are ignored (an `actor` on explain, a ticket number): only the named ones count.
    model_config = ConfigDict(extra="ignore")
    partner_id: str

    @field_validator("partner_id", "actor", "reason", "category", check_fields=False)
    @classmethod
    def _not_blank(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value


class IncidentRequest(_Request):
    action: Literal["report_incident"]
    category: str
    actor: str
    job_id: str | None = None
    note: str | None = None


class ReinstateRequest(_Request):
    action: Literal["reinstate"]
    actor: str
    reason: str


class DecideRequest(_Request):
    action: Literal["decide"]
    approve: StrictBool
    actor: str
    reason: str | None = None


class ExplainRequest(_Request):
    action: Literal["explain"]


Mutation = IncidentRequest | ReinstateRequest | DecideRequest
REQUESTS: dict[str, type[_Request]] = {
    "report_incident": IncidentRequest, "reinstate": ReinstateRequest, "decide": DecideRequest,
    "explain": ExplainRequest,
}


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def handle(rt: Runtime, event: Any, now: datetime, caller: dict[str, Any] | None = None) -> dict[str, Any]:
    if not isinstance(event, dict):
        return error("INVALID_REQUEST", "the event must be a JSON object")
    action = event.get("action")
    model = REQUESTS.get(action) if isinstance(action, str) else None
    if model is None:
        return error("UNKNOWN_ACTION", f"unknown action {action!r}; one of {', '.join(REQUESTS)}")
    try:
        request = model.model_validate(event)
    except ValidationError as invalid:
        return error("INVALID_REQUEST", describe(invalid))
    current = rt.store.load(request.partner_id, window_sizes=rt.window_sizes)
    if current.revision is None:
        return error("UNKNOWN_PARTNER", f"no partner {request.partner_id!r} is known")
    if isinstance(request, ExplainRequest):
        with_proposal(rt, current)
        return explain(current, rt.judgement(current, now), rt.store.notices(request.partner_id),
                       rt.store.records(request.partner_id, "DECISION#"), rt.store.records(request.partner_id, "FLAG#"))

    if not isinstance(request, Mutation):
        return error("UNKNOWN_ACTION", f"unknown action {action!r}")
    mutation: Mutation = request

    def change(standing: Standing, j: Judgement) -> list[Notice]:
        if isinstance(mutation, IncidentRequest):
            return report_incident(standing, j, mutation.category, mutation.actor, mutation.job_id, mutation.note)
        if isinstance(mutation, ReinstateRequest):
            return reinstate(standing, j, mutation.actor, mutation.reason)
        with_proposal(rt, standing)  # approve applies the proposal with its statement of reasons
        return decide(standing, j, mutation.approve, mutation.actor, mutation.reason)

    def audit(standing: Standing) -> list[dict[str, Any]]:
        sk = f"AUDIT#{format_time(now)}#{standing.log_seq:06d}"  # every accepted call records a decision
        return [{"pk": f"PARTNER#{standing.partner_id}", "sk": sk, "at": format_time(now),
                 "request": mutation.model_dump(), "status": standing.status,
                 **({"caller": caller} if caller else {})}]  # who, as AWS saw it (caller.py)

    try:
        notices = rt.update(request.partner_id, [Evaluation(change)], now, extra_puts=audit, always_save=True)
    except OpsRefusal as refusal:
        return error(refusal.code, str(refusal))
    standing = rt.store.load(request.partner_id, window_sizes=rt.window_sizes)
    return plain({"ok": True, "action": mutation.action, "partner_id": request.partner_id,
                  "standing": partner_view(standing, rt.judgement(standing, now)),
                  "notices": [n.to_view() for n in notices]})


def with_proposal(rt: Runtime, standing: Standing) -> None:
    """A pending decision's statement of reasons is stored with its DECISION_PENDING notice."""
    pending = standing.pending_decision
    if pending is None or pending.get("reasons") is not None or not pending.get("notice_id"):
        return
    seq = str(pending["notice_id"]).rsplit(":", 1)[-1]
    notice = rt.store.get(f"PARTNER#{standing.partner_id}", f"NOTICE#{seq}") or {}
    proposal = ("proposed_action", "proposed_reason")
    pending["reasons"] = {k: v for k, v in (notice.get("reasons") or {}).items() if k not in proposal}
