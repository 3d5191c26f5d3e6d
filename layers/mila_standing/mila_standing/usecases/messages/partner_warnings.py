"""The partner's warnings in words (R13.1): RATING_WARNING (R2.2), CANCELLATION_WARNING (R5.2),
NO_SHOW_WARNING (R6.2). Each says what happened with the figures against the city's threshold,
what comes next, how to improve, and how to ask for a review."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .catalog import Words
from .letter import ACADEMY, Facts, Letter
from .people import exact


def rating_warning(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    p = letter.people
    figures, limits = facts.figures, facts.thresholds
    minimum = exact(limits["minimum"])
    band = minimum + exact(limits["warning_margin"])
    average = figures["rating_average"]
    letter.add(
        w._(
            "Your average rating over your last %(count)s ratings is %(average)s stars. The minimum in "
            "%(city)s is %(minimum)s stars, and we let you know as soon as your average is below %(band)s stars.",
            count=p.count(figures["rating_count"]),
            average=p.stars(average, band),
            city=letter.city,
            minimum=p.limit(minimum),
            band=p.limit(band),
        )
    )
    baseline = facts.baseline if facts.baseline is not None else average  # shown as the average is
    streak, limit = int(facts.reasons.get("streak") or 1), int(limits["notices_before_suspension"])
    letter.add(
        w._("This is notice number %(streak)s in a row.", streak=p.count(streak)),
        _what_comes_next(w, streak, limit, minimum=p.limit(minimum), baseline=p.stars(baseline, band)),
        _suspension_means(w),
        _people_decide(w, facts, letter.city),
        _rating_reminders(w, limits, p.limit(band)),
    )
    letter.add(
        w._(
            "Only your last %(window)s ratings count, so every good rating from now on helps.",
            window=p.count(figures.get("window") or facts.policy.rating.window),
        ),
        w._(
            "How to improve: Mila Academy shows you which behaviour towards customers usually leads to good "
            "ratings: %(academy)s",
            academy=facts.reasons.get("academy") or ACADEMY,
        ),
    )
    letter.review_rights()
    return letter.message(w._("Your rating is close to the minimum in %(city)s", city=letter.city))


def _what_comes_next(w: Words, streak: int, limit: int, minimum: str, baseline: str) -> str:
    """R2.4: a suspension can follow once the streak has ``limit`` warnings (checked at night)."""
    if streak >= limit:
        return w.ngettext(
            "You have now received %(n)s notice: from the next nightly check on, your account can be suspended "
            "if your average stays below %(minimum)s stars and does not rise above %(baseline)s stars.",
            "You have now received %(n)s notices: from the next nightly check on, your account can be suspended "
            "if your average stays below %(minimum)s stars and does not rise above %(baseline)s stars.",
            streak,
            minimum=minimum,
            baseline=baseline,
        )
    return " ".join(
        (
            w.ngettext(
                "If after %(n)s notice your average is still below %(minimum)s stars and no better than at the "
                "first notice (%(baseline)s stars), your account can be suspended at the next nightly check.",
                "If after %(n)s notices your average is still below %(minimum)s stars and no better than at the "
                "first notice (%(baseline)s stars), your account can be suspended at the next nightly check.",
                limit,
                minimum=minimum,
                baseline=baseline,
            ),
            _notices_left(w, limit - streak),
        )
    )


def _suspension_means(w: Words) -> str:
    return w._("A suspended account cannot log in and receives no jobs.")


def _notices_left(w: Words, left: int) -> str:
    return w.ngettext(
        "You would receive %(n)s more notice before that.", "You would receive %(n)s more notices before that.", left
    )


def _people_decide(w: Words, facts: Facts, city: str) -> str | None:
    """R12.3: in a city under human review, no suspension or exclusion is automatic."""
    if not facts.human_review:
        return None
    return w._("In %(city)s nobody is suspended automatically: a person at Mila decides.", city=city)


def _rating_reminders(w: Words, limits: dict[str, Any], band: str) -> str | None:
    """R2.2: the warning comes again after the cooldown while the partner stays in the band."""
    days = int(limits.get("notice_cooldown_days") or 0)
    if days <= 0:
        return None
    return w.ngettext(
        "While your average stays below %(band)s stars, we will remind you again after %(n)s day.",
        "While your average stays below %(band)s stars, we will remind you again every %(n)s days.",
        days,
        band=band,
    )


def _cancellation_reminders(w: Words, limits: dict[str, Any]) -> str | None:
    """R5.2: the warning comes again after the cooldown while the partner stays above average."""
    days = int(limits.get("notice_cooldown_days") or 0)
    if days <= 0:
        return None
    return w.ngettext(
        "While your rate stays above the average, we will remind you again after %(n)s day.",
        "While your rate stays above the average, we will remind you again every %(n)s days.",
        days,
    )


def cancellation_warning(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    p = letter.people
    figures, limits = facts.figures, facts.thresholds
    average, maximum = limits["city_average"], limits["city_maximum"]
    letter.add(
        w._(
            "Your cancellation rate is %(rate)s: you cancelled or missed %(cancellations)s of your last %(jobs)s "
            "accepted jobs. The average of the partners in %(city)s is %(average)s.",
            rate=p.percent(figures["cancellation_rate"], average),
            cancellations=p.count(figures["cancellations"]),
            jobs=p.count(figures["resolved_jobs"]),
            city=letter.city,
            average=p.percent_limit(average),
        )
    )
    streak, limit = int(facts.reasons.get("streak") or 1), int(limits["notices_before_suspension"])
    maximum_text = p.percent_limit(maximum)
    if streak >= limit:
        next_step = w.ngettext(
            "You have now received %(n)s notice: from the next nightly check on, your account can be suspended "
            "while your rate is above the limit in %(city)s (currently %(maximum)s).",
            "You have now received %(n)s notices: from the next nightly check on, your account can be suspended "
            "while your rate is above the limit in %(city)s (currently %(maximum)s).",
            streak,
            city=letter.city,
            maximum=maximum_text,
        )
    else:
        next_step = " ".join(
            (
                w.ngettext(
                    "If after %(n)s notice your rate is above the limit in %(city)s (currently %(maximum)s), your "
                    "account can be suspended at the next nightly check.",
                    "If after %(n)s notices your rate is above the limit in %(city)s (currently %(maximum)s), your "
                    "account can be suspended at the next nightly check.",
                    limit,
                    city=letter.city,
                    maximum=maximum_text,
                ),
                _notices_left(w, limit - streak),
            )
        )
    letter.add(
        w._("This is notice number %(streak)s in a row.", streak=p.count(streak)),
        next_step,
        _suspension_means(w),
        _people_decide(w, facts, letter.city),
        _cancellation_reminders(w, limits),
    )
    letter.add(
        w._("How to lower your rate: accept only jobs that match your skills and your schedule."),
        w._(
            "If you cannot do a job you accepted, talk to Mila support before you cancel: together we will find "
            "a solution."
        ),
        w._(
            "Only your last %(window)s accepted jobs count: older cancellations drop out as you complete new jobs.",
            window=p.count(figures.get("window") or facts.policy.cancellation.window),
        ),
    )
    letter.review_rights()
    return letter.message(w._("Your cancellation rate is above the average in %(city)s", city=letter.city))


def no_show_warning(w: Words, facts: Facts) -> dict[str, str]:
    letter = Letter(w, facts)
    p = letter.people
    figures = facts.figures
    jobs = [str(job) for job in figures.get("strikes") or []]
    latest = max(jobs, key=lambda job: (facts.strikes.get(job, facts.at), job)) if jobs else None
    reported = facts.strikes.get(latest, facts.at) if latest else facts.at
    days = int(figures.get("strike_window_days") or facts.policy.no_show.strike_window_days)
    limit = int(facts.thresholds.get("strikes_before_exclusion") or facts.policy.no_show.strikes_before_exclusion)
    left = max(limit - int(figures.get("no_show_strikes") or 1), 1)
    letter.add(
        w._(
            "You did not show up for job %(job)s (reported on %(date)s), and Mila support had not been told "
            "before the appointment.",
            job=latest or "-",
            date=p.date(reported),
        ),
        w._("It also counts in your cancellation rate."),
    )
    letter.add(
        w._("This is the only warning you receive for a no-show."),
        _exclusion_ahead(w, facts, left, p.count(days)),
        w._("Excluded means: you can still log in, but you receive no new jobs."),
        w._(
            "This no-show counts for %(days)s days, until %(until)s.",
            days=p.count(days),
            until=p.date(reported + timedelta(days=days)),  # R14.6: still counts on day D + window
        ),
    )
    letter.add(
        w._(
            "How to avoid it: if you cannot keep an appointment, tell Mila support before it. Then it counts as "
            "a cancellation, not as a no-show."
        )
    )
    letter.review_rights()
    return letter.message(w._("Warning: you missed an appointment"))


def _exclusion_ahead(w: Words, facts: Facts, left: int, days: str) -> str:
    """R6.3 (R12.3 in a city under human review: a person decides on the exclusion)."""
    if facts.human_review:
        return w.ngettext(
            "If you miss another appointment within %(days)s days without telling support first, a person at "
            "Mila will decide whether to exclude you from job distribution.",
            "If you miss %(n)s more appointments within %(days)s days without telling support first, a person "
            "at Mila will decide whether to exclude you from job distribution.",
            left,
            days=days,
        )
    return w.ngettext(
        "If you miss another appointment within %(days)s days without telling support first, you will be "
        "excluded from job distribution at once.",
        "If you miss %(n)s more appointments within %(days)s days without telling support first, you will be "
        "excluded from job distribution at once.",
        left,
        days=days,
    )
