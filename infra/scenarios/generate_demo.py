#!/usr/bin/env python3
"""Generate the demo scenario: one month (October 2026) of partners, jobs, ratings and ops in
Leipzig and in a smaller city, Halle, where restrictions are decided by a human.

Deterministic (``random.Random`` seeded, default 2026), standard library only::

    python infra/scenarios/generate_demo.py [--out PATH] [--seed N] [--quiet]

Writes JSON Lines in the scenario format of CONTRACT §4 (default: ``demo.jsonl`` next to this
file): first the policy line ``{"policy": {"cities": {"halle": {"decision_mode":
"human_review"}}}}``, then the lines. It re-reads what it wrote, checks it (time order, types,
one write per key per burst) and replays it through a small reference model of SPEC R1-R8 and
R12 (default policy plus that line) to print what each story partner should show. Exit code 1
if a story does not come out.

Story partners in Leipzig (automatic decisions; see SPEC for the rules):

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

Dispatch in this little world respects the standing: while the reference model restricts a
partner (suspension or exclusion, until a reinstatement) they receive no jobs. The generator
reaches that fixed point by regenerating with the restriction periods until they no longer
change; each partner's own randomness comes from its own generator, so cutting a partner's later
jobs does not change anything that happened before. Halle's generators are drawn after
Leipzig's, and p-leipzig-11's jobs are taken out only after numbering, so every other Leipzig
line is the same as in the Leipzig-only demo.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

CITY = "leipzig"
H_CITY = "halle"  # the second, smaller city: decisions by a human (R12.3)
POLICY = {"cities": {H_CITY: {"decision_mode": "human_review"}}}  # the scenario's first line
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 31
END = START + timedelta(days=DAYS)
DEFAULT_OUT = Path(__file__).resolve().parent / "demo.jsonl"


def pid(n: int) -> str:
    return f"p-leipzig-{n:02d}"


N_PARTNERS = 30
P_POOR, P_BORDER, P_CANCELS, P_NOSHOW, P_ANNOUNCED = pid(7), pid(12), pid(19), pid(23), pid(27)
STORY = (P_POOR, P_BORDER, P_CANCELS, P_NOSHOW, P_ANNOUNCED)
UNVERIFIED = (pid(29), pid(30))
NO_SHOW_DAYS = (8, 15)  # p-leipzig-23, unannounced, last job of the day
ANNOUNCED_DAY = 13  # p-leipzig-27
H_PARTNERS = 6


def hid(n: int) -> str:
    return f"p-halle-{n:02d}"


H_NOSHOW, H_POOR = hid(3), hid(5)
H_STORY = (H_NOSHOW, H_POOR)
POOR = (P_POOR, H_POOR)  # the same poor-stars pattern in both cities
NO_SHOW_DAYS_OF = {P_NOSHOW: NO_SHOW_DAYS, H_NOSHOW: (10, 17)}
STORY_RATES = {P_POOR: 2.5, P_BORDER: 2.2, P_CANCELS: 2.0, P_NOSHOW: 2.0, P_ANNOUNCED: 1.6, H_POOR: 2.5, H_NOSHOW: 1.6}

# Ops (the console, CONTRACT §2 `ops`), all by ops-jana. p-leipzig-11 is an ordinary partner
# until the incident; p-leipzig-31 is a second account of p-leipzig-05 (same phone, R8.1).
OPS_ACTOR = "ops-jana"
P_INCIDENT, P_DUPLICATE, P_DUPLICATED = pid(11), pid(31), pid(5)
INCIDENT_AT = datetime(2026, 10, 20, 11, 0, tzinfo=UTC)
REINSTATE_AT = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
DUPLICATE_AT = datetime(2026, 10, 12, 9, 40, 12, tzinfo=UTC)
REFUSED_AT = datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
H_EXPLAIN_AT = datetime(2026, 10, 18, 10, 0, tzinfo=UTC)
H_APPROVE_AT = datetime(2026, 10, 18, 10, 5, tzinfo=UTC)
H_REJECT_AT = datetime(2026, 10, 18, 10, 20, tzinfo=UTC)
ONE_CANCEL_AT = 25  # the two busiest ordinary partners cancel their 25th job (rate <= 1/25 afterwards)

# Appointment slots (hour, minute); + up to 15 min, 40-95 min long: a partner's jobs never overlap.
SLOTS = [(8, 10), (10, 10), (12, 10), (14, 10), (16, 10), (18, 5)]
SERVICES = [
    "Heizungswartung",
    "Elektroinstallation",
    "Sanitaer-Reparatur",
    "Geraetemontage",
    "Lampenmontage",
    "Waschmaschinenanschluss",
    "Rauchmelder-Check",
    "Moebelmontage",
]
FIRST = [
    "Jonas",
    "Lena",
    "Mehmet",
    "Anna",
    "Lukas",
    "Sophie",
    "Piotr",
    "Marie",
    "Felix",
    "Elif",
    "Tobias",
    "Katrin",
    "Ahmad",
    "Julia",
    "Stefan",
    "Nora",
    "Daniel",
    "Olena",
    "Paul",
    "Sarah",
    "Martin",
    "Hanna",
    "Yusuf",
    "Laura",
    "Florian",
    "Mia",
    "Andrzej",
    "Clara",
    "Kevin",
    "Ines",
]
LAST = [
    "Weber",
    "Schulz",
    "Yilmaz",
    "Fischer",
    "Wagner",
    "Becker",
    "Nowak",
    "Hoffmann",
    "Koch",
    "Kaya",
    "Richter",
    "Klein",
    "Haddad",
    "Wolf",
    "Schroeder",
    "Neumann",
    "Schwarz",
    "Kovalenko",
    "Zimmermann",
    "Braun",
    "Krueger",
    "Hartmann",
    "Demir",
    "Lange",
    "Schmitt",
    "Werner",
    "Kowalski",
    "Krause",
    "Meier",
    "Lehmann",
]
WIFI_WORDS = [
    "Auwald",
    "Pleisse",
    "Connewitz",
    "Lindenau",
    "Gohlis",
    "Plagwitz",
    "Reudnitz",
    "Moeckern",
    "Schleussig",
    "Stoetteritz",
    "Eutritzsch",
    "Anger",
]
COMMENTS = {
    5: [
        "Super schnell und sauber gearbeitet!",
        "Sehr freundlich, gerne wieder.",
        "Puenktlich und kompetent.",
        "Alles bestens erklaert.",
    ],
    4: ["Gute Arbeit, kam etwas spaeter.", "Ordentlich erledigt.", "Passt, danke."],
    3: ["Hat geklappt, aber wenig Kommunikation.", "Musste zweimal nachfragen."],
    2: ["Unordentlich hinterlassen.", "Deutlich zu spaet, keine Info."],
    1: ["Problem nicht geloest.", "Sehr unfreundlich."],
}

# Reference model of the default policy (SPEC R1-R6, CONTRACT §3), exact fractions (R14.7).
R_WINDOW, R_MIN_RATINGS, R_MINIMUM, R_MARGIN, R_NOTICES = 50, 10, Fraction("4.3"), Fraction("0.2"), 3
C_WINDOW, C_MIN_JOBS, C_MIN_PARTNERS, C_DEFAULT_AVG = 50, 10, 5, Fraction("0.03")
C_FACTOR, C_FLOOR, C_NOTICES = Fraction("1.5"), Fraction("0.05"), 3
COOLDOWN_DAYS, STRIKES_TO_EXCLUDE, STRIKE_WINDOW_DAYS = 7, 2, 365


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def day_start(d: int) -> datetime:
    """Day d of the month, 1-based (day 1 = 2026-10-01)."""
    return START + timedelta(days=d - 1)


def minutes(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(lo * 60, hi * 60)))


def fake_hash(kind: str, key: str) -> str:
    return hashlib.sha256(f"demo:{kind}:{key}".encode()).hexdigest()


# --------------------------------------------------------------------------- partners


def partner_items(rng: random.Random) -> list[dict]:
    items = []
    names = list(zip(FIRST, LAST, strict=True))
    rng.shuffle(names)
    for n in range(1, N_PARTNERS + 1):
        p = pid(n)
        first, last = names[n - 1]
        if p in UNVERIFIED:
            created = datetime(2026, 9, 24 + n - 29, 9, 0, tzinfo=UTC) + minutes(rng, 0, 480)
        else:
            created = (
                datetime(2025, 1, 15, tzinfo=UTC) + timedelta(days=rng.randint(0, 560)) + minutes(rng, 8 * 60, 19 * 60)
            )
        items.append(
            {
                "partner_id": p,
                "city": CITY,
                "verified": p not in UNVERIFIED,
                "created_at": iso(created),
                "user_pool_username": p,
                "email": f"{first.lower()}.{last.lower()}@example.org",
                "phone": fake_hash("phone", p),
                "iban_hash": fake_hash("iban", p),
                "id_document_hash": fake_hash("id-document", p),
            }
        )
    return items


H_NAMES = [
    ("Ronja", "Vogel"),
    ("Emre", "Aydin"),
    ("Sven", "Kuehn"),
    ("Tamara", "Pohl"),
    ("Bartek", "Mazur"),
    ("Greta", "Seidel"),
]


def halle_partner_items(rng: random.Random) -> list[dict]:
    """Halle's six partners: all verified, registered long before the month."""
    items = []
    for n in range(1, H_PARTNERS + 1):
        p = hid(n)
        first, last = H_NAMES[n - 1]
        created = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 480)) + minutes(rng, 8 * 60, 19 * 60)
        items.append(
            {
                "partner_id": p,
                "city": H_CITY,
                "verified": True,
                "created_at": iso(created),
                "user_pool_username": p,
                "email": f"{first.lower()}.{last.lower()}@example.org",
                "phone": fake_hash("phone", p),
                "iban_hash": fake_hash("iban", p),
                "id_document_hash": fake_hash("id-document", p),
            }
        )
    return items


