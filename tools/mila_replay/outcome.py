"""The outcome JSON (CONTRACT §4), read back from the embedded AWS at the end of a replay."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from mila_standing.adapters.dynamodb.codec import from_attrs
from mila_standing.adapters.table.items import figures_from_item, standing_from_items
from mila_standing.adapters.table.keys import AGGREGATE, OUTCOME_PREFIX, RATING_PREFIX
from mila_standing.domain.numbers import plain
from mila_standing.domain.policy import Policy
from mila_standing.rules import CityFigures, Judgement
from mila_standing.usecases.views import partner_view

from .aws import EmbeddedAws


def scan(aws: EmbeddedAws, table: str) -> Iterator[dict[str, Any]]:
    """A table's items, page by page (never the whole table at once)."""
    for page in aws.dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page.get("Items", []):
            yield from_attrs(item)


class LazyTables(dict):
    """``tables`` of an outcome that is written while the engine still runs: each table is scanned
    when the writer reaches it, so a city-sized replay never holds its tables in memory."""

    def __init__(self, aws: EmbeddedAws):
        super().__init__({name: None for name in sorted(aws.tables.values())})
        self.aws = aws

    def items_of(self, name: str) -> Iterator[dict[str, Any]]:
        return (plain(item) for item in scan(self.aws, name))


def write_outcome(outcome: dict[str, Any], out: IO[str]) -> None:
    """The outcome as JSON; tables stream item by item when they are lazy."""
    out.write("{\n")
    keys = list(outcome)
    for n, key in enumerate(keys):
        value = outcome[key]
        out.write(f"  {json.dumps(key)}: ")
        if isinstance(value, LazyTables):
            out.write("{")
            for t, name in enumerate(value):
                out.write(f"{',' if t else ''}\n    {json.dumps(name)}: [")
                for i, item in enumerate(value.items_of(name)):
                    out.write(("," if i else "") + "\n      " + json.dumps(item, default=str))
                out.write("\n    ]")
            out.write("\n  }")
        else:
            out.write(json.dumps(value, indent=2, default=str).replace("\n", "\n  "))
        out.write(",\n" if n < len(keys) - 1 else "\n")
    out.write("}\n")


LEDGER_FIELDS = ("job_id", "partner_id", "kind", "price_cents", "commission_cents", "payout_cents", "city", "at")


def build_outcome(
    aws: EmbeddedAws,
    policy: Policy,
    now: datetime,
    invocations: list[dict[str, Any]],
    stats: dict[str, Any],
    lazy_tables: bool = False,
) -> dict[str, Any]:
    standings = _Standings()
    for item in scan(aws, "standing") if "standing" in aws.tables.values() else iter(()):
        standings.add(item)
    partners = standings.partners(policy, now)
    standings.notices.sort(key=lambda n: (n["at"], n["notice_id"]))
    standings.ledger.sort(key=lambda e: (e["at"] or "", e["job_id"], e["kind"]))
    dead_letters = _dead_letters(aws)
    published = aws.drain_queue(aws.notice_tap) if getattr(aws, "notice_tap", None) else []
    return {
        "partners": partners,
        "notices": standings.notices,
        "ledger": standings.ledger,
        "cities": dict(sorted(standings.cities.items())),
        "invocations": invocations,
        "dead_letters": dead_letters,
        "stats": {**stats, "published_notices": len(published)},
        "logins": _logins(aws),
        "events": notice_events(published),
        "tables": LazyTables(aws)
        if lazy_tables
        else {name: [plain(i) for i in scan(aws, name)] for name in sorted(aws.tables.values())},
    }


