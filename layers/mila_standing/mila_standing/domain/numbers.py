"""Exact figures and plain values.

Figures are exact fractions inside the rules (R14.7); stored and quoted (statements of reasons)
they are Decimals with 28 significant digits (``number``); answered as JSON they are plain ints
and floats (``plain``: DynamoDB's Decimals and sets included).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any


def number(value: Fraction | int | None) -> Decimal | None:
    """An exact figure as a Decimal for storage and statements of reasons (28 significant digits)."""
    if value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(value.numerator) / Decimal(value.denominator)


def plain(value: Any) -> Any:
    """Stored values (Decimal, set) as plain JSON values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return sorted(plain(v) for v in value)
    return value