def duplicate_item(partners: list[dict]) -> dict:
    """p-leipzig-31 registers on Oct 12 with p-leipzig-05's phone: a second account (R8.1)."""
    original = next(x for x in partners if x["partner_id"] == P_DUPLICATED)
    return {
        "partner_id": P_DUPLICATE,
        "city": CITY,
        "verified": False,
        "created_at": iso(DUPLICATE_AT),
        "user_pool_username": P_DUPLICATE,
        "email": "handwerk.profi.leipzig@example.org",
        "phone": original["phone"],
        "iban_hash": fake_hash("iban", P_DUPLICATE),
        "id_document_hash": fake_hash("id-document", P_DUPLICATE),
    }


# --------------------------------------------------------------------------- job plans


def jobs_per_day(rng: random.Random, rate: float, d: int) -> int:
    weekday = day_start(d).weekday()
    factor = 1.0 if weekday < 5 else (0.6 if weekday == 5 else 0.25)
    p = min(1.0, rate * factor / len(SLOTS))
    return sum(rng.random() < p for _ in SLOTS)


def make_job(rng: random.Random, partner: str, d: int, slot: int, force_prebooked: bool = False) -> dict:
    h, m = SLOTS[slot]
    scheduled = day_start(d) + timedelta(hours=h, minutes=m + 5 * rng.randint(0, 3))
    prebooked = slot == 0 or force_prebooked or rng.random() < 0.4
    if prebooked:
        if d == 1:
            requested = day_start(1) + timedelta(hours=2, minutes=30) + minutes(rng, 0, 300)
        else:
            requested = day_start(d - 1) + timedelta(hours=17) + minutes(rng, 0, 270)
        accepted = day_start(d) + timedelta(hours=8)  # the morning dispatch run: a burst
    else:
        earliest = day_start(d) + timedelta(hours=6, minutes=30) + minutes(rng, 0, 30)
        requested = max(scheduled - minutes(rng, 70, 240), earliest)
        accepted = requested + minutes(rng, 3, 35)
    secrets = None
    if rng.random() < 0.25:
        secrets = {}
        if rng.random() < 0.8:
            secrets["wifi_password"] = f"{rng.choice(WIFI_WORDS)}-{rng.randint(1000, 9999)}"
        if not secrets or rng.random() < 0.6:
            secrets["door_code"] = f"{rng.randint(1000, 9999)}#"
    price = rng.randrange(4900, 18901, 10) if rng.random() < 0.3 else rng.randrange(49, 190) * 100
    r = rng.random()
    outcome, by = (
        ("CANCELLED", "customer") if r < 0.045 else (("CANCELLED", "support") if r < 0.06 else ("COMPLETED", None))
    )
    return {
        "partner": partner,
        "day": d,
        "slot": slot,
        "customer": f"c-{rng.randint(1, 650):05d}",
        "service": rng.choice(SERVICES),
        "requested": requested,
        "accepted": accepted,
        "scheduled": scheduled,
        "duration": minutes(rng, 40, 95),
        "secrets": secrets,
        "price": price,
        "outcome": outcome,
        "cancelled_by": by,
        "announced": False,
        "paid": rng.random() < 0.975,
        "rate_draw": rng.random(),
        "delay_draw": (rng.random(), rng.random()),
        "cancel_draw": rng.random(),
        "comment_draw": rng.random(),
    }


def finish_times(job: dict, rng: random.Random) -> None:
    """Outcome time and the like, from the (possibly overridden) outcome."""
    if job["outcome"] == "COMPLETED":
        job["outcome_at"] = job["scheduled"] + job["duration"]
    elif job["outcome"] == "CANCELLED":
        lo = job["accepted"] + timedelta(minutes=5)
        hi = max(lo + timedelta(minutes=5), job["scheduled"] - timedelta(minutes=10))
        job["outcome_at"] = lo + (hi - lo) * job["cancel_draw"]
        job["outcome_at"] = job["outcome_at"].replace(microsecond=0)
    else:  # NO_SHOW
        job["outcome_at"] = job["scheduled"] + minutes(rng, 25, 55)
        if job["announced"]:
            informed = job["scheduled"] - minutes(rng, 45, 150)
            job["support_informed"] = max(informed, job["accepted"] + timedelta(minutes=10))


def plan_partner(p: str, rng: random.Random) -> list[dict]:
    """Every job this partner would do in the month (before any restriction cut)."""
    rate = STORY_RATES.get(p)
    if rate is None:
        rate = rng.uniform(0.45, 1.15) if p.startswith("p-leipzig") else rng.uniform(0.35, 0.75)
    no_show_days = NO_SHOW_DAYS_OF.get(p, ())
    jobs = []
    for d in range(1, DAYS + 1):
        if p in POOR and d <= 2:
            k = 6  # a busy start: 12 ratings by the end of Oct 2
        elif p in POOR:
            k = rng.choice([2, 2, 3, 3, 3])
        else:
            k = jobs_per_day(rng, rate, d)
        forced = (d in no_show_days) or (p == P_ANNOUNCED and d == ANNOUNCED_DAY)
        if forced:
            k = max(k, 2)
        slots = sorted(rng.sample(range(len(SLOTS)), k))
        if p == P_ANNOUNCED and d == ANNOUNCED_DAY and slots[-1] < 2:
            slots[-1] = 3
        for i, s in enumerate(slots):
            job = make_job(
                rng, p, d, s, force_prebooked=(p == P_ANNOUNCED and d == ANNOUNCED_DAY and i == len(slots) - 1)
            )
            if p in POOR and d <= 2:
                job["outcome"], job["cancelled_by"] = "COMPLETED", None
            if d in no_show_days and i == len(slots) - 1:
                job["outcome"], job["cancelled_by"] = "NO_SHOW", None
            if p == P_ANNOUNCED and d == ANNOUNCED_DAY and i == len(slots) - 1:
                job["outcome"], job["cancelled_by"], job["announced"] = "NO_SHOW", None, True
            jobs.append(job)
    if p == P_CANCELS:
        # About one in five accepted jobs cancelled by the partner: one in each block of five.
        for b in range(0, len(jobs), 5):
            j = jobs[b + rng.randrange(min(5, len(jobs) - b))]
            j["outcome"], j["cancelled_by"] = "CANCELLED", "partner"
    for job in jobs:
        finish_times(job, rng)
    return jobs


