"""A standing and its records as the standing table's items, and back (schema 2).

The aggregate holds the standing's content (``Standing.to_item``) with its keys, its place in the
city listing and ``revision``: a hash of the content, the condition of optimistic concurrency (a
hash rather than a counter, so how often a standing was saved, which batches decide, never shows
in the data). Each window entry is an item of its own (well under 1 KB: one write unit).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from ...domain.numbers import number
from ...domain.standing import CANCELLATION, COMPLETED, GONE, NO_SHOW, OutcomeEntry, RatingEntry, Standing
from ...domain.times import format_time, parse_time
from ...rules import CityFigures, Notice
from ...usecases.ports import DECISION, FLAG, NOTICE, Record
from . import keys

SCHEMA = 2
_KIND_CODE = {COMPLETED: "C", CANCELLATION: "X", NO_SHOW: "N", GONE: "G"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def aggregate_content(standing: Standing) -> dict[str, Any]:
    """What the aggregate item holds besides its keys and revision."""
    return {"schema": SCHEMA, **standing.to_item()}


def aggregate_item(standing: Standing) -> dict[str, Any]:
    content = aggregate_content(standing)
    return {
        **content,
        "revision": content_hash(content),
        **keys.aggregate_key(standing.partner_id),
        **keys.listing_key(standing.partner_id, standing.city),
    }


# --- window entries --------------------------------------------------------------------------------


def rating_item(partner_id: str, job_id: str, entry: RatingEntry) -> dict[str, Any]:
    return {"pk": keys.partner_key(partner_id), "sk": keys.rating_key(job_id, entry.rated_at), "stars": entry.stars}


def outcome_item(partner_id: str, job_id: str, entry: OutcomeEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.partner_key(partner_id),
        "sk": keys.outcome_key(job_id, entry.at),
        "kind": _KIND_CODE[entry.kind],
        "at": format_time(entry.at),
        "seq": entry.seq,
    }
    if entry.strike:
        item["strike"] = True
    return item


def rating_from_item(item: dict[str, Any]) -> tuple[str, RatingEntry]:
    _, moment, job = item["sk"].split("#", 2)
    return job, RatingEntry(int(item["stars"]), parse_time(moment))


def outcome_from_item(item: dict[str, Any]) -> tuple[str, OutcomeEntry]:
    entry = OutcomeEntry(
        _CODE_KIND[item["kind"]], parse_time(item["at"]), strike=bool(item.get("strike")), seq=int(item.get("seq", 0))
    )
    return keys.job_of(item["sk"]), entry


def is_live(item: dict[str, Any]) -> bool:
    """An entry that counts in its window (an outcome marker of a job that left it does not)."""
    return item.get("kind") != "G"


def standing_from_items(items: Iterable[dict[str, Any]], partner_id: str | None = None) -> Standing:
    """A standing from its aggregate and any of its entry items (a store reads the newest entries;
    the replay's outcome reads all). Of several entries of one job (a job that moved in time leaves
    a GONE marker behind) the one from the newest stream image counts."""
    standing: Standing | None = None
    ratings: dict[str, RatingEntry] = {}
    outcomes: dict[str, OutcomeEntry] = {}
    for item in items:
        sk = item["sk"]
        if sk == keys.AGGREGATE:
            standing = Standing.from_item(item)
        elif sk.startswith(keys.RATING_PREFIX):
            job, rating = rating_from_item(item)
            ratings[job] = rating
        elif sk.startswith(keys.OUTCOME_PREFIX):
            job, outcome = outcome_from_item(item)
            if job not in outcomes or outcome.seq > outcomes[job].seq:
                outcomes[job] = outcome
    if standing is None:
        standing = Standing(partner_id=partner_id or "")
    standing.ratings, standing.outcomes = ratings, outcomes
    return standing


# --- the partner's records ---------------------------------------------------------------------------


def notice_item(notice: Notice) -> dict[str, Any]:
    seq = int(notice.notice_id.rsplit(":", 1)[-1])
    return {
        **keys.record_key(notice.partner_id, NOTICE, seq),
        "notice_id": notice.notice_id,
        "partner_id": notice.partner_id,
        "type": notice.type,
        "at": format_time(notice.at),
        "audience": notice.audience,  # R13.2: "partner", or "ops" for the ops team's channel
        **({"message": notice.message} if notice.message else {}),
        **({"ops_message": notice.ops_message} if notice.ops_message else {}),
        "reasons": notice.reasons,
        "user_pool_username": notice.user_pool_username,
    }


def decision_item(partner_id: str, decision: dict[str, Any]) -> dict[str, Any]:
    return {**keys.record_key(partner_id, DECISION, int(decision["log_seq"])), "partner_id": partner_id, **decision}


def flag_item(partner_id: str, flag: dict[str, Any]) -> dict[str, Any]:
    return {**keys.record_key(partner_id, FLAG, str(flag["hash"])), "partner_id": partner_id, **flag}


def record_item(partner_id: str, record: Record) -> dict[str, Any]:
    return {**keys.record_key(partner_id, record.kind, record.ident), **record.body}


def without_keys(item: dict[str, Any]) -> dict[str, Any]:
    """A record as the use cases read it: its body, without the table's keys."""
    return {k: v for k, v in item.items() if k not in ("pk", "sk")}


# --- cities, the ledger, the night ---------------------------------------------------------------------


def figures_item(city: str | None, figures: CityFigures, at: str, partners: int) -> dict[str, Any]:
    """A city's figures (R4), exact as numerator and denominator, and readable as decimals."""
    return {
        **keys.city_figures_key(city),
        "city": city,
        "average_cancellation_rate": number(figures.average),
        "maximum_cancellation_rate": number(figures.maximum),
        "average_numerator": figures.average.numerator,
        "average_denominator": figures.average.denominator,
        "maximum_numerator": figures.maximum.numerator,
        "maximum_denominator": figures.maximum.denominator,
        "qualifying_partners": partners,
        "computed_at": at,
    }


def figures_from_item(item: dict[str, Any]) -> CityFigures:
    """A CITY#<city>/FIGURES item back as exact figures."""
    average = Fraction(int(item["average_numerator"]), int(item["average_denominator"]))
    maximum = Fraction(int(item["maximum_numerator"]), int(item["maximum_denominator"]))
    return CityFigures(average, maximum, computed=True)


def ledger_item(entry: dict[str, Any]) -> dict[str, Any]:
    return {**keys.ledger_key(str(entry["job_id"]), str(entry["kind"])), **entry}


def night_item(night: str, kind: str, segment: str, body: dict[str, Any]) -> dict[str, Any]:
    return {**keys.night_key(night, kind, segment), **body}
