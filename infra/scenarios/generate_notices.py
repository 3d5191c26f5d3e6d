#!/usr/bin/env python3
"""Generate the notices scenario: every notice a partner or ops can receive, in German and in
English (R13.1, R13.2), from one month (October 2026) of Leipzig (automatic decisions) and Halle
(human review, ops reading English).

    python infra/scenarios/generate_notices.py [--out PATH]

Writes ``notices.jsonl`` next to this file (CONTRACT §4 scenario lines); deterministic, and
tests/unit/test_notice_scenario.py checks that the committed file is what this writes. Replay it
to read the messages: ``mila-standing replay infra/scenarios/notices.jsonl --summary``.

Who gets what (``de`` unless said; notices in the order they come):
  p-leipzig-01  4,1 stars: three rating warnings, suspended (R2.4), asks for a review, the
                reminder goes to ops, the suspension is corrected: reinstated and answered
  p-leipzig-02  (en) the same warnings; the first is corrected on review, the streak starts
                again, suspended a week later
  p-leipzig-03  6,7 % cancellations: three warnings, suspended (R5.3); a review of the first
                warning goes overdue (ops are reminded twice) and is upheld, late
  p-leipzig-04  (en) the same cancellations, suspended (R5.3)
  p-leipzig-05  a no-show warning, a second no-show excludes (R6.3); switches to English;
                reinstated (the notice in English)
  p-leipzig-06  (en) warned and excluded; a review of the exclusion is upheld
  p-leipzig-07  suspended for damaging a customer's property (R7.1), reinstated
  p-leipzig-08  (en) closed for taking cash (R7.2)
  p-leipzig-09  closed as a duplicate of p-leipzig-01 (R8.1, shared phone number)
  p-leipzig-10  (en) closed as a duplicate of p-leipzig-02 (identity document and bank account)
  p-halle-01    three rating warnings; the suspension waits for ops (DECISION_PENDING, in
                English for Halle's ops), who approve it: suspended
  p-halle-02    (en) a no-show warning, the exclusion waits for ops, who reject it
  p-halle-03    ``locale: fr`` (not a language of the system): rating warnings in German; the
                proposed suspension is left for ops (warnings go on meanwhile, R14.5)
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "notices.jsonl"
START = datetime(2026, 10, 1, tzinfo=UTC)
POLICY = {
    "cities": {
        "leipzig": {"decision_mode": "automatic"},
        "halle": {"decision_mode": "human_review", "ops_locale": "en"},
    }
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return START + timedelta(days=day, hours=hour, minutes=minute)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Month:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self.jobs = 0

    def line(self, moment: datetime, body: dict[str, Any]) -> None:
        self.lines.append({"at": iso(moment), **body})

    def partner(self, moment: datetime, partner_id: str, city: str, **extra: Any) -> None:
        item = {
            "partner_id": partner_id,
            "city": city,
            "verified": True,
            "created_at": "2026-01-15T09:00:00Z",
            "user_pool_username": partner_id,
            "phone": fingerprint(f"phone:{partner_id}"),
            "id_document_hash": fingerprint(f"id:{partner_id}"),
            "iban_hash": fingerprint(f"iban:{partner_id}"),
            **extra,
        }
        self.line(moment, {"put": {"table": "partners", "item": item}})

    def ratings(self, moment: datetime, partner_id: str, stars: list[int]) -> None:
        """A burst of ratings, rated a minute apart before ``moment`` (R1.1 orders by rated_at)."""
        for n, value in enumerate(stars):
            self.jobs += 1
            rated = moment - timedelta(minutes=len(stars) - n)
            item = {
                "job_id": f"j-{self.jobs:04d}",
                "partner_id": partner_id,
                "customer_id": f"c-{self.jobs:04d}",
                "stars": value,
                "rated_at": iso(rated),
            }
            self.line(moment, {"put": {"table": "ratings", "item": item}})

    def job(self, moment: datetime, partner_id: str, city: str, status: str, **extra: Any) -> str:
        """A finished job, written once with its outcome (at ``moment``)."""
        self.jobs += 1
        job_id = f"j-{self.jobs:04d}"
        item: dict[str, Any] = {
            "job_id": job_id,
            "customer_id": f"c-{self.jobs:04d}",
            "city": city,
            "status": status,
            "partner_id": partner_id,
            "scheduled_at": iso(moment - timedelta(hours=2)),
            "accepted_at": iso(moment - timedelta(days=2)),
            "price_cents": 8900,
            "currency": "EUR",
        }
        outcome = {"COMPLETED": "completed_at", "CANCELLED": "cancelled_at", "NO_SHOW": "reported_at"}[status]
        item[outcome] = iso(moment)
        if status == "COMPLETED":
            item["payment_status"] = "PAID"
        if status == "CANCELLED":
            item["cancelled_by"] = "partner"
        item.update(extra)
        self.line(moment, {"put": {"table": "jobs", "item": item}})
        return job_id

    def cancellations(self, moment: datetime, partner_id: str) -> None:
        """14 completed jobs, then one the partner cancelled: 1 of 15, 6,7 % (R3.1), one record at a
        time in stream order, so the warning (R5.2) quotes the fifteenth."""
        for n in range(14):
            self.job(moment + timedelta(minutes=n), partner_id, "leipzig", "COMPLETED")
        self.job(moment + timedelta(minutes=14), partner_id, "leipzig", "CANCELLED")

    def ops(self, moment: datetime, **event: Any) -> None:
        self.line(moment, {"invoke": {"function": "ops", "event": event}})

    def nights(self, first: int, last: int) -> None:
        for day in range(first, last + 1):
            self.line(at(day, 2), {"invoke": {"function": "nightly_check", "event": {}}})


def month() -> list[dict[str, Any]]:
    m = Month()
    day0 = at(0, 8)
    for n, locale in enumerate(["de", "en", "de", "en", "de", "en", "de", "en"], start=1):
        m.partner(day0, f"p-leipzig-{n:02d}", "leipzig", **({"locale": locale} if locale == "en" else {}))
    m.partner(day0, "p-halle-01", "halle", locale="de")
    m.partner(day0, "p-halle-02", "halle", locale="en")
    m.partner(day0, "p-halle-03", "halle", locale="fr")

    # Ratings: 4,1 stars in Leipzig (below 4,5: warned), 4,0 in Halle.
    m.ratings(at(0, 10), "p-leipzig-01", [5, 5, 4, 4, 4, 4, 4, 4, 4, 3])
    m.ratings(at(0, 10, 30), "p-leipzig-02", [5, 5, 4, 4, 4, 4, 4, 4, 4, 3])
    m.ratings(at(0, 11), "p-halle-01", [4] * 10)
    m.ratings(at(0, 11, 30), "p-halle-03", [5, 4, 4, 4, 4, 4, 4, 4, 4, 4])
    m.cancellations(at(1, 10), "p-leipzig-03")
    m.cancellations(at(2, 10), "p-leipzig-04")

    m.ops(
        at(2, 10),
        action="request_review",
        partner_id="p-leipzig-02",
        actor="support-clara",
        notice_id="p-leipzig-02:000001",
        text="Two of these customers rated a job I never did.",
    )
    m.ops(
        at(2, 11),
        action="request_review",
        partner_id="p-leipzig-03",
        actor="support-clara",
        notice_id="p-leipzig-03:000001",
        text="The cancelled job was double-booked by the app.",
    )
    no_show = m.job(at(4, 18), "p-leipzig-05", "leipzig", "NO_SHOW")
    m.job(at(5, 18), "p-leipzig-06", "leipzig", "NO_SHOW")
    m.job(at(3, 18), "p-halle-02", "halle", "NO_SHOW")
    m.ops(
        at(5, 9),
        action="answer_review",
        partner_id="p-leipzig-02",
        actor="ops-anna@mila.com",
        review_id="p-leipzig-02:review-000001",
        outcome="corrected",
        reason="Two of the ratings belong to another partner's jobs; they no longer count against you.",
    )
    damaged = m.job(at(6, 9), "p-leipzig-07", "leipzig", "COMPLETED")
    m.ops(
        at(6, 15),
        action="report_incident",
        partner_id="p-leipzig-07",
        category="PROPERTY_DAMAGE",
        actor="ops-anna@mila.com",
        job_id=damaged,
        note="Kundin Frau Weber meldet eine zerbrochene Vase; Fotos in Ticket 4711 (p-leipzig-01 war nicht dort).",
    )
    cash = m.job(at(7, 9), "p-leipzig-08", "leipzig", "COMPLETED")
    m.ops(
        at(7, 15),
        action="report_incident",
        partner_id="p-leipzig-08",
        category="CASH_PAYMENT",
        actor="ops-carla@mila.com",
        job_id=cash,
        note="Mr Smith paid 80 EUR in cash; receipt photo in ticket 4712.",
    )
    m.ops(
        at(8, 10),
        action="reinstate",
        partner_id="p-leipzig-07",
        actor="ops-ben@mila.com",
        reason="Schaden von der Versicherung reguliert, kein Vorsatz; Rücksprache mit Frau Weber.",
    )
    m.partner(at(9, 9), "p-leipzig-09", "leipzig", phone=fingerprint("phone:p-leipzig-01"))
    m.partner(
        at(9, 9),
        "p-leipzig-10",
        "leipzig",
        locale="en",
        id_document_hash=fingerprint("id:p-leipzig-02"),
        iban_hash=fingerprint("iban:p-leipzig-02"),
    )
    m.job(at(10, 18), "p-halle-02", "halle", "NO_SHOW")
    m.ops(
        at(11, 9),
        action="decide",
        partner_id="p-halle-02",
        approve=False,
        actor="ops-ben@mila.com",
        reason="Second no-show was a flat tyre reported to the hotline; the hotline note got lost.",
    )
    m.job(at(11, 18), "p-leipzig-05", "leipzig", "NO_SHOW")
    m.job(at(12, 18), "p-leipzig-06", "leipzig", "NO_SHOW")
    m.partner(at(12, 20), "p-leipzig-05", "leipzig", locale="en")  # the partner now reads English
    m.ops(
        at(13, 10),
        action="reinstate",
        partner_id="p-leipzig-05",
        actor="ops-ben@mila.com",
        reason=f"Both no-shows ({no_show} and the next) were hospital stays; certificate in ticket 4720.",
    )
    m.ops(
        at(13, 11),
        action="request_review",
        partner_id="p-leipzig-06",
        actor="support-dirk",
        notice_id="p-leipzig-06:000002",
        text="My car broke down both times.",
    )
    m.ops(
        at(16, 9),
        action="decide",
        partner_id="p-halle-01",
        approve=True,
        actor="ops-anna@mila.com",
        reason="Ratings checked: all from different customers.",
    )
    m.ops(
        at(16, 10),
        action="request_review",
        partner_id="p-leipzig-01",
        actor="support-clara",
        notice_id="p-leipzig-01:000004",
        text="I was ill for two weeks and the app kept offering me jobs.",
    )
    m.ops(
        at(18, 9),
        action="answer_review",
        partner_id="p-leipzig-03",
        actor="ops-anna@mila.com",
        review_id="p-leipzig-03:review-000001",
        outcome="upheld",
        reason="Der Auftrag war nur einmal gebucht, und Sie haben ihn zwei Stunden vor dem Termin storniert.",
    )
    m.ops(
        at(19, 9),
        action="answer_review",
        partner_id="p-leipzig-06",
        actor="ops-carla@mila.com",
        review_id="p-leipzig-06:review-000001",
        outcome="upheld",
        reason="We have no report of a breakdown before either appointment.",
    )
    m.ops(
        at(29, 9),
        action="answer_review",
        partner_id="p-leipzig-01",
        actor="ops-ben@mila.com",
        review_id="p-leipzig-01:review-000001",
        outcome="corrected",
        reason="Die Bewertungen stammen aus Ihrer Krankheitszeit, in der Sie Aufträge nicht ablehnen konnten.",
    )
    m.nights(1, 30)
    return [{"policy": POLICY}, *sorted(m.lines, key=lambda line: line["at"])]


def dump(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: %(default)s)")
    args = ap.parse_args(argv)
    args.out.write_text(dump(month()), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
