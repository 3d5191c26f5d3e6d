"""The nightly check (R14.4), as a plan of steps that can run in one invocation or fan out:

1. ``plan``      the night (its date and time), the cities, and the segments: parallel Scan
                 segments of the city listing for all cities (about SEGMENT_PARTNERS each), or
                 the shards of one city's listing (standing.LISTING_SHARDS) for a city;
2. ``figures``   per segment: the partial sums of R4.1 per city (qualifying partners, rates' sum);
3. ``combine``   per city: the figures from all its segments (R4.1, R4.2), stored;
4. ``evaluate``  per segment: every partner with its city's figures: R2.4 before R5.3 before
                 the night's warnings (R14.4), then the reminders of open reviews (issue 13);
5. ``summarize`` the night's counts, per city and in all.

On AWS the schedule starts a Step Functions state machine that runs 2 and 4 as Distributed Maps
(template.yaml); the console and the replay run the same steps. Each step is safe to run again:
figures are recomputed, and a partner whose standing the night changed carries the night's mark
(``Standing.night``) in that same conditional write, so a retried segment or a re-run of the night
sends no second warning, suspension or pending decision.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import Any

from ..domain.standing import OUTCOMES, Standing
from ..domain.times import format_time, parse_time
from ..rules import (
    CancellationFigures,
    CityFigures,
    Judgement,
    Notice,
    cancellation_figures,
    combine_city_figures,
    night_windows,
    nightly,
    qualifying_rate,
    reviews,
)
from .changes import Evaluation
from .ports import LISTING_SHARDS, NIGHT_EVALUATED, NIGHT_FIGURES
from .standings import Standings

WARNINGS = {"RATING_WARNING", "CANCELLATION_WARNING"}
COUNTED = ("warnings", "suspensions", "pending_decisions", "review_reminders")
LISTING_PAGE = 500
SEGMENT_PARTNERS = 20_000  # partners per segment: about 4 minutes of one worker (BENCHMARKS.md)
MAX_SEGMENTS = 1_000


@dataclass
class NightPlan:
    night: str  # the night's UTC date: what "the same night" means for a re-run
    at: str  # the time every rule of the night is judged at (R14.1)
    dry_run: bool
    cities: list[str | None]
    all_cities: bool = True
    scan_segments: int = 1  # all cities: a parallel Scan of the listing in this many segments
    persist: bool = False  # the steps run apart (state machine): partial results go to the table

    @property
    def now(self) -> datetime:
        return parse_time(self.at)

    def segments(self) -> list[dict[str, Any]]:
        if self.all_cities:
            return [{"segment": n, "of": self.scan_segments} for n in range(self.scan_segments)]
        return [{"city": self.cities[0], "shard": shard} for shard in range(LISTING_SHARDS)]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NightPlan:
        return cls(
            str(data["night"]),
            str(data["at"]),
            bool(data["dry_run"]),
            list(data["cities"]),
            bool(data.get("all_cities", True)),
            int(data.get("scan_segments", 1)),
            bool(data.get("persist", False)),
        )


def plan(
    standings: Standings,
    now: datetime,
    city: str | None = None,
    all_cities: bool = True,
    dry_run: bool = False,
    persist: bool = False,
) -> NightPlan:
    cities = standings.store.cities() if all_cities else [city]
    segments = min(MAX_SEGMENTS, max(1, -(-standings.store.listed_count() // SEGMENT_PARTNERS))) if all_cities else 1
    return NightPlan(
        night=now.date().isoformat(),
        at=format_time(now),
        dry_run=dry_run,
        cities=cities,
        all_cities=all_cities,
        scan_segments=segments,
        persist=persist and not dry_run,
    )


def _partners(standings: Standings, segment: dict[str, Any]) -> Any:
    """(partner id, listed city) of one segment, page by page."""
    start: str | None = None
    while True:
        if "segment" in segment:
            found, start = standings.store.scan_listing(
                int(segment["segment"]), int(segment["of"]), start, LISTING_PAGE
            )
        else:
            ids, start = standings.store.listed_partners(segment["city"], int(segment["shard"]), start, LISTING_PAGE)
            found = [(pid, segment["city"]) for pid in ids]
        yield from found
        if start is None:
            return


def _segment_key(segment: dict[str, Any]) -> str:
    if "segment" in segment:
        return f"{int(segment['segment']):04d}-of-{int(segment['of']):04d}"
    return f"{segment['city'] or '-'}#{int(segment['shard']):02d}"


# --- 2. figures ----------------------------------------------------------------------------------

Heads = dict[str, tuple[Standing, CancellationFigures]]
"""What the figures step read of each partner (the aggregate and the cancellation figures), kept
for the evaluate step when both run in one invocation: a quiet partner is then not read again."""


def figures_segment(
    standings: Standings, night: NightPlan, segment: dict[str, Any], heads: Heads | None = None
) -> dict[str, Any]:
    """R4.1's partial sums over one segment, per city: qualifying partners and their rates' sum."""
    sums: dict[str, list[Fraction | int]] = {}
    for partner_id, listed in _partners(standings, segment):
        if listed not in night.cities:
            continue
        standing = standings.load(partner_id, frozenset({OUTCOMES}))
        if standing.city != listed:
            continue  # moved city since the listing was read: counted where it lives now
        policy = standings.policy.for_city(listed)
        if heads is not None:  # the aggregate alone (no entries) and the figures: small
            heads[partner_id] = (replace(standing, outcomes={}), cancellation_figures(standing, policy))
        rate = qualifying_rate(standing, policy)
        if rate is not None:
            total, count = sums.setdefault(listed or "-", [Fraction(0), 0])
            sums[listed or "-"] = [total + rate, int(count) + 1]
    key = _segment_key(segment)
    partial = {
        "segment": key,
        "cities": {
            city: {
                "partners": count,
                "numerator": str(Fraction(total).numerator),
                "denominator": str(Fraction(total).denominator),
            }
            for city, (total, count) in sums.items()
        },
    }
    if night.persist:
        standings.store.save_night_part(night.night, NIGHT_FIGURES, key, partial)
    return partial


# --- 3. combine ---------------------------------------------------------------------------------


def combine(standings: Standings, night: NightPlan, partials: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """R4.1 / R4.2 per city from its segments' partial sums; stored for the handlers (R4.3)."""
    if partials is None:  # the state machine: the segments stored theirs
        keys = {_segment_key(s) for s in night.segments()}
        partials = [p for p in standings.store.night_parts(night.night, NIGHT_FIGURES) if p.get("segment") in keys]
    sums: dict[str | None, tuple[Fraction, int]] = {city: (Fraction(0), 0) for city in night.cities}
    for partial in partials:
        for listed, part in (partial.get("cities") or {}).items():
            city = None if listed == "-" else listed
            total, count = sums.get(city, (Fraction(0), 0))
            sums[city] = (
                total + Fraction(int(part["numerator"]), int(part["denominator"])),
                count + int(part["partners"]),
            )
    figures: dict[str, Any] = {}
    for city, (total, count) in sums.items():
        policy = standings.policy.for_city(city)
        if city is None:
            city_figures = CityFigures.default(policy)  # R14.8: partners without a home city
        else:
            city_figures = combine_city_figures(total, count, policy)  # R4.1, R4.2
            if not night.dry_run:
                standings.store.save_city_figures(city, city_figures, night.at, count)
        figures[city or "-"] = {
            "average": [city_figures.average.numerator, city_figures.average.denominator],
            "maximum": [city_figures.maximum.numerator, city_figures.maximum.denominator],
            "computed": city_figures.computed,
        }
    return figures


