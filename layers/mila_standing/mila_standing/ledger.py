"""Commission (R10, R14.11): integer cents, half up, exactly one entry per job and kind."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .models import InvalidRecord, Job, format_time
from .runtime import Runtime
from .standing import number


def half_up(value: Fraction) -> int:
    """Round a non-negative amount of cents half up: 14.5 -> 15, 154.5 -> 155."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def commission(price_cents: int, rate: Fraction) -> tuple[int, int]:
    """R10.1: (commission_cents, payout_cents); no float anywhere in the path."""
    commission_cents = half_up(price_cents * rate)
    return commission_cents, price_cents - commission_cents


def book(rt: Runtime, job: Job, at: Any) -> None:
    """Write the job's ledger entries; put-if-absent makes a redelivery a no-op (R10.4)."""
    paid = job.status == "COMPLETED" and job.payment_status == "PAID"
    refunded = job.payment_status == "REFUNDED"
    if not (paid or refunded):
        return  # R10.2: nothing until paid
    if paid:
        if job.price_cents is None:
            raise InvalidRecord("price_cents: is required for a COMPLETED and PAID job")
        rate = rt.policy.for_city(job.city).commission_rate  # the job's city (R14.8)
        commission_cents, payout_cents = commission(job.price_cents, rate)
        rt.store.put_if_absent(_entry(job, "COMMISSION", job.price_cents, commission_cents, payout_cents,
                                      rate, at))
        return
    original = rt.store.get(f"LEDGER#{job.job_id}", "COMMISSION")
    if original is None:
        return  # refunded without ever having been paid: nothing to reverse
    rt.store.put_if_absent(_entry(job, "REVERSAL", -int(original["price_cents"]),
                                  -int(original["commission_cents"]), -int(original["payout_cents"]),
                                  Fraction(str(original["commission_rate"])), at,
                                  partner_id=original.get("partner_id")))  # R10.3


def _entry(job: Job, kind: str, price: int, commission_cents: int, payout: int, rate: Fraction, at: Any,
           partner_id: str | None = None) -> dict[str, Any]:
    return {
        "pk": f"LEDGER#{job.job_id}", "sk": kind, "kind": kind, "job_id": job.job_id,
        "partner_id": partner_id or job.partner_id, "city": job.city, "currency": job.currency,
        "price_cents": price, "commission_cents": commission_cents, "payout_cents": payout,
        "commission_rate": number(rate), "at": format_time(at),
    }
