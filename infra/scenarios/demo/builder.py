"""The scenario lines from the story, and the fixed point that makes dispatch respect standing.

Dispatch in this little world respects the standing: while the rules restrict a partner
(suspension or exclusion, until a reinstatement) they receive no jobs. Who is restricted when is
what the project's own rules decide on the lines (``reference.ReferenceDriver``), so the builder
regenerates with the restriction periods they found until those no longer change. Each
partner's own randomness comes from its own generator, so cutting a partner's later jobs does not
change anything that happened before. Halle's generators are drawn after Leipzig's, and
p-leipzig-11's jobs are taken out only after numbering, so every other Leipzig line is the same
as in the Leipzig-only demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mila_standing.domain.policy import Policy

from . import story as s
from .lines import Line, iso, parse
from .plans import (
    Job,
    assign_stars,
    duplicate_item,
    finish_times,
    halle_partner_items,
    minutes,
    partner_items,
    plan_partner,
    rating_chance,
    rating_time,
)
from .reference import Periods, ReferenceDriver
from .world import SERVICES, comment

POLICY_FILE = Path(__file__).resolve().parents[2] / "policy.yaml"  # infra/policy.yaml
DEFAULT_SEED = 2026
FIXED_POINT_ROUNDS = 8


def demo_policy(policy_file: Path = POLICY_FILE) -> Policy:
    """infra/policy.yaml with the scenario's policy line deep-merged over it, as the replay reads it."""
    return Policy.load(policy_file, overlay=s.POLICY)


def generate(seed: int, policy: Policy) -> tuple[list[Line], ReferenceDriver]:
    """The scenario lines (the policy line first) and the reference driver that ran them."""
    cutoffs: Periods = {}
    for _ in range(FIXED_POINT_ROUNDS):
        lines = build(seed, cutoffs, policy)
        driver = ReferenceDriver(policy).run(lines)
        found = driver.restrictions()
        if found == cutoffs:
            return [{"policy": s.POLICY}, *lines], driver
        cutoffs = found
    raise SystemExit("generate_demo: restriction times did not settle (try another --seed)")


# --- dispatch ---------------------------------------------------------------------------------


def dispatched(job: Job, periods: list[tuple[datetime, datetime | None]]) -> bool:
    """Dispatch respects the standing: no job accepted or scheduled while restricted."""
    for start, end in periods:
        before = job["scheduled"] < start and job["accepted"] < start
        after = end is not None and job["accepted"] >= end
        if not (before or after):
            return False
    return True


def rate_jobs(
    plans: dict[str, list[Job]], restricted: Periods, star_rngs: dict[str, random.Random], policy: Policy
) -> list[Job]:
    """The jobs dispatch really gives each partner, with their customers' ratings."""
    jobs: list[Job] = []
    for p, plan in plans.items():
        periods = restricted.get(p, [])
        if periods:
            plan = [j for j in plan if dispatched(j, periods)]
        ratings = []
        for j in plan:
            j["rated_at"] = None
            if j["outcome"] == "COMPLETED" and j["rate_draw"] < rating_chance(j):
                j["rated_at"] = rating_time(j)
                if j["rated_at"] is not None:
                    ratings.append(j)
        ratings.sort(key=lambda j: j["rated_at"])
        city = s.CITY if p.startswith("p-leipzig") else s.H_CITY
        stars = assign_stars(p, [j["rated_at"] for j in ratings], policy.for_city(city).rating, star_rngs[p])
        for j, stars_given in zip(ratings, stars, strict=True):
            j["stars"] = stars_given
            j["comment"] = comment(j["comment_draw"], stars_given)
        jobs.extend(plan)
    return jobs


def unaccepted(rng: random.Random, per_day: list[int]) -> list[Job]:
    """Requests nobody accepted: the customer (or support) cancels them."""
    jobs = []
    for d in range(1, s.DAYS + 1):
        for _ in range(rng.choice(per_day)):
            requested = s.day_start(d) + timedelta(hours=7) + minutes(rng, 0, 600)
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


# --- the lines of a job ------------------------------------------------------------------------