def rating_time(job: dict) -> datetime | None:
    """When the customer rates (None: never). Between 07:00 and 23:30, within a day."""
    done = job["outcome_at"]
    a, b = job["delay_draw"]
    if job["partner"] in POOR and job["day"] <= 2:
        t = min(done + timedelta(minutes=15 + 135 * a), day_start(job["day"]) + timedelta(hours=23, minutes=30))
    else:
        t = done + timedelta(minutes=20 + (22 * 60 - 20) * a * a)
        if t.hour < 7:
            t = t.replace(hour=7, minute=0, second=0) + timedelta(minutes=int(90 * b), seconds=int(60 * a))
        elif t.hour == 23 and t.minute >= 30:
            t = t + timedelta(hours=8)
        t = min(t, done + timedelta(hours=23, minutes=50))
    t = t.replace(microsecond=0)
    return t if t < END - timedelta(minutes=30) else None


# --------------------------------------------------------------------------- stars


def window_avg(stars: list[int]) -> Fraction:
    w = stars[-R_WINDOW:]
    return Fraction(sum(w), len(w))


def ok_good(hist: list[int], lo: Fraction) -> bool:
    n = len(hist)
    if n >= R_MIN_RATINGS:
        return window_avg(hist) >= lo
    return sum(hist) + 5 * (R_MIN_RATINGS - n) >= lo * R_MIN_RATINGS


def draw(rng: random.Random, dist: dict[int, float]) -> int:
    x, acc = rng.random(), 0.0
    for s, w in dist.items():
        acc += w
        if x < acc:
            return s
    return max(dist)


def assign_stars(p: str, times: list[datetime], rng: random.Random) -> list[int]:
    """Stars of a partner's ratings, given in rated_at order (controls the story averages)."""
    n = len(times)
    hist: list[int] = []
    if p in POOR:
        first = [5, 5, 5, 5, 4, 4, 4, 3, 3, 3]  # 41 / 10 = 4.1: the baseline
        rng.shuffle(first)
        for i in range(n):
            if i < len(first):
                hist.append(first[i])
                continue
            want = draw(rng, {5: 0.33, 4: 0.37, 3: 0.2, 2: 0.1})
            for s in sorted(range(2, 6), key=lambda s: (abs(s - want), -s)):
                if Fraction(385, 100) <= window_avg(hist + [s]) <= Fraction(405, 100):
                    want = s
                    break
            hist.append(want)
        return hist
    lo = Fraction(455, 100)
    dist = {5: 0.78, 4: 0.18, 3: 0.03, 2: 0.01}
    start = 0
    if p == P_BORDER and n >= R_MIN_RATINGS:
        first = [5] * 6 + [4] * 2 + [3] * 2  # 44 / 10 = 4.4: in the band at the 10th rating
        rng.shuffle(first)
        hist = list(first)
        # The rest of that day and the next in the band (4.38 <= avg <= 4.48), then more 5-star ratings.
        improve = (times[R_MIN_RATINGS - 1] + timedelta(days=2)).replace(hour=0, minute=0, second=0)
        while len(hist) < n and times[len(hist)] < improve:
            want = draw(rng, {5: 0.45, 4: 0.4, 3: 0.15})
            for s in sorted(range(3, 6), key=lambda s: (abs(s - want), -s)):
                if Fraction(438, 100) <= window_avg(hist + [s]) <= Fraction(448, 100):
                    want = s
                    break
            hist.append(want)
        while len(hist) < n and window_avg(hist) < lo:
            hist.append(5)
        start = len(hist)
    for _ in range(start, n):
        want = draw(rng, dist)
        if not ok_good(hist + [want], lo):
            want = 5
        hist.append(want)
    return hist


# --------------------------------------------------------------------------- build


Periods = dict[str, list[tuple[datetime, datetime | None]]]


def dispatched(job: dict, periods: list[tuple[datetime, datetime | None]]) -> bool:
    """Dispatch respects the standing: no job accepted or scheduled while restricted."""
    for start, end in periods:
        before = job["scheduled"] < start and job["accepted"] < start
        after = end is not None and job["accepted"] >= end
        if not (before or after):
            return False
    return True


def rate_jobs(plans: dict[str, list[dict]], restricted: Periods, star_rngs: dict[str, random.Random]) -> list[dict]:
    """The jobs dispatch really gives each partner, with their customers' ratings."""
    jobs: list[dict] = []
    for p, plan in plans.items():
        periods = restricted.get(p, [])
        if periods:
            plan = [j for j in plan if dispatched(j, periods)]
        ratings = []
        for j in plan:
            j["rated_at"] = None
            threshold = 1.0 if (p in POOR and j["day"] <= 2) else (0.9 if p in STORY or p in H_STORY else 0.8)
            if j["outcome"] == "COMPLETED" and j["rate_draw"] < threshold:
                j["rated_at"] = rating_time(j)
                if j["rated_at"] is not None:
                    ratings.append(j)
        ratings.sort(key=lambda j: j["rated_at"])
        stars = assign_stars(p, [j["rated_at"] for j in ratings], star_rngs[p])
        for j, s in zip(ratings, stars, strict=True):
            j["stars"] = s
            j["comment"] = rng_comment(j["comment_draw"], s)
        jobs.extend(plan)
    return jobs


def unaccepted(rng: random.Random, per_day: list[int]) -> list[dict]:
    """Requests nobody accepted: the customer (or support) cancels them."""
    jobs = []
    for d in range(1, DAYS + 1):
        for _ in range(rng.choice(per_day)):
            requested = day_start(d) + timedelta(hours=7) + minutes(rng, 0, 600)
            jobs.append(
                {
                    "partner": None,
                    "customer": f"c-{rng.randint(1, 650):05d}",
                    "service": rng.choice(SERVICES),
                    "requested": requested,
                    "scheduled": (requested + minutes(rng, 120, 300)).replace(second=0),
                    "outcome": "CANCELLED",
                    "cancelled_by": "customer" if rng.random() < 0.8 else "support",
                    "outcome_at": requested + minutes(rng, 20, 110),
                }
            )
    return jobs


def ops(at: datetime, **event) -> tuple[datetime, dict]:
    return at, {"invoke": {"function": "ops", "event": event}}


