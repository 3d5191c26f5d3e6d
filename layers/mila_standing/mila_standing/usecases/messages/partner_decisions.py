"""The partner's decisions in words (R13.1): SUSPENDED, EXCLUDED, CLOSED (R2.4, R5.3, R6.3, R7,
R8.1, R12.3), REINSTATED (R12.4) and the answer to a review (REVIEW_ANSWERED, PWD-11).

A restriction says why, with the figures against the city's threshold, what it means (a
suspension or closure blocks the login, an exclusion does not), whether a person decided it, and
how to ask for a review. An incident names its category in plain words and the job, never who
reported it or their note (those stay in the statement of reasons).
"""

from __future__ import annotations

from .catalog import Words
from .letter import ACADEMY, Facts, Letter
from .people import exact


def N_(text: str) -> str:
    """A text marked for the catalog (``pybabel extract``), translated where it is used."""
    return text


CATEGORIES = {  # R7.1, R7.2 in the code of conduct's words
    "DISCRIMINATION": N_("discrimination"),
    "PROPERTY_DAMAGE": N_("damage to a customer's property"),
    "PHYSICAL_CONTACT": N_("unwanted physical contact"),
    "ABUSIVE_BEHAVIOUR": N_("abusive language or behaviour"),
    "UNWANTED_CONTACT": N_("unwanted contact with a customer after a job"),
    "ILLEGAL_CONDUCT": N_("breaking the law"),
    "PRIVACY_BREACH": N_("writing down or reusing a customer's codes or passwords"),
    "OFF_PLATFORM_WORK": N_("working with Mila customers outside the platform"),
    "CASH_PAYMENT": N_("taking cash payments from customers"),
    "CANCEL_THEN_PERFORM": N_("cancelling a job and then doing it secretly"),
    "MULTIPLE_ACCOUNTS": N_("holding more than one partner account"),
    "UNAUTHORISED_MARKETING": N_("handing out your own business cards or flyers"),
}
FINGERPRINTS = {  # R8.1
    "id_document_hash": N_("the identity document"),
    "phone": N_("the phone number"),
    "iban_hash": N_("the bank account"),
}
REVIEWED = {  # what a reviewed notice was about (PWD-11)
    "RATING_WARNING": N_("a notice about your rating"),
    "CANCELLATION_WARNING": N_("a notice about your cancellation rate"),
    "NO_SHOW_WARNING": N_("a warning about a no-show"),
    "SUSPENDED": N_("the suspension of your account"),
    "EXCLUDED": N_("your exclusion from job distribution"),
    "CLOSED": N_("the closure of your partner account"),
}