def notice_events(delivered: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the notification service receives, as a consumer keeps it: each notice's event as the
    bus first delivered it, deduplicated by ``detail.notice_id`` (delivery is at least once: under
    --chaos a notice may be published twice), in the notices' order. EventBridge's ``id`` is random
    per delivery; it is replaced by one derived from the notice id, so that two runs compare (the
    reason consumers deduplicate by notice_id, not by id). ``stats.published_notices`` counts the
    deliveries."""
    first: dict[str, dict[str, Any]] = {}
    for event in delivered:
        notice_id = str((event.get("detail") or {}).get("notice_id"))
        first.setdefault(notice_id, {**event, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"mila-notice:{notice_id}"))})
    return sorted(first.values(), key=lambda e: (e["detail"].get("at", ""), e["detail"].get("notice_id", "")))


@dataclass
class _Standings:
    """The standing table, read once: each partner's partition, the notices, the ledger and the
    cities' figures."""

    partitions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notices: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    cities: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: dict[str | None, CityFigures] = field(default_factory=dict)

    def add(self, item: dict[str, Any]) -> None:
        pk, sk = item["pk"], item["sk"]
        if pk.startswith("PARTNER#") and (sk == AGGREGATE or sk.startswith((RATING_PREFIX, OUTCOME_PREFIX))):
            self.partitions.setdefault(pk, []).append(item)
        elif sk.startswith("NOTICE#"):
            self.notices.append(
                {
                    "partner_id": item["partner_id"],
                    "type": item["type"],
                    "at": item["at"],
                    "notice_id": item["notice_id"],
                    "audience": item.get("audience"),
                    # R13.1 / R13.2: the partner's message, or the ops team's (never both)
                    **{k: plain(item[k]) for k in ("message", "ops_message") if item.get(k)},
                    "reasons": plain(item.get("reasons", {})),
                }
            )
        elif pk.startswith("LEDGER#"):
            self.ledger.append({k: plain(item.get(k)) for k in LEDGER_FIELDS})
        elif pk.startswith("CITY#") and sk == "FIGURES" and item.get("city"):
            stored = self.figures[item["city"]] = figures_from_item(item)
            self.cities[item["city"]] = _city_view(stored)

    def partners(self, policy: Policy, now: datetime) -> dict[str, Any]:
        """Each partner as CONTRACT §4 shows them, judged by their city's figures at ``now``."""
        partners = {}
        for pk in sorted(self.partitions):
            items = self.partitions[pk]
            if not any(i["sk"] == AGGREGATE for i in items):
                continue
            standing = standing_from_items(items)
            city_policy = policy.for_city(standing.city)
            if standing.city and standing.city not in self.cities:
                # R4.3: until a city's first nightly check, its figures are the policy's defaults.
                self.cities[standing.city] = _city_view(CityFigures.default(city_policy))
            j = Judgement(city_policy, self.figures.get(standing.city) or CityFigures.default(city_policy), now)
            partners[standing.partner_id] = partner_view(standing, j)
        return dict(sorted(partners.items()))


def _city_view(figures: CityFigures) -> dict[str, float]:
    return {
        "average_cancellation_rate": float(figures.average),
        "maximum_cancellation_rate": float(figures.maximum),
    }


def _dead_letters(aws: EmbeddedAws) -> list[dict[str, Any]]:
    """Every record in an on-failure destination, with its error (the queues are drained)."""
    dead_letters = []
    seen: set[tuple[Any, Any, Any]] = set()
    for url in aws.queues.values():
        for message in aws.drain_queue(url):
            request_id = (message.get("requestContext") or {}).get("requestId")
            if request_id in aws.failed_batches:
                # Lambda's own failure record names no record; the replay knows which it stood for.
                failed = aws.failed_batches[request_id]
                dead_letters += [
                    {
                        "function": failed["function"],
                        "record": record,
                        "error": failed["error"],
                        "failure": failed["failure"],
                    }
                    for record in failed["records"]
                ]
                continue
            # A redelivered invalid record is dead-lettered again by its handler: listed once.
            key = (message.get("function"), (message.get("record") or {}).get("eventID"), message.get("error"))
            if key not in seen:
                seen.add(key)
                dead_letters.append(
                    {**{k: message.get(k) for k in ("function", "record", "error")}, "failure": "InvalidRecord"}
                )
    return dead_letters


def _logins(aws: EmbeddedAws) -> dict[str, bool]:
    """Whether each partner's user-pool account may log in (R13)."""
    if not aws.user_pool_id:
        return {}
    client = aws.client("cognito-idp")
    users: dict[str, bool] = {}
    for page in client.get_paginator("list_users").paginate(UserPoolId=aws.user_pool_id):
        for user in page.get("Users", []):
            users[user["Username"]] = bool(user.get("Enabled", True))
    return dict(sorted(users.items()))