@dataclass
class JobWrites:
    """A job's lines in the order they happen, and what the month's corrections may draw on."""

    lines: list[tuple[datetime, Line]] = field(default_factory=list)
    final: dict[str, Any] | None = None  # the finished job as the system leaves it (no secrets)
    paid_at: datetime | None = None
    rating: dict[str, Any] | None = None

    def put(self, at: datetime, table: str, item: dict[str, Any]) -> None:
        self.lines.append((at, {"put": {"table": table, "item": item}}))


def job_writes(j: Job) -> JobWrites:
    writes = JobWrites()
    base = {
        "job_id": j["id"],
        "customer_id": j["customer"],
        "city": j["city"],
        "status": "REQUESTED",
        "scheduled_at": iso(j["scheduled"]),
        "service": j["service"],
    }
    writes.put(j["requested"], "jobs", dict(base))
    if j["partner"] is None:
        item = dict(base, status="CANCELLED", cancelled_by=j["cancelled_by"], cancelled_at=iso(j["outcome_at"]))
        writes.put(j["outcome_at"], "jobs", item)
        return writes
    accepted = dict(base, status="ACCEPTED", partner_id=j["partner"], accepted_at=iso(j["accepted"]))
    if j["secrets"]:
        accepted["access_secrets"] = dict(j["secrets"])
    writes.put(j["accepted"], "jobs", accepted)
    out = outcome_item(j, {k: v for k, v in accepted.items() if k != "access_secrets"})
    writes.final = dict(out)  # what is left once the system removed the secrets (R11.1)
    if j["secrets"]:
        out["access_secrets"] = dict(j["secrets"])
    writes.put(j["outcome_at"], "jobs", out)
    if j["outcome"] == "COMPLETED" and j["paid"]:
        writes.paid_at = j["outcome_at"] + timedelta(hours=1)
        writes.put(writes.paid_at, "jobs", dict(writes.final, payment_status="PAID"))
    if j.get("rated_at") is not None:
        writes.rating = rating_item(j)
        writes.put(j["rated_at"], "ratings", writes.rating)
    return writes


def outcome_item(j: Job, accepted: dict[str, Any]) -> dict[str, Any]:
    out = dict(accepted, status=j["outcome"])
    if j["outcome"] == "COMPLETED":
        out.update(completed_at=iso(j["outcome_at"]), price_cents=j["price"], currency="EUR", payment_status="PENDING")
    elif j["outcome"] == "CANCELLED":
        out.update(cancelled_by=j["cancelled_by"], cancelled_at=iso(j["outcome_at"]))
    else:
        out["reported_at"] = iso(j["outcome_at"])
        if j["announced"]:
            out["support_informed_at"] = iso(j["support_informed"])
    return out


def rating_item(j: Job) -> dict[str, Any]:
    r = {
        "job_id": j["id"],
        "partner_id": j["partner"],
        "customer_id": j["customer"],
        "stars": j["stars"],
        "rated_at": iso(j["rated_at"]),
    }
    if j["comment"]:
        r["comment"] = j["comment"]
    return r


# --- the month ---------------------------------------------------------------------------------------


@dataclass
class Timeline:
    """The month's lines; ``gone``: jobs dispatch never gave (no line of theirs is written)."""

    gone: set[str] = field(default_factory=set)
    events: list[tuple[datetime, int, Line]] = field(default_factory=list)

    def emit(self, at: datetime, line: Line, prio: int = 1) -> None:
        self.events.append((at, prio, {"at": iso(at), **line}))

    def emit_kept(self, job_id: str, at: datetime, line: Line) -> None:
        if job_id not in self.gone:
            self.emit(at, line)

    def emit_jobs(self, jobs: list[Job]) -> tuple[list[tuple[Job, dict[str, Any], datetime]], dict[str, dict]]:
        """The jobs' writes and ratings; the pools of ordinary paid jobs and ratings (with the
        jobs in ``gone``, never written, so that the corrections drawn from them stay the same)."""
        paid_jobs = []
        ratings_by_job: dict[str, dict] = {}
        for j in jobs:
            writes = job_writes(j)
            for at, line in writes.lines:
                self.emit_kept(j["id"], at, line)
            if j["partner"] in s.STORY:
                continue
            if writes.paid_at is not None and writes.final is not None:
                paid_jobs.append((j, writes.final, writes.paid_at))
            if writes.rating is not None:
                ratings_by_job[j["id"]] = writes.rating
        return paid_jobs, ratings_by_job

    def lines(self) -> list[Line]:
        self.events.sort(key=lambda e: (e[0], e[1]))  # stable: creation order within the same time
        return [e[2] for e in self.events]


