"""The demo's story: one month (October 2026) of partners, jobs, ratings and ops in Leipzig and in
a smaller city, Halle, where restrictions are decided by a human. Who the story partners are and
what happens to them; the builder turns this into lines, the report checks that it came out.

Story partners in Leipzig (automatic decisions; docs/rules.md):

* ``p-leipzig-07`` poor stars (average about 4.0, 12 ratings by Oct 2): RATING_WARNING on
  Oct 2 (stream), Oct 9 and Oct 16 (nightly), SUSPENDED (RATING) by the nightly check of Oct 17.
* ``p-leipzig-12`` borderline: enters the band (4.3 <= avg < 4.5) for a few days, warned once,
  then more 5-star ratings take them out of the band; never suspended.
* ``p-leipzig-19`` cancels about 1 in 5 accepted jobs: CANCELLATION_WARNINGs; under R5.3 the
  third warning is followed by a CANCELLATION suspension (rate far above the city maximum).
* ``p-leipzig-23`` two unannounced no-shows a week apart (Oct 8, Oct 15): NO_SHOW_WARNING, then
  EXCLUDED; no jobs afterwards.
* ``p-leipzig-27`` one announced no-show (support informed before the appointment): no strike,
  counts as a partner cancellation.
* ``p-leipzig-29``/``p-leipzig-30`` unverified: no jobs.
* ``p-leipzig-11`` (otherwise ordinary): ops report PROPERTY_DAMAGE on Oct 20 11:00 (R7.1,
  SUSPENDED/CONDUCT) and reinstate on Oct 24 09:00 (R12.4, REINSTATED); no jobs in between.
* ``p-leipzig-31`` registers on Oct 12 with p-leipzig-05's phone: CLOSED (DUPLICATE_ACCOUNT,
  R8.1), no jobs; ops try to reinstate it on Oct 25 and are refused (CLOSED, R12.4).

Halle (six verified partners ``p-halle-01..06``, fewer jobs; human review, R12.3 / R14.5):

* ``p-halle-03`` two unannounced no-shows (Oct 10, Oct 17): NO_SHOW_WARNING, then a
  DECISION_PENDING instead of the exclusion; ops ``explain`` and approve on Oct 18 (10:00,
  10:05): EXCLUDED; no jobs afterwards.
* ``p-halle-05`` poor stars like p-leipzig-07: warnings Oct 2, 9, 16, DECISION_PENDING at the
  nightly check of Oct 17; ops reject on Oct 18 (the streak ends): ACTIVE, warned again from
  Oct 23 on a new streak, never suspended.

Every other partner is ordinary: good stars, few cancellations, no restriction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

CITY = "leipzig"
H_CITY = "halle"  # the second, smaller city: decisions by a human (R12.3)
POLICY = {"cities": {H_CITY: {"decision_mode": "human_review"}}}  # the scenario's first line
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 31
END = START + timedelta(days=DAYS)


def day_start(d: int) -> datetime:
    """Day d of the month, 1-based (day 1 = 2026-10-01)."""
    return START + timedelta(days=d - 1)


def date_of(d: int) -> str:
    return day_start(d).date().isoformat()


def pid(n: int) -> str:
    return f"p-leipzig-{n:02d}"


def hid(n: int) -> str:
    return f"p-halle-{n:02d}"


N_PARTNERS = 30
H_PARTNERS = 6
P_POOR, P_BORDER, P_CANCELS, P_NOSHOW, P_ANNOUNCED = pid(7), pid(12), pid(19), pid(23), pid(27)
STORY = (P_POOR, P_BORDER, P_CANCELS, P_NOSHOW, P_ANNOUNCED)
UNVERIFIED = (pid(29), pid(30))
H_NOSHOW, H_POOR = hid(3), hid(5)
H_STORY = (H_NOSHOW, H_POOR)
POOR = (P_POOR, H_POOR)  # the same poor-stars pattern in both cities

# Jobs a day at full rate (weekdays; fewer at weekends). Ordinary partners draw theirs.
STORY_RATES = {P_POOR: 2.5, P_BORDER: 2.2, P_CANCELS: 2.0, P_NOSHOW: 2.0, P_ANNOUNCED: 1.6, H_POOR: 2.5, H_NOSHOW: 1.6}
POOR_BUSY_DAYS, POOR_BUSY_JOBS = 2, 6  # a busy start: 12 ratings by the end of Oct 2
NO_SHOW_DAYS_OF = {P_NOSHOW: (8, 15), H_NOSHOW: (10, 17)}  # unannounced, the last job of the day
ANNOUNCED_DAY = 13  # p-leipzig-27's announced no-show, the last job of the day
CANCEL_ONE_IN = 5  # p-leipzig-19 cancels one job in each block of five
ONE_CANCEL_AT = 25  # the two busiest ordinary partners cancel their 25th job (rate <= 1/25 afterwards)

# Stars. Chosen for the default rating policy (minimum 4.3, margin 0.2: the band is 4.3 <= avg < 4.5).
POOR_FIRST_TEN = [5, 5, 5, 5, 4, 4, 4, 3, 3, 3]  # 41 / 10 = 4.1: the streak's baseline (R2.2)
POOR_AVERAGE = (Fraction(385, 100), Fraction(405, 100))  # the window kept below the minimum, under the baseline
POOR_DRAW = {5: 0.33, 4: 0.37, 3: 0.2, 2: 0.1}
BORDER_FIRST_TEN = [5] * 6 + [4] * 2 + [3] * 2  # 44 / 10 = 4.4: in the band at the 10th rating
BORDER_AVERAGE = (Fraction(438, 100), Fraction(448, 100))  # in the band for the rest of that day and the next
BORDER_DAYS_IN_BAND = 2
BORDER_DRAW = {5: 0.45, 4: 0.4, 3: 0.15}
BORDER_CLEAR = Fraction(2, 100)  # how far above the band p-leipzig-12 is from 6 days after the warning
GOOD_AVERAGE = Fraction(455, 100)  # everyone else stays clearly out of the band
GOOD_DRAW = {5: 0.78, 4: 0.18, 3: 0.03, 2: 0.01}

# What the story partners' notices show (days of October).
POOR_WARNING_DAYS, POOR_DECISION_DAY = (2, 9, 16), 17  # p-leipzig-07 suspended, p-halle-05 pending
LAST_DAY_OF_HALLE_POOR = 28  # p-halle-05 keeps getting jobs to the end of the month

# Ops (the console, CONTRACT §2), all by ops-jana. p-leipzig-11 is an ordinary partner until the
# incident; p-leipzig-31 is a second account of p-leipzig-05 (same phone, R8.1).
OPS_ACTOR = "ops-jana"
P_INCIDENT, P_DUPLICATE, P_DUPLICATED = pid(11), pid(31), pid(5)
INCIDENT_AT = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
REINSTATE_AT = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
DUPLICATE_AT = datetime(2026, 10, 12, 9, 40, 12, tzinfo=UTC)
REFUSED_AT = datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
H_EXPLAIN_AT = datetime(2026, 10, 18, 10, 0, tzinfo=UTC)
H_APPROVE_AT = datetime(2026, 10, 18, 10, 5, tzinfo=UTC)
H_REJECT_AT = datetime(2026, 10, 18, 10, 20, tzinfo=UTC)
SPECIAL = set(STORY) | set(H_STORY) | {P_INCIDENT, P_DUPLICATE}  # everyone else is ordinary


def last_job_of_day(partner: str, d: int) -> str | None:
    """What the story makes of a partner's last job of day ``d``: a no-show, announced or not."""
    if d in NO_SHOW_DAYS_OF.get(partner, ()):
        return "NO_SHOW"
    if partner == P_ANNOUNCED and d == ANNOUNCED_DAY:
        return "ANNOUNCED_NO_SHOW"
    return None