def build(seed: int, restricted: Periods) -> list[dict]:
    master = random.Random(seed)
    part_rng = random.Random(master.getrandbits(64))
    partner_rngs = {pid(n): random.Random(master.getrandbits(64)) for n in range(1, N_PARTNERS + 1)}
    star_rngs = {pid(n): random.Random(master.getrandbits(64)) for n in range(1, N_PARTNERS + 1)}
    market_rng = random.Random(master.getrandbits(64))
    mod_rng = random.Random(master.getrandbits(64))
    # Halle's generators come after Leipzig's: adding Halle changed nothing drawn for Leipzig.
    h_part_rng = random.Random(master.getrandbits(64))
    h_partner_rngs = {hid(n): random.Random(master.getrandbits(64)) for n in range(1, H_PARTNERS + 1)}
    h_star_rngs = {hid(n): random.Random(master.getrandbits(64)) for n in range(1, H_PARTNERS + 1)}
    h_market_rng = random.Random(master.getrandbits(64))

    partners = partner_items(part_rng)
    plans = {p: plan_partner(p, rng) for p, rng in partner_rngs.items() if p not in UNVERIFIED}
    ordinary = [p for p in plans if p not in STORY]
    for p in sorted(ordinary, key=lambda p: (-len(plans[p]), p))[:2]:
        j = plans[p][ONE_CANCEL_AT - 1]
        j["outcome"], j["cancelled_by"] = "CANCELLED", "partner"
        finish_times(j, random.Random(0))
    # p-leipzig-11's suspension (an incident, then reinstated) takes its jobs out only after they
    # are numbered and rated: every other Leipzig job, rating and correction stays as it was.
    late = {p: v for p, v in restricted.items() if p == P_INCIDENT}
    early = {p: v for p, v in restricted.items() if p not in late}
    jobs = rate_jobs(plans, early, star_rngs) + unaccepted(market_rng, [0, 1, 1, 2])
    jobs.sort(key=lambda j: (j["requested"], j["partner"] or "", j["scheduled"]))
    for i, j in enumerate(jobs, 1):
        j["id"], j["city"] = f"j-{i:06d}", CITY
    gone = {j["id"] for j in jobs if j["partner"] in late and not dispatched(j, late[j["partner"]])}

    h_partners = halle_partner_items(h_part_rng)
    h_plans = {p: plan_partner(p, rng) for p, rng in h_partner_rngs.items()}
    h_jobs = rate_jobs(h_plans, restricted, h_star_rngs) + unaccepted(h_market_rng, [0, 0, 0, 1])
    h_jobs.sort(key=lambda j: (j["requested"], j["partner"] or "", j["scheduled"]))
    for i, j in enumerate(h_jobs, 1):
        j["id"], j["city"], j["customer"] = f"j-halle-{i:05d}", H_CITY, "c-h" + j["customer"][2:]

    events: list[tuple[datetime, int, dict]] = []

    def emit(at: datetime, line: dict, prio: int = 1) -> None:
        events.append((at, prio, {"at": iso(at), **line}))

    def no_emit(at: datetime, line: dict, prio: int = 1) -> None:
        pass

    def emit_kept(job_id: str, at: datetime, line: dict) -> None:
        if job_id not in gone:
            emit(at, line)

    for item in partners:
        emit(START, {"put": {"table": "partners", "item": item}}, prio=0)
    for d in range(1, DAYS + 1):
        emit(day_start(d) + timedelta(hours=2), {"invoke": {"function": "nightly_check", "event": {}}}, prio=0)

    emit_line = emit

    def emit_jobs(jobs: list[dict]) -> tuple[list[tuple], dict[str, dict]]:
        """The jobs' writes and ratings; the pools of ordinary paid jobs and ratings (with the
        jobs in ``gone``, never written, so that the corrections drawn from them stay the same)."""
        ratings_by_job: dict[str, dict] = {}
        paid_jobs = []
        for j in jobs:
            emit = no_emit if j.get("id") in gone else emit_line
            base = {
                "job_id": j["id"],
                "customer_id": j["customer"],
                "city": j["city"],
                "status": "REQUESTED",
                "scheduled_at": iso(j["scheduled"]),
                "service": j["service"],
            }
            emit(j["requested"], {"put": {"table": "jobs", "item": dict(base)}})
            if j["partner"] is None:
                item = dict(base, status="CANCELLED", cancelled_by=j["cancelled_by"], cancelled_at=iso(j["outcome_at"]))
                emit(j["outcome_at"], {"put": {"table": "jobs", "item": item}})
                continue
            acc = dict(base, status="ACCEPTED", partner_id=j["partner"], accepted_at=iso(j["accepted"]))
            if j["secrets"]:
                acc["access_secrets"] = dict(j["secrets"])
            emit(j["accepted"], {"put": {"table": "jobs", "item": acc}})
            out = {k: v for k, v in acc.items() if k != "access_secrets"}
            out["status"] = j["outcome"]
            if j["outcome"] == "COMPLETED":
                out.update(
                    completed_at=iso(j["outcome_at"]), price_cents=j["price"], currency="EUR", payment_status="PENDING"
                )
            elif j["outcome"] == "CANCELLED":
                out.update(cancelled_by=j["cancelled_by"], cancelled_at=iso(j["outcome_at"]))
            else:
                out["reported_at"] = iso(j["outcome_at"])
                if j["announced"]:
                    out["support_informed_at"] = iso(j["support_informed"])
            final = dict(out)  # what is left once the system removed the secrets
            if j["secrets"]:
                out["access_secrets"] = dict(j["secrets"])
            emit(j["outcome_at"], {"put": {"table": "jobs", "item": out}})
            if j["outcome"] == "COMPLETED" and j["paid"]:
                paid_at = j["outcome_at"] + timedelta(hours=1)
                emit(paid_at, {"put": {"table": "jobs", "item": dict(final, payment_status="PAID")}})
                if j["partner"] not in STORY:
                    paid_jobs.append((j, final, paid_at))
            if j.get("rated_at") is not None:
                r = {
                    "job_id": j["id"],
                    "partner_id": j["partner"],
                    "customer_id": j["customer"],
                    "stars": j["stars"],
                    "rated_at": iso(j["rated_at"]),
                }
                if j["comment"]:
                    r["comment"] = j["comment"]
                emit(j["rated_at"], {"put": {"table": "ratings", "item": r}})
                if j["partner"] not in STORY:
                    ratings_by_job[j["id"]] = r
        return paid_jobs, ratings_by_job

    paid_jobs, ratings_by_job = emit_jobs(jobs)

    # Refunds: three paid jobs of ordinary partners, a few days later.
    refundable = [x for x in paid_jobs if x[2] + timedelta(days=6) < END]
    for j, final, _paid_at in mod_rng.sample(refundable, 3):
        at = day_start(j["day"] + mod_rng.randint(2, 5)) + timedelta(hours=10) + minutes(mod_rng, 0, 360)
        emit_kept(j["id"], at, {"put": {"table": "jobs", "item": dict(final, payment_status="REFUNDED")}})

    # Rating corrections on ordinary partners (each only moves their average up or keeps it).
    def business_time(after: datetime, days_lo: int, days_hi: int) -> datetime:
        day = (after + timedelta(days=mod_rng.randint(days_lo, days_hi))).replace(hour=9, minute=0, second=0)
        return day + minutes(mod_rng, 0, 540)

    late = parse(iso(END - timedelta(days=4)))
    candidates = sorted((r for r in ratings_by_job.values() if parse(r["rated_at"]) < late), key=lambda r: r["job_id"])
    low = [r for r in candidates if r["stars"] <= 4]
    low.sort(key=lambda r: (r["stars"], r["job_id"]))
    voided = low[:2] if low and low[0]["stars"] <= 3 else mod_rng.sample(low, 2)
    rest = [r for r in low if r not in voided]
    rerated = mod_rng.sample(rest, 5)
    deleted = mod_rng.choice([r for r in rest if r not in rerated])
    for r in voided:
        emit_kept(
            r["job_id"],
            business_time(parse(r["rated_at"]), 1, 2),
            {"put": {"table": "ratings", "item": dict(r, voided=True)}},
        )
    for r in rerated:
        at = business_time(parse(r["rated_at"]), 1, 3)
        new = dict(
            r,
            stars=min(5, r["stars"] + 1),
            rated_at=iso(at),
            comment="Nachtrag: Nach Ruecksprache mit dem Support alles geklaert.",
        )
        emit_kept(r["job_id"], at, {"put": {"table": "ratings", "item": new}})
    emit_kept(
        deleted["job_id"],
        business_time(parse(deleted["rated_at"]), 1, 3),
        {"delete": {"table": "ratings", "key": {"job_id": deleted["job_id"]}}},
    )

    # Halle: its partners, its jobs (no refunds or rating corrections there).
    for item in h_partners:
        emit(START, {"put": {"table": "partners", "item": item}}, prio=0)
    emit_jobs(h_jobs)

    # A second account: p-leipzig-31 registers with p-leipzig-05's phone (R8.1).
    emit(DUPLICATE_AT, {"put": {"table": "partners", "item": duplicate_item(partners)}})

    # Ops at the console (CONTRACT §2). The incident is about p-leipzig-11's last finished job.
    damaged = max(
        (
            j
            for j in jobs
            if j["partner"] == P_INCIDENT
            and j["outcome"] == "COMPLETED"
            and j["outcome_at"] < INCIDENT_AT
            and j["id"] not in gone
        ),
        key=lambda j: (j["outcome_at"], j["id"]),
    )
    for at, line in (
        ops(H_EXPLAIN_AT, action="explain", partner_id=H_NOSHOW),
        ops(
            H_APPROVE_AT,
            action="decide",
            partner_id=H_NOSHOW,
            approve=True,
            actor=OPS_ACTOR,
            reason="second no-show confirmed with the customer",
        ),
        ops(
            H_REJECT_AT,
            action="decide",
            partner_id=H_POOR,
            approve=False,
            actor=OPS_ACTOR,
            reason="ratings were about a supplier's faulty routers",
        ),
        ops(
            INCIDENT_AT,
            action="report_incident",
            partner_id=P_INCIDENT,
            category="PROPERTY_DAMAGE",
            actor=OPS_ACTOR,
            job_id=damaged["id"],
            note="damaged a customer's router",
        ),
        ops(
            REINSTATE_AT,
            action="reinstate",
            partner_id=P_INCIDENT,
            actor=OPS_ACTOR,
            reason="damage covered by insurance, partner apologised",
        ),
        ops(
            REFUSED_AT, action="reinstate", partner_id=P_DUPLICATE, actor=OPS_ACTOR, reason="asked nicely"
        ),  # refused: CLOSED is never reinstated (R12.4)
    ):
        emit(at, line, prio=0)

    events.sort(key=lambda e: (e[0], e[1]))  # stable: creation order within the same time
    return [e[2] for e in events]


