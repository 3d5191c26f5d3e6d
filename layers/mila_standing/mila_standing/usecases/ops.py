"""Ops actions from the console (CONTRACT §2): incidents (R7), reinstatement (R12.4), decisions
on pending restrictions (R12.3), explanations (R12.2) and a partner's review rights (issue 13:
request_review, answer_review). Each answers JSON; an invalid call answers
{"error": {"code", "message"}} and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..domain.models import JsonBool, KeyPart, describe
from ..domain.numbers import plain
from ..domain.standing import Standing
from ..domain.times import format_time
from ..rules import Judgement, Notice, OpsRefusal, decide, record_decision, reinstate, report_incident, reviews
from .changes import Evaluation
from .explain import explain
from .ports import APPEAL, AUDIT, DECISION, FLAG, NOTICE, Record
from .standings import Standings
from .views import partner_view

# Free text is copied into decisions, notices and audit items: bounded so that no call can make
# an item DynamoDB refuses (issue 12; the items' budget is in standing.py). Over the limit, the
# call answers INVALID_REQUEST and changes nothing.
MAX_NOTE_CHARS = 2000
MAX_REASON_CHARS = 1000
MAX_ACTOR_CHARS = 128
MAX_CATEGORY_CHARS = 64
Note = Annotated[str, Field(max_length=MAX_NOTE_CHARS)]
Reason = Annotated[str, Field(max_length=MAX_REASON_CHARS)]
Actor = Annotated[str, Field(max_length=MAX_ACTOR_CHARS)]


class _Request(BaseModel):
    # Extra fields are ignored (an `actor` on explain, a ticket number): only the named ones count.
    model_config = ConfigDict(extra="ignore")
    partner_id: KeyPart

    @field_validator("partner_id", "actor", "reason", "category", "text", "notice_id", "review_id", check_fields=False)
    @classmethod
    def _not_blank(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value


class IncidentRequest(_Request):
    action: Literal["report_incident"]
    category: Annotated[str, Field(max_length=MAX_CATEGORY_CHARS)]
    actor: Actor
    job_id: KeyPart | None = None
    note: Note | None = None


class ReinstateRequest(_Request):
    action: Literal["reinstate"]
    actor: Actor
    reason: Reason


class DecideRequest(_Request):
    action: Literal["decide"]
    approve: JsonBool
    actor: Actor
    reason: Reason | None = None


class ExplainRequest(_Request):
    action: Literal["explain"]


class ReviewRequest(_Request):
    """Issue 13: recorded on the partner's behalf (the channel is the platform's: support, app)."""

    action: Literal["request_review"]
    actor: Actor
    notice_id: KeyPart
    text: Note


class ReviewAnswer(_Request):
    action: Literal["answer_review"]
    actor: Actor
    review_id: KeyPart
    reason: Reason
    outcome: Literal["upheld", "corrected"]


Mutation = IncidentRequest | ReinstateRequest | DecideRequest | ReviewRequest | ReviewAnswer
REQUESTS: dict[str, type[_Request]] = {
    "report_incident": IncidentRequest,
    "reinstate": ReinstateRequest,
    "decide": DecideRequest,
    "explain": ExplainRequest,
    "request_review": ReviewRequest,
    "answer_review": ReviewAnswer,
}


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def parse(event: Any) -> _Request | dict[str, Any]:
    """The ops request an event holds, or the error object that refuses it (nothing read yet)."""
    if not isinstance(event, dict):
        return error("INVALID_REQUEST", "the event must be a JSON object")
    action = event.get("action")
    model = REQUESTS.get(action) if isinstance(action, str) else None
    if model is None:
        return error("UNKNOWN_ACTION", f"unknown action {action!r}; one of {', '.join(REQUESTS)}")
    try:
        return model.model_validate(event)
    except ValidationError as invalid:
        return error("INVALID_REQUEST", describe(invalid))


def handle(standings: Standings, event: Any, now: datetime, caller: dict[str, Any] | None = None) -> dict[str, Any]:
    request = parse(event)
    if isinstance(request, dict):
        return request
    current = standings.load(request.partner_id)
    if current.revision is None:
        return error("UNKNOWN_PARTNER", f"no partner {request.partner_id!r} is known")
    if isinstance(request, ExplainRequest):
        return _explain(standings, current, now)
    if not isinstance(request, Mutation):
        raise AssertionError(f"unhandled action {request!r}")  # REQUESTS holds explain and the mutations
    reviewing: ReviewCall | None = None
    if isinstance(request, ReviewRequest | ReviewAnswer):
        found = ReviewCall.prepare(standings, request)
        if isinstance(found, dict):
            return found
        reviewing = found
    return OpsCall(standings, request, now, caller, reviewing).run()


def _explain(standings: Standings, current: Standing, now: datetime) -> dict[str, Any]:
    """R12.2: the standing, its figures and thresholds, and every record behind them."""
    with_proposal(standings, current)
    store, partner_id = standings.store, current.partner_id
    return explain(
        current,
        standings.judgement(current, now),
        store.records(partner_id, NOTICE),
        store.records(partner_id, DECISION),
        store.records(partner_id, FLAG),
        store.records(partner_id, APPEAL),
    )


@dataclass
class OpsCall:
    """A call that changes a partner (R7, R12.3, R12.4, PWD-11): decided on the standing in the unit
    of work, audited in the same write (who, as AWS saw them: platform/caller.py)."""

    standings: Standings
    request: Mutation
    now: datetime
    caller: dict[str, Any] | None
    reviewing: ReviewCall | None

    def change(self, standing: Standing, j: Judgement) -> list[Notice]:
        request = self.request
        if self.reviewing is not None:
            return self.reviewing.decide(standing, j)
        if isinstance(request, IncidentRequest):
            return report_incident(standing, j, request.category, request.actor, request.job_id, request.note)
        if isinstance(request, ReinstateRequest):
            return reinstate(standing, j, request.actor, request.reason)
        if isinstance(request, DecideRequest):
            with_proposal(self.standings, standing)  # approve applies the proposal with its statement of reasons
            return decide(standing, j, request.approve, request.actor, request.reason)
        raise AssertionError(f"unhandled action {request.action}")

    def audit(self, standing: Standing) -> list[Record]:
        """Every accepted call records a decision: its log_seq places the audit among them."""
        body = {"at": format_time(self.now), "request": self.request.model_dump(), "status": standing.status}
        if self.caller:
            body["caller"] = self.caller
        records = [Record(AUDIT, f"{format_time(self.now)}#{standing.log_seq:06d}", body)]
        return records + (self.reviewing.records(standing) if self.reviewing is not None else [])

    def run(self) -> dict[str, Any]:
        partner_id = self.request.partner_id
        try:
            notices = self.standings.update(
                partner_id, [Evaluation(self.change, audit=self.audit, always_save=True)], self.now
            )
        except OpsRefusal as refusal:
            return error(refusal.code, str(refusal))
        standing = self.standings.load(partner_id)
        answer: dict[str, Any] = {"ok": True, "action": self.request.action, "partner_id": partner_id}
        if self.reviewing is not None:
            answer |= self.reviewing.answer()
        view = partner_view(standing, self.standings.judgement(standing, self.now))
        return plain(answer | {"standing": view, "notices": [n.to_view() for n in notices]})


def _notice_of(standings: Standings, partner_id: str, notice_id: str) -> dict[str, Any]:
    """The partner's stored notice ``notice_id`` (``<partner_id>:000001``), or an error."""
    owner, _, seq = notice_id.rpartition(":")
    if owner and owner != partner_id:
        return error("NOT_THE_PARTNERS_NOTICE", f"notice {notice_id!r} is not a notice of partner {partner_id!r}")
    notice = standings.store.record(partner_id, NOTICE, int(seq)) if seq.isdigit() and owner else None
    if notice is None or notice.get("notice_id") != notice_id:
        return error("UNKNOWN_NOTICE", f"partner {partner_id!r} has no notice {notice_id!r}")
    return notice