def ops_calls(damaged_job: str) -> list[tuple[datetime, dict[str, Any]]]:
    """The console calls of the month; the incident is about ``damaged_job`` (p-leipzig-11's)."""
    return [
        (H_EXPLAIN_AT, {"action": "explain", "partner_id": H_NOSHOW}),
        (
            H_APPROVE_AT,
            {
                "action": "decide",
                "partner_id": H_NOSHOW,
                "approve": True,
                "actor": OPS_ACTOR,
                "reason": "second no-show confirmed with the customer",
            },
        ),
        (
            H_REJECT_AT,
            {
                "action": "decide",
                "partner_id": H_POOR,
                "approve": False,
                "actor": OPS_ACTOR,
                "reason": "ratings were about a supplier's faulty routers",
            },
        ),
        (
            INCIDENT_AT,
            {
                "action": "report_incident",
                "partner_id": P_INCIDENT,
                "category": "PROPERTY_DAMAGE",
                "actor": OPS_ACTOR,
                "job_id": damaged_job,
                "note": "damaged a customer's router",
            },
        ),
        (
            REINSTATE_AT,
            {
                "action": "reinstate",
                "partner_id": P_INCIDENT,
                "actor": OPS_ACTOR,
                "reason": "damage covered by insurance, partner apologised",
            },
        ),
        # Refused: CLOSED is never reinstated (R12.4).
        (REFUSED_AT, {"action": "reinstate", "partner_id": P_DUPLICATE, "actor": OPS_ACTOR, "reason": "asked nicely"}),
    ]
