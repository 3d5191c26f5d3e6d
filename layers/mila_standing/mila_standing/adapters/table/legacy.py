"""Standing items in the shape before schema 2 (one item per partner holding both windows' history,
its decisions and review flags), read into today's shape.

Used twice: by the store when it meets such an item (it migrates it before deciding anything on
it, so a function never judges a half-read standing), and by ``mila-standing migrate``, which
walks the whole table once after a deploy. Both write the same items, so either may come first.
"""

from __future__ import annotations

import json
from typing import Any

from ...domain.standing import NO_SHOW_WARNINGS_KEPT, NOWHERE, OutcomeEntry, RatingEntry, Standing, flag_hash
from ...domain.times import format_time, parse_time
from ...usecases.ports import DECISION, FLAG
from .items import SCHEMA, outcome_item, rating_item
from .keys import record_key

_KINDS = {"C": "COMPLETED", "X": "CANCELLATION", "N": "NO_SHOW", "G": "GONE"}


def is_legacy(item: dict[str, Any]) -> bool:
    return item.get("sk") == "STANDING" and int(item.get("schema", 1)) < SCHEMA


def _windows(stored: Any) -> dict[str, str]:
    if isinstance(stored, str):
        return dict(json.loads(stored))
    return dict(stored or {})  # the still earlier map encoding


def convert(item: dict[str, Any]) -> tuple[Standing, list[dict[str, Any]]]:
    """A legacy STANDING item as a schema-2 standing, and the items it becomes besides the
    aggregate: its window entries, its decisions (DECISION#) and its review flags (FLAG#)."""
    partner_id = item["partner_id"]
    ratings: dict[str, RatingEntry] = {}
    for job, code in _windows(item.get("ratings")).items():
        stars, at = code.split("@", 1)
        ratings[job] = RatingEntry(int(stars), parse_time(at))
    outcomes: dict[str, OutcomeEntry] = {}
    for job, code in _windows(item.get("outcomes")).items():
        kind, rest = code.split("@", 1)
        at, _, seq = rest.partition("#")
        outcomes[job] = OutcomeEntry(_KINDS[kind[0]], parse_time(at), strike=kind.endswith("!"), seq=int(seq or 0))
    decisions = list(item.get("decisions") or [])
    flags = list(item.get("review_flags") or [])
    # The fields both shapes share, read the way a schema-2 aggregate is read.
    standing = Standing.from_item(
        {
            **{
                k: v
                for k, v in item.items()
                if k not in ("ratings", "outcomes", "decisions", "review_flags", "forgiven_strikes", "dispatch_score")
            },
            "strikes": {job: format_time(e.at) for job, e in outcomes.items() if e.strike},
            "forgiven_strikes": {
                job: format_time(outcomes[job].at) for job in item.get("forgiven_strikes") or [] if job in outcomes
            },
            "no_show_warnings": [d["notice_id"] for d in decisions if d.get("type") == "NO_SHOW_WARNING"][
                -NO_SHOW_WARNINGS_KEPT:
            ],
            "flags": [flag_hash({"rule": f.get("rule"), "shared": f.get("shared")}) for f in flags],
            "log_seq": len(decisions),
        }
    )
    standing.ratings, standing.outcomes = ratings, outcomes
    items = [rating_item(partner_id, job, e) for job, e in ratings.items()]
    items += [outcome_item(partner_id, job, e) for job, e in outcomes.items() if e.at != NOWHERE]
    items += [
        {**record_key(partner_id, DECISION, n), "partner_id": partner_id, "log_seq": n, **d}
        for n, d in enumerate(decisions, start=1)
    ]
    items += [
        {**record_key(partner_id, FLAG, digest), "partner_id": partner_id, "hash": digest, **f}
        for digest, f in zip(standing.flags, flags, strict=True)
    ]
    return standing, items
