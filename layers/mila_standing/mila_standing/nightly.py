"""The nightly check (R14.4): per city, first the city figures (R4), then every partner
(R2.4 before R5.3 before the night's warnings, R9 scores). City by city, page by page."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime
from typing import Any

from .models import format_time
from .observability import logger
from .rules import CityFigures, Judgement, Notice, city_figures, nightly, qualifying_rate
from .runtime import Runtime
from .standing import Standing
from .streams import save_partner

WARNINGS = {"RATING_WARNING", "CANCELLATION_WARNING"}


def run_nightly(rt: Runtime, now: datetime, city: str | None = None, all_cities: bool = True,
                dry_run: bool = False) -> dict[str, Any]:
    cities = rt.store.cities() if all_cities else [city]
    counts: Counter[str] = Counter()
    summary: dict[str, Any] = {"dry_run": dry_run, "at": format_time(now), "cities": {}}
    planned: list[dict[str, Any]] = []
    for each in cities:
        policy = rt.policy.for_city(each)
        figures = _city_figures(rt, each, policy, now, dry_run)
        if each is not None:
            summary["cities"][each] = {
                "average_cancellation_rate": float(figures.average),
                "maximum_cancellation_rate": float(figures.maximum),
            }
        judgement = Judgement(policy, figures, now)
        for standing in rt.store.partners_in_city(each):
            counts["partners_evaluated"] += 1
            notices = _check_partner(rt, standing, judgement, dry_run)
            for notice in notices:
                counts[_bucket(notice)] += 1
                if dry_run:
                    planned.append({"partner_id": notice.partner_id, "type": notice.type,
                                    "rule": notice.reasons.get("rule")})
    rt.forget_city_figures()
    summary.update({k: counts.get(k, 0) for k in ("partners_evaluated", "warnings", "suspensions",
                                                  "pending_decisions")})
    if dry_run:
        summary["would"] = planned
    logger.info("nightly check done", extra={k: v for k, v in summary.items() if k != "would"})
    return summary


def _bucket(notice: Notice) -> str:
    if notice.type in WARNINGS:
        return "warnings"
    if notice.type == "DECISION_PENDING":
        return "pending_decisions"
    return "suspensions"


def _city_figures(rt: Runtime, city: str | None, policy: Any, now: datetime, dry_run: bool) -> CityFigures:
    if city is None:
        return CityFigures.default(policy)  # R14.8: partners without a home city, default policy
    rates = [rate for s in rt.store.partners_in_city(city) if (rate := qualifying_rate(s, policy)) is not None]
    figures = city_figures(rates, policy)  # R4.1, R4.2
    if not dry_run:
        rt.store.save_city_figures(city, figures, format_time(now), len(rates))
    return figures


def _check_partner(rt: Runtime, standing: Standing, judgement: Judgement, dry_run: bool) -> list[Notice]:
    if dry_run:
        return nightly(copy.deepcopy(standing), judgement)
    # The index read may be stale: the revision condition catches that and save_partner reloads.
    return save_partner(rt, standing.partner_id, [lambda s, _judge: nightly(s, judgement)], judgement.now,
                        first_read=standing)