def suspended(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    rule = facts.reasons.get("rule")
    if rule == "R2.4":
        _rating_suspension(letter)
    elif rule == "R5.3":
        _cancellation_suspension(letter)
    elif rule == "R7.1":
        letter.add(*_incident(letter, closure=False))
    else:
        letter.add(w._("We have suspended your account."))
    _decided_by(letter)
    letter.add(
        w._("What this means: you cannot log in and you receive no jobs while your account is suspended."),
        w._("The suspension does not end by itself: Mila can lift it, for example after a review."),
    )
    letter.review_rights()
    return letter.message(w._("Your account is suspended"))


def _rating_suspension(letter: Letter) -> None:
    w, p, facts = letter.w, letter.people, letter.facts
    figures, minimum = facts.figures, exact(facts.thresholds["minimum"])
    baseline = figures.get("baseline", figures["rating_average"])
    letter.add(
        w._(
            "We have suspended your account: after %(streak)s notices, your average rating over your last "
            "%(count)s ratings is %(average)s stars. That is below the minimum of %(minimum)s stars in %(city)s "
            "and no better than at the first notice (%(baseline)s stars).",
            streak=p.count(figures.get("streak") or facts.thresholds["notices_before_suspension"]),
            count=p.count(figures["rating_count"]),
            average=p.stars(figures["rating_average"], minimum),
            minimum=p.limit(minimum),
            city=letter.city,
            baseline=p.stars(baseline, minimum),
        )
    )
    letter.add(
        w._(
            "Mila Academy shows you which behaviour towards customers usually leads to good ratings: %(academy)s",
            academy=ACADEMY,
        )
    )


def _cancellation_suspension(letter: Letter) -> None:
    w, p, facts = letter.w, letter.people, letter.facts
    figures, maximum = facts.figures, facts.thresholds["city_maximum"]
    letter.add(
        w._(
            "We have suspended your account: after %(streak)s notices, your cancellation rate is %(rate)s "
            "(%(cancellations)s of your last %(jobs)s accepted jobs). That is above the limit of %(maximum)s "
            "in %(city)s.",
            streak=p.count(figures.get("streak") or facts.thresholds["notices_before_suspension"]),
            rate=p.percent(figures["cancellation_rate"], maximum),
            cancellations=p.count(figures["cancellations"]),
            jobs=p.count(figures["resolved_jobs"]),
            maximum=p.percent_limit(maximum),
            city=letter.city,
        )
    )


def _incident(letter: Letter, closure: bool) -> list[str]:
    """R7: the category in plain words and the job; never the reporter or the note."""
    w = letter.w
    incident = letter.facts.figures.get("incident") or {}
    category = CATEGORIES.get(str(incident.get("category")))
    named = w._(category) if category else None
    if closure:
        sentences = [
            w._("We have closed your partner account because of fraud: %(category)s.", category=named)
            if named
            else w._("We have closed your partner account because of fraud.")
        ]
    else:
        sentences = [
            w._(
                "We have suspended your account because of a breach of Mila's code of conduct: %(category)s.",
                category=named,
            )
            if named
            else w._("We have suspended your account because of a breach of Mila's code of conduct.")
        ]
    if incident.get("job_id"):
        sentences.append(w._("It concerns job %(job)s.", job=incident["job_id"]))
    return sentences


def _decided_by(letter: Letter) -> None:
    """R12.3 / R7: whether a person at Mila took or confirmed the decision (never who)."""
    w, facts = letter.w, letter.facts
    if "approved_by" in facts.reasons:
        letter.add(w._("A person at Mila reviewed this decision and confirmed it."))
    elif facts.by_a_person:
        letter.add(w._("A person at Mila took this decision."))


def excluded(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    p, figures = letter.people, facts.figures
    jobs = [str(job) for job in figures.get("strikes") or []]
    letter.add(
        w.ngettext(
            "You did not show up for %(n)s appointment within %(days)s days without telling Mila support first "
            "(job %(jobs)s).",
            "You did not show up for %(n)s appointments within %(days)s days without telling Mila support first "
            "(jobs %(jobs)s).",
            int(figures.get("no_show_strikes") or len(jobs) or 1),
            days=p.count(figures.get("strike_window_days") or facts.policy.no_show.strike_window_days),
            jobs=p.listing(jobs) if jobs else "-",
        ),
        w._("We have therefore excluded you from job distribution."),
        w._("We had warned you about this after your first no-show.") if facts.reasons.get("notices") else None,
    )
    _decided_by(letter)
    letter.add(
        w._("What this means: you can still log in, but you receive no new jobs."),
        w._("The exclusion does not end by itself: Mila can lift it, for example after a review."),
    )
    letter.add(w._("In future, if you cannot keep an appointment, tell Mila support before it."))
    letter.review_rights()
    return letter.message(w._("You are excluded from job distribution"))


def closed(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    rule = facts.reasons.get("rule")
    if rule == "R7.2":
        letter.add(
            *_incident(letter, closure=True),
            w._("Mila takes legal action against every kind of fraud."),
        )
    elif rule == "R8.1":
        shared = sorted({str(s.get("kind")) for s in facts.figures.get("shared_fingerprints") or []})
        what = [w._(FINGERPRINTS[kind]) for kind in shared if kind in FINGERPRINTS]
        letter.add(
            w._(
                "We have closed this partner account: it shares %(what)s with another partner account, and "
                "every partner may have only one account.",
                what=letter.people.listing(what) if what else w._("identity details"),
            ),
            w._(
                "If you have no other account with Mila (for example because you share a phone number with "
                "someone), ask for a review and we will look into it."
            ),
        )
    else:
        letter.add(w._("We have closed your partner account."))
    _decided_by(letter)
    letter.add(
        w._("What this means: your partner account is closed for good. You cannot log in and you receive no jobs.")
    )
    letter.review_rights()
    return letter.message(w._("Your partner account is closed"))


def reinstated(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    was = facts.figures.get("previous_status")
    after_review = (
        w._("We lifted the restriction after reviewing your case.") if facts.reasons.get("review_id") else None
    )
    if was == "EXCLUDED":
        letter.add(w._("You are back in job distribution: you receive jobs again."), after_review)
    else:
        letter.add(w._("Your account is open again: you can log in and receive jobs as before."), after_review)
    letter.add(
        w._("Your earlier notices and no-shows no longer count towards a suspension or an exclusion: you start afresh.")
    )
    return letter.message(w._("Your account is open again"))


def review_answered(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    p, figures = letter.people, facts.figures
    about = REVIEWED.get(str(figures.get("notice_type")))
    letter.add(
        w._(
            "You asked us on %(requested)s to review our notice %(notice_id)s (%(about)s). A person at Mila has "
            "looked at your case.",
            requested=p.date(figures["requested_at"]),
            notice_id=figures.get("notice_id"),
            about=w._(about) if about else w._("a decision about you"),
        )
    )
    letter.add(_result(letter))
    # The answer's reason is the person's substantiated reply to the partner (Art. 11), written
    # for them; an ops note of an incident, a reinstatement or a decision never reaches a message.
    if facts.reasons.get("reason"):
        letter.add(w._("Our reasons: %(reason)s", reason=str(facts.reasons["reason"]).strip()))
    if figures.get("within_deadline") is False:
        letter.add(w._("We are sorry that our answer took longer than the two weeks we promise."))
    return letter.message(w._("Answer to your request for a review"))


def _result(letter: Letter) -> str:
    w, facts = letter.w, letter.facts
    if facts.reasons.get("outcome") != "corrected":
        return w._("Result: the decision stands.")
    effect = facts.reasons.get("effect") or {}
    if effect.get("reinstated"):
        return w._("Result: we have corrected the decision, and your account is open again.")
    if "reinstated" in effect:
        if effect.get("status") == "ACTIVE":
            return w._("Result: we have corrected the decision. Your account was already open again.")
        return w._(
            "Result: we have corrected the decision. Your account stays restricted for another reason, about "
            "which we have sent you a separate notice."
        )
    if facts.figures.get("notice_type") == "NO_SHOW_WARNING":
        return w._("Result: we have corrected the decision: this no-show no longer counts towards an exclusion.")
    return w._("Result: we have corrected the decision: this notice no longer counts towards a suspension.")


def news(w: Words, facts: Facts) -> dict[str, str]:
    """A notice type without words of its own yet (the tests require words for every type)."""
    letter = Letter(w, facts)
    letter.add(w._("There is news about your partner account. Mila support can tell you more."))
    return letter.message(w._("News about your partner account"))
