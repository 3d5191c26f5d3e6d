"""What each partner would do in the month, before dispatch knows their standing: the partners'
records, their jobs (times, outcomes, secrets, prices), when customers rate and with how many
stars. Every partner draws from a generator of their own, so cutting a partner's later jobs
changes nothing that happened before."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from mila_standing.domain.policy import RatingPolicy

from . import story as s
from .lines import iso
from .world import FIRST, H_NAMES, LAST, SERVICES, SLOTS, WIFI_WORDS

Job = dict[str, Any]


def minutes(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(seconds=int(rng.uniform(lo * 60, hi * 60)))


def fake_hash(kind: str, key: str) -> str:
    return hashlib.sha256(f"demo:{kind}:{key}".encode()).hexdigest()


# --- partners ------------------------------------------------------------------------------------


def partner_item(partner: str, city: str, verified: bool, created: datetime, name: tuple[str, str]) -> dict[str, Any]:
    first, last = name
    return {
        "partner_id": partner,
        "city": city,
        "verified": verified,
        "created_at": iso(created),
        "user_pool_username": partner,
        "email": f"{first.lower()}.{last.lower()}@example.org",
        "phone": fake_hash("phone", partner),
        "iban_hash": fake_hash("iban", partner),
        "id_document_hash": fake_hash("id-document", partner),
    }


def partner_items(rng: random.Random) -> list[dict[str, Any]]:
    """Leipzig's thirty partners; the two unverified ones registered a week before the month."""
    items = []
    names = list(zip(FIRST, LAST, strict=True))
    rng.shuffle(names)
    for n in range(1, s.N_PARTNERS + 1):
        p = s.pid(n)
        if p in s.UNVERIFIED:
            created = datetime(2026, 9, 24 + n - 29, 9, 0, tzinfo=UTC) + minutes(rng, 0, 480)
        else:
            created = (
                datetime(2025, 1, 15, tzinfo=UTC) + timedelta(days=rng.randint(0, 560)) + minutes(rng, 8 * 60, 19 * 60)
            )
        items.append(partner_item(p, s.CITY, p not in s.UNVERIFIED, created, names[n - 1]))
    return items


def halle_partner_items(rng: random.Random) -> list[dict[str, Any]]:
    """Halle's six partners: all verified, registered long before the month."""
    items = []
    for n in range(1, s.H_PARTNERS + 1):
        created = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 480)) + minutes(rng, 8 * 60, 19 * 60)
        items.append(partner_item(s.hid(n), s.H_CITY, True, created, H_NAMES[n - 1]))
    return items


def duplicate_item(partners: list[dict[str, Any]]) -> dict[str, Any]:
    """p-leipzig-31 registers on Oct 12 with p-leipzig-05's phone: a second account (R8.1)."""
    original = next(x for x in partners if x["partner_id"] == s.P_DUPLICATED)
    return {
        "partner_id": s.P_DUPLICATE,
        "city": s.CITY,
        "verified": False,
        "created_at": iso(s.DUPLICATE_AT),
        "user_pool_username": s.P_DUPLICATE,
        "email": "handwerk.profi.leipzig@example.org",
        "phone": original["phone"],
        "iban_hash": fake_hash("iban", s.P_DUPLICATE),
        "id_document_hash": fake_hash("id-document", s.P_DUPLICATE),
    }


# --- jobs ------------------------------------------------------------------------------------------


def jobs_per_day(rng: random.Random, rate: float, d: int) -> int:
    weekday = s.day_start(d).weekday()
    factor = 1.0 if weekday < 5 else (0.6 if weekday == 5 else 0.25)
    p = min(1.0, rate * factor / len(SLOTS))
    return sum(rng.random() < p for _ in SLOTS)


