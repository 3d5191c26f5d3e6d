"""Exact figures and plain values.

Figures are exact fractions inside the rules (R14.7); stored and quoted (statements of reasons)
they are Decimals with 28 significant digits (``number``).

Values that come back from DynamoDB (numbers as Decimal, sets) or from JSON read with
``parse_float=Decimal`` become plain values in one walk with three rules for their numbers:

- ``plain``: answers (the outcome, ops' answers, published notices): every whole number an int,
  any other a float.
- ``plain_as_written``: JSON the replay hands on as JSON (the policy line, console events): a
  number keeps the form it was written in, ``4`` an int and ``4.0`` a float.
- ``exact_as_written``: the platform's items read from an export, for a scenario: ``4`` an int,
  ``4.0`` or ``4.5`` the exact Decimal (R14.13 tells the stars ``4`` and ``4.0`` apart), binary
  values as hex.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """Stored values (Decimal, set) as plain JSON values: whole numbers int, others float."""
    return _walk(value, _plain_number)


def plain_as_written(value: Any) -> Any:
    """JSON read with Decimal numbers back as plain JSON: ``4`` int, ``4.0`` float, as written."""
    return _walk(value, _number_as_written)


def exact_as_written(value: Any) -> Any:
    """DynamoDB values as scenario values: ``4`` int, any number written with a point or a
    fraction the exact Decimal (``4.0`` stays ``4.0``: R14.13), binary values as hex."""
    return _walk(value, _exact_as_written)


def _walk(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """Maps, lists and sets (as sorted lists) walked; ``leaf`` turns every other value."""
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, leaf) for v in value]
    if isinstance(value, set):
        return sorted(_walk(v, leaf) for v in value)
    return leaf(value)


def _written_whole(value: Decimal) -> bool:
    """A whole number written without a point (``4``, ``1E+2``; not ``4.0``)."""
    return value == value.to_integral_value() and "." not in str(value)


def _plain_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _number_as_written(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if _written_whole(value) else float(str(value))
    return value


def _exact_as_written(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if _written_whole(value) else value
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value
