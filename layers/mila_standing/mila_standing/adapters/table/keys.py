"""Every key of the standing table (single-table design), in one place.

    PARTNER#<id> / STANDING            the aggregate (status, streaks, strikes ...), ``revision``
    PARTNER#<id> / R#<time>#<job>      a rating in the window (R1), about 80 bytes
    PARTNER#<id> / T#<inverted>#<job>  a resolved job (R3), about 120 bytes
    PARTNER#<id> / NOTICE#<seq>        a notice with its statement of reasons (R13, R12.1)
    PARTNER#<id> / DECISION#<seq>      a status change or ops decision with its reasons (R12.1)
    PARTNER#<id> / FLAG#<hash>         a flag for ops review (R8.1)
    PARTNER#<id> / AUDIT#<at>#<n>      an ops call (who, what, answer)
    PARTNER#<id> / APPEAL#<seq>        a partner's request for review and its answer (PWD-11)
    CITY#<city>  / FIGURES             the city's cancellation average and maximum (R4)
    CITIES       / <city>              the cities the nightly check plans
    LEDGER#<job> / COMMISSION|REVERSAL commission ledger entries (R10)
    FINGERPRINT#<kind>#<value> / HOLDERS  who claimed an identity fingerprint (R8.1)
    NIGHT#<date> / FIGURES#<segment>, EVALUATED#<segment>  what a fanned-out night's segments did

In the partner's partition, ratings sort below the aggregate oldest-first and outcomes above it
newest-first, so a descending Query ending at ``STANDING`` and an ascending one starting there each
return the aggregate and then the newest entries of one window. No other sort key of the partition
may fall between ``R#`` and ``T#~`` (notices, decisions, flags, audits and appeals sort before R#:
which is why a review is an APPEAL, not a REVIEW).

The index ``city_listing`` (KEYS_ONLY) lists partners by ``listing_pk = CITY#<city>#<shard>``: a
city spreads over ``LISTING_SHARDS`` partition keys, and an aggregate write that leaves the city
unchanged writes nothing to the index.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from ...domain.standing import NOWHERE, OUTCOMES, RATINGS
from ...usecases.ports import LISTING_SHARDS

UNKNOWN_CITY = "-"  # a partner without a known home city (R14.8)
CITIES = "CITIES"
AGGREGATE = "STANDING"
RATING_PREFIX, OUTCOME_PREFIX = "R#", "T#"
RATINGS_RANGE = (RATING_PREFIX, AGGREGATE)  # descending: the aggregate, then the newest ratings
OUTCOMES_RANGE = (AGGREGATE, "T#~")  # ascending: the aggregate, then the newest outcomes
WHOLE_WINDOW = {RATINGS: (RATING_PREFIX, RATING_PREFIX + "~"), OUTCOMES: (OUTCOME_PREFIX, "T#~")}
LISTING_INDEX = "city_listing"
_INVERT = 10**18 - 1
Key = dict[str, str]


def partner_key(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def aggregate_key(partner_id: str) -> Key:
    return {"pk": partner_key(partner_id), "sk": AGGREGATE}


def _fixed(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - NOWHERE
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def rating_key(job_id: str, rated_at: datetime) -> str:
    return f"{RATING_PREFIX}{_fixed(rated_at)}#{job_id}"


def outcome_key(job_id: str, at: datetime) -> str:
    return f"{OUTCOME_PREFIX}{_INVERT - _micros(at):018d}#{job_id}"


def entry_key(window: str, job_id: str, at: datetime) -> str:
    return rating_key(job_id, at) if window == RATINGS else outcome_key(job_id, at)


def job_of(sort_key: str) -> str:
    return sort_key.split("#", 2)[2]


def moment_of(sort_key: str) -> str:
    """The fixed-width time part of an entry's sort key (it sorts as the entries do)."""
    return sort_key.split("#", 2)[1]


def is_entry(sort_key: str) -> bool:
    return sort_key.startswith((RATING_PREFIX, OUTCOME_PREFIX))


# --- the partner's records ---------------------------------------------------------------------


def record_prefix(kind: str) -> str:
    """NOTICE#, DECISION#, FLAG#, AUDIT#, APPEAL#: the sort key prefix of a kind of record."""
    return f"{kind}#"


def record_key(partner_id: str, kind: str, ident: str | int) -> Key:
    """A record's key: ``ident`` its sequence number (NOTICE, DECISION, APPEAL: six digits), its
    hash (FLAG) or its time and number (AUDIT)."""
    suffix = f"{ident:06d}" if isinstance(ident, int) else ident
    return {"pk": partner_key(partner_id), "sk": f"{record_prefix(kind)}{suffix}"}


def notice_of(key: dict[str, Any]) -> tuple[str, int] | None:
    """(partner id, notice sequence) of a NOTICE item's key, or None for any other item."""
    pk, sk = str(key.get("pk", "")), str(key.get("sk", ""))
    if not pk.startswith("PARTNER#") or not sk.startswith("NOTICE#") or not sk[7:].isdigit():
        return None
    return pk.removeprefix("PARTNER#"), int(sk[7:])


# --- cities, the listing, the ledger, fingerprints, the night --------------------------------------


def city_figures_key(city: str | None) -> Key:
    return {"pk": f"CITY#{city or UNKNOWN_CITY}", "sk": "FIGURES"}


def city_key(city: str | None) -> Key:
    """The cities the nightly check plans: one item per city (partition ``CITIES``)."""
    return {"pk": CITIES, "sk": city or UNKNOWN_CITY}


def city_of(sort_key: str) -> str | None:
    return None if sort_key == UNKNOWN_CITY else sort_key


def listing_shard(partner_id: str) -> int:
    return int(hashlib.sha256(partner_id.encode()).hexdigest()[:8], 16) % LISTING_SHARDS


def listing_pk(city: str | None, shard: int) -> str:
    return f"CITY#{city or UNKNOWN_CITY}#{shard:02d}"


def listing_key(partner_id: str, city: str | None) -> dict[str, str]:
    """The aggregate's index attributes: where the partner is listed (write-sharded by id)."""
    return {"listing_pk": listing_pk(city, listing_shard(partner_id)), "listing_sk": partner_id}


def listed_city(listing: str) -> str | None:
    """The city of a ``listing_pk``."""
    return city_of(listing.split("#")[1])


def ledger_key(job_id: str, kind: str) -> Key:
    return {"pk": f"LEDGER#{job_id}", "sk": kind}


def fingerprint_key(kind: str, value: str) -> Key:
    return {"pk": f"FINGERPRINT#{kind}#{value}", "sk": "HOLDERS"}


def night_pk(night: str) -> str:
    return f"NIGHT#{night}"


def night_key(night: str, kind: str, segment: str) -> Key:
    return {"pk": night_pk(night), "sk": f"{kind}#{segment}"}
