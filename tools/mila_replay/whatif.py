"""What-if: the same history under two policies, compared (``mila-standing whatif``).

Pure: two replay outcomes (CONTRACT §4, without their tables), the partners' home cities and
the two policies in; the report's figures out (``report.json``; ``report_html`` draws them).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from mila_standing.domain.policy import Policy

SIDES = ("a", "b")
WARNINGS = ("RATING_WARNING", "CANCELLATION_WARNING", "NO_SHOW_WARNING")
# Notice types that restrict a partner, or propose to (human review, R12.3).
RESTRICTIONS = {
    "SUSPENDED": "suspensions",
    "EXCLUDED": "exclusions",
    "CLOSED": "closures",
    "DECISION_PENDING": "pending_decisions",
}
COUNTS = (
    "warnings",
    "suspensions",
    "exclusions",
    "closures",
    "pending_decisions",
    "commission_cents",
    "restricted_at_end",
    "pending_at_end",
)
RATING_BINS = [Fraction(n, 10) for n in range(10, 51)]  # 1.0, 1.1, ... 5.0
RATE_BIN = Fraction(1, 50)  # cancellation rates in steps of 2 %
NO_CITY = "(no city)"


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def city_counts(outcome: dict[str, Any], cities: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per city: notices issued over the history, commission taken (net of reversals, R10), and
    partners restricted or awaiting a decision at its end."""
    counts: dict[str, dict[str, int]] = {}

    def of(city: str | None) -> dict[str, int]:
        return counts.setdefault(city or NO_CITY, _zero())

    for notice in outcome.get("notices") or []:
        city = cities.get(notice["partner_id"])
        if notice["type"] in WARNINGS:
            of(city)["warnings"] += 1
        elif notice["type"] in RESTRICTIONS:
            of(city)[RESTRICTIONS[notice["type"]]] += 1
    for entry in outcome.get("ledger") or []:
        of(entry.get("city") or cities.get(entry.get("partner_id") or ""))["commission_cents"] += int(
            entry.get("commission_cents") or 0
        )
    for partner_id, partner in (outcome.get("partners") or {}).items():
        tally = of(cities.get(partner_id))
        tally["restricted_at_end"] += partner["status"] != "ACTIVE"
        tally["pending_at_end"] += partner.get("pending_decision") is not None
    return counts


def _final(partner_id: str, outcome: dict[str, Any], notices: list[dict[str, Any]]) -> dict[str, Any]:
    partner = (outcome.get("partners") or {}).get(partner_id) or {}
    return {
        "status": partner.get("status"),
        "reason": partner.get("reason"),
        "pending_decision": partner.get("pending_decision"),
        "rating_average": partner.get("rating_average"),
        "rating_count": partner.get("rating_count"),
        "cancellation_rate": partner.get("cancellation_rate"),
        "resolved_jobs": partner.get("resolved_jobs"),
        "notices": [{"type": n["type"], "at": n["at"], "reasons": n.get("reasons")} for n in notices],
    }


def _notice_key(notices: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(n["type"], n["at"]) for n in notices]