def job_times(rng: random.Random, d: int, slot: int, force_prebooked: bool) -> tuple[datetime, datetime, datetime]:
    """(requested, accepted, scheduled): booked the evening before and accepted by the morning
    dispatch run (a burst at 08:00), or requested and accepted the same day."""
    h, m = SLOTS[slot]
    scheduled = s.day_start(d) + timedelta(hours=h, minutes=m + 5 * rng.randint(0, 3))
    if slot == 0 or force_prebooked or rng.random() < 0.4:
        if d == 1:
            requested = s.day_start(1) + timedelta(hours=2, minutes=30) + minutes(rng, 0, 300)
        else:
            requested = s.day_start(d - 1) + timedelta(hours=17) + minutes(rng, 0, 270)
        return requested, s.day_start(d) + timedelta(hours=8), scheduled
    earliest = s.day_start(d) + timedelta(hours=6, minutes=30) + minutes(rng, 0, 30)
    requested = max(scheduled - minutes(rng, 70, 240), earliest)
    return requested, requested + minutes(rng, 3, 35), scheduled


def access_secrets(rng: random.Random) -> dict[str, str] | None:
    """A quarter of the jobs carry a Wi-Fi password, a door code or both (R11)."""
    if rng.random() >= 0.25:
        return None
    secrets = {}
    if rng.random() < 0.8:
        secrets["wifi_password"] = f"{rng.choice(WIFI_WORDS)}-{rng.randint(1000, 9999)}"
    if not secrets or rng.random() < 0.6:
        secrets["door_code"] = f"{rng.randint(1000, 9999)}#"
    return secrets


def make_job(rng: random.Random, partner: str, d: int, slot: int, force_prebooked: bool = False) -> Job:
    requested, accepted, scheduled = job_times(rng, d, slot, force_prebooked)
    secrets = access_secrets(rng)
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


def finish_times(job: Job, rng: random.Random) -> None:
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


def day_plan(p: str, rng: random.Random, rate: float, d: int) -> list[Job]:
    """The partner's jobs of day ``d``, the story's no-shows on the day's last one."""
    if p in s.POOR:
        k = s.POOR_BUSY_JOBS if d <= s.POOR_BUSY_DAYS else rng.choice([2, 2, 3, 3, 3])
    else:
        k = jobs_per_day(rng, rate, d)
    last = s.last_job_of_day(p, d)
    if last is not None:
        k = max(k, 2)
    slots = sorted(rng.sample(range(len(SLOTS)), k))
    if last == "ANNOUNCED_NO_SHOW" and slots[-1] < 2:
        slots[-1] = 3  # late enough in the day to tell support before the appointment
    jobs = []
    for i, slot in enumerate(slots):
        is_last = i == len(slots) - 1
        job = make_job(rng, p, d, slot, force_prebooked=last == "ANNOUNCED_NO_SHOW" and is_last)
        if p in s.POOR and d <= s.POOR_BUSY_DAYS:
            job["outcome"], job["cancelled_by"] = "COMPLETED", None
        if last is not None and is_last:
            job["outcome"], job["cancelled_by"] = "NO_SHOW", None
            job["announced"] = last == "ANNOUNCED_NO_SHOW"
        jobs.append(job)
    return jobs


def plan_partner(p: str, rng: random.Random) -> list[Job]:
    """Every job this partner would do in the month (before any restriction cut)."""
    rate = s.STORY_RATES.get(p)
    if rate is None:
        rate = rng.uniform(0.45, 1.15) if p.startswith("p-leipzig") else rng.uniform(0.35, 0.75)
    jobs = [job for d in range(1, s.DAYS + 1) for job in day_plan(p, rng, rate, d)]
    if p == s.P_CANCELS:
        # About one in five accepted jobs cancelled by the partner: one in each block of five.
        for b in range(0, len(jobs), s.CANCEL_ONE_IN):
            j = jobs[b + rng.randrange(min(s.CANCEL_ONE_IN, len(jobs) - b))]
            j["outcome"], j["cancelled_by"] = "CANCELLED", "partner"
    for job in jobs:
        finish_times(job, rng)
    return jobs


# --- ratings ---------------------------------------------------------------------------------------


