"""The storage port (``usecases.ports.StandingStore``) on DynamoDB: our own table, single-table
design (adapters/table/keys.py), through boto3's low-level client.

Reading a standing is one Query per window needed (the aggregate and the window's newest
entries), plus a BatchGetItem for older entries a change touches; writing is what
``adapters/table/writes.py`` plans: entries as small single writes, a decision with its notices in
one transaction, every aggregate write conditional on the revision read (a failed condition is a
``Conflict``: the unit of work reads again and decides again).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ...domain.standing import OUTCOMES, RATINGS, Standing
from ...rules import CityFigures
from ...usecases.ports import NOTICE, ChangeSet, Conflict, ReadPlan
from ..table import items, keys
from ..table.legacy import convert, is_legacy
from ..table.writes import Condition, Delete, Put, SavePlan, Write, plan_save
from .codec import from_attrs, to_attrs
from .windows import WindowReader

TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems (the unit of work flushes before)


def _key(key: dict[str, str]) -> dict[str, Any]:
    return {k: {"S": v} for k, v in key.items()}


def _is_conflict(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


def _condition(condition: Condition | None) -> dict[str, Any]:
    if condition is None:
        return {}
    if condition.new:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    if condition.revision is not None:
        return {"ConditionExpression": "revision = :r", "ExpressionAttributeValues": {":r": {"S": condition.revision}}}
    return {
        "ConditionExpression": "attribute_not_exists(sk) OR seq <= :seq",
        "ExpressionAttributeValues": {":seq": {"N": str(condition.seq_at_most)}},
    }


class DynamoStandingStore:
    def __init__(self, table: str, client: Any | None = None):
        self.table = table
        self.client = client or boto3.client("dynamodb")
        self.windows = WindowReader(table, self.client)

    # --- reading a standing -----------------------------------------------------------------
    def load(self, partner_id: str, plan: ReadPlan | None = None) -> Standing:
        plan = plan or ReadPlan()
        found: list[dict[str, Any]] = []
        aggregate: dict[str, Any] | None = None
        covered: dict[str, str | None] = {}  # per window read: its oldest key read (None: all of it)
        for window in (RATINGS, OUTCOMES):
            if window in plan.windows:
                entries, stored, covered[window] = self.windows.window(partner_id, window, plan)
                aggregate = aggregate or stored
                found += entries
        if not plan.windows:
            aggregate = self.get(keys.aggregate_key(partner_id))
        if aggregate is not None and is_legacy(aggregate):
            self.migrate(aggregate)  # never judge a standing read half in the old shape
            return self.load(partner_id, plan)
        found += self.windows.hinted(partner_id, found, plan.hints, covered)
        return items.standing_from_items(([aggregate] if aggregate else []) + found, partner_id)

    def migrate(self, legacy: dict[str, Any]) -> bool:
        """Rewrite one standing of the old shape (table/legacy.py) into schema 2: its entries,
        decisions and flags first (idempotent puts), then the aggregate, only if the old item is
        unchanged. True if this call migrated it; False if it had changed or was migrated meanwhile."""
        standing, converted = convert(legacy)
        self.batch_put(converted)
        condition = "attribute_not_exists(#schema)" + (" AND revision = :r" if legacy.get("revision") else "")
        values = {":r": {"S": legacy["revision"]}} if legacy.get("revision") else {}
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_attrs(items.aggregate_item(standing)),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#schema": "schema"},
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as error:
            if _is_conflict(error):
                return False
            raise
        return True

    # --- saving a change set ---------------------------------------------------------------
    def save(self, change: ChangeSet) -> str | None:
        plan = plan_save(change)
        try:
            self._write(plan)
        except ClientError as error:
            if _is_conflict(error):
                raise Conflict(change.standing.partner_id) from None
            raise
        if plan.city_changed:  # the cities the nightly check plans (idempotent; registrations only)
            self.put(keys.city_key(change.standing.city))
        return plan.revision

    def _write(self, plan: SavePlan) -> None:
        if plan.aggregate is None:
            self._entries_only(plan.entries)
        elif not plan.transactional:
            # Nothing decided (no notice, no decision): the aggregate first, then the entries.
            self.client.put_item(**self._put(plan.aggregate))
            self._entries_only(plan.entries)
        else:  # a decision and what it was decided on, together (R12.1, R13's outbox)
            actions = [self._action(w) for w in [plan.aggregate, *plan.entries, *plan.decided]]
            for start in range(0, len(actions), TRANSACTION_ITEMS):  # the unit of work keeps this to one
                self.client.transact_write_items(TransactItems=actions[start : start + TRANSACTION_ITEMS])

    def _put(self, put: Put) -> dict[str, Any]:
        return {"TableName": self.table, "Item": to_attrs(put.item), **_condition(put.condition)}

    def _action(self, write: Write) -> dict[str, Any]:
        if isinstance(write, Delete):
            return {"Delete": {"TableName": self.table, "Key": _key(write.key)}}
        return {"Put": self._put(write)}

    def _entries_only(self, writes: list[Write]) -> None:
        """Entries alone, each a small write: outcomes one by one with their sequence condition
        (R3.4), then ratings (one reader, no condition) in batches of 25."""
        plain = [w for w in writes if isinstance(w, Delete) or w.condition is None]
        for write in writes:
            if isinstance(write, Put) and write.condition is not None:
                self.client.put_item(**self._put(write))
        self._batch_write(
            [
                {"PutRequest": {"Item": to_attrs(w.item)}}
                if isinstance(w, Put)
                else {"DeleteRequest": {"Key": _key(w.key)}}
                for w in plain
            ]
        )

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        """BatchWriteItem, 25 at a time, until DynamoDB has taken every request."""
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table: requests[start : start + 25]}
            while pending:
                answer = self.client.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}

    def batch_put(self, found: list[dict[str, Any]]) -> None:
        self._batch_write([{"PutRequest": {"Item": to_attrs(i)}} for i in found])

    # --- the partner's records ---------------------------------------------------------------
    def records(self, partner_id: str, kind: str) -> list[dict[str, Any]]:
        return [
            items.without_keys(from_attrs(i))
            for i in self.windows.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                ExpressionAttributeValues={
                    ":pk": {"S": keys.partner_key(partner_id)},
                    ":p": {"S": keys.record_prefix(kind)},
                },
            )
        ]

    def record(self, partner_id: str, kind: str, seq: int) -> dict[str, Any] | None:
        found = self.get(keys.record_key(partner_id, kind, seq))
        return items.without_keys(found) if found is not None else None

    def mark_published(self, partner_id: str, seq: int, at: str) -> None:
        self.client.update_item(
            TableName=self.table,
            Key=_key(keys.record_key(partner_id, NOTICE, seq)),
            UpdateExpression="SET published_at = :at",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":at": {"S": at}},
        )

    # --- the ledger (R10) ----------------------------------------------------------------------
    def ledger_entry(self, job_id: str, kind: str) -> dict[str, Any] | None:
        found = self.get(keys.ledger_key(job_id, kind))
        return items.without_keys(found) if found is not None else None

    def add_ledger_entry(self, entry: dict[str, Any]) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_attrs(items.ledger_item(entry)),
                ConditionExpression="attribute_not_exists(pk)",
            )
            return True
        except ClientError as error:
            if _is_conflict(error):
                return False
            raise

    # --- identity fingerprints (R8.1) -----------------------------------------------------------
    def claim_fingerprint(self, kind: str, value: str, partner_id: str) -> set[str]:
        answer = self.client.update_item(
            TableName=self.table,
            Key=_key(keys.fingerprint_key(kind, value)),
            UpdateExpression="ADD holders :me",
            ExpressionAttributeValues={":me": {"SS": [partner_id]}},
            ReturnValues="UPDATED_OLD",
        )
        return set(answer.get("Attributes", {}).get("holders", {}).get("SS", []))

    # --- cities (R4) and the city listing ---------------------------------------------------------
    def city_figures(self, city: str | None) -> CityFigures | None:
        found = self.client.get_item(TableName=self.table, Key=_key(keys.city_figures_key(city)))
        return items.figures_from_item(from_attrs(found["Item"])) if "Item" in found else None

    def save_city_figures(self, city: str | None, figures: CityFigures, at: str, partners: int) -> None:
        self.put(items.figures_item(city, figures, at, partners))

    def cities(self) -> list[str | None]:
        return [
            keys.city_of(from_attrs(i)["sk"])
            for i in self.windows.query_all(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": keys.CITIES}}
            )
        ]

    def listed_partners(
        self, city: str | None, shard: int, start: str | None = None, page_size: int = 500
    ) -> tuple[list[str], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": keys.LISTING_INDEX,
            "Limit": page_size,
            "KeyConditionExpression": "listing_pk = :c",
            "ExpressionAttributeValues": {":c": {"S": keys.listing_pk(city, shard)}},
        }
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        page = self.client.query(**kwargs)
        last = page.get("LastEvaluatedKey")
        return [i["listing_sk"]["S"] for i in page.get("Items", [])], json.dumps(last, sort_keys=True) if last else None

    def scan_listing(
        self, segment: int, segments: int, start: str | None = None, page_size: int = 500
    ) -> tuple[list[tuple[str, str | None]], str | None]:
        """A parallel Scan of the KEYS_ONLY index: about 100 bytes read a partner."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": keys.LISTING_INDEX,
            "Limit": page_size,
            "Segment": segment,
            "TotalSegments": segments,
        }
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        page = self.client.scan(**kwargs)
        found = [(raw["listing_sk"]["S"], keys.listed_city(raw["listing_pk"]["S"])) for raw in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return found, json.dumps(last, sort_keys=True) if last else None

    def listed_count(self) -> int:
        """DynamoDB updates an index's ItemCount every few hours: about right, enough to plan segments."""
        described = self.client.describe_table(TableName=self.table)["Table"]
        for index in described.get("GlobalSecondaryIndexes", []):
            if index["IndexName"] == keys.LISTING_INDEX:
                return int(index.get("ItemCount", 0))
        return 0

    # --- the night's log ---------------------------------------------------------------------------
    def save_night_part(self, night: str, kind: str, segment: str, body: dict[str, Any]) -> None:
        self.put(items.night_item(night, kind, segment, body))

    def night_parts(self, night: str, kind: str) -> list[dict[str, Any]]:
        return [
            items.without_keys(from_attrs(i))
            for i in self.windows.query_all(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                ExpressionAttributeValues={":pk": {"S": keys.night_pk(night)}, ":p": {"S": f"{kind}#"}},
            )
        ]

    # --- single items ---------------------------------------------------------------------------
    def put(self, item: dict[str, Any]) -> None:
        self.client.put_item(TableName=self.table, Item=to_attrs(item))

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.table, Key=_key(key), ConsistentRead=True)
        return from_attrs(found["Item"]) if "Item" in found else None
