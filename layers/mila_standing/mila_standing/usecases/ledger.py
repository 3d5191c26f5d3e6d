"""The ledger (R10, R14.11): exactly one entry per job and kind, commission in integer cents, half up."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from ..domain.models import InvalidRecord, Job
from ..domain.numbers import number
from ..domain.times import format_time
from ..rules import commission
from .standings import Standings


def book(standings: Standings, job: Job, at: datetime) -> None:
    """Write the job's ledger entries; put-if-absent makes a redelivery a no-op (R10.4)."""
    paid = job.status == "COMPLETED" and job.payment_status == "PAID"
    refunded = job.payment_status == "REFUNDED"
    if not (paid or refunded):
        return  # R10.2: nothing until paid
    if paid:
        if job.price_cents is None:
            raise InvalidRecord("price_cents: is required for a COMPLETED and PAID job")
        rate = standings.policy.for_city(job.city).commission_rate  # the job's city (R14.8)
        commission_cents, payout_cents = commission(job.price_cents, rate)
        standings.store.add_ledger_entry(
            _entry(job, "COMMISSION", job.price_cents, commission_cents, payout_cents, rate, at)
        )
        return
    original = standings.store.ledger_entry(job.job_id, "COMMISSION")
    if original is None:
        return  # refunded without ever having been paid: nothing to reverse
    standings.store.add_ledger_entry(
        _entry(
            job,
            "REVERSAL",
            -int(original["price_cents"]),
            -int(original["commission_cents"]),
            -int(original["payout_cents"]),
            Fraction(str(original["commission_rate"])),
            at,
            partner_id=original.get("partner_id"),
        )
    )  # R10.3


def _entry(
    job: Job,
    kind: str,
    price: int,
    commission_cents: int,
    payout: int,
    rate: Fraction,
    at: datetime,
    partner_id: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "job_id": job.job_id,
        "partner_id": partner_id or job.partner_id,
        "city": job.city,
        "currency": job.currency,
        "price_cents": price,
        "commission_cents": commission_cents,
        "payout_cents": payout,
        "commission_rate": number(rate),
        "at": format_time(at),
    }
