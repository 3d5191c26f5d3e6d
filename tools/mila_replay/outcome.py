"""The outcome JSON (CONTRACT §4), read back from the embedded AWS at the end of a replay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from mila_standing.policy import Policy
from mila_standing.rules import CityFigures, Judgement
from mila_standing.standing import Standing
from mila_standing.store import figures_from_item
from mila_standing.views import partner_view, plain

from .aws import EmbeddedAws

_deserializer = TypeDeserializer()


def scan(aws: EmbeddedAws, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in aws.dynamodb.get_paginator("scan").paginate(TableName=table):
        items += [{k: _deserializer.deserialize(v) for k, v in i.items()} for i in page.get("Items", [])]
    return items


def build_outcome(aws: EmbeddedAws, policy: Policy, now: datetime, invocations: list[dict[str, Any]],
                  stats: dict[str, Any]) -> dict[str, Any]:
    tables = {name: scan(aws, name) for name in sorted(aws.tables.values())}
    own = tables.get("standing", [])
    cities: dict[str, dict[str, Any]] = {}
    figures: dict[str | None, CityFigures] = {}
    for item in own:
        if item["pk"].startswith("CITY#") and item["sk"] == "FIGURES" and item.get("city"):
            stored = figures[item["city"]] = figures_from_item(item)
            cities[item["city"]] = {"average_cancellation_rate": float(stored.average),
                                    "maximum_cancellation_rate": float(stored.maximum)}
    partners = {}
    for item in sorted((i for i in own if i["sk"] == "STANDING"), key=lambda i: i["partner_id"]):
        standing = Standing.from_item(item)
        city_policy = policy.for_city(standing.city)
        if standing.city and standing.city not in cities:
            # R4.3: until a city's first nightly check, its figures are the policy's defaults.
            default = CityFigures.default(city_policy)
            cities[standing.city] = {"average_cancellation_rate": float(default.average),
                                     "maximum_cancellation_rate": float(default.maximum)}
        j = Judgement(city_policy, figures.get(standing.city) or CityFigures.default(city_policy), now)
        partners[standing.partner_id] = partner_view(standing, j)
    notices = sorted(
        ({"partner_id": i["partner_id"], "type": i["type"], "at": i["at"], "notice_id": i["notice_id"],
          "reasons": plain(i.get("reasons", {}))} for i in own if i["sk"].startswith("NOTICE#")),
        key=lambda n: (n["at"], n["notice_id"]),
    )
    ledger = sorted(
        ({k: plain(i.get(k)) for k in ("job_id", "partner_id", "kind", "price_cents", "commission_cents",
                                       "payout_cents", "city", "at")}
         for i in own if i["pk"].startswith("LEDGER#")),
        key=lambda e: (e["at"] or "", e["job_id"], e["kind"]),
    )
    dead_letters = []
    seen: set[tuple[Any, Any, Any]] = set()
    for url in aws.queues.values():
        for message in aws.drain_queue(url):
            # A redelivered invalid record is dead-lettered again by its handler: listed once.
            key = (message.get("function"), (message.get("record") or {}).get("eventID"), message.get("error"))
            if key not in seen:
                seen.add(key)
                dead_letters.append({k: message.get(k) for k in ("function", "record", "error")})
    published = aws.drain_queue(aws.notice_tap) if getattr(aws, "notice_tap", None) else []
    return {
        "partners": partners,
        "notices": notices,
        "ledger": ledger,
        "cities": dict(sorted(cities.items())),
        "invocations": invocations,
        "dead_letters": dead_letters,
        "stats": {**stats, "published_notices": len(published)},
        "logins": _logins(aws),
        "tables": {name: [plain(i) for i in items] for name, items in tables.items()},
    }


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
