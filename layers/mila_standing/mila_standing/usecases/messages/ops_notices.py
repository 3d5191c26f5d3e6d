"""Ops-facing notices in words (R13.2): DECISION_PENDING (R12.3), REVIEW_DUE and REVIEW_OVERDUE
(PWD-11), in the policy's ``ops_locale``. Written for the ops team's work channel: they name the
partner, the rule and the action to take; the notice's ``reasons`` has the rest."""

from __future__ import annotations

from .catalog import Words
from .letter import Facts
from .partner_decisions import N_
from .people import People

ACTIONS = {"SUSPEND": N_("Suspension"), "EXCLUDE": N_("Exclusion"), "CLOSE": N_("Closure")}


def ops_message(w: Words, facts: Facts) -> dict[str, str]:
    people = People(w.lang)
    if facts.type == "DECISION_PENDING":
        subject, body = _decision_pending(w, facts)
    elif facts.type == "REVIEW_OVERDUE":
        subject = w._("Review %(review)s is overdue", review=facts.figures.get("review_id"))
        body = w._(
            "The answer to partner %(partner)s's request for a review of notice %(notice)s was due on "
            "%(deadline)s. Answer it now with the ops action answer_review.",
            partner=facts.partner_id,
            notice=facts.figures.get("notice_id"),
            deadline=people.moment(facts.figures["deadline"]),
        )
    else:  # REVIEW_DUE
        subject = w._(
            "Review %(review)s due by %(deadline)s",
            review=facts.figures.get("review_id"),
            deadline=people.date(facts.figures["deadline"]),
        )
        body = w.ngettext(
            "Partner %(partner)s asked for a review of notice %(notice)s. The answer is due by %(deadline)s "
            "(%(n)s day left). Answer it with the ops action answer_review: someone other than the person who "
            "took or approved the decision must answer.",
            "Partner %(partner)s asked for a review of notice %(notice)s. The answer is due by %(deadline)s "
            "(%(n)s days left). Answer it with the ops action answer_review: someone other than the person who "
            "took or approved the decision must answer.",
            int(facts.figures.get("days_left") or 0),
            partner=facts.partner_id,
            notice=facts.figures.get("notice_id"),
            deadline=people.moment(facts.figures["deadline"]),
        )
    return {"locale": w.lang, "subject": subject, "body": body}


def _decision_pending(w: Words, facts: Facts) -> tuple[str, str]:
    action = ACTIONS.get(str(facts.reasons.get("proposed_action")))
    named = w._(action) if action else str(facts.reasons.get("proposed_action"))
    subject = w._("Decision needed: %(action)s of partner %(partner)s", action=named, partner=facts.partner_id)
    body = w._(
        "The rules propose: %(action)s of partner %(partner)s in %(city)s, reason %(reason)s (rule %(rule)s, "
        "policy version %(version)s). The partner's status stays as it is until someone decides: approve or "
        "reject with the ops action decide. The figures and thresholds are in this notice's statement of "
        "reasons and in explain.",
        action=named,
        partner=facts.partner_id,
        city=facts.city or "-",
        reason=facts.reasons.get("proposed_reason"),
        rule=facts.reasons.get("rule"),
        version=facts.reasons.get("policy_version"),
    )
    return subject, body
