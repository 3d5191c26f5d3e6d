"""Review rights (issue 13; EU Platform Work Directive 2024/2831, Art. 11): a partner asks for a
review of a decision that affects them, ops answer with reasons within two weeks, and the nightly
check reminds ops before the deadline passes.

The standing keeps its *open* reviews (id, notice, deadline, which reminders went out) in the
aggregate: the nightly check sees from the aggregate it already reads whether a reminder is due,
so a quiet partner costs no read more (``reminder_due``). The request's text and the answer live
in an item of their own (store: ``APPEAL#<seq>``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.standing import CLOSED, Standing
from ..domain.times import format_time, parse_time
from .judgement import Judgement, Notice, new_notice, record_decision, statement
from .restrictions import OpsRefusal, reinstate
from .windows import strike_dates

RULE = "PWD-11"  # EU Platform Work Directive 2024/2831, Art. 11: review of automated decisions
REVIEW_DAYS = 14  # the substantiated reply is due within two weeks
DUE_DAYS = 3  # REVIEW_DUE: the first night at or after the deadline minus three days
OPEN_REVIEWS_KEPT = 20  # open reviews per partner: bounds the aggregate (one per notice anyway)

REVIEW_ANSWERED, REVIEW_DUE, REVIEW_OVERDUE = "REVIEW_ANSWERED", "REVIEW_DUE", "REVIEW_OVERDUE"
REMINDERS = (REVIEW_DUE, REVIEW_OVERDUE)
WARNINGS = frozenset({"RATING_WARNING", "CANCELLATION_WARNING", "NO_SHOW_WARNING"})
RESTRICTIONS = frozenset({"SUSPENDED", "EXCLUDED", "CLOSED"})
# Decisions about the partner that may be reviewed. Ops-facing notices (DECISION_PENDING, the
# reminders), a REINSTATED and an answer to a review are not decisions against the partner.
REVIEWABLE = WARNINGS | RESTRICTIONS
UPHELD, CORRECTED = "upheld", "corrected"
OPEN, ANSWERED = "OPEN", "ANSWERED"


def review_id(partner_id: str, seq: int) -> str:
    """``<partner_id>:review-000001``, in order per partner, like notice ids."""
    return f"{partner_id}:review-{seq:06d}"


def review_seq(review: str) -> int | None:
    tail = review.rsplit(":review-", 1)
    return int(tail[1]) if len(tail) == 2 and tail[1].isdigit() else None


def thresholds() -> dict[str, Any]:
    return {"review_days": REVIEW_DAYS, "due_days_before_deadline": DUE_DAYS}


def request_review(standing: Standing, j: Judgement, notice: dict[str, Any]) -> dict[str, Any]:
    """Open a review of one of the partner's notices (``notice``: the stored NOTICE# item).
    Returns the review record (what the APPEAL# item holds besides the request's text)."""
    if notice.get("type") not in REVIEWABLE:
        raise OpsRefusal(
            "NOT_REVIEWABLE",
            f"a {notice.get('type')} notice is not a decision about the partner "
            f"that can be reviewed; reviewable: {', '.join(sorted(REVIEWABLE))}",
        )
    notice_id = str(notice["notice_id"])
    for open_id, review in standing.reviews.items():
        if review["notice_id"] == notice_id:
            raise OpsRefusal("REVIEW_OPEN", f"review {open_id} of notice {notice_id} is still open")
    if len(standing.reviews) >= OPEN_REVIEWS_KEPT:
        raise OpsRefusal(
            "TOO_MANY_OPEN_REVIEWS", f"the partner has {len(standing.reviews)} open reviews; answer some first"
        )
    standing.review_seq += 1
    opened = review_id(standing.partner_id, standing.review_seq)
    deadline = j.now + timedelta(days=REVIEW_DAYS)
    standing.reviews[opened] = {"notice_id": notice_id, "deadline": format_time(deadline), "sent": []}
    return {
        "review_id": opened,
        "notice_id": notice_id,
        "notice_type": notice["type"],
        "requested_at": format_time(j.now),
        "deadline": format_time(deadline),
        "status": OPEN,
    }


def answer_review(
    standing: Standing,
    j: Judgement,
    review: dict[str, Any],
    notice: dict[str, Any],
    outcome: str,
    actor: str,
    reason: str,
) -> list[Notice]:
    """Answer an open review with reasons. ``corrected`` undoes the reviewed decision: a restriction
    the partner is still under is lifted (R12.4, the review as its reason); a warning leaves the
    streak it counted in. Returns the notices (REINSTATED first, if any, then REVIEW_ANSWERED);
    ``review`` is updated to its answered form."""
    reviewed = review["review_id"]
    if reviewed not in standing.reviews:
        raise OpsRefusal("ALREADY_ANSWERED", f"review {reviewed} was answered on {review.get('answered_at')}")
    notice_type, notice_id = str(notice["type"]), str(notice["notice_id"])
    notices: list[Notice] = []
    effect: dict[str, Any] = {}
    if outcome == CORRECTED:
        if notice_type in RESTRICTIONS:
            if standing.status == CLOSED:
                raise OpsRefusal(
                    "CLOSED",
                    "a CLOSED partner is never reinstated (R12.4): the closure cannot be "
                    "corrected here; answer 'upheld' or escalate",
                )
            if standing.status == notice_type:
                notices += reinstate(standing, j, actor, reason, review_id=reviewed)
                effect = {"reinstated": True, "notice_id": notices[0].notice_id}
            else:  # reinstated meanwhile, or restricted since by another decision: the status stands
                effect = {"reinstated": False, "status": standing.status}
        else:
            effect = {"removed_from_streak": remove_warning(standing, notice_type, notice_id, notice)}
    del standing.reviews[reviewed]
    review.update(
        {
            "status": ANSWERED,
            "outcome": outcome,
            "answered_at": format_time(j.now),
            "answered_by": actor,
            "reason": reason,
        }
    )
    figures = {
        "review_id": reviewed,
        "notice_id": notice_id,
        "notice_type": notice_type,
        "requested_at": review["requested_at"],
        "deadline": review["deadline"],
        "answered_at": review["answered_at"],
        "within_deadline": j.now <= parse_time(review["deadline"]),
    }
    reasons = statement(
        RULE, j, figures, thresholds(), [notice_id], actor=actor, reason=reason, outcome=outcome, effect=effect
    )
    answer = new_notice(standing, REVIEW_ANSWERED, j, reasons)
    record_decision(
        standing,
        {
            "notice_id": answer.notice_id,
            "type": REVIEW_ANSWERED,
            "status": standing.status,
            "reason": reason,
            "at": format_time(j.now),
            "reasons": reasons,
        },
    )
    return notices + [answer]


def remove_warning(standing: Standing, notice_type: str, notice_id: str, notice: dict[str, Any]) -> bool:
    """A corrected warning no longer counts towards a suspension (R2.4, R5.3, R6.3). True if it was
    still counting: in the current streak's kept ids (standing.STREAK_IDS_KEPT), or, for a no-show
    warning, its strikes (which are then forgiven, as at a reinstatement, R14.6)."""
    if notice_type == "NO_SHOW_WARNING":
        if notice_id in standing.no_show_warnings:
            standing.no_show_warnings.remove(notice_id)
        strikes = (notice.get("reasons") or {}).get("figures", {}).get("strikes") or []
        dates = strike_dates(standing)
        forgiven = {job: dates[job] for job in strikes if job in dates and job not in standing.forgiven_strikes}
        standing.forgiven_strikes = {**standing.forgiven_strikes, **forgiven}
        return bool(forgiven)
    streak = standing.rating_streak if notice_type == "RATING_WARNING" else standing.cancellation_streak
    if notice_id not in streak.ids:
        return False  # the streak it counted in has ended (or it is older than the ids kept)
    streak.ids = [i for i in streak.ids if i != notice_id]
    streak.count -= 1
    if notice_type == "RATING_WARNING" and not streak.count:
        standing.rating_baseline = None  # R2.4's baseline belongs to the streak
    return True


def reminder_due(standing: Standing, now: datetime) -> bool:
    """Whether tonight's check owes ops a REVIEW_DUE or REVIEW_OVERDUE (from the aggregate alone)."""
    return any(_owed(review, now) for review in standing.reviews.values())


def reminders(standing: Standing, j: Judgement) -> list[Notice]:
    """The nightly clock: REVIEW_DUE at the first night at or after deadline minus DUE_DAYS,
    REVIEW_OVERDUE at the first night after the deadline, each once per review (the review
    remembers what was sent, in the same write). A first night already past the deadline sends
    both, in that order. Ops-facing, like DECISION_PENDING."""
    notices: list[Notice] = []
    for reviewed, review in sorted(standing.reviews.items()):
        for kind in _owed(review, j.now):
            deadline = parse_time(review["deadline"])
            figures = {
                "review_id": reviewed,
                "notice_id": review["notice_id"],
                "deadline": review["deadline"],
                "days_left": (deadline.date() - j.now.date()).days,
            }
            reasons = statement(
                RULE, j, figures, thresholds(), [review["notice_id"]], to="ops", partner_id=standing.partner_id
            )
            notices.append(new_notice(standing, kind, j, reasons))
            review["sent"] = [*review.get("sent", []), kind]
    return notices


def _owed(review: dict[str, Any], now: datetime) -> list[str]:
    deadline = parse_time(review["deadline"])
    sent = review.get("sent") or []
    owed = []
    if REVIEW_DUE not in sent and now >= deadline - timedelta(days=DUE_DAYS):
        owed.append(REVIEW_DUE)
    if REVIEW_OVERDUE not in sent and now > deadline:
        owed.append(REVIEW_OVERDUE)
    return owed
