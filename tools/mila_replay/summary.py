"""A readable summary of a replay outcome, for people (make demo)."""

from __future__ import annotations

from collections import Counter
from typing import Any


def _num(value: Any, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _brief(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_brief(v) for v in value) + "]"
    return str(value)


def summarise(outcome: dict[str, Any]) -> str:
    notices_by_partner: dict[str, Counter[str]] = {}
    for notice in outcome["notices"]:
        notices_by_partner.setdefault(notice["partner_id"], Counter())[notice["type"]] += 1
    lines = []
    stats = outcome["stats"]
    lines.append(
        f"Replayed {stats['stream_records']} stream records in {stats['invocations']} invocations "
        f"({stats['seconds']:.1f} s, {sum(stats['aws_calls'].values())} AWS calls by the functions)."
    )
    for city, figures in sorted(outcome["cities"].items()):
        lines.append(
            f"City {city}: average cancellation rate {figures['average_cancellation_rate']:.3f}, "
            f"maximum {figures['maximum_cancellation_rate']:.3f}"
        )
    lines.append("")
    header = (
        f"{'partner':<16} {'status':<10} {'reason':<13} {'avg':>5} {'n':>3} {'cancel':>6} {'jobs':>4} "
        f"{'strikes':>7} {'score':>6}  notices"
    )
    lines.append(header)
    lines.append("-" * len(header))
    for partner_id, p in sorted(outcome["partners"].items()):
        notices = ", ".join(f"{k} x{v}" for k, v in sorted(notices_by_partner.get(partner_id, {}).items()))
        lines.append(
            f"{partner_id:<16} {p['status']:<10} {p['reason'] or '':<13} {_num(p['rating_average']):>5} "
            f"{p['rating_count']:>3} {_num(p['cancellation_rate'], 3):>6} {p['resolved_jobs']:>4} "
            f"{p['no_show_strikes']:>7} {p['dispatch_score']:>6.3f}  {notices}"
        )
    kinds = Counter(n["type"] for n in outcome["notices"])
    lines.append("")
    lines.append("Notices: " + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))
    for notice in outcome["notices"]:
        if notice["type"] in (
            "SUSPENDED",
            "EXCLUDED",
            "CLOSED",
            "REINSTATED",
            "DECISION_PENDING",
            "REVIEW_DUE",
            "REVIEW_OVERDUE",
            "REVIEW_ANSWERED",
        ):
            figures = notice["reasons"].get("figures", {})
            shown = ", ".join(f"{k}={_brief(v)}" for k, v in figures.items() if k not in ("window", "strikes"))
            lines.append(
                f"  {notice['at']} {notice['partner_id']} {notice['type']} ({notice['reasons'].get('rule')}: {shown})"
            )
    ledger = outcome["ledger"]
    if ledger:
        commission = sum(e["commission_cents"] for e in ledger)
        lines.append(
            f"Ledger: {len(ledger)} entries, net commission {commission / 100:.2f} EUR "
            f"({sum(1 for e in ledger if e['kind'] == 'REVERSAL')} reversals)"
        )
    lines.append(f"Dead letters: {len(outcome['dead_letters'])}")
    for dead in outcome["dead_letters"][:10]:
        lines.append(f"  {dead['function']}: {dead['error']}")
    return "\n".join(lines + _messages(outcome["notices"]))


def _messages(notices: list[dict[str, Any]]) -> list[str]:
    """R13.1 / R13.2: how many messages went to partners (by language) and to ops, and the first
    restriction as its partner reads it."""
    partner = Counter(n["message"]["locale"] for n in notices if n.get("message"))
    ops = Counter(n["ops_message"]["locale"] for n in notices if n.get("ops_message"))
    if not partner and not ops:
        return []
    by_language = ", ".join(f"{lang} {count}" for lang, count in sorted(partner.items()))
    lines = ["", f"Messages: {sum(partner.values())} to partners ({by_language or 'none'}), {sum(ops.values())} to ops"]
    shown = next((n for n in notices if n.get("message") and n["type"] in ("SUSPENDED", "EXCLUDED", "CLOSED")), None)
    if shown is not None:
        lines.append(f"  {shown['partner_id']} reads ({shown['notice_id']}, {shown['message']['locale']}):")
        lines.append(f"    {shown['message']['subject']}")
        lines += [f"    {line}" if line else "" for line in shown["message"]["body"].splitlines()]
    return lines
