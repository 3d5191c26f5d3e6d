"""The sections of the Art. 9 page, in the order a partner reads them (see page.py): each states
a part of the rules with the city's numbers from its policy."""

from __future__ import annotations

from mila_standing.domain.policy import CityPolicy
from mila_standing.rules.reviews import REVIEW_DAYS
from mila_standing.usecases.messages.letter import ACADEMY, SUPPORT
from mila_standing.usecases.messages.partner_decisions import CATEGORIES

from .page import Page


def render(policy: CityPolicy, city: str, lang: str) -> str:
    """The page for ``city`` in ``lang``, from the city's merged policy."""
    return Page(policy, city, lang).html(SECTIONS)


CONDUCT = (
    "DISCRIMINATION",
    "PROPERTY_DAMAGE",
    "PHYSICAL_CONTACT",
    "ABUSIVE_BEHAVIOUR",
    "UNWANTED_CONTACT",
    "ILLEGAL_CONDUCT",
    "PRIVACY_BREACH",
)  # R7.1
FRAUD = (
    "OFF_PLATFORM_WORK",
    "CASH_PAYMENT",
    "CANCEL_THEN_PERFORM",
    "MULTIPLE_ACCOUNTS",
    "UNAUTHORISED_MARKETING",
)  # R7.2


def _data(page: Page) -> None:
    w, r, c = page.w, page.policy.rating, page.policy.cancellation
    page.h2(w._("Which data the system uses"))
    page.items(
        [
            w._(
                "Your customers' star ratings (1 to 5 stars) of your last %(n)s rated jobs, with their date. "
                "Comments are not stored.",
                n=page.number(r.window),
            ),
            w._(
                "The outcome of your last %(n)s accepted jobs: completed, cancelled by you, or not attended "
                "(no-show), and whether you told Mila support before the appointment.",
                n=page.number(c.window),
            ),
            w._("No-shows of the last %(n)s days.", n=page.number(page.policy.no_show.strike_window_days)),
            w._("Incidents that a person at Mila reports: breaches of the code of conduct and fraud."),
            w._(
                "Fingerprints of your identity document, phone number and bank account, stored as codes "
                "(hashes), only to find a second account of the same person."
            ),
            w._("Whether your background check and photo ID have been verified, and your home city."),
        ]
    )
    page.para(
        w._("The system uses no other data about you: not your location, not your working hours, not your messages.")
    )


def _decisions(page: Page) -> None:
    w = page.w
    system, person = w._("the system, automatically"), w._("a person at Mila")
    restricts = person if page.human_review else w._("the system, automatically (you are warned beforehand)")
    page.h2(w._("Which decisions are taken, and by whom"))
    page.table(
        [w._("Decision"), w._("When"), w._("Who decides in %(city)s", city=page.city)],
        [
            [w._("Warning about your rating or cancellation rate"), w._("see the thresholds below"), system],
            [w._("Warning after a no-show"), w._("your first no-show"), system],
            [w._("Suspension (no login, no jobs)"), w._("after several warnings without improvement"), restricts],
            [w._("Exclusion from job distribution (login still possible)"), w._("a second no-show"), restricts],
            [w._("Suspension or closure after an incident"), w._("a breach of the code of conduct, or fraud"), person],
            [
                w._("Closure of a second account"),
                w._("a new account shares identity details with another"),
                person if page.human_review else system,
            ],
            [w._("Order in which jobs are offered"), w._("always (the dispatch score, below)"), system],
            [w._("Lifting a restriction; answering your request for a review"), w._("on request"), person],
        ],
    )


def _ratings(page: Page) -> None:
    w, r = page.w, page.policy.rating
    band = r.minimum + r.warning_margin
    page.h2(w._("Your rating"))
    page.para(
        w._("Your rating is the average of the stars of your last %(window)s ratings.", window=page.number(r.window))
    )
    page.table(
        [w._("Threshold"), w._("In %(city)s", city=page.city)],
        [
            [w._("Minimum average"), w._("%(stars)s stars", stars=page.number(r.minimum))],
            [
                w._("Warning margin: we warn below the minimum plus"),
                w._(
                    "%(stars)s stars (so below %(band)s stars)",
                    stars=page.number(r.warning_margin),
                    band=page.number(band),
                ),
            ],
            [w._("Ratings needed before any warning"), page.number(r.min_ratings)],
            [w._("Days between two warnings (at least)"), page.number(page.policy.notice_cooldown_days)],
            [w._("Warnings in a row before a suspension can follow"), page.number(r.notices_before_suspension)],
        ],
        numeric=1,
    )
    page.para(
        w._(
            "As soon as you have at least %(count)s ratings and your average is below %(band)s stars, we send "
            "you a warning, and again every %(days)s days while it stays there.",
            count=page.number(r.min_ratings),
            band=page.number(band),
            days=page.number(page.policy.notice_cooldown_days),
        ),
        w._(
            "After %(n)s warnings in a row, your account can be suspended at the nightly check if your average is "
            "below %(minimum)s stars and no better than at the first warning.",
            n=page.number(r.notices_before_suspension),
            minimum=page.number(r.minimum),
        ),
        w._("Once your average is %(band)s stars or more again, the count starts afresh.", band=page.number(band)),
        w._("Mila Academy helps you to better ratings: %(academy)s", academy=ACADEMY),
    )


