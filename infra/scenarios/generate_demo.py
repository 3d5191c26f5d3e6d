#!/usr/bin/env python3
"""Generate the demo scenario: one month (October 2026) of partners, jobs and ratings in Leipzig.

Deterministic (``random.Random`` seeded, default 2026), standard library only::

    python infra/scenarios/generate_demo.py [--out PATH] [--seed N] [--quiet]

Writes JSON Lines in the scenario format of CONTRACT §4 (default: ``demo.jsonl`` next to this
file), then re-reads what it wrote, checks it (time order, types, one write per key per burst)
and replays it through a small reference model of SPEC R1-R6 (default policy, automatic mode)
to print what each story partner should show. Exit code 1 if a story does not come out.

Story partners (see SPEC for the rules):

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

Dispatch in this little world respects the standing: once the reference model restricts a
partner (suspension or exclusion) they receive no further jobs. The generator reaches that
fixed point by regenerating with the restriction times until they no longer change; each
partner's own randomness comes from its own generator, so cutting a partner's later jobs does
not change anything that happened before.
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
NO_SHOW_DAYS = (8, 15)          # p-leipzig-23, unannounced, last job of the day
ANNOUNCED_DAY = 13              # p-leipzig-27
ONE_CANCEL_AT = 25   # the two busiest ordinary partners cancel their 25th job (rate <= 1/25 afterwards)

# Appointment slots (hour, minute); + up to 15 min, 40-95 min long: a partner's jobs never overlap.
SLOTS = [(8, 10), (10, 10), (12, 10), (14, 10), (16, 10), (18, 5)]
SERVICES = ["Heizungswartung", "Elektroinstallation", "Sanitaer-Reparatur", "Geraetemontage",
            "Lampenmontage", "Waschmaschinenanschluss", "Rauchmelder-Check", "Moebelmontage"]
FIRST = ["Jonas", "Lena", "Mehmet", "Anna", "Lukas", "Sophie", "Piotr", "Marie", "Felix", "Elif",
         "Tobias", "Katrin", "Ahmad", "Julia", "Stefan", "Nora", "Daniel", "Olena", "Paul", "Sarah",
         "Martin", "Hanna", "Yusuf", "Laura", "Florian", "Mia", "Andrzej", "Clara", "Kevin", "Ines"]
LAST = ["Weber", "Schulz", "Yilmaz", "Fischer", "Wagner", "Becker", "Nowak", "Hoffmann", "Koch",
        "Kaya", "Richter", "Klein", "Haddad", "Wolf", "Schroeder", "Neumann", "Schwarz", "Kovalenko",
        "Zimmermann", "Braun", "Krueger", "Hartmann", "Demir", "Lange", "Schmitt", "Werner",
        "Kowalski", "Krause", "Meier", "Lehmann"]
WIFI_WORDS = ["Auwald", "Pleisse", "Connewitz", "Lindenau", "Gohlis", "Plagwitz", "Reudnitz",
              "Moeckern", "Schleussig", "Stoetteritz", "Eutritzsch", "Anger"]
COMMENTS = {
    5: ["Super schnell und sauber gearbeitet!", "Sehr freundlich, gerne wieder.",
        "Puenktlich und kompetent.", "Alles bestens erklaert."],
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
            created = datetime(2025, 1, 15, tzinfo=UTC) + timedelta(days=rng.randint(0, 560)) \
                + minutes(rng, 8 * 60, 19 * 60)
        items.append({
            "partner_id": p,
            "city": CITY,
            "verified": p not in UNVERIFIED,
            "created_at": iso(created),
            "user_pool_username": p,
            "email": f"{first.lower()}.{last.lower()}@example.org",
            "phone": fake_hash("phone", p),
            "iban_hash": fake_hash("iban", p),
            "id_document_hash": fake_hash("id-document", p),
        })
    return items


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
        accepted = day_start(d) + timedelta(hours=8)      # the morning dispatch run: a burst
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
    outcome, by = ("CANCELLED", "customer") if r < 0.045 else \
        (("CANCELLED", "support") if r < 0.06 else ("COMPLETED", None))
    return {
        "partner": partner, "day": d, "slot": slot,
        "customer": f"c-{rng.randint(1, 650):05d}", "service": rng.choice(SERVICES),
        "requested": requested, "accepted": accepted, "scheduled": scheduled,
        "duration": minutes(rng, 40, 95), "secrets": secrets, "price": price,
        "outcome": outcome, "cancelled_by": by, "announced": False,
        "paid": rng.random() < 0.975,
        "rate_draw": rng.random(), "delay_draw": (rng.random(), rng.random()),
        "cancel_draw": rng.random(), "comment_draw": rng.random(),
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
    rate = {P_POOR: 2.5, P_BORDER: 2.2, P_CANCELS: 2.0, P_NOSHOW: 2.0, P_ANNOUNCED: 1.6}.get(p)
    if rate is None:
        rate = rng.uniform(0.45, 1.15)
    jobs = []
    for d in range(1, DAYS + 1):
        if p == P_POOR and d <= 2:
            k = 6                                     # a busy start: 12 ratings by the end of Oct 2
        elif p == P_POOR:
            k = rng.choice([2, 2, 3, 3, 3])
        else:
            k = jobs_per_day(rng, rate, d)
        forced = (p == P_NOSHOW and d in NO_SHOW_DAYS) or (p == P_ANNOUNCED and d == ANNOUNCED_DAY)
        if forced:
            k = max(k, 2)
        slots = sorted(rng.sample(range(len(SLOTS)), k))
        if p == P_ANNOUNCED and d == ANNOUNCED_DAY and slots[-1] < 2:
            slots[-1] = 3
        for i, s in enumerate(slots):
            job = make_job(rng, p, d, s, force_prebooked=(p == P_ANNOUNCED and d == ANNOUNCED_DAY
                                                         and i == len(slots) - 1))
            if p == P_POOR and d <= 2:
                job["outcome"], job["cancelled_by"] = "COMPLETED", None
            if p == P_NOSHOW and d in NO_SHOW_DAYS and i == len(slots) - 1:
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
    if job["partner"] == P_POOR and job["day"] <= 2:
        t = min(done + timedelta(minutes=15 + 135 * a),
                day_start(job["day"]) + timedelta(hours=23, minutes=30))
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
    if p == P_POOR:
        first = [5, 5, 5, 5, 4, 4, 4, 3, 3, 3]            # 41 / 10 = 4.1: the baseline
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
        first = [5] * 6 + [4] * 2 + [3] * 2                # 44 / 10 = 4.4: in the band at the 10th rating
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


def build(seed: int, cutoffs: dict[str, datetime]) -> list[dict]:
    master = random.Random(seed)
    part_rng = random.Random(master.getrandbits(64))
    partner_rngs = {pid(n): random.Random(master.getrandbits(64)) for n in range(1, N_PARTNERS + 1)}
    star_rngs = {pid(n): random.Random(master.getrandbits(64)) for n in range(1, N_PARTNERS + 1)}
    market_rng = random.Random(master.getrandbits(64))
    mod_rng = random.Random(master.getrandbits(64))

    partners = partner_items(part_rng)
    plans = {p: plan_partner(p, rng) for p, rng in partner_rngs.items() if p not in UNVERIFIED}
    ordinary = [p for p in plans if p not in STORY]
    for p in sorted(ordinary, key=lambda p: (-len(plans[p]), p))[:2]:
        j = plans[p][ONE_CANCEL_AT - 1]
        j["outcome"], j["cancelled_by"] = "CANCELLED", "partner"
        finish_times(j, random.Random(0))
    jobs: list[dict] = []
    for p, plan in plans.items():
        cut = cutoffs.get(p)
        if cut is not None:       # dispatch stops at the restriction
            plan = [j for j in plan if j["scheduled"] < cut and j["accepted"] < cut]
        ratings = []
        for j in plan:
            j["rated_at"] = None
            threshold = 1.0 if (p == P_POOR and j["day"] <= 2) else (0.9 if p in STORY else 0.8)
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

    # Requests nobody accepted: the customer (or support) cancels them.
    for d in range(1, DAYS + 1):
        for _ in range(market_rng.choice([0, 1, 1, 2])):
            requested = day_start(d) + timedelta(hours=7) + minutes(market_rng, 0, 600)
            jobs.append({
                "partner": None, "customer": f"c-{market_rng.randint(1, 650):05d}",
                "service": market_rng.choice(SERVICES), "requested": requested,
                "scheduled": (requested + minutes(market_rng, 120, 300)).replace(second=0),
                "outcome": "CANCELLED",
                "cancelled_by": "customer" if market_rng.random() < 0.8 else "support",
                "outcome_at": requested + minutes(market_rng, 20, 110),
            })

    jobs.sort(key=lambda j: (j["requested"], j["partner"] or "", j["scheduled"]))
    for i, j in enumerate(jobs, 1):
        j["id"] = f"j-{i:06d}"

    events: list[tuple[datetime, int, dict]] = []

    def emit(at: datetime, line: dict, prio: int = 1) -> None:
        events.append((at, prio, {"at": iso(at), **line}))

    for item in partners:
        emit(START, {"put": {"table": "partners", "item": item}}, prio=0)
    for d in range(1, DAYS + 1):
        emit(day_start(d) + timedelta(hours=2),
             {"invoke": {"function": "nightly_check", "event": {}}}, prio=0)

    ratings_by_job: dict[str, dict] = {}
    paid_jobs = []
    for j in jobs:
        base = {"job_id": j["id"], "customer_id": j["customer"], "city": CITY, "status": "REQUESTED",
                "scheduled_at": iso(j["scheduled"]), "service": j["service"]}
        emit(j["requested"], {"put": {"table": "jobs", "item": dict(base)}})
        if j["partner"] is None:
            item = dict(base, status="CANCELLED", cancelled_by=j["cancelled_by"],
                        cancelled_at=iso(j["outcome_at"]))
            emit(j["outcome_at"], {"put": {"table": "jobs", "item": item}})
            continue
        acc = dict(base, status="ACCEPTED", partner_id=j["partner"], accepted_at=iso(j["accepted"]))
        if j["secrets"]:
            acc["access_secrets"] = dict(j["secrets"])
        emit(j["accepted"], {"put": {"table": "jobs", "item": acc}})
        out = {k: v for k, v in acc.items() if k != "access_secrets"}
        out["status"] = j["outcome"]
        if j["outcome"] == "COMPLETED":
            out.update(completed_at=iso(j["outcome_at"]), price_cents=j["price"], currency="EUR",
                       payment_status="PENDING")
        elif j["outcome"] == "CANCELLED":
            out.update(cancelled_by=j["cancelled_by"], cancelled_at=iso(j["outcome_at"]))
        else:
            out["reported_at"] = iso(j["outcome_at"])
            if j["announced"]:
                out["support_informed_at"] = iso(j["support_informed"])
        final = dict(out)                      # what is left once the system removed the secrets
        if j["secrets"]:
            out["access_secrets"] = dict(j["secrets"])
        emit(j["outcome_at"], {"put": {"table": "jobs", "item": out}})
        if j["outcome"] == "COMPLETED" and j["paid"]:
            paid_at = j["outcome_at"] + timedelta(hours=1)
            emit(paid_at, {"put": {"table": "jobs", "item": dict(final, payment_status="PAID")}})
            if j["partner"] not in STORY:
                paid_jobs.append((j, final, paid_at))
        if j.get("rated_at") is not None:
            r = {"job_id": j["id"], "partner_id": j["partner"], "customer_id": j["customer"],
                 "stars": j["stars"], "rated_at": iso(j["rated_at"])}
            if j["comment"]:
                r["comment"] = j["comment"]
            emit(j["rated_at"], {"put": {"table": "ratings", "item": r}})
            if j["partner"] not in STORY:
                ratings_by_job[j["id"]] = r

    # Refunds: three paid jobs of ordinary partners, a few days later.
    refundable = [x for x in paid_jobs if x[2] + timedelta(days=6) < END]
    for j, final, _paid_at in mod_rng.sample(refundable, 3):
        at = day_start(j["day"] + mod_rng.randint(2, 5)) + timedelta(hours=10) + minutes(mod_rng, 0, 360)
        emit(at, {"put": {"table": "jobs", "item": dict(final, payment_status="REFUNDED")}})

    # Rating corrections on ordinary partners (each only moves their average up or keeps it).
    def business_time(after: datetime, days_lo: int, days_hi: int) -> datetime:
        day = (after + timedelta(days=mod_rng.randint(days_lo, days_hi))).replace(hour=9, minute=0, second=0)
        return day + minutes(mod_rng, 0, 540)

    late = parse(iso(END - timedelta(days=4)))
    candidates = sorted((r for r in ratings_by_job.values() if parse(r["rated_at"]) < late),
                        key=lambda r: r["job_id"])
    low = [r for r in candidates if r["stars"] <= 4]
    low.sort(key=lambda r: (r["stars"], r["job_id"]))
    voided = low[:2] if low and low[0]["stars"] <= 3 else mod_rng.sample(low, 2)
    rest = [r for r in low if r not in voided]
    rerated = mod_rng.sample(rest, 5)
    deleted = mod_rng.choice([r for r in rest if r not in rerated])
    for r in voided:
        emit(business_time(parse(r["rated_at"]), 1, 2),
             {"put": {"table": "ratings", "item": dict(r, voided=True)}})
    for r in rerated:
        at = business_time(parse(r["rated_at"]), 1, 3)
        new = dict(r, stars=min(5, r["stars"] + 1), rated_at=iso(at),
                   comment="Nachtrag: Nach Ruecksprache mit dem Support alles geklaert.")
        emit(at, {"put": {"table": "ratings", "item": new}})
    emit(business_time(parse(deleted["rated_at"]), 1, 3),
         {"delete": {"table": "ratings", "key": {"job_id": deleted["job_id"]}}})

    events.sort(key=lambda e: (e[0], e[1]))   # stable: creation order within the same time
    return [e[2] for e in events]


def rng_comment(draw_value: float, stars: int) -> str | None:
    if draw_value >= 0.35:
        return None
    options = COMMENTS[stars]
    return options[int(draw_value / 0.35 * len(options)) % len(options)]


# --------------------------------------------------------------------------- reference model


class Model:
    """Small reference model of SPEC R1-R6 with the default policy, automatic decisions."""

    def __init__(self) -> None:
        self.partners: dict[str, dict] = {}
        self.tables: dict[str, dict] = {"partners": {}, "jobs": {}, "ratings": {}}
        self.city_avg, self.city_max = C_DEFAULT_AVG, max(C_FLOOR, C_DEFAULT_AVG * C_FACTOR)
        self.notices: list[dict] = []
        self.nightly: dict[str, list[dict]] = defaultdict(list)
        self.city_log: list[tuple[str, Fraction, Fraction, int]] = []

    KEYS = {"partners": "partner_id", "jobs": "job_id", "ratings": "job_id"}

    # ---- figures
    def rating_figures(self, p: str) -> tuple[int, Fraction | None]:
        live = sorted((r["rated_at"], r["job_id"], r["stars"]) for r in self.tables["ratings"].values()
                      if r["partner_id"] == p and not r.get("voided"))[-R_WINDOW:]
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
        if n >= C_MIN_JOBS and rate > self.city_avg:
            if self.due(st, "CANCELLATION_WARNING", now):
                st["last"]["CANCELLATION_WARNING"] = now
                st["c_streak"] += 1
                self.notice(p, "CANCELLATION_WARNING", now, rate=float(rate), resolved=n,
                            city_average=float(self.city_avg), streak=st["c_streak"])
        else:
            st["c_streak"] = 0

    def restrict(self, p: str, status: str, reason: str, now: datetime) -> None:
        st = self.partners[p]
        st.update(status=status, reason=reason, restricted_at=now)
        self.notice(p, status, now, reason=reason)

    # ---- stream handlers
    def on_record(self, table: str, old: dict | None, new: dict | None, now: datetime) -> None:
        if table == "partners":
            if new and new["partner_id"] not in self.partners:
                self.partners[new["partner_id"]] = {"status": "ACTIVE", "verified": bool(new["verified"]),
                                                    "r_streak": 0, "baseline": None, "c_streak": 0,
                                                    "last": {}, "strikes": [], "reason": None}
            return
        if table == "ratings":
            for p in {x["partner_id"] for x in (old, new) if x}:
                self.eval_rating(p, now)
            return
        sig_old, sig_new = outcome_sig(old), outcome_sig(new)
        if sig_old == sig_new:
            return                                              # not an outcome change
        p = (new or old).get("partner_id")
        if not p:
            return
        if new and new["status"] == "NO_SHOW" and not announced(new) and not (
                old and old["status"] == "NO_SHOW" and not announced(old)):
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
        rates = []
        for p, st in self.partners.items():
            if st["status"] != "CLOSED":
                n, _, rate = self.cancel_figures(p)
                if n >= C_MIN_JOBS:
                    rates.append(rate)
        enough = len(rates) >= C_MIN_PARTNERS
        self.city_avg = sum(rates, Fraction(0)) / len(rates) if enough else C_DEFAULT_AVG
        self.city_max = max(C_FLOOR, self.city_avg * C_FACTOR)
        self.city_log.append((iso(now), self.city_avg, self.city_max, len(rates)))
        for p in sorted(self.partners):
            st = self.partners[p]
            n, avg = self.rating_figures(p)
            cn, cbad, rate = self.cancel_figures(p)
            self.nightly[p].append({"at": iso(now), "status": st["status"], "count": n, "avg": avg,
                                    "resolved": cn, "bad": cbad, "rate": rate,
                                    "r_streak": st["r_streak"], "c_streak": st["c_streak"]})
            if st["status"] != "ACTIVE":
                continue
            if st["r_streak"] >= R_NOTICES and avg is not None and avg < R_MINIMUM and avg <= st["baseline"]:
                self.restrict(p, "SUSPENDED", "RATING", now)
                continue
            if st["c_streak"] >= C_NOTICES and rate is not None and rate > self.city_max:
                self.restrict(p, "SUSPENDED", "CANCELLATION", now)
                continue
            self.eval_rating(p, now)
            self.eval_cancel(p, now)

    # ---- replay
    def run(self, lines: list[dict]) -> None:
        i = 0
        while i < len(lines):
            at = lines[i]["at"]
            now = parse(at)
            pending: list[tuple[str, dict | None, dict | None]] = []
            while i < len(lines) and lines[i]["at"] == at:       # a burst: write first, deliver after
                line = lines[i]
                i += 1
                if "invoke" in line:
                    for rec in pending:
                        self.on_record(*rec, now)
                    pending = []
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
    return (job["status"], job.get("partner_id"), job.get("cancelled_by"), job.get("completed_at"),
            job.get("cancelled_at"), job.get("reported_at"), job.get("support_informed_at"))


def restrictions(model: Model) -> dict[str, datetime]:
    return {p: st["restricted_at"] for p, st in model.partners.items() if st.get("restricted_at")}


def generate(seed: int) -> tuple[list[dict], Model]:
    cutoffs: dict[str, datetime] = {}
    for _ in range(8):
        lines = build(seed, cutoffs)
        model = Model()
        model.run(lines)
        found = restrictions(model)
        if found == cutoffs:
            return lines, model
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
                    if "price_cents" in body and (type(body["price_cents"]) is not int
                                                  or not 4900 <= body["price_cents"] <= 18900):
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

    jobs = defaultdict(dict)           # latest item per job
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
    print(f"{p} (poor stars): {len(rl)} ratings, overall mean {fmt(Fraction(sum(stars), len(stars)))}; "
          f"{len(by_oct2)} ratings by Oct 2 (mean {fmt(oct2_mean)}), "
          f"10th rating at {rl[9]['at']} -> baseline {fmt(first10)}")
    n17 = night(p, "2026-10-17")
    when = iso(st["restricted_at"]) if st.get("restricted_at") else "-"
    print(f"    nightly Oct 17: avg {fmt(n17['avg'])} over {n17['count']} (<= baseline, < 4.3), streak "
          f"{n17['r_streak']}; status {st['status']}/{st['reason']} at {when}; "
          f"last job day {last_job_day.get(p)}")
    print(f"    notices: {' '.join(by_partner[p])}")
    avgs = [x["avg"] for x in model.nightly[p] if "2026-10-03" <= x["at"] <= "2026-10-17T23"]
    print(f"    nightly averages Oct 3-17: {fmt(min(avgs))} .. {fmt(max(avgs))}")
    expect(len(by_oct2) >= 12, "p07 >= 12 ratings by Oct 2")
    expect(kinds[(p, "RATING_WARNING")] == ["2026-10-02", "2026-10-09", "2026-10-16"],
           "p07 warnings Oct 2/9/16")
    expect(kinds[(p, "SUSPENDED")] == ["2026-10-17"] and st["reason"] == "RATING", "p07 suspended Oct 17")
    expect(last_job_day.get(p, "") <= "2026-10-16", "p07 no jobs after Oct 16")
    expect(all(Fraction(39, 10) - Fraction(1, 20) <= a <= Fraction(41, 10) for a in avgs), "p07 avg ~3.9-4.1")

    # p-leipzig-12
    p = P_BORDER
    st = model.partners[p]
    band = [x["at"][5:10] for x in model.nightly[p]
            if x["count"] >= 10 and x["avg"] < R_MINIMUM + R_MARGIN]
    finals = model.nightly[p][-1]
    print(f"{p} (borderline): in the band at the nightly checks of {', '.join(band) or '-'}; "
          f"avg at the Oct 31 check {fmt(finals['avg'])} over {finals['count']}; status {st['status']}")
    print(f"    notices: {' '.join(by_partner[p])}")
    print("    nightly avg: " + " ".join(f"{x['at'][8:10]}:{fmt(x['avg'], 2)}" for x in model.nightly[p]
                                         if x["count"] >= 8))
    expect(len(kinds[(p, "RATING_WARNING")]) == 1, "p12 warned exactly once")
    warned = parse(kinds[(p, "RATING_WARNING")][0] + "T00:00:00Z") if kinds[(p, "RATING_WARNING")] else START
    later = [x for x in model.nightly[p] if parse(x["at"]) >= warned + timedelta(days=6)]
    expect(all(x["avg"] >= Fraction(452, 100) for x in later),
           "p12 clearly out of the band from warning + 6 days")
    expect(st["status"] == "ACTIVE", "p12 stays ACTIVE")

    # p-leipzig-19
    p = P_CANCELS
    st = model.partners[p]
    mine = [j for j in jobs.values() if j.get("partner_id") == p]
    pc = sum(1 for j in mine if j["status"] == "CANCELLED" and j.get("cancelled_by") == "partner")
    n, bad, rate = model.cancel_figures(p)
    print(f"{p} (cancels): {len(mine)} accepted jobs, {pc} cancelled by the partner, {n} resolved, rate "
          f"{fmt(rate)}; status {st['status']}/{st['reason']}; last job day {last_job_day.get(p)}")
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(n >= 12 and len(kinds[(p, "CANCELLATION_WARNING")]) >= 2,
           "p19 >= 12 resolved, cancellation warnings")

    # p-leipzig-23
    p = P_NOSHOW
    st = model.partners[p]
    ns = sorted(j["reported_at"] for j in jobs.values()
                if j.get("partner_id") == p and j["status"] == "NO_SHOW")
    print(f"{p} (no-shows): unannounced no-shows reported {', '.join(ns)}; "
          f"status {st['status']}/{st['reason']}; last job day {last_job_day.get(p)}")
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(len(ns) == 2 and kinds[(p, "NO_SHOW_WARNING")] == [ns[0][:10]], "p23 warned at first no-show")
    expect(kinds[(p, "EXCLUDED")] == [ns[1][:10]] and st["status"] == "EXCLUDED", "p23 excluded at second")
    expect(last_job_day.get(p) == ns[1][:10], "p23 no jobs after exclusion")

    # p-leipzig-27
    p = P_ANNOUNCED
    st = model.partners[p]
    an = [j for j in jobs.values() if j.get("partner_id") == p and j["status"] == "NO_SHOW"]
    n, bad, rate = model.cancel_figures(p)
    what = ", ".join(f"{j['job_id']} scheduled {j['scheduled_at']}, support informed "
                     f"{j['support_informed_at']}" for j in an)
    print(f"{p} (announced no-show): {what}; strikes {len(st['strikes'])}; rate {fmt(rate)} over {n}; "
          f"status {st['status']}")
    print(f"    notices: {' '.join(by_partner[p])}")
    expect(len(an) == 1 and announced(an[0]) and not st["strikes"], "p27 one announced no-show, no strike")
    expect(not kinds[(p, "NO_SHOW_WARNING")] and st["status"] == "ACTIVE", "p27 no no-show warning, ACTIVE")

    for p in UNVERIFIED:
        expect(p not in last_job_day, f"{p} (unverified) gets no jobs")
    others = {p: v for p, v in by_partner.items() if p not in STORY}
    listed = "; ".join(f"{p}: {' '.join(v)}" for p, v in sorted(others.items()))
    print(f"other partners with notices: {listed or 'none'}")
    expect(not any(t in ("RATING_WARNING", "SUSPENDED", "EXCLUDED") for (p, t) in kinds if p not in STORY),
           "ordinary partners: no rating warnings or restrictions")
    expect(all(x["rate"] <= C_FLOOR for p, xs in model.nightly.items() if p not in STORY
               for x in xs if x["resolved"] >= C_MIN_JOBS), "ordinary partners: rate <= 0.05 at every check")
    c = model.city_log[-1]
    print(f"city leipzig at the Oct 31 check: average cancellation rate {fmt(c[1], 4)} over {c[3]} partners, "
          f"maximum {fmt(c[2], 4)}")
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
    problems = check_lines(written)
    model = Model()
    model.run(written)
    counts = defaultdict(int)
    for line in written:
        op = next(k for k in ("put", "delete", "invoke") if k in line)
        counts[f"{op}:{line[op].get('table', line[op].get('function'))}"] += 1
    bursts = sum(1 for a, b in zip(written, written[1:], strict=False) if a["at"] == b["at"])
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"wrote {len(written)} lines to {args.out} ({by_kind}; "
          f"{bursts} lines share their time with the previous line)")
    for p in problems[:20]:
        print(f"PROBLEM: {p}")
    ok = not problems
    if not args.quiet:
        ok = report(written, model) and ok
    print("check: OK" if ok else "check: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