def _city_figures(figures: dict[str, Any], city: str | None) -> CityFigures | None:
    found = figures.get(city or "-")
    if found is None:
        return None
    return CityFigures(Fraction(*found["average"]), Fraction(*found["maximum"]), bool(found["computed"]))


# --- 4. evaluate --------------------------------------------------------------------------------


def evaluate_segment(
    standings: Standings, night: NightPlan, segment: dict[str, Any], figures: dict[str, Any], heads: Heads | None = None
) -> dict[str, Any]:
    """Every partner of one segment, judged with its city's figures of tonight. A partner in
    whose windows nothing can happen tonight (rules.night_windows) is counted and left as it is."""
    counts: dict[str, Counter[str]] = {}
    would: list[dict[str, Any]] = []
    for partner_id, listed in _partners(standings, segment):
        if listed not in night.cities:
            continue
        result = counts.setdefault(listed or "-", Counter())
        result["partners_evaluated"] += 1
        windows = _windows_tonight(standings, night, figures, _head(standings, partner_id, heads), result)
        if windows is None:
            continue
        for notice in _evaluate(standings, night, figures, partner_id, windows):
            result[_bucket(notice)] += 1
            if night.dry_run:
                would.append({"partner_id": notice.partner_id, "type": notice.type, "rule": notice.reasons.get("rule")})
    key = _segment_key(segment)
    by_city = {c: dict(v) for c, v in counts.items()}
    if night.persist:
        standings.store.save_night_part(night.night, NIGHT_EVALUATED, key, {"segment": key, "counts": by_city})
    return {"segment": key, "counts": by_city, "would": would}


def _head(standings: Standings, partner_id: str, heads: Heads | None) -> tuple[Standing, CancellationFigures]:
    """The partner's aggregate and cancellation figures: as the figures step read them, or read now."""
    if heads is not None and partner_id in heads:
        return heads[partner_id]
    head = standings.load(partner_id, frozenset({OUTCOMES}))
    return head, cancellation_figures(head, standings.policy.for_city(head.city))


