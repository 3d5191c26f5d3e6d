"""Figures as people read them (R13.1): rounded, in the language's number and date format.

Babel formats (CLDR's patterns: ``4,1`` and ``6,7 %`` in German, ``4.1`` and ``6.7%`` in
English, ``17.10.2026`` and ``Oct 17, 2026``); the rounding is ours, half up, at one decimal
place. A figure is compared with a threshold in the same sentence ("4,4 stars, below the 4,5 at
which we warn"); where one decimal would make the two look equal, or put them the wrong way round
(4.46 shown as 4,5 against 4,5), the figure gets a second decimal, rounded towards the side it is
on (4,46), so the words never contradict the decision. Never more than two decimals.

Dates are UTC calendar dates, as the rules count days (R14.1, R14.6).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

ONE_PLACE, TWO_PLACES = Decimal("0.1"), Decimal("0.01")
Figure = Decimal | Fraction | float | int


def exact(value: Figure) -> Decimal:
    """A figure from a statement of reasons (a Decimal, or a float once read back) as a Decimal."""
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rounded(value: Figure, places: Decimal = ONE_PLACE) -> Decimal:
    """Half up (the project's rounding, R10.1), at most two decimals."""
    return exact(value).quantize(places, ROUND_HALF_UP)


def threshold(value: Figure) -> Decimal:
    """A policy's threshold as written, at most two decimals (4.3 stays 4,3; 0.035 is 3,5 %)."""
    return rounded(value, TWO_PLACES)


def beside(value: Figure, against: Figure | None) -> Decimal:
    """``value`` rounded for people, on the same side of ``against`` (shown as ``threshold``) as it is."""
    true, shown = exact(value), rounded(value)
    if against is None:
        return shown
    limit, line = exact(against), threshold(against)
    if _side(shown, line) == _side(true, limit):
        return shown
    return true.quantize(TWO_PLACES, ROUND_FLOOR if true < limit else ROUND_CEILING)


def _side(a: Decimal, b: Decimal) -> int:
    return (a > b) - (a < b)


class People:
    """Numbers, percentages and dates in one language (``de`` or ``en``)."""

    def __init__(self, lang: str):
        from babel import Locale  # Babel's locale data loads when a message is first made

        self.lang = lang
        self.locale = Locale.parse(lang)

    def number(self, value: Figure) -> str:
        """A figure already rounded (``rounded``, ``beside``, ``threshold``), with its decimals."""
        from babel.numbers import format_decimal

        return format_decimal(_trimmed(exact(value)), locale=self.locale, decimal_quantization=False)

    def count(self, value: int) -> str:
        from babel.numbers import format_decimal

        return format_decimal(int(value), locale=self.locale, group_separator=False)

    def stars(self, value: Figure, against: Figure | None = None) -> str:
        return self.number(beside(value, against))

    def limit(self, value: Figure) -> str:
        return self.number(threshold(value))

    def percent(self, rate: Figure, against: Figure | None = None) -> str:
        """A rate (0.067) as a percentage (6,7 %), on the same side of ``against`` as it is."""
        shown = beside(exact(rate) * 100, None if against is None else exact(against) * 100)
        return self._percent(shown)

    def percent_limit(self, rate: Figure) -> str:
        return self._percent(threshold(exact(rate) * 100))

    def exact_percent(self, rate: Figure) -> str:
        """A policy's rate exactly as the policy states it (0.035 is 3,5 %), never rounded."""
        return self._percent(exact(rate) * 100)

    def _percent(self, hundredths: Decimal) -> str:
        from babel.numbers import format_percent

        return _plain(format_percent(_trimmed(hundredths) / 100, locale=self.locale, decimal_quantization=False))

    def date(self, moment: datetime | str) -> str:
        from babel.dates import format_date

        return _plain(format_date(_utc(moment).date(), format="medium", locale=self.locale))

    def moment(self, moment: datetime | str) -> str:
        """A date and time for ops (deadlines are to the second), in UTC."""
        from babel.dates import format_datetime

        return _plain(format_datetime(_utc(moment), format="medium", tzinfo=UTC, locale=self.locale)) + " UTC"

    def listing(self, words: list[str]) -> str:
        from babel.lists import format_list

        return format_list(words, locale=self.locale)


def _plain(text: str) -> str:
    """CLDR's no-break spaces (before % in German, before AM in English) as plain spaces: the
    messages are plain text for e-mail, SMS and push, and read as people type them ("6,7 %")."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _trimmed(value: Decimal) -> Decimal:
    """Without trailing zeros (4.30 -> 4.3, 4.0 -> 4), never in exponent form."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _utc(moment: Any) -> datetime:
    from ...domain.times import parse_time

    return parse_time(moment) if isinstance(moment, str) else moment.astimezone(UTC)