def _cancellations(page: Page) -> None:
    w, c = page.w, page.policy.cancellation
    page.h2(w._("Your cancellation rate"))
    page.para(
        w._(
            "Your cancellation rate is the share of your cancellations and no-shows among your last %(window)s "
            "accepted jobs: for example, 2 cancellations among 50 jobs are 4%%.",
            window=page.number(c.window),
        ),
        w._("Cancellations by the customer or by Mila support do not count."),
    )
    page.table(
        [w._("Threshold"), w._("In %(city)s", city=page.city)],
        [
            [
                w._("City average"),
                w._(
                    "the average rate of the partners in %(city)s with at least %(jobs)s jobs, computed every night",
                    city=page.city,
                    jobs=page.number(c.min_jobs),
                ),
            ],
            [
                w._("If fewer than %(n)s partners have that many jobs", n=page.number(c.min_city_partners)),
                w._("the city average is %(rate)s", rate=page.percent(c.default_city_average)),
            ],
            [
                w._("Highest rate allowed"),
                w._(
                    "%(factor)s times the city average, at least %(floor)s",
                    factor=page.number(c.maximum_factor),
                    floor=page.percent(c.maximum_floor),
                ),
            ],
            [w._("Jobs needed before any warning"), page.number(c.min_jobs)],
            [w._("Warnings in a row before a suspension can follow"), page.number(c.notices_before_suspension)],
        ],
        numeric=1,
    )
    page.para(
        w._(
            "With at least %(jobs)s jobs and a rate above the city average, we send you a warning, and again "
            "every %(days)s days while it stays there.",
            jobs=page.number(c.min_jobs),
            days=page.number(page.policy.notice_cooldown_days),
        ),
        w._(
            "After %(n)s warnings in a row, your account can be suspended at the nightly check if your rate is "
            "above the highest rate allowed.",
            n=page.number(c.notices_before_suspension),
        ),
        w._("A rate at or below the city average ends the count."),
    )


def _no_shows(page: Page) -> None:
    w, n = page.w, page.policy.no_show
    page.h2(w._("No-shows"))
    page.para(
        w._(
            "A no-show is a job you accepted and did not attend without telling Mila support before the "
            "appointment. If you told support in time, it counts as a cancellation instead."
        ),
        w._("The first no-show brings a warning, the only one.") if n.strikes_before_exclusion > 1 else None,
        w._(
            "With %(n)s no-shows within %(days)s days you are excluded from job distribution at once: you can "
            "still log in, but you receive no new jobs.",
            n=page.number(n.strikes_before_exclusion),
            days=page.number(n.strike_window_days),
        ),
        w._("A no-show stops counting after %(days)s days.", days=page.number(n.strike_window_days)),
    )


def _conduct(page: Page) -> None:
    w = page.w
    page.h2(w._("Conduct, fraud and one account per partner"))
    page.para(w._("A person at Mila reports an incident; it takes effect at once."))
    suspension, closure = w._("suspension of your account"), w._("closure of your account; Mila takes legal action")
    incident = page.notice_words  # the categories are the notices' texts (one translation of each)
    page.table(
        [w._("Incident"), w._("Consequence")],
        [[_capital(incident._(CATEGORIES[k])), suspension] for k in CONDUCT]
        + [[_capital(incident._(CATEGORIES[k])), closure] for k in FRAUD],
    )
    page.para(
        w._(
            "Every partner may have only one account. A newly registered account that shares the identity "
            "document, phone number or bank account with an existing account is closed; the existing account is "
            "checked by a person at Mila."
        ),
        w._("Jobs are offered only to partners whose background check and photo ID are verified."),
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _dispatch(page: Page) -> None:
    w, r, c = page.w, page.policy.rating, page.policy.cancellation
    prior = (r.minimum + 5) / 2
    page.h2(w._("Which jobs you are offered first"))
    page.para(
        w._(
            "The better your star rating and the lower your cancellation rate, the more jobs you are offered. "
            "The system ranks partners by a dispatch score between 0 and 1."
        ),
        w._(
            "Your rating counts as if you also had %(m)s ratings of %(prior)s stars (halfway between the minimum "
            "and 5 stars), and your cancellation rate as if you also had %(k)s jobs at the city average: so a "
            "new partner starts as a typical good partner, and every rating and job moves the score a little.",
            m=page.number(r.min_ratings),
            prior=page.number(prior),
            k=page.number(c.min_jobs),
        ),
        w._(
            "Score = (rating - 1) / 4 x (1 - cancellation rate). Better ratings raise it; fewer cancellations "
            "and no-shows raise it."
        ),
        w._("A suspended, excluded, closed or unverified partner is offered no jobs (score 0)."),
    )


def _people(page: Page) -> None:
    w = page.w
    page.h2(w._("Decisions taken by people"))
    if page.human_review:
        page.para(
            w._(
                "In %(city)s the system never suspends, excludes or closes an account on its own: it proposes, and "
                "a person at Mila decides, with the reasons in front of them. Until then your account stays as it "
                "is.",
                city=page.city,
            ),
            css="box",
        )
    else:
        page.para(
            w._(
                "In %(city)s the system applies the suspensions, exclusions and closures above itself, after the "
                "warnings described. Every decision is recorded with its reasons, and a person at Mila reviews it "
                "if you ask.",
                city=page.city,
            ),
            css="box",
        )
    page.para(w._("Incidents, lifting a restriction and the answer to a review are always decided by a person."))


def _review(page: Page) -> None:
    w = page.w
    page.h2(w._("How to ask for a review"))
    page.para(
        w._("Every warning and every decision about your account is sent to you with its reasons and a notice number."),
        w._(
            "If you think it is wrong, reply to the message or write to %(support)s, quoting the notice number. "
            "A person at Mila looks at your case and answers you with reasons within %(days)s days.",
            support=SUPPORT,
            days=page.number(REVIEW_DAYS),
        ),
        w._("If the decision was wrong, it is corrected: a restriction is lifted, a warning no longer counts."),
    )
    page.para(w._("Questions? Mila support: %(support)s", support=SUPPORT))


SECTIONS = (_data, _decisions, _ratings, _cancellations, _no_shows, _conduct, _dispatch, _people, _review)