def _windows_tonight(
    standings: Standings,
    night: NightPlan,
    figures: dict[str, Any],
    head: tuple[Standing, CancellationFigures],
    result: Counter[str],
) -> frozenset[str] | None:
    """Which windows tonight's rules must read for this partner (empty: only the reviews'
    reminders), or None when nothing can happen tonight. A partner the night already changed
    counts what it was sent then (a re-run sends nothing twice)."""
    standing, cancellation = head
    # Issue 13: open reviews' deadlines are in the aggregate already read, so a partner owed
    # no reminder costs nothing more; one who is owed one is read even if restricted, and even
    # if an earlier run tonight evaluated it (a reminder may fall due between two runs).
    owed = reviews.reminder_due(standing, night.now)
    marked = standing.night or {}
    if marked.get("date") == night.night:
        result.update({k: int(marked[k]) for k in COUNTED if marked.get(k)})
        return frozenset() if owed else None  # the rules of R14.4 ran tonight: only the reminders
    windows = night_windows(standing, _judgement(standings, standing, figures, night.now), cancellation)
    return windows if windows or owed else None


def _evaluate(
    standings: Standings, night: NightPlan, figures: dict[str, Any], partner_id: str, windows: frozenset[str]
) -> list[Notice]:
    """Tonight's rules on one partner, saved (or, in a dry run, decided on a copy and not saved)."""
    standing = standings.load(partner_id, windows)
    tonight = _tonight(night, "ratings" in windows, "outcomes" in windows)
    if night.dry_run:
        return tonight(copy.deepcopy(standing), _judgement(standings, standing, figures, night.now))
    return standings.update(
        partner_id,
        [Evaluation(tonight, windows)],
        night.now,
        first_read=standing,
        judge=lambda s: _judgement(standings, s, figures, night.now),
    )


def _tonight(night: NightPlan, ratings: bool, outcomes: bool) -> Any:
    def decide(standing: Standing, j: Judgement) -> list[Notice]:
        before = standing.to_item()
        notices = nightly(standing, j, ratings, outcomes) if ratings or outcomes else []
        notices += reviews.reminders(standing, j)  # after the rules of R14.4 (issue 13)
        if standing.to_item() != before:  # the night changed it: mark the night in the same write
            earlier = standing.night if (standing.night or {}).get("date") == night.night else {}
            counts = Counter({k: int(v) for k, v in (earlier or {}).items() if k in COUNTED})
            counts.update(_bucket(n) for n in notices)
            standing.night = {"date": night.night, **{k: counts[k] for k in COUNTED if counts[k]}}
        return notices

    return decide


def _judgement(standings: Standings, standing: Standing, figures: dict[str, Any], now: datetime) -> Judgement:
    """The partner's own city decides (it may have moved since the listing was read)."""
    tonight = _city_figures(figures, standing.city)
    if tonight is None:
        return standings.judgement(standing, now)
    return Judgement(standings.policy.for_city(standing.city), tonight, now)


def _bucket(notice: Notice) -> str:
    if notice.type in WARNINGS:
        return "warnings"
    if notice.type == "DECISION_PENDING":
        return "pending_decisions"
    if notice.type in reviews.REMINDERS:
        return "review_reminders"
    return "suspensions"


# --- 5. summarize -------------------------------------------------------------------------------


def summarize(
    standings: Standings, night: NightPlan, figures: dict[str, Any], results: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    if results is None:  # the state machine: the segments stored theirs
        keys = {_segment_key(s) for s in night.segments()}
        results = [r for r in standings.store.night_parts(night.night, NIGHT_EVALUATED) if r.get("segment") in keys]
    counts: Counter[str] = Counter()
    per_city: dict[str, Counter[str]] = {}
    would: list[dict[str, Any]] = []
    for result in sorted(results, key=lambda r: str(r.get("segment"))):
        for city, by_kind in (result.get("counts") or {}).items():
            segment = Counter({k: int(v) for k, v in by_kind.items()})
            counts.update(segment)
            per_city.setdefault(city, Counter()).update(segment)
        would += result.get("would") or []
    summary: dict[str, Any] = {"dry_run": night.dry_run, "at": night.at, "cities": {}}
    for city in night.cities:
        found = _city_figures(figures, city)
        if city is not None and found is not None:
            summary["cities"][city] = {
                "average_cancellation_rate": float(found.average),
                "maximum_cancellation_rate": float(found.maximum),
            }
    summary.update({k: counts.get(k, 0) for k in ("partners_evaluated", *COUNTED)})
    summary["per_city"] = {
        city: {k: c.get(k, 0) for k in ("partners_evaluated", *COUNTED)} for city, c in sorted(per_city.items())
    }
    if night.dry_run:
        summary["would"] = sorted(would, key=lambda w: w["partner_id"])
    return summary


# --- all steps in one invocation (console, replay) ------------------------------------------------


def run_nightly(
    standings: Standings, now: datetime, city: str | None = None, all_cities: bool = True, dry_run: bool = False
) -> dict[str, Any]:
    night = plan(standings, now, city, all_cities, dry_run)
    heads: Heads = {}
    partials = [figures_segment(standings, night, segment, heads) for segment in night.segments()]
    figures = combine(standings, night, partials)
    results = [evaluate_segment(standings, night, segment, figures, heads) for segment in night.segments()]
    standings.forget_city_figures()
    return summarize(standings, night, figures, results)
