"""A city-sized history for the replay: ``mila-standing generate --partners N``.

Deterministic (seeded), standard library only (and the system's one time format). Events come in
the proportions of a real marketplace month: partners registering (a few unverified, a few second
accounts), jobs going through their states (requested, accepted, then completed, cancelled by the customer or the
partner, or a no-show, some announced to support), payments (at completion or later), a few
refunds, ratings after most completed jobs (a few changed or voided by support later), customer
secrets on some jobs, ops calls (incidents, reinstatements, explanations) and a nightly check
every night at the schedule's hour. Most partners are good; a few rate poorly, cancel often or
miss appointments, so every rule has work to do. Several cities, the last one under human review.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mila_standing.domain.times import format_time

START = datetime(2026, 10, 1, tzinfo=UTC)
NIGHTLY_HOUR = 2  # the template's default schedule, cron(0 2 * * ? *)
CITIES = ("leipzig", "dresden", "halle")
CITY_WEIGHTS = (0.6, 0.3, 0.1)
OPS_ACTOR = "ops-generator"


@dataclass
class Profile:
    partner_id: str
    city: str
    jobs: int  # in the period
    stars: float  # mean stars
    cancels: float  # probability to cancel an accepted job
    no_shows: float  # probability to miss an appointment


def iso(moment: datetime) -> str:
    return format_time(moment, timespec="seconds")


class History:
    def __init__(self, partners: int, days: int, cities: tuple[str, ...], seed: int, start: datetime = START):
        self.rng = random.Random(seed)
        self.partners, self.days, self.cities, self.start = partners, days, cities, start
        self.end = start + timedelta(days=days)
        self.lines: list[tuple[datetime, int, dict[str, Any]]] = []
        self.jobs = 0

    def add(self, at: datetime, line: dict[str, Any]) -> None:
        self.lines.append((at, len(self.lines), {"at": iso(at), **line}))

    def put(self, at: datetime, table: str, item: dict[str, Any]) -> None:
        self.add(at, {"put": {"table": table, "item": item}})

    def invoke(self, at: datetime, function: str, event: dict[str, Any]) -> None:
        self.add(at, {"invoke": {"function": function, "event": event}})

    def moment(self, lo_hour: float = 7, hi_hour: float = 21) -> datetime:
        day = self.rng.randrange(self.days)
        return self.start + timedelta(days=day, seconds=self.rng.randint(int(lo_hour * 3600), int(hi_hour * 3600)))

    # --- people ------------------------------------------------------------------------------
    def profiles(self) -> list[Profile]:
        weights = list(CITY_WEIGHTS[: len(self.cities)]) or [1.0]
        counts: dict[str, int] = {}
        out = []
        for _ in range(self.partners):
            city = self.rng.choices(
                self.cities, weights=weights[: len(self.cities)] + [0.05] * (len(self.cities) - len(weights))
            )[0]
            counts[city] = counts.get(city, 0) + 1
            kind = self.rng.random()
            busy = self.rng.random() < 0.15
            jobs = self.rng.randint(12, 30) if busy else self.rng.randint(1, 4)
            stars = 3.6 if kind < 0.02 else 4.2 if kind < 0.10 else self.rng.uniform(4.6, 4.95)
            cancels = self.rng.uniform(0.10, 0.25) if self.rng.random() < 0.05 else 0.015
            no_shows = 0.08 if self.rng.random() < 0.01 else 0.002
            out.append(
                Profile(f"p-{city}-{counts[city]:05d}", city, jobs * self.days // 30 or 1, stars, cancels, no_shows)
            )
        return out

    def register(self, profiles: list[Profile]) -> None:
        for number, p in enumerate(profiles):
            new = self.rng.random() < 0.05  # registers during the period; the rest before it starts
            at = self.moment() if new else self.start + timedelta(seconds=number % 3600)
            item = {
                "partner_id": p.partner_id,
                "city": p.city,
                "verified": self.rng.random() > 0.03,
                "created_at": iso(at - timedelta(days=0 if new else self.rng.randint(30, 900))),
                "user_pool_username": p.partner_id,
                "phone": _digest("phone", p.partner_id),
                "iban_hash": _digest("iban", p.partner_id),
                "id_document_hash": _digest("id", p.partner_id),
            }
            self.put(at, "partners", item)
        for _ in range(max(1, self.partners // 300)):  # second accounts (R8.1)
            original = self.rng.choice(profiles)
            at = self.moment()
            twin = f"{original.partner_id}-b"
            self.put(
                at,
                "partners",
                {
                    "partner_id": twin,
                    "city": original.city,
                    "verified": True,
                    "created_at": iso(at),
                    "user_pool_username": twin,
                    "phone": _digest("phone", original.partner_id),
                },
            )

    # --- jobs ----------------------------------------------------------------------------------
    def job(self, p: Profile) -> None:
        self.jobs += 1
        job_id = f"j-{p.city}-{self.jobs:07d}"
        requested = self.moment(7, 20)
        scheduled = requested + timedelta(minutes=self.rng.randint(60, 48 * 60))
        if scheduled >= self.end:
            scheduled = requested + timedelta(minutes=90)
        base: dict[str, Any] = {
            "job_id": job_id,
            "customer_id": f"c-{self.rng.randrange(10**6):06d}",
            "city": p.city,
            "status": "REQUESTED",
            "scheduled_at": iso(scheduled),
            "price_cents": self.rng.randrange(4000, 25000, 10),
            "currency": "EUR",
        }
        if self.rng.random() < 0.3:
            base["access_secrets"] = {
                "door_code": f"{self.rng.randrange(10**4):04d}",
                "wifi_password": _digest("wifi", job_id)[:12],
            }
        self.put(requested, "jobs", dict(base))
        accepted = requested + timedelta(minutes=self.rng.randint(2, 50))
        base.update(status="ACCEPTED", partner_id=p.partner_id, accepted_at=iso(accepted))
        self.put(accepted, "jobs", dict(base))
        roll = self.rng.random()
        if roll < 0.04:  # the customer cancels: neutral (R3.2)
            at = accepted + (scheduled - accepted) / 2
            self.put(at, "jobs", {**base, "status": "CANCELLED", "cancelled_by": "customer", "cancelled_at": iso(at)})
            return
        if roll < 0.04 + p.cancels:
            at = accepted + (scheduled - accepted) / 3
            self.put(at, "jobs", {**base, "status": "CANCELLED", "cancelled_by": "partner", "cancelled_at": iso(at)})
            return
        if roll < 0.04 + p.cancels + p.no_shows:
            reported = scheduled + timedelta(minutes=45)
            outcome = {**base, "status": "NO_SHOW", "reported_at": iso(reported)}
            if self.rng.random() < 0.3:  # announced to support before the appointment (R3.3)
                outcome["support_informed_at"] = iso(scheduled - timedelta(minutes=30))
            self.put(reported, "jobs", outcome)
            return
        self.completed(p, base, scheduled)

    def completed(self, p: Profile, base: dict[str, Any], scheduled: datetime) -> None:
        """A job done: paid at once or later, now and then refunded, mostly rated."""
        job_id = base["job_id"]
        done = scheduled + timedelta(minutes=self.rng.randint(40, 150))
        completed = {**base, "status": "COMPLETED", "completed_at": iso(done)}
        pay_now = self.rng.random() < 0.6
        if pay_now:
            completed["payment_status"] = "PAID"
        self.put(done, "jobs", completed)
        paid_at = done
        if not pay_now:
            paid_at = done + timedelta(minutes=self.rng.randint(10, 24 * 60))
            self.put(
                paid_at,
                "jobs",
                {k: v for k, v in {**completed, "payment_status": "PAID"}.items() if k != "access_secrets"},
            )
        if self.rng.random() < 0.01:
            at = paid_at + timedelta(days=self.rng.randint(1, 5))
            self.put(
                at,
                "jobs",
                {k: v for k, v in {**completed, "payment_status": "REFUNDED"}.items() if k != "access_secrets"},
            )
        if self.rng.random() < 0.7:
            self.rating(p, job_id, done)

    def rating(self, p: Profile, job_id: str, done: datetime) -> None:
        rated = done + timedelta(minutes=self.rng.randint(5, 48 * 60))
        stars = max(1, min(5, round(self.rng.gauss(p.stars, 0.6))))
        item = {
            "job_id": job_id,
            "partner_id": p.partner_id,
            "customer_id": "c-rater",
            "stars": stars,
            "rated_at": iso(rated),
        }
        self.put(rated, "ratings", item)
        later = rated + timedelta(hours=self.rng.randint(1, 72))
        roll = self.rng.random()
        if roll < 0.02:
            self.put(later, "ratings", {**item, "stars": min(5, stars + 1)})  # the customer changes it
        elif roll < 0.025:
            self.put(later, "ratings", {**item, "voided": True})  # support voids it (R1.2)

    # --- ops and the schedule ---------------------------------------------------------------------
    def ops(self, profiles: list[Profile]) -> None:
        for _ in range(max(1, self.partners // 500)):
            p = self.rng.choice(profiles)
            at = self.moment(9, 17)
            self.invoke(
                at,
                "ops",
                {
                    "action": "report_incident",
                    "partner_id": p.partner_id,
                    "category": "ABUSIVE_BEHAVIOUR",
                    "actor": OPS_ACTOR,
                    "note": "complaint",
                },
            )
            self.invoke(
                at + timedelta(days=3),
                "ops",
                {"action": "reinstate", "partner_id": p.partner_id, "actor": OPS_ACTOR, "reason": "reviewed, warned"},
            )
        for _ in range(max(1, self.partners // 2000)):
            p = self.rng.choice(profiles)
            self.invoke(
                self.moment(9, 17),
                "ops",
                {
                    "action": "report_incident",
                    "partner_id": p.partner_id,
                    "category": "CASH_PAYMENT",
                    "actor": OPS_ACTOR,
                },
            )
        for _ in range(max(2, self.partners // 200)):
            p = self.rng.choice(profiles)
            self.invoke(self.moment(9, 17), "ops", {"action": "explain", "partner_id": p.partner_id})

    def nights(self) -> None:
        for day in range(1, self.days + 1):
            self.invoke(self.start + timedelta(days=day, hours=NIGHTLY_HOUR), "nightly_check", {})

    def build(self) -> list[dict[str, Any]]:
        profiles = self.profiles()
        self.register(profiles)
        for p in profiles:
            for _ in range(p.jobs):
                self.job(p)
        self.ops(profiles)
        self.nights()
        self.lines.sort(key=lambda entry: (entry[0], entry[1]))
        return [line for _, _, line in self.lines]


def _digest(kind: str, key: str) -> str:
    return hashlib.sha256(f"generated:{kind}:{key}".encode()).hexdigest()


def generate(partners: int, days: int = 30, cities: tuple[str, ...] = CITIES, seed: int = 2026) -> list[str]:
    """The scenario's lines as JSON text: the policy line (the last city under human review), then events."""
    history = History(partners, days, cities, seed)
    policy = {"policy": {"cities": {cities[-1]: {"decision_mode": "human_review"}}}} if len(cities) > 1 else None
    body = [json.dumps(line, separators=(",", ":")) for line in history.build()]
    return ([json.dumps(policy, separators=(",", ":"))] if policy else []) + body


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--partners", type=int, required=True, help="partners in all cities")
    parser.add_argument("--days", type=int, default=30, help="length of the history (default 30)")
    parser.add_argument("--cities", default=",".join(CITIES), help="comma-separated city slugs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=None, help="scenario file (default stdout)")


def run(args: argparse.Namespace) -> int:
    if args.partners < 1 or args.days < 1:
        print("mila-standing generate: --partners and --days must be at least 1", file=sys.stderr)
        return 2
    cities = tuple(c.strip() for c in args.cities.split(",") if c.strip())
    lines = generate(args.partners, args.days, cities, args.seed)
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(
            f"mila-standing generate: {len(lines):,} lines ({args.partners:,} partners, {args.days} days) "
            f"-> {args.out}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0