def rating_time(job: Job) -> datetime | None:
    """When the customer rates (None: never). Between 07:00 and 23:30, within a day."""
    done = job["outcome_at"]
    a, b = job["delay_draw"]
    if job["partner"] in s.POOR and job["day"] <= s.POOR_BUSY_DAYS:
        t = min(done + timedelta(minutes=15 + 135 * a), s.day_start(job["day"]) + timedelta(hours=23, minutes=30))
    else:
        t = done + timedelta(minutes=20 + (22 * 60 - 20) * a * a)
        if t.hour < 7:
            t = t.replace(hour=7, minute=0, second=0) + timedelta(minutes=int(90 * b), seconds=int(60 * a))
        elif t.hour == 23 and t.minute >= 30:
            t = t + timedelta(hours=8)
        t = min(t, done + timedelta(hours=23, minutes=50))
    t = t.replace(microsecond=0)
    return t if t < s.END - timedelta(minutes=30) else None


def rating_chance(job: Job) -> float:
    """How likely a completed job's customer rates it: always on a poor partner's busy start."""
    p = job["partner"]
    if p in s.POOR and job["day"] <= s.POOR_BUSY_DAYS:
        return 1.0
    return 0.9 if p in s.STORY or p in s.H_STORY else 0.8


def draw(rng: random.Random, dist: dict[int, float]) -> int:
    x, acc = rng.random(), 0.0
    for stars, weight in dist.items():
        acc += weight
        if x < acc:
            return stars
    return max(dist)


class Stars:
    """Stars of one partner's ratings, in rated_at order, steered so the story's averages come
    out: the window's average is the rule core's (R1.1: the last ``window`` live ratings)."""

    def __init__(self, rating: RatingPolicy, rng: random.Random):
        self.rating, self.rng = rating, rng
        self.given: list[int] = []

    def average(self, extra: list[int] | None = None) -> Fraction:
        window = (self.given + (extra or []))[-self.rating.window :]
        return Fraction(sum(window), len(window))

    def steered(self, dist: dict[int, float], lowest: int, within: tuple[Fraction, Fraction]) -> int:
        """A drawn star, or the closest one (ties upwards) that keeps the average ``within``."""
        want = draw(self.rng, dist)
        for stars in sorted(range(lowest, 6), key=lambda x: (abs(x - want), -x)):
            if within[0] <= self.average([stars]) <= within[1]:
                return stars
        return want

    def keeps_good(self, stars: int) -> bool:
        """Whether the window stays at GOOD_AVERAGE or above (below min_ratings: could still)."""
        n, least = len(self.given) + 1, self.rating.min_ratings
        if n >= least:
            return self.average([stars]) >= s.GOOD_AVERAGE
        return sum(self.given) + stars + 5 * (least - n) >= s.GOOD_AVERAGE * least

    def add_while(self, n: int, more: Callable[[], bool], stars: Callable[[], int]) -> None:
        while len(self.given) < n and more():
            self.given.append(stars())


def assign_stars(p: str, times: list[datetime], rating: RatingPolicy, rng: random.Random) -> list[int]:
    """Stars of a partner's ratings, given in rated_at order (controls the story averages)."""
    n = len(times)
    stars = Stars(rating, rng)
    if p in s.POOR:
        first = list(s.POOR_FIRST_TEN)
        rng.shuffle(first)
        stars.given = first[:n]
        stars.add_while(n, lambda: True, lambda: stars.steered(s.POOR_DRAW, 2, s.POOR_AVERAGE))
        return stars.given
    if p == s.P_BORDER and n >= rating.min_ratings:
        stars.given = list(s.BORDER_FIRST_TEN)
        rng.shuffle(stars.given)
        # The rest of that day and the next in the band, then more 5-star ratings.
        improve = (times[rating.min_ratings - 1] + timedelta(days=s.BORDER_DAYS_IN_BAND)).replace(
            hour=0, minute=0, second=0
        )
        stars.add_while(
            n, lambda: times[len(stars.given)] < improve, lambda: stars.steered(s.BORDER_DRAW, 3, s.BORDER_AVERAGE)
        )
        stars.add_while(n, lambda: stars.average() < s.GOOD_AVERAGE, lambda: 5)
    stars.add_while(n, lambda: True, lambda: good_star(stars))
    return stars.given


def good_star(stars: Stars) -> int:
    want = draw(stars.rng, s.GOOD_DRAW)
    return want if stars.keeps_good(want) else 5