def differences(a: dict[str, Any], b: dict[str, Any], cities: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per partner whose final standing or notices differ, with both statements of reasons."""
    by_partner: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for side, outcome in (("a", a), ("b", b)):
        for notice in outcome.get("notices") or []:
            by_partner.setdefault(notice["partner_id"], {"a": [], "b": []})[side].append(notice)
    found = []
    for partner_id in sorted(set(a.get("partners") or {}) | set(b.get("partners") or {}) | set(by_partner)):
        notices = by_partner.get(partner_id, {"a": [], "b": []})
        final_a, final_b = _final(partner_id, a, notices["a"]), _final(partner_id, b, notices["b"])
        standing = ("status", "reason", "pending_decision")
        if [final_a[k] for k in standing] == [final_b[k] for k in standing] and _notice_key(
            notices["a"]
        ) == _notice_key(notices["b"]):
            continue
        found.append({"partner_id": partner_id, "city": cities.get(partner_id), "a": final_a, "b": final_b})
    return found


def restrictions(outcome: dict[str, Any], cities: dict[str, str], side: str) -> list[dict[str, Any]]:
    """Every restriction (or proposal of one) with the sample it rested on: ratings for R2.4, resolved
    jobs for R5.3. Few = fewer than the policy's window, the sample the policy itself calls full."""
    found = []
    for notice in outcome.get("notices") or []:
        if notice["type"] not in RESTRICTIONS:
            continue
        reasons = notice.get("reasons") or {}
        figures = reasons.get("figures") or {}
        if "rating_count" in figures:
            sample, unit = figures["rating_count"], "ratings"
        elif "resolved_jobs" in figures:
            sample, unit = figures["resolved_jobs"], "jobs"
        else:
            sample, unit = None, None  # no-shows (R6.3), incidents (R7): not a sample of a window
        window = figures.get("window")
        found.append(
            {
                "policy": side,
                "partner_id": notice["partner_id"],
                "city": cities.get(notice["partner_id"]),
                "type": notice["type"],
                "at": notice["at"],
                "rule": reasons.get("rule"),
                "sample": sample,
                "unit": unit,
                "window": window,
                "few": sample is not None and window is not None and sample < window,
            }
        )
    return found


def _bin_of(value: Fraction, width: Fraction) -> Fraction:
    return (value // width) * width


def distributions(
    outcome: dict[str, Any], cities: dict[str, str], policies: dict[str, Policy], figures: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Rating averages and cancellation rates per city (from A's run: the windows are the history's),
    with each policy's thresholds for that city."""
    ratings: dict[str, Counter[str]] = {}
    rates: dict[str, Counter[str]] = {}
    for partner_id, partner in (outcome.get("partners") or {}).items():
        city = cities.get(partner_id) or NO_CITY
        if partner.get("rating_average") is not None and partner.get("rating_count"):
            value = Fraction(str(partner["rating_average"]))
            ratings.setdefault(city, Counter())[str(float(_bin_of(value, Fraction(1, 10))))] += 1
        if partner.get("cancellation_rate") is not None and partner.get("resolved_jobs"):
            value = min(Fraction(str(partner["cancellation_rate"])), Fraction(1))
            rates.setdefault(city, Counter())[str(float(_bin_of(value, RATE_BIN)))] += 1
    out: dict[str, Any] = {}
    for city in sorted(set(ratings) | set(rates)):
        thresholds = {}
        for side, policy in policies.items():
            city_policy = policy.for_city(None if city == NO_CITY else city)
            city_figures = (figures.get(side) or {}).get(city) or {}
            thresholds[side] = {
                "rating_minimum": float(city_policy.rating.minimum),
                "rating_warning_at": float(city_policy.rating.minimum + city_policy.rating.warning_margin),
                "min_ratings": city_policy.rating.min_ratings,
                "cancellation_maximum": city_figures.get("maximum_cancellation_rate"),
                "cancellation_average": city_figures.get("average_cancellation_rate"),
                "min_jobs": city_policy.cancellation.min_jobs,
                "decision_mode": city_policy.decision_mode,
            }
        out[city] = {
            "rating_averages": dict(sorted(ratings.get(city, Counter()).items(), key=lambda kv: float(kv[0]))),
            "cancellation_rates": dict(sorted(rates.get(city, Counter()).items(), key=lambda kv: float(kv[0]))),
            "bin_width": {"rating_averages": 0.1, "cancellation_rates": float(RATE_BIN)},
            "thresholds": thresholds,
        }
    return out


def timeline(outcomes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Notices per day under each policy: warnings and restrictions, every day of the history."""
    days: dict[str, dict[str, Counter[str]]] = {
        side: {"warnings": Counter(), "restrictions": Counter()} for side in outcomes
    }
    for side, outcome in outcomes.items():
        for notice in outcome.get("notices") or []:
            kind = (
                "warnings" if notice["type"] in WARNINGS else "restrictions" if notice["type"] in RESTRICTIONS else None
            )
            if kind:
                days[side][kind][notice["at"][:10]] += 1
    seen = sorted({d for side in days.values() for kind in side.values() for d in kind})
    if not seen:
        return {"days": [], **{side: {"warnings": [], "restrictions": []} for side in outcomes}}
    first, last = date.fromisoformat(seen[0]), date.fromisoformat(seen[-1])
    every = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return {
        "days": every,
        **{
            side: {kind: [days[side][kind][d] for d in every] for kind in ("warnings", "restrictions")}
            for side in outcomes
        },
    }


def compare(
    a: dict[str, Any], b: dict[str, Any], cities: dict[str, str], policies: dict[str, Policy]
) -> dict[str, Any]:
    """The report's figures (report.json): counts per city and overall, the partners who differ,
    restrictions with their samples, and the charts' data."""
    per_side = {"a": city_counts(a, cities), "b": city_counts(b, cities)}
    names = sorted(set(per_side["a"]) | set(per_side["b"]))
    by_city = {city: {side: per_side[side].get(city, _zero()) for side in SIDES} for city in names}
    overall = {side: {count: sum(by_city[c][side][count] for c in names) for count in COUNTS} for side in SIDES}
    restricted = restrictions(a, cities, "a") + restrictions(b, cities, "b")
    return {
        "cities": by_city,
        "overall": overall,
        "differences": differences(a, b, cities),
        "restrictions": restricted,
        "few_samples": [r for r in restricted if r["few"]],
        "distributions": distributions(a, cities, policies, {"a": a.get("cities") or {}, "b": b.get("cities") or {}}),
        "timeline": timeline({"a": a, "b": b}),
    }


def statement_text(reasons: dict[str, Any] | None) -> str:
    """A statement of reasons (R12.1) in one line a person reads: rule, figures, thresholds, version."""
    if not reasons:
        return ""
    figures = ", ".join(
        f"{k.replace('_', ' ')} {_short(v)}"
        for k, v in (reasons.get("figures") or {}).items()
        if not isinstance(v, dict | list)
    )
    thresholds = ", ".join(
        f"{k.replace('_', ' ')} {_short(v)}"
        for k, v in (reasons.get("thresholds") or {}).items()
        if not isinstance(v, dict | list)
    )
    parts = [f"rule {reasons.get('rule')}"]
    if figures:
        parts.append(f"figures: {figures}")
    if thresholds:
        parts.append(f"thresholds: {thresholds}")
    if reasons.get("policy_version") is not None:
        parts.append(f"policy {reasons['policy_version']} ({reasons.get('decision_mode')})")
    return " · ".join(parts)


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