@dataclass
class Generators:
    """Every generator of the month, drawn from the seed in a fixed order."""

    partners: random.Random
    plans: dict[str, random.Random]
    stars: dict[str, random.Random]
    market: random.Random
    corrections: random.Random
    h_partners: random.Random
    h_plans: dict[str, random.Random]
    h_stars: dict[str, random.Random]
    h_market: random.Random

    @classmethod
    def of(cls, seed: int) -> Generators:
        master = random.Random(seed)

        def one() -> random.Random:
            return random.Random(master.getrandbits(64))

        leipzig = [s.pid(n) for n in range(1, s.N_PARTNERS + 1)]
        halle = [s.hid(n) for n in range(1, s.H_PARTNERS + 1)]
        partners, plans, stars = one(), {p: one() for p in leipzig}, {p: one() for p in leipzig}
        market, corrections = one(), one()
        # Halle's generators come after Leipzig's: adding Halle changed nothing drawn for Leipzig.
        h_partners, h_plans, h_stars = one(), {p: one() for p in halle}, {p: one() for p in halle}
        return cls(partners, plans, stars, market, corrections, h_partners, h_plans, h_stars, one())


def leipzig_jobs(g: Generators, restricted: Periods, policy: Policy) -> tuple[list[Job], set[str]]:
    """Leipzig's jobs, numbered, and those p-leipzig-11 never got (taken out after numbering)."""
    plans = {p: plan_partner(p, rng) for p, rng in g.plans.items() if p not in s.UNVERIFIED}
    ordinary = [p for p in plans if p not in s.STORY]
    for p in sorted(ordinary, key=lambda p: (-len(plans[p]), p))[:2]:
        j = plans[p][s.ONE_CANCEL_AT - 1]
        j["outcome"], j["cancelled_by"] = "CANCELLED", "partner"
        finish_times(j, random.Random(0))
    # p-leipzig-11's suspension (an incident, then reinstated) takes its jobs out only after they
    # are numbered and rated: every other Leipzig job, rating and correction stays as it was.
    late = {p: v for p, v in restricted.items() if p == s.P_INCIDENT}
    early = {p: v for p, v in restricted.items() if p not in late}
    jobs = rate_jobs(plans, early, g.stars, policy) + unaccepted(g.market, [0, 1, 1, 2])
    jobs.sort(key=lambda j: (j["requested"], j["partner"] or "", j["scheduled"]))
    for i, j in enumerate(jobs, 1):
        j["id"], j["city"] = f"j-{i:06d}", s.CITY
    gone = {j["id"] for j in jobs if j["partner"] in late and not dispatched(j, late[j["partner"]])}
    return jobs, gone


def halle_jobs(g: Generators, restricted: Periods, policy: Policy) -> list[Job]:
    plans = {p: plan_partner(p, rng) for p, rng in g.h_plans.items()}
    jobs = rate_jobs(plans, restricted, g.h_stars, policy) + unaccepted(g.h_market, [0, 0, 0, 1])
    jobs.sort(key=lambda j: (j["requested"], j["partner"] or "", j["scheduled"]))
    for i, j in enumerate(jobs, 1):
        j["id"], j["city"], j["customer"] = f"j-halle-{i:05d}", s.H_CITY, "c-h" + j["customer"][2:]
    return jobs


def refunds(timeline: Timeline, paid_jobs: list[tuple[Job, dict[str, Any], datetime]], rng: random.Random) -> None:
    """Three paid jobs of ordinary partners refunded a few days later (R10.3)."""
    refundable = [x for x in paid_jobs if x[2] + timedelta(days=6) < s.END]
    for j, final, _paid_at in rng.sample(refundable, 3):
        at = s.day_start(j["day"] + rng.randint(2, 5)) + timedelta(hours=10) + minutes(rng, 0, 360)
        timeline.emit_kept(j["id"], at, {"put": {"table": "jobs", "item": dict(final, payment_status="REFUNDED")}})


