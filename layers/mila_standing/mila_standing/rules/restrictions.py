"""Restrictions and the people who decide them: automatic or human review (R12.3, R14.5),
incidents (R7, R14.10), reinstatement (R12.4) and ops' decisions on pending restrictions."""

from __future__ import annotations

from typing import Any

from ..domain.standing import ACTIVE, CLOSED, EXCLUDED, SUSPENDED, Standing
from ..domain.times import format_time
from .judgement import Judgement, Notice, new_notice, record_decision, statement
from .windows import strike_dates

DECISION_PENDING = "DECISION_PENDING"
REINSTATED = "REINSTATED"

# R7.1 / R7.2
CONDUCT_CATEGORIES = frozenset(
    {
        "DISCRIMINATION",
        "PROPERTY_DAMAGE",
        "PHYSICAL_CONTACT",
        "ABUSIVE_BEHAVIOUR",
        "UNWANTED_CONTACT",
        "ILLEGAL_CONDUCT",
        "PRIVACY_BREACH",
    }
)
FRAUD_CATEGORIES = frozenset(
    {
        "OFF_PLATFORM_WORK",
        "CASH_PAYMENT",
        "CANCEL_THEN_PERFORM",
        "MULTIPLE_ACCOUNTS",
        "UNAUTHORISED_MARKETING",
    }
)

STATUS_OF_ACTION = {"SUSPEND": SUSPENDED, "EXCLUDE": EXCLUDED, "CLOSE": CLOSED}
SEVERITY = {ACTIVE: 0, EXCLUDED: 1, SUSPENDED: 2, CLOSED: 3}


class OpsRefusal(ValueError):
    """An ops request the rules refuse: nothing changes (R7.3, R12.4, R14.10)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def restrict(standing: Standing, j: Judgement, action: str, reason: str, reasons: dict[str, Any]) -> list[Notice]:
    """Apply an automatic restriction, or record it for a human where the city wants one."""
    if j.policy.decision_mode == "human_review":
        if standing.pending_decision is not None:
            return []  # R14.5: the first pending decision wins
        notice = new_notice(
            standing, DECISION_PENDING, j, reasons | {"proposed_action": action, "proposed_reason": reason}
        )
        # The statement of reasons travels with the DECISION_PENDING notice; the standing keeps
        # what ops need to find it.
        standing.pending_decision = {
            "action": action,
            "reason": reason,
            "rule": reasons["rule"],
            "proposed_at": format_time(j.now),
            "notice_id": notice.notice_id,
            "reasons": reasons,
        }
        return [notice]
    return [change_status(standing, j, STATUS_OF_ACTION[action], reason, reasons)]


def change_status(
    standing: Standing,
    j: Judgement,
    status: str,
    reason: str | None,
    reasons: dict[str, Any],
    notice_type: str | None = None,
) -> Notice:
    standing.status, standing.reason = status, reason
    notice = new_notice(standing, notice_type or status, j, reasons)
    record_decision(
        standing,
        {
            "notice_id": notice.notice_id,
            "type": notice.type,
            "status": status,
            "reason": reason,
            "at": format_time(j.now),
            "reasons": reasons,
        },
    )
    return notice


def report_incident(
    standing: Standing, j: Judgement, category: str, actor: str, job_id: str | None = None, note: str | None = None
) -> list[Notice]:
    """R7 / R14.10: conduct suspends, fraud closes with legal action, at once, in any mode."""
    incident = {"category": category, "actor": actor, "job_id": job_id, "note": note}
    if category in FRAUD_CATEGORIES:
        rule, status, reason = "R7.2", CLOSED, "FRAUD"
    elif category in CONDUCT_CATEGORIES:
        rule, status, reason = "R7.1", SUSPENDED, "CONDUCT"
    else:
        raise OpsRefusal("UNKNOWN_CATEGORY", f"unknown incident category {category!r}")
    reasons = statement(rule, j, {"incident": incident}, {"category": category})
    if standing.status == CLOSED:
        # R14.10: fraud on a closed partner sets reason and legal action, no new closure notice;
        # anything else is recorded and changes nothing.
        if reason == "FRAUD":
            standing.reason, standing.legal_action = "FRAUD", True
        record_decision(
            standing,
            {
                "type": "INCIDENT_RECORDED",
                "status": standing.status,
                "reason": standing.reason,
                "at": format_time(j.now),
                "reasons": reasons,
            },
        )
        return []
    if reason == "FRAUD":
        standing.legal_action = True
        standing.pending_decision = None  # CLOSED is final: nothing is left to decide
    # A conduct suspension keeps a pending proposal: ops may still decide it, and a
    # reinstatement clears it (R14.5).
    return [change_status(standing, j, status, reason, reasons)]


def reinstate(standing: Standing, j: Judgement, actor: str, why: str, review_id: str | None = None) -> list[Notice]:
    """R12.4 / R14.5 / R14.6 / R14.10; ``review_id``: reinstated by the answer to a review (issue 13)."""
    if standing.status == CLOSED:
        raise OpsRefusal("CLOSED", "a CLOSED partner is never reinstated")
    if standing.status == ACTIVE:
        raise OpsRefusal("NOT_RESTRICTED", "the partner is ACTIVE: there is nothing to reinstate")
    reasons = statement(
        "R12.4",
        j,
        {"previous_status": standing.status, "previous_reason": standing.reason},
        {},
        [],
        actor=actor,
        reason=why,
        **({"review_id": review_id} if review_id else {}),
    )
    standing.rating_streak.clear()
    standing.rating_baseline = None
    standing.cancellation_streak.clear()
    # R14.6: the strikes known at this moment are forgiven.
    standing.forgiven_strikes = {**standing.forgiven_strikes, **strike_dates(standing)}
    standing.pending_decision = None
    return [change_status(standing, j, ACTIVE, None, reasons, notice_type=REINSTATED)]


def decide(standing: Standing, j: Judgement, approve: bool, actor: str, why: str | None) -> list[Notice]:
    """R12.3 / R14.5: approve applies the stored action; reject ends the rating and cancellation
    streaks. The pending decision carries its statement of reasons under "reasons" (the caller
    reads it from the DECISION_PENDING notice)."""
    pending = standing.pending_decision
    if pending is None:
        raise OpsRefusal("NOTHING_PENDING", "the partner has no pending decision")
    standing.pending_decision = None
    record_decision(
        standing,
        {
            "type": "DECISION",
            "approved": approve,
            "actor": actor,
            "reason": why,
            "at": format_time(j.now),
            "proposal": pending,
        },
    )
    if not approve:
        standing.rating_streak.clear()
        standing.rating_baseline = None
        standing.cancellation_streak.clear()
        return []
    target = STATUS_OF_ACTION[pending["action"]]
    if SEVERITY[target] <= SEVERITY[standing.status]:
        return []  # R6.3: a partner already as or more restricted keeps that status (and reason)
    reasons = dict(pending.get("reasons") or {}) | {
        "approved_by": actor,
        "approval_reason": why,
        "pending_notice": pending.get("notice_id"),
    }
    return [change_status(standing, j, target, pending["reason"], reasons)]
