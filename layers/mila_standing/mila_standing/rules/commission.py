"""R10 commission: integer cents, half up (R10.1), negated on a refund (R10.3, R14.11)."""

from __future__ import annotations

from fractions import Fraction


def half_up(value: Fraction) -> int:
    """Round an amount of cents half up: 14.5 -> 15, 154.5 -> 155 (and -14.5 -> -15)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def commission(price_cents: int, rate: Fraction) -> tuple[int, int]:
    """R10.1: (commission_cents, payout_cents); no float anywhere in the path."""
    commission_cents = half_up(price_cents * rate)
    return commission_cents, price_cents - commission_cents