def rng_comment(draw_value: float, stars: int) -> str | None:
    if draw_value >= 0.35:
        return None
    options = COMMENTS[stars]
    return options[int(draw_value / 0.35 * len(options)) % len(options)]


# --------------------------------------------------------------------------- reference model


class Model:
    """Small reference model of SPEC R1-R8, R12 with the default policy and the scenario's policy
    line (Halle decides by human review): stream handlers, nightly check and the ops console."""

    CONDUCT = {
        "DISCRIMINATION",
        "PROPERTY_DAMAGE",
        "PHYSICAL_CONTACT",
        "ABUSIVE_BEHAVIOUR",
        "UNWANTED_CONTACT",
        "ILLEGAL_CONDUCT",
        "PRIVACY_BREACH",
    }
    FINGERPRINTS = ("id_document_hash", "phone", "iban_hash")

    def __init__(self, policy: dict | None = None) -> None:
        self.partners: dict[str, dict] = {}
        self.tables: dict[str, dict] = {"partners": {}, "jobs": {}, "ratings": {}}
        self.modes = {c: v.get("decision_mode", "automatic") for c, v in ((policy or {}).get("cities") or {}).items()}
        self.city_avg: dict[str, Fraction] = {}  # R4.3: default until the city's first check
        self.city_max: dict[str, Fraction] = {}
        self.notices: list[dict] = []
        self.nightly: dict[str, list[dict]] = defaultdict(list)
        self.city_log: list[tuple[str, str, Fraction, Fraction, int]] = []
        self.ops_log: list[tuple[str, dict, dict]] = []

    KEYS = {"partners": "partner_id", "jobs": "job_id", "ratings": "job_id"}

    # ---- figures
    def rating_figures(self, p: str) -> tuple[int, Fraction | None]:
        live = sorted(
            (r["rated_at"], r["job_id"], r["stars"])
            for r in self.tables["ratings"].values()
            if r["partner_id"] == p and not r.get("voided")
        )[-R_WINDOW:]
        return len(live), (Fraction(sum(x[2] for x in live), len(live)) if live else None)

    def cancel_figures(self, p: str) -> tuple[int, int, Fraction | None]:
        resolved = []
        for j in self.tables["jobs"].values():
            if j.get("partner_id") != p:
                continue
            st = j["status"]
            if st == "COMPLETED":
                resolved.append((j["completed_at"], j["job_id"], 0))
            elif st == "CANCELLED" and j.get("cancelled_by") == "partner":
                resolved.append((j["cancelled_at"], j["job_id"], 1))
            elif st == "NO_SHOW":
                resolved.append((j["reported_at"], j["job_id"], 1))
        w = sorted(resolved)[-C_WINDOW:]
        bad = sum(x[2] for x in w)
        return len(w), bad, (Fraction(bad, len(w)) if w else None)

    def avg_of(self, p: str) -> Fraction:
        return self.city_avg.get(self.partners[p]["city"], C_DEFAULT_AVG)

    def max_of(self, p: str) -> Fraction:
        return self.city_max.get(self.partners[p]["city"], max(C_FLOOR, C_DEFAULT_AVG * C_FACTOR))

    # ---- decisions
    def due(self, st: dict, kind: str, now: datetime) -> bool:
        last = st["last"].get(kind)
        return last is None or (now.date() - last.date()).days >= COOLDOWN_DAYS

    def notice(self, p: str, kind: str, now: datetime, **figures) -> None:
        self.notices.append({"partner_id": p, "type": kind, "at": iso(now), **figures})

    def eval_rating(self, p: str, now: datetime) -> None:
        st = self.partners.get(p)
        if st is None or st["status"] != "ACTIVE":
            return
        n, avg = self.rating_figures(p)
        if n >= R_MIN_RATINGS and avg < R_MINIMUM + R_MARGIN:
            if self.due(st, "RATING_WARNING", now):
                st["last"]["RATING_WARNING"] = now
                st["r_streak"] += 1
                if st["r_streak"] == 1:
                    st["baseline"] = avg
                self.notice(p, "RATING_WARNING", now, average=float(avg), count=n, streak=st["r_streak"])
        else:
            st["r_streak"], st["baseline"] = 0, None

    def eval_cancel(self, p: str, now: datetime) -> None:
        st = self.partners.get(p)
        if st is None or st["status"] != "ACTIVE":
            return
        n, bad, rate = self.cancel_figures(p)
        if n >= C_MIN_JOBS and rate > self.avg_of(p):
            if self.due(st, "CANCELLATION_WARNING", now):
                st["last"]["CANCELLATION_WARNING"] = now
                st["c_streak"] += 1
                self.notice(
                    p,
                    "CANCELLATION_WARNING",
                    now,
                    rate=float(rate),
                    resolved=n,
                    city_average=float(self.avg_of(p)),
                    streak=st["c_streak"],
                )
        else:
            st["c_streak"] = 0

    def set_status(self, p: str, status: str, reason: str | None, now: datetime, kind: str | None = None) -> None:
        st = self.partners[p]
        st.update(status=status, reason=reason)
        if status == "ACTIVE":
            if st["periods"] and st["periods"][-1][1] is None:
                st["periods"][-1] = (st["periods"][-1][0], now)
        elif not st["periods"] or st["periods"][-1][1] is not None:
            st["periods"].append((now, None))
        self.notice(p, kind or status, now, reason=reason)

    def restrict(self, p: str, status: str, reason: str, now: datetime) -> None:
        """R2.4 / R5.3 / R6.3, or a pending decision where the city wants a human (R12.3, R14.5)."""
        st = self.partners[p]
        if self.modes.get(st["city"]) == "human_review":
            if st["pending"] is None:
                st["pending"] = (status, reason)
                self.notice(p, "DECISION_PENDING", now, proposed=status, reason=reason)
            return
        self.set_status(p, status, reason, now)

    # ---- ops (CONTRACT §2), the parts that change standing
    def ops(self, event: dict, now: datetime) -> dict:
        p, action = event.get("partner_id"), event.get("action")
        st = self.partners.get(p)
        if st is None:
            return {"error": {"code": "UNKNOWN_PARTNER"}}
        if action == "explain":
            return {"status": st["status"], "pending": st["pending"]}
        if action == "report_incident":
            if event["category"] not in self.CONDUCT:
                return {"error": {"code": "NOT_MODELLED"}}
            if st["status"] != "CLOSED":
                st["pending"] = None
                self.set_status(p, "SUSPENDED", "CONDUCT", now)
            return {"status": st["status"]}
        if action == "reinstate":
            if st["status"] == "CLOSED":
                return {"error": {"code": "CLOSED"}}
            if st["status"] == "ACTIVE":
                return {"error": {"code": "NOT_RESTRICTED"}}
            st.update(r_streak=0, baseline=None, c_streak=0, strikes=[], pending=None)
            self.set_status(p, "ACTIVE", None, now, kind="REINSTATED")
            return {"status": st["status"]}
        if action == "decide":
            if st["pending"] is None:
                return {"error": {"code": "NOTHING_PENDING"}}
            status, reason = st["pending"]
            st["pending"] = None
            if not event["approve"]:
                st.update(r_streak=0, baseline=None, c_streak=0)
            elif st["status"] == "ACTIVE":
                self.set_status(p, status, reason, now)
            return {"status": st["status"]}
        return {"error": {"code": "NOT_MODELLED"}}

    # ---- stream handlers
    def on_record(self, table: str, old: dict | None, new: dict | None, now: datetime) -> None:
        if table == "partners":
            if new and new["partner_id"] not in self.partners:
                p = new["partner_id"]
                twins = sorted(
                    q
                    for q, other in self.partners.items()
                    if other["status"] != "CLOSED"
                    and any(new.get(f) and new.get(f) == other["fingerprints"].get(f) for f in self.FINGERPRINTS)
                )
                self.partners[p] = {
                    "status": "ACTIVE",
                    "verified": bool(new["verified"]),
                    "city": new["city"],
                    "r_streak": 0,
                    "baseline": None,
                    "c_streak": 0,
                    "last": {},
                    "strikes": [],
                    "reason": None,
                    "pending": None,
                    "periods": [],
                    "twins": twins,
                    "fingerprints": {f: new.get(f) for f in self.FINGERPRINTS},
                }
                if twins:  # R8.1
                    self.set_status(p, "CLOSED", "DUPLICATE_ACCOUNT", now)
            return
        if table == "ratings":
            for p in {x["partner_id"] for x in (old, new) if x}:
                self.eval_rating(p, now)
            return
        sig_old, sig_new = outcome_sig(old), outcome_sig(new)
        if sig_old == sig_new:
            return  # not an outcome change
        p = (new or old).get("partner_id")
        if not p:
            return
        if (
            new
            and new["status"] == "NO_SHOW"
            and not announced(new)
            and not (old and old["status"] == "NO_SHOW" and not announced(old))
        ):
            st = self.partners[p]
            st["strikes"].append(parse(new["reported_at"]))
            if st["status"] == "ACTIVE":
                live = [s for s in st["strikes"] if (now - s).days <= STRIKE_WINDOW_DAYS]
                if len(live) >= STRIKES_TO_EXCLUDE:
                    self.restrict(p, "EXCLUDED", "NO_SHOW", now)
                elif len(live) == 1:
                    self.notice(p, "NO_SHOW_WARNING", now, job_id=new["job_id"])
        self.eval_cancel(p, now)

    def nightly_check(self, now: datetime) -> None:
        for city in sorted({st["city"] for st in self.partners.values()}):
            rates = []
            for p, st in self.partners.items():
                if st["city"] == city and st["status"] != "CLOSED":
                    n, _, rate = self.cancel_figures(p)
                    if n >= C_MIN_JOBS:
                        rates.append(rate)
            enough = len(rates) >= C_MIN_PARTNERS
            self.city_avg[city] = sum(rates, Fraction(0)) / len(rates) if enough else C_DEFAULT_AVG
            self.city_max[city] = max(C_FLOOR, self.city_avg[city] * C_FACTOR)
            self.city_log.append((iso(now), city, self.city_avg[city], self.city_max[city], len(rates)))
        for p in sorted(self.partners):
            st = self.partners[p]
            n, avg = self.rating_figures(p)
            cn, cbad, rate = self.cancel_figures(p)
            self.nightly[p].append(
                {
                    "at": iso(now),
                    "status": st["status"],
                    "count": n,
                    "avg": avg,
                    "resolved": cn,
                    "bad": cbad,
                    "rate": rate,
                    "r_streak": st["r_streak"],
                    "c_streak": st["c_streak"],
                }
            )
            if st["status"] != "ACTIVE":
                continue
            if st["r_streak"] >= R_NOTICES and avg is not None and avg < R_MINIMUM and avg <= st["baseline"]:
                self.restrict(p, "SUSPENDED", "RATING", now)
            elif st["c_streak"] >= C_NOTICES and rate is not None and rate > self.max_of(p):
                self.restrict(p, "SUSPENDED", "CANCELLATION", now)
            self.eval_rating(p, now)  # nothing for a partner just restricted (R14.3)
            self.eval_cancel(p, now)

    # ---- replay
    def run(self, lines: list[dict]) -> None:
        i = 0
        while i < len(lines):
            at = lines[i]["at"]
            now = parse(at)
            pending: list[tuple[str, dict | None, dict | None]] = []
            while i < len(lines) and lines[i]["at"] == at:  # a burst: write first, deliver after
                line = lines[i]
                i += 1
                if "invoke" in line:
                    for rec in pending:
                        self.on_record(*rec, now)
                    pending = []
                    if line["invoke"]["function"] == "ops":
                        event = line["invoke"]["event"]
                        self.ops_log.append((at, event, self.ops(event, now)))
                    else:
                        self.nightly_check(now)
                    continue
                op = "put" if "put" in line else "delete"
                table = line[op]["table"]
                key = line[op]["item"][self.KEYS[table]] if op == "put" else line[op]["key"][self.KEYS[table]]
                old = self.tables[table].get(key)
                new = line[op]["item"] if op == "put" else None
                if new is None:
                    self.tables[table].pop(key, None)
                else:
                    self.tables[table][key] = new
                if old != new:
                    pending.append((table, old, new))
            for rec in pending:
                self.on_record(*rec, now)


