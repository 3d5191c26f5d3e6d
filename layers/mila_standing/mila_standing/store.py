"""The standing store: our own DynamoDB table, single-table design.

Items (pk / sk):
  PARTNER#<id> / STANDING          the standing, with ``revision`` for optimistic concurrency
  PARTNER#<id> / NOTICE#<seq>      a notice with its statement of reasons (R13, R12.1)
  PARTNER#<id> / AUDIT#<at>#<n>    an ops call (who, what, answer)
  CITY#<city>  / FIGURES           the city's cancellation average and maximum (R4)
  CITIES       / <city>            the city registry the nightly check walks
  LEDGER#<job> / COMMISSION|REVERSAL  commission ledger entries (R10)
  FINGERPRINT#<kind>#<value> / OWNER  which partner holds an identity fingerprint (R8.1)
Standing items carry gsi1pk = CITY#<city> (CITY#- without a known city), so the nightly check
queries one city at a time, page by page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .models import format_time
from .rules import CityFigures, Notice
from .standing import Standing, number

UNKNOWN_CITY = "-"
_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


class Conflict(Exception):
    """Someone else wrote the standing since we read it: reload and decide again."""


def to_attrs(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def from_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in attrs.items()}


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def figures_from_item(item: dict[str, Any]) -> CityFigures:
    """A CITY#<city>/FIGURES item back as exact figures (stored as numerator and denominator)."""
    average = Fraction(int(item["average_numerator"]), int(item["average_denominator"]))
    maximum = Fraction(int(item["maximum_numerator"]), int(item["maximum_denominator"]))
    return CityFigures(average, maximum, computed=True)


def standing_key(partner_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"PARTNER#{partner_id}"}, "sk": {"S": "STANDING"}}


def _is_conflict(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


class StandingStore:
    def __init__(self, table: str, client: Any | None = None):
        self.table = table
        self.client = client or boto3.client("dynamodb")

    # --- standings ---------------------------------------------------------------------
    def load(self, partner_id: str) -> Standing:
        found = self.client.get_item(TableName=self.table, Key=standing_key(partner_id), ConsistentRead=True)
        if "Item" not in found:
            return Standing(partner_id=partner_id)
        return Standing.from_item(from_attrs(found["Item"]))

    def standing_item(self, standing: Standing, revision: str) -> dict[str, Any]:
        return {
            **standing.to_item(),
            "revision": revision,
            "pk": f"PARTNER#{standing.partner_id}",
            "sk": "STANDING",
            "gsi1pk": f"CITY#{standing.city or UNKNOWN_CITY}",
            "gsi1sk": standing.partner_id,
        }

    def save(self, standing: Standing, notices: list[Notice], extra_puts: list[dict[str, Any]] | None = None,
             city_changed: bool = False) -> None:
        """One conditional write per partner: the standing, its new notices and its registry entries
        go in together or not at all. Raises Conflict when the standing changed since it was read."""
        expected = standing.revision
        revision = content_hash(standing.to_item())
        item = self.standing_item(standing, revision)
        condition = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected is None
            else {"ConditionExpression": "revision = :r", "ExpressionAttributeValues": {":r": {"S": expected}}}
        )
        puts = [self.notice_item(n) for n in notices] + list(extra_puts or [])
        if city_changed or expected is None:
            puts.append({"pk": "CITIES", "sk": standing.city or UNKNOWN_CITY})
        try:
            if not puts:
                self.client.put_item(TableName=self.table, Item=to_attrs(item), **condition)
            else:
                self.client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": self.table, "Item": to_attrs(item), **condition}},
                    *({"Put": {"TableName": self.table, "Item": to_attrs(p)}} for p in puts),
                ])
        except ClientError as error:
            if _is_conflict(error):
                raise Conflict(standing.partner_id) from None
            raise
        standing.revision = revision

    @staticmethod
    def notice_item(notice: Notice) -> dict[str, Any]:
        seq = notice.notice_id.rsplit(":", 1)[-1]
        return {
            "pk": f"PARTNER#{notice.partner_id}",
            "sk": f"NOTICE#{seq}",
            "notice_id": notice.notice_id,
            "partner_id": notice.partner_id,
            "type": notice.type,
            "at": format_time(notice.at),
            "reasons": notice.reasons,
            "user_pool_username": notice.user_pool_username,
        }

    def notices(self, partner_id: str) -> list[dict[str, Any]]:
        return [from_attrs(i) for i in self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": f"PARTNER#{partner_id}"}, ":p": {"S": "NOTICE#"}},
        )]

    def partners_in_city(self, city: str | None) -> Iterator[Standing]:
        """One city's standings, page by page (never the whole table in memory)."""
        for attrs in self._query_all(
            IndexName="by_city",
            KeyConditionExpression="gsi1pk = :c",
            ExpressionAttributeValues={":c": {"S": f"CITY#{city or UNKNOWN_CITY}"}},
        ):
            yield Standing.from_item(from_attrs(attrs))

    def cities(self) -> list[str | None]:
        found = [from_attrs(i)["sk"] for i in self._query_all(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "CITIES"}})]
        return [None if c == UNKNOWN_CITY else c for c in found]

    def _query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table, PaginationConfig={"PageSize": 100}, **kwargs):
            yield from page.get("Items", [])

    # --- city figures (R4) ---------------------------------------------------------------
    def city_figures(self, city: str | None) -> CityFigures | None:
        found = self.client.get_item(
            TableName=self.table, Key={"pk": {"S": f"CITY#{city or UNKNOWN_CITY}"}, "sk": {"S": "FIGURES"}}
        )
        if "Item" not in found:
            return None
        return figures_from_item(from_attrs(found["Item"]))

    def save_city_figures(self, city: str | None, figures: CityFigures, at: str, partners: int) -> None:
        self.client.put_item(TableName=self.table, Item=to_attrs({
            "pk": f"CITY#{city or UNKNOWN_CITY}", "sk": "FIGURES", "city": city,
            "average_cancellation_rate": number(figures.average),
            "maximum_cancellation_rate": number(figures.maximum),
            "average_numerator": figures.average.numerator, "average_denominator": figures.average.denominator,
            "maximum_numerator": figures.maximum.numerator, "maximum_denominator": figures.maximum.denominator,
            "qualifying_partners": partners, "computed_at": at,
        }))

    # --- generic ---------------------------------------------------------------------------
    def put_if_absent(self, item: dict[str, Any]) -> bool:
        """Idempotency by key: True if written, False if an item with that key existed."""
        try:
            self.client.put_item(TableName=self.table, Item=to_attrs(item),
                                 ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as error:
            if _is_conflict(error):
                return False
            raise

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                     ConsistentRead=True)
        return from_attrs(found["Item"]) if "Item" in found else None

    def mark_published(self, pk: str, sk: str, at: str) -> None:
        self.client.update_item(
            TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}},
            UpdateExpression="SET published_at = :at", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":at": {"S": at}},
        )