def corrections(timeline: Timeline, ratings_by_job: dict[str, dict], rng: random.Random) -> None:
    """Rating corrections on ordinary partners, each only moving their average up or keeping it:
    two voided, five re-rated a star higher, one deleted (R1.2)."""

    def business_time(after: datetime, days_lo: int, days_hi: int) -> datetime:
        day = (after + timedelta(days=rng.randint(days_lo, days_hi))).replace(hour=9, minute=0, second=0)
        return day + minutes(rng, 0, 540)

    late = parse(iso(s.END - timedelta(days=4)))
    candidates = sorted((r for r in ratings_by_job.values() if parse(r["rated_at"]) < late), key=lambda r: r["job_id"])
    low = [r for r in candidates if r["stars"] <= 4]
    low.sort(key=lambda r: (r["stars"], r["job_id"]))
    voided = low[:2] if low and low[0]["stars"] <= 3 else rng.sample(low, 2)
    rest = [r for r in low if r not in voided]
    rerated = rng.sample(rest, 5)
    deleted = rng.choice([r for r in rest if r not in rerated])
    for r in voided:
        at = business_time(parse(r["rated_at"]), 1, 2)
        timeline.emit_kept(r["job_id"], at, {"put": {"table": "ratings", "item": dict(r, voided=True)}})
    for r in rerated:
        at = business_time(parse(r["rated_at"]), 1, 3)
        new = dict(
            r,
            stars=min(5, r["stars"] + 1),
            rated_at=iso(at),
            comment="Nachtrag: Nach Ruecksprache mit dem Support alles geklaert.",
        )
        timeline.emit_kept(r["job_id"], at, {"put": {"table": "ratings", "item": new}})
    at = business_time(parse(deleted["rated_at"]), 1, 3)
    timeline.emit_kept(deleted["job_id"], at, {"delete": {"table": "ratings", "key": {"job_id": deleted["job_id"]}}})


def damaged_job(jobs: list[Job], gone: set[str]) -> str:
    """The incident is about p-leipzig-11's last job finished before it."""
    return max(
        (
            j
            for j in jobs
            if j["partner"] == s.P_INCIDENT
            and j["outcome"] == "COMPLETED"
            and j["outcome_at"] < s.INCIDENT_AT
            and j["id"] not in gone
        ),
        key=lambda j: (j["outcome_at"], j["id"]),
    )["id"]


def build(seed: int, restricted: Periods, policy: Policy) -> list[Line]:
    """The month's lines (without the policy line), with dispatch cut by ``restricted``."""
    g = Generators.of(seed)
    partners = partner_items(g.partners)
    jobs, gone = leipzig_jobs(g, restricted, policy)
    h_partners = halle_partner_items(g.h_partners)
    h_jobs = halle_jobs(g, restricted, policy)

    timeline = Timeline(gone)
    for item in partners:
        timeline.emit(s.START, {"put": {"table": "partners", "item": item}}, prio=0)
    for d in range(1, s.DAYS + 1):
        timeline.emit(s.day_start(d) + timedelta(hours=2), {"invoke": {"function": "nightly_check", "event": {}}}, 0)
    paid_jobs, ratings_by_job = timeline.emit_jobs(jobs)
    refunds(timeline, paid_jobs, g.corrections)
    corrections(timeline, ratings_by_job, g.corrections)
    # Halle: its partners, its jobs (no refunds or rating corrections there).
    for item in h_partners:
        timeline.emit(s.START, {"put": {"table": "partners", "item": item}}, prio=0)
    timeline.emit_jobs(h_jobs)
    # A second account: p-leipzig-31 registers with p-leipzig-05's phone (R8.1).
    timeline.emit(s.DUPLICATE_AT, {"put": {"table": "partners", "item": duplicate_item(partners)}})
    for at, event in s.ops_calls(damaged_job(jobs, gone)):
        timeline.emit(at, {"invoke": {"function": "ops", "event": event}}, prio=0)
    return timeline.lines()