@dataclass
class ReviewCall:
    """A request_review or answer_review call (issue 13). The reviewed notice (and the review
    being answered) are read before the update: a notice never changes once written, and whether
    a review is still open is decided on the standing itself (rules/reviews.py)."""

    call: ReviewRequest | ReviewAnswer
    notice: dict[str, Any]
    stored: dict[str, Any] | None = None  # the APPEAL# record being answered
    review: dict[str, Any] = field(default_factory=dict)  # the record as this call leaves it

    @classmethod
    def prepare(cls, standings: Standings, call: ReviewRequest | ReviewAnswer) -> ReviewCall | dict[str, Any]:
        """The call with what it reviews, or an error object."""
        if isinstance(call, ReviewRequest):
            notice = _notice_of(standings, call.partner_id, call.notice_id)
            return notice if "error" in notice else cls(call, notice)
        seq = reviews.review_seq(call.review_id)
        owner = call.review_id.rsplit(":review-", 1)[0]
        stored = (
            standings.store.record(call.partner_id, APPEAL, seq)
            if seq is not None and owner == call.partner_id
            else None
        )
        if stored is None or stored.get("review_id") != call.review_id:
            return error("UNKNOWN_REVIEW", f"partner {call.partner_id!r} has no review {call.review_id!r}")
        if stored.get("status") == reviews.ANSWERED:
            return error("ALREADY_ANSWERED", f"review {call.review_id} was answered on {stored.get('answered_at')}")
        notice = _notice_of(standings, call.partner_id, str(stored["notice_id"]))
        if "error" in notice:
            return notice
        return cls(call, notice, {k: v for k, v in stored.items() if k not in ("pk", "sk", "partner_id")})

    def decide(self, standing: Standing, j: Judgement) -> list[Notice]:
        if isinstance(self.call, ReviewRequest):
            self.review = reviews.request_review(standing, j, self.notice)
            record_decision(
                standing,
                {
                    "type": "REVIEW_REQUESTED",
                    "status": standing.status,
                    "reason": None,
                    "at": format_time(j.now),
                    "review_id": self.review["review_id"],
                    "notice_id": self.review["notice_id"],
                    "deadline": self.review["deadline"],
                },
            )
            return []
        self.review = dict(self.stored or {})  # afresh: a conflict retry decides again
        return reviews.answer_review(
            standing, j, self.review, self.notice, self.call.outcome, self.call.actor, self.call.reason
        )

    def records(self, standing: Standing) -> list[Record]:
        """The review's record (an APPEAL), with the request's text, written with the standing."""
        seq = reviews.review_seq(self.review["review_id"])
        body = {**self.review, "partner_id": standing.partner_id}
        if isinstance(self.call, ReviewRequest):
            body |= {"text": self.call.text, "requested_by": self.call.actor}
        return [Record(APPEAL, f"{seq:06d}", body)]

    def answer(self) -> dict[str, Any]:
        found = {"review_id": self.review["review_id"], "deadline": self.review["deadline"]}
        return found | ({"outcome": self.call.outcome} if isinstance(self.call, ReviewAnswer) else {})


def with_proposal(standings: Standings, standing: Standing) -> None:
    """A pending decision's statement of reasons is stored with its DECISION_PENDING notice."""
    pending = standing.pending_decision
    if pending is None or pending.get("reasons") is not None or not pending.get("notice_id"):
        return
    seq = str(pending["notice_id"]).rsplit(":", 1)[-1]
    notice = standings.store.record(standing.partner_id, NOTICE, int(seq)) or {}
    proposal = ("proposed_action", "proposed_reason")
    pending["reasons"] = {k: v for k, v in (notice.get("reasons") or {}).items() if k not in proposal}