def announced(job: dict) -> bool:
    return bool(job.get("support_informed_at")) and job["support_informed_at"] < job["scheduled_at"]


def outcome_sig(job: dict | None) -> tuple | None:
    if not job or job.get("status") not in ("COMPLETED", "CANCELLED", "NO_SHOW"):
        return None
    return (
        job["status"],
        job.get("partner_id"),
        job.get("cancelled_by"),
        job.get("completed_at"),
        job.get("cancelled_at"),
        job.get("reported_at"),
        job.get("support_informed_at"),
    )


def restrictions(model: Model) -> Periods:
    return {p: list(st["periods"]) for p, st in model.partners.items() if st["periods"]}


def generate(seed: int) -> tuple[list[dict], Model]:
    """The scenario lines (the policy line first) and the reference model that replayed them."""
    cutoffs: Periods = {}
    for _ in range(8):
        lines = build(seed, cutoffs)
        model = Model(POLICY)
        model.run(lines)
        found = restrictions(model)
        if found == cutoffs:
            return [{"policy": POLICY}, *lines], model
        cutoffs = found
    raise SystemExit("generate_demo: restriction times did not settle (try another --seed)")


# --------------------------------------------------------------------------- checks


def check_lines(lines: list[dict]) -> list[str]:
    problems = []
    prev = ""
    seen_in_burst: set[tuple] = set()
    last_put_at: dict[tuple, str] = {}
    keys = Model.KEYS
    for n, line in enumerate(lines, 1):
        at = line["at"]
        if at < prev:
            problems.append(f"line {n}: time goes back ({at} < {prev})")
        if at != prev:
            seen_in_burst = set()
        prev = at
        t = parse(at)
        if not (START <= t < END):
            problems.append(f"line {n}: {at} outside the month")
        for op in ("put", "delete"):
            if op in line:
                table = line[op]["table"]
                body = line[op]["item"] if op == "put" else line[op]["key"]
                key = (table, body[keys[table]])
                if key in seen_in_burst:
                    problems.append(f"line {n}: {key} written twice in one burst")
                seen_in_burst.add(key)
                if key in last_put_at and last_put_at[key] >= at:
                    problems.append(f"line {n}: {key} not strictly later than its previous write")
                last_put_at[key] = at
                if op == "put" and table == "ratings":
                    s = body["stars"]
                    if type(s) is not int or not 1 <= s <= 5:
                        problems.append(f"line {n}: bad stars {s!r}")
                if op == "put" and table == "jobs":
                    for f in ("job_id", "customer_id", "city", "status", "scheduled_at"):
                        if f not in body:
                            problems.append(f"line {n}: job without {f}")
                    if "price_cents" in body and (
                        type(body["price_cents"]) is not int or not 4900 <= body["price_cents"] <= 18900
                    ):
                        problems.append(f"line {n}: bad price {body['price_cents']!r}")
    return problems


