"""What every partner message is made of: the facts it may use, and its common paragraphs (R13.1).

``Facts`` is everything a message may say, taken from the notice, the partner's standing and the
city's policy, and nothing else: the partner's own figures and jobs, the thresholds, the open
reviews' dates. Other partners, the people at Mila and their notes are in the statement of
reasons (``reasons``) but never copied into ``Facts``' words: each message picks named fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from ...domain.policy import CityPolicy
from ...domain.standing import Standing
from ...domain.times import parse_time
from ...rules import Notice, strike_dates
from ...rules.reviews import REVIEW_DAYS
from .catalog import Words
from .people import People

# Where partners reach Mila (one place: the notification team may replace it with a link).
SUPPORT = "partner@mila.com"
ACADEMY = "https://academy.mila.com"


@dataclass(frozen=True)
class Facts:
    notice_id: str
    type: str
    at: datetime
    reasons: dict[str, Any]
    partner_id: str
    city: str | None
    policy: CityPolicy
    baseline: Fraction | None = None  # the rating streak's baseline (R2.2), if any
    strikes: dict[str, datetime] = field(default_factory=dict)  # the partner's strikes: job -> reported
    open_reviews: list[tuple[datetime, datetime]] = field(default_factory=list)  # (requested, deadline)

    @classmethod
    def of(cls, notice: Notice, standing: Standing, policy: CityPolicy) -> Facts:
        baseline = standing.rating_baseline
        reviews = sorted(parse_time(r["deadline"]) for r in standing.reviews.values())
        return cls(
            notice_id=notice.notice_id,
            type=notice.type,
            at=notice.at,
            reasons=notice.reasons,
            partner_id=notice.partner_id,
            city=standing.city,
            policy=policy,
            baseline=Fraction(baseline[0], baseline[1]) if baseline else None,
            strikes=strike_dates(standing),
            open_reviews=[(d - timedelta(days=REVIEW_DAYS), d) for d in reviews],
        )

    @property
    def figures(self) -> dict[str, Any]:
        return dict(self.reasons.get("figures") or {})

    @property
    def thresholds(self) -> dict[str, Any]:
        return dict(self.reasons.get("thresholds") or {})

    @property
    def by_a_person(self) -> bool:
        """A decision a person at Mila took (an incident, R7) or approved (human review, R12.3)."""
        return "approved_by" in self.reasons or str(self.reasons.get("rule", "")).startswith("R7")

    @property
    def human_review(self) -> bool:
        return self.policy.decision_mode == "human_review"


class Letter:
    """A partner's message: subject, then greeting, paragraphs, review rights, support, signature."""

    def __init__(self, words: Words, facts: Facts):
        self.w, self.facts, self.people = words, facts, People(words.lang)
        self.paragraphs: list[str] = []

    @property
    def city(self) -> str:
        """The city as a sentence names it after "in" ("in Leipzig"; "in your city" if unknown, R14.8)."""
        city = self.facts.city
        return "-".join(part.capitalize() for part in city.split("-")) if city else self.w._("your city")

    def add(self, *sentences: str | None) -> None:
        text = " ".join(s for s in sentences if s)
        if text:
            self.paragraphs.append(text)

    def review_rights(self) -> None:
        """Art. 11 (PWD-11): how to ask for a review, and that Mila answers within two weeks."""
        w = self.w
        self.add(
            w._(
                "Do you think this is wrong? You can ask for a review: reply to this message or write to "
                "%(support)s, quoting notice %(notice_id)s. A person at Mila will look at your case and "
                "answer you with reasons within two weeks.",
                support=SUPPORT,
                notice_id=self.facts.notice_id,
            ),
            *self._open_reviews(),
        )

    def _open_reviews(self) -> list[str]:
        return [
            self.w._(
                "Your request for a review of %(requested)s is still open: Mila will answer you by %(deadline)s.",
                requested=self.people.date(requested),
                deadline=self.people.date(deadline),
            )
            for requested, deadline in self.facts.open_reviews
        ]

    def message(self, subject: str) -> dict[str, str]:
        w = self.w
        support = w._("Questions? Mila support is there for you: %(support)s.", support=SUPPORT)
        body = [w._("Hello,"), *self.paragraphs, support, w._("Kind regards,\nYour Mila team")]
        return {"locale": w.lang, "subject": subject, "body": "\n\n".join(body)}