def fmt(x: Fraction | None, digits: int = 3) -> str:
    return "-" if x is None else f"{float(x):.{digits}f}"


def report(lines: list[dict], model: Model) -> bool:
    ok = True

    def expect(cond: bool, what: str) -> None:
        nonlocal ok
        if not cond:
            ok = False
            print(f"    MISMATCH: {what}")

    by_partner: dict[str, list[str]] = defaultdict(list)
    for nt in model.notices:
        by_partner[nt["partner_id"]].append(f"{nt['type']}@{nt['at'][5:10]}")
    kinds = defaultdict(list)
    for nt in model.notices:
        kinds[(nt["partner_id"], nt["type"])].append(nt["at"][:10])

    jobs = defaultdict(dict)  # latest item per job
    rating_lines = defaultdict(list)
    for line in lines:
        if "put" in line and line["put"]["table"] == "jobs":
            it = line["put"]["item"]
            jobs[it["job_id"]] = it
        if "put" in line and line["put"]["table"] == "ratings":
            rating_lines[line["put"]["item"]["partner_id"]].append(line)
    last_job_day = {}
    for j in jobs.values():
        if j.get("partner_id"):
            last_job_day[j["partner_id"]] = max(last_job_day.get(j["partner_id"], ""), j["scheduled_at"][:10])

    def night(p: str, date: str) -> dict:
        return next(x for x in model.nightly[p] if x["at"].startswith(date))

    # p-leipzig-07
    p = P_POOR
    rl = sorted(rating_lines[p], key=lambda x: x["at"])
    stars = [x["put"]["item"]["stars"] for x in rl]
    by_oct2 = [x for x in rl if x["at"] < "2026-10-03"]
    first10 = Fraction(sum(stars[:10]), 10)
    st = model.partners[p]
    oct2_mean = Fraction(sum(x["put"]["item"]["stars"] for x in by_oct2), len(by_oct2))
    print(
        f"{p} (poor stars): {len(rl)} ratings, overall mean {fmt(Fraction(sum(stars), len(stars)))}; "
        f"{len(by_oct2)} ratings by Oct 2 (mean {fmt(oct2_mean)}), "
        f"10th rating at {rl[9]['at']} -> baseline {fmt(first10)}"
    )
    n17 = night(p, "2026-10-17")
    when = iso(st["periods"][0][0]) if st["periods"] else "-"
    print(
        f"    nightly Oct 17: avg {fmt(n17['avg'])} over {n17['count']} (<= baseline, < 4.3), streak "
        f"{n17['r_streak']}; status {st['status']}/{st['reason']} at {when}; "
        f"last job day {last_job_day.get(p)}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    avgs = [x["avg"] for x in model.nightly[p] if "2026-10-03" <= x["at"] <= "2026-10-17T23"]
    print(f"    nightly averages Oct 3-17: {fmt(min(avgs))} .. {fmt(max(avgs))}")
    expect(len(by_oct2) >= 12, "p07 >= 12 ratings by Oct 2")
    expect(kinds[(p, "RATING_WARNING")] == ["2026-10-02", "2026-10-09", "2026-10-16"], "p07 warnings Oct 2/9/16")
    expect(kinds[(p, "SUSPENDED")] == ["2026-10-17"] and st["reason"] == "RATING", "p07 suspended Oct 17")
    expect(last_job_day.get(p, "") <= "2026-10-16", "p07 no jobs after Oct 16")
    expect(all(Fraction(39, 10) - Fraction(1, 20) <= a <= Fraction(41, 10) for a in avgs), "p07 avg ~3.9-4.1")

    # p-leipzig-12
    p = P_BORDER
    st = model.partners[p]
    band = [x["at"][5:10] for x in model.nightly[p] if x["count"] >= 10 and x["avg"] < R_MINIMUM + R_MARGIN]
    finals = model.nightly[p][-1]
    print(
        f"{p} (borderline): in the band at the nightly checks of {', '.join(band) or '-'}; "
        f"avg at the Oct 31 check {fmt(finals['avg'])} over {finals['count']}; status {st['status']}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    print(
        "    nightly avg: "
        + " ".join(f"{x['at'][8:10]}:{fmt(x['avg'], 2)}" for x in model.nightly[p] if x["count"] >= 8)
    )
    expect(len(kinds[(p, "RATING_WARNING")]) == 1, "p12 warned exactly once")
    warned = parse(kinds[(p, "RATING_WARNING")][0] + "T00:00:00Z") if kinds[(p, "RATING_WARNING")] else START
    later = [x for x in model.nightly[p] if parse(x["at"]) >= warned + timedelta(days=6)]
    expect(all(x["avg"] >= Fraction(452, 100) for x in later), "p12 clearly out of the band from warning + 6 days")
    expect(st["status"] == "ACTIVE", "p12 stays ACTIVE")

    # p-leipzig-19
    p = P_CANCELS
    st = model.partners[p]
    mine = [j for j in jobs.values() if j.get("partner_id") == p]
    pc = sum(1 for j in mine if j["status"] == "CANCELLED" and j.get("cancelled_by") == "partner")
    n, bad, rate = model.cancel_figures(p)
    print(
        f"{p} (cancels): {len(mine)} accepted jobs, {pc} cancelled by the partner, {n} resolved, rate "
        f"{fmt(rate)}; status {st['status']}/{st['reason']}; last job day {last_job_day.get(p)}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(n >= 12 and len(kinds[(p, "CANCELLATION_WARNING")]) >= 2, "p19 >= 12 resolved, cancellation warnings")

    # p-leipzig-23
    p = P_NOSHOW
    st = model.partners[p]
    ns = sorted(j["reported_at"] for j in jobs.values() if j.get("partner_id") == p and j["status"] == "NO_SHOW")
    print(
        f"{p} (no-shows): unannounced no-shows reported {', '.join(ns)}; "
        f"status {st['status']}/{st['reason']}; last job day {last_job_day.get(p)}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(len(ns) == 2 and kinds[(p, "NO_SHOW_WARNING")] == [ns[0][:10]], "p23 warned at first no-show")
    expect(kinds[(p, "EXCLUDED")] == [ns[1][:10]] and st["status"] == "EXCLUDED", "p23 excluded at second")
    expect(last_job_day.get(p) == ns[1][:10], "p23 no jobs after exclusion")

    # p-leipzig-27
    p = P_ANNOUNCED
    st = model.partners[p]
    an = [j for j in jobs.values() if j.get("partner_id") == p and j["status"] == "NO_SHOW"]
    n, bad, rate = model.cancel_figures(p)
    what = ", ".join(
        f"{j['job_id']} scheduled {j['scheduled_at']}, support informed {j['support_informed_at']}" for j in an
    )
    print(
        f"{p} (announced no-show): {what}; strikes {len(st['strikes'])}; rate {fmt(rate)} over {n}; "
        f"status {st['status']}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(len(an) == 1 and announced(an[0]) and not st["strikes"], "p27 one announced no-show, no strike")
    expect(not kinds[(p, "NO_SHOW_WARNING")] and st["status"] == "ACTIVE", "p27 no no-show warning, ACTIVE")

    for p in UNVERIFIED:
        expect(p not in last_job_day, f"{p} (unverified) gets no jobs")

    # Halle (human review): p-halle-03
    p = H_NOSHOW
    st = model.partners[p]
    mine = [j for j in jobs.values() if j.get("partner_id") == p]
    ns = sorted(j["reported_at"] for j in mine if j["status"] == "NO_SHOW")
    print(
        f"{p} (no-shows, human review): unannounced no-shows reported {', '.join(ns)}; "
        f"status {st['status']}/{st['reason']}; last job {max(j['scheduled_at'] for j in mine)}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect([x[:10] for x in ns] == ["2026-10-10", "2026-10-17"], "h03 no-shows Oct 10 and Oct 17")
    expect(kinds[(p, "NO_SHOW_WARNING")] == ["2026-10-10"], "h03 warned at the first no-show")
    expect(kinds[(p, "DECISION_PENDING")] == ["2026-10-17"], "h03 decision pending at the second no-show")
    expect(
        kinds[(p, "EXCLUDED")] == [H_APPROVE_AT.date().isoformat()]
        and st["status"] == "EXCLUDED"
        and st["reason"] == "NO_SHOW",
        "h03 excluded when ops approve",
    )
    expect(
        all(j["scheduled_at"] < iso(H_APPROVE_AT) and j["accepted_at"] < iso(H_APPROVE_AT) for j in mine),
        "h03 no jobs after the exclusion",
    )

    # p-halle-05
    p = H_POOR
    st = model.partners[p]
    warns = [nt for nt in model.notices if nt["partner_id"] == p and nt["type"] == "RATING_WARNING"]
    print(
        f"{p} (poor stars, human review): status {st['status']}; rating streak at the end "
        f"{st['r_streak']}; last job day {last_job_day.get(p)}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect([w["at"][:10] for w in warns[:3]] == ["2026-10-02", "2026-10-09", "2026-10-16"], "h05 warnings Oct 2/9/16")
    expect(kinds[(p, "DECISION_PENDING")] == ["2026-10-17"], "h05 decision pending at the Oct 17 check")
    expect(not kinds[(p, "SUSPENDED")] and st["status"] == "ACTIVE", "h05 never suspended, ACTIVE")
    later = [w for w in warns if w["at"] > iso(H_REJECT_AT)]
    expect(not later or later[0]["streak"] == 1, "h05 a new streak after the rejection")
    expect(last_job_day.get(p, "") >= "2026-10-28", "h05 keeps getting jobs")

    # p-leipzig-11: incident, then reinstated
    p = P_INCIDENT
    st = model.partners[p]
    mine = [j for j in jobs.values() if j.get("partner_id") == p]
    gap = [
        j["job_id"]
        for j in mine
        if not dispatched(
            {"scheduled": parse(j["scheduled_at"]), "accepted": parse(j["accepted_at"])}, [(INCIDENT_AT, REINSTATE_AT)]
        )
    ]
    incident = next(e for _, e, _ in model.ops_log if e["action"] == "report_incident")
    print(
        f"{p} (incident {incident['category']} about {incident['job_id']}): status {st['status']}; "
        f"{len(mine)} jobs, none while suspended: {not gap}"
    )
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(
        kinds[(p, "SUSPENDED")] == ["2026-10-20"]
        and kinds[(p, "REINSTATED")] == ["2026-10-24"]
        and st["status"] == "ACTIVE",
        "p11 suspended Oct 20, reinstated Oct 24, ACTIVE",
    )
    expect(not gap, f"p11 no jobs while suspended ({', '.join(gap)})")
    expect(any(j["job_id"] == incident["job_id"] for j in mine), "p11 incident names one of its jobs")

    # p-leipzig-31: a second account of p-leipzig-05
    p = P_DUPLICATE
    st = model.partners[p]
    print(
        f"{p} (registered {DUPLICATE_AT.date()}, phone of {', '.join(st['twins'])}): "
        f"status {st['status']}/{st['reason']}; jobs {sum(1 for j in jobs.values() if j.get('partner_id') == p)}"
    )
    expect(
        st["status"] == "CLOSED"
        and st["reason"] == "DUPLICATE_ACCOUNT"
        and st["twins"] == [P_DUPLICATED]
        and kinds[(p, "CLOSED")] == ["2026-10-12"],
        "p31 closed as a duplicate of p05",
    )
    expect(p not in last_job_day and model.partners[P_DUPLICATED]["status"] == "ACTIVE", "p31 no jobs, p05 unchanged")

    print("ops:")
    for at, event, answer in model.ops_log:
        print(f"    {at} {event['action']} {event['partner_id']} -> {answer}")
    refused = [a for _, e, a in model.ops_log if e["partner_id"] == P_DUPLICATE]
    expect(refused == [{"error": {"code": "CLOSED"}}], "reinstating p31 is refused (CLOSED)")
    expect(sum(1 for *_, a in model.ops_log if "error" in a) == 1, "exactly one ops call refused")

    special = set(STORY) | set(H_STORY) | {P_INCIDENT, P_DUPLICATE}
    others = {p: v for p, v in by_partner.items() if p not in special}
    listed = "; ".join(f"{p}: {' '.join(v)}" for p, v in sorted(others.items()))
    print(f"other partners with notices: {listed or 'none'}")
    expect(
        not any(
            t in ("RATING_WARNING", "SUSPENDED", "EXCLUDED", "CLOSED", "DECISION_PENDING")
            for (p, t) in kinds
            if p not in special
        ),
        "ordinary partners: no rating warnings, restrictions or pending decisions",
    )
    expect(
        all(
            x["rate"] <= C_FLOOR
            for p, xs in model.nightly.items()
            if p not in special
            for x in xs
            if x["resolved"] >= C_MIN_JOBS
        ),
        "ordinary partners: rate <= 0.05 at every check",
    )
    for c in model.city_log[-2:]:
        print(
            f"city {c[1]} at the Oct 31 check: average cancellation rate {fmt(c[2], 4)} over {c[4]} "
            f"partners, maximum {fmt(c[3], 4)}"
        )
    totals = defaultdict(int)
    for nt in model.notices:
        totals[nt["type"]] += 1
    print("notices in total: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=2026, help="random seed (default: %(default)s)")
    ap.add_argument("--quiet", action="store_true", help="no per-partner check output")
    args = ap.parse_args(argv)

    lines, _ = generate(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")

    # Check what was written, from the file.
    with args.out.open(encoding="utf-8") as fh:
        written = [json.loads(x) for x in fh]
    problems = []
    policy = written[0]["policy"] if written and set(written[0]) == {"policy"} else None
    if policy != POLICY:
        problems.append(f"line 1: expected the policy line {POLICY}")
    written = written[1:] if policy is not None else written
    problems += check_lines(written)
    model = Model(policy)
    model.run(written)
    counts = defaultdict(int)
    for line in written:
        op = next(k for k in ("put", "delete", "invoke") if k in line)
        counts[f"{op}:{line[op].get('table', line[op].get('function'))}"] += 1
    bursts = sum(1 for a, b in zip(written, written[1:], strict=False) if a["at"] == b["at"])
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    if policy is not None:
        by_kind = f"policy 1, {by_kind}"
    print(
        f"wrote {len(written) + (policy is not None)} lines to {args.out} ({by_kind}; "
        f"{bursts} lines share their time with the previous line)"
    )
    for p in problems[:20]:
        print(f"PROBLEM: {p}")
    ok = not problems
    if not args.quiet:
        ok = report(written, model) and ok
    print("check: OK" if ok else "check: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
