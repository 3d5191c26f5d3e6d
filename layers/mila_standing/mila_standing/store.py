"""The standing store: our own DynamoDB table, single-table design, and the only code besides
the other adapters that calls DynamoDB.

Items (pk / sk), schema 2 (see standing.py for the partner partition's order):
  PARTNER#<id> / STANDING            the aggregate (status, streaks, strikes ...), ``revision``
  PARTNER#<id> / R#<time>#<job>      a rating in the window (R1), about 80 bytes
  PARTNER#<id> / T#<inverted>#<job>  a resolved job (R3), about 120 bytes
  PARTNER#<id> / NOTICE#<seq>        a notice with its statement of reasons (R13, R12.1)
  PARTNER#<id> / DECISION#<seq>      a status change or ops decision with its reasons (R12.1)
  PARTNER#<id> / FLAG#<hash>         a flag for ops review (R8.1)
  PARTNER#<id> / AUDIT#<at>#<n>      an ops call (who, what, answer)
  CITY#<city>  / FIGURES             the city's cancellation average and maximum (R4)
  CITIES       / <city>              the cities the nightly check plans
  LEDGER#<job> / COMMISSION|REVERSAL commission ledger entries (R10)
  FINGERPRINT#<kind>#<value> / HOLDERS  who claimed an identity fingerprint (R8.1)

The index ``city_listing`` (KEYS_ONLY) lists partners by ``listing_pk = CITY#<city>#<shard>``: a
city spreads over LISTING_SHARDS partition keys, and an aggregate write that leaves the city
unchanged writes nothing to the index.

Writing is one path per partner (``update``): read the aggregate with the windows the changes
need, apply the changes in order, write what changed. Entries alone go as single small writes;
when the aggregate changes, the entries, the aggregate (conditional on its revision), the new
notices and decisions go in one transaction (a transactional outbox, R13), so a decision and
what it was decided on are never half stored. A conflicting writer means: read again, decide again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from .changes import OUTCOMES, RATINGS, Change, EntryHint, Judge
from .legacy import convert, is_legacy
from .models import format_time
from .rules import CityFigures, Notice
from .standing import (
    AGGREGATE,
    GONE,
    NOWHERE,
    OUTCOME_PREFIX,
    OUTCOMES_RANGE,
    RATING_PREFIX,
    RATINGS_RANGE,
    OutcomeEntry,
    RatingEntry,
    Standing,
    job_of,
    outcome_item,
    outcome_key,
    partner_key,
    rating_item,
    rating_key,
    standing_from_items,
)

UNKNOWN_CITY = "-"
MAX_CONFLICT_RETRIES = 4
TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
FLUSH_AT = 80  # write a partner's pending changes before a transaction could outgrow the limit
WINDOW_SLACK = 10  # entries read beyond the window, so ties at its edge are read whole
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
    return {"pk": {"S": partner_key(partner_id)}, "sk": {"S": AGGREGATE}}


def _is_conflict(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


@dataclass
class Snapshot:
    """What was read, to write only what changed."""

    aggregate: dict[str, Any] | None
    ratings: dict[str, RatingEntry]
    outcomes: dict[str, OutcomeEntry]

    @classmethod
    def of(cls, standing: Standing) -> Snapshot:
        return cls(standing.to_item() if standing.revision else None, dict(standing.ratings),
                   dict(standing.outcomes))


@dataclass
class Writes:
    entries: list[dict[str, Any]]  # TransactWriteItems actions
    others: list[dict[str, Any]] = field(default_factory=list)  # items put with the aggregate

    def __len__(self) -> int:
        return len(self.entries) + len(self.others)


class StandingStore:
    def __init__(self, table: str, client: Any | None = None):
        self.table = table
        self.client = client or boto3.client("dynamodb")

    # --- reading a standing -----------------------------------------------------------------
    def load(self, partner_id: str, windows: frozenset[str] = frozenset({RATINGS, OUTCOMES}),
             hints: list[EntryHint] | None = None, window_sizes: Callable[[str | None], tuple[int, int]] | None = None,
             extra: dict[str, int] | None = None) -> Standing:
        """The aggregate, the newest entries of ``windows`` (at least each window's size plus
        ``extra[window]`` live ones, when there are that many) and the entries ``hints`` name."""
        sizes = window_sizes or (lambda city: (50, 50))
        extra = extra or {}
        items: list[dict[str, Any]] = []
        aggregate: dict[str, Any] | None = None
        covered: dict[str, str | None] = {}  # per window read: its oldest key read (None: all of it)
        for window in (RATINGS, OUTCOMES):
            if window not in windows:
                continue
            found, stored, covered[window] = self._window(partner_id, window, sizes, extra.get(window, 0))
            aggregate = aggregate or stored
            items += found
        if not windows:
            got = self.client.get_item(TableName=self.table, Key=standing_key(partner_id), ConsistentRead=True)
            aggregate = from_attrs(got["Item"]) if "Item" in got else None
        if aggregate is not None and is_legacy(aggregate):
            self.migrate(aggregate)  # never judge a standing read half in the old shape
            return self.load(partner_id, windows, hints, window_sizes, extra)
        items += self._hinted(partner_id, items, hints or [], covered)
        standing = standing_from_items(([aggregate] if aggregate else []) + items, partner_id)
        return standing

    def migrate(self, legacy: dict[str, Any]) -> bool:
        """Rewrite one standing of the old shape (legacy.py) into schema 2: its entries, decisions
        and flags first (idempotent puts), then the aggregate, only if the old item is unchanged.
        True if this call migrated it; False if it had changed or was migrated meanwhile."""
        standing, items = convert(legacy)
        self.batch_put(items)
        content = standing.to_item()
        condition = "attribute_not_exists(#schema)" + (" AND revision = :r" if legacy.get("revision") else "")
        values = {":r": {"S": legacy["revision"]}} if legacy.get("revision") else {}
        try:
            self.client.put_item(TableName=self.table, Item=to_attrs(self._aggregate_item(standing, content)),
                                 ConditionExpression=condition, ExpressionAttributeNames={"#schema": "schema"},
                                 **({"ExpressionAttributeValues": values} if values else {}))
        except ClientError as error:
            if _is_conflict(error):
                return False
            raise
        return True

    def batch_put(self, items: list[dict[str, Any]]) -> None:
        self._batch_write([{"PutRequest": {"Item": to_attrs(i)}} for i in items])

    def _aggregate_item(self, standing: Standing, content: dict[str, Any]) -> dict[str, Any]:
        return {**content, "revision": content_hash(content), "pk": partner_key(standing.partner_id),
                "sk": AGGREGATE, "listing_pk": standing.listing_key(), "listing_sk": standing.partner_id}

    def _window(self, partner_id: str, window: str, sizes: Callable[[str | None], tuple[int, int]],
                extra: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None, str | None]:
        """One Query reads the aggregate and then the window's newest entries (standing.py)."""
        low, high = RATINGS_RANGE if window == RATINGS else OUTCOMES_RANGE
        kwargs: dict[str, Any] = {
            "TableName": self.table, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": partner_key(partner_id)}, ":low": {"S": low},
                                          ":high": {"S": high}},
            "ScanIndexForward": window == OUTCOMES,
        }
        entries: list[dict[str, Any]] = []
        aggregate: dict[str, Any] | None = None
        wanted: int | None = None
        live = 0
        limit = 50 + extra + WINDOW_SLACK + 1
        while True:
            page = self.client.query(Limit=limit, **kwargs)
            for raw in page.get("Items", []):
                item = from_attrs(raw)
                if item["sk"] == AGGREGATE:
                    aggregate = item
                    continue
                entries.append(item)
                if window == RATINGS or item.get("kind") != "G":
                    live += 1
            if wanted is None:
                city = aggregate.get("city") if aggregate else None
                rating_window, cancellation_window = sizes(city)
                wanted = (rating_window if window == RATINGS else cancellation_window) + extra
            last = page.get("LastEvaluatedKey")
            if last is None:
                return entries, aggregate, None  # the whole window's history was read
            if live > wanted and _edge_read(entries, window, wanted):
                return entries, aggregate, entries[-1]["sk"]
            kwargs["ExclusiveStartKey"] = last
            limit = 100

    def _hinted(self, partner_id: str, loaded: list[dict[str, Any]], hints: list[EntryHint],
                covered: dict[str, str | None]) -> list[dict[str, Any]]:
        """The entries the changes touch that the window reads did not bring (older ones)."""
        have = {item["sk"] for item in loaded}
        jobs = {job_of(item["sk"]) for item in loaded}
        wanted: dict[str, EntryHint] = {}
        unplaced: list[EntryHint] = []
        for hint in hints:
            if hint.window in covered and covered[hint.window] is None:
                continue  # that window was read whole: what is not there does not exist
            if hint.at is None:
                unplaced.append(hint)
                continue
            if not _beyond(hint, covered):
                if hint.expected:
                    unplaced.append(hint)  # expected where the read covered, yet not there: look it up
                continue
            key = rating_key(hint.job_id, hint.at) if hint.window == RATINGS else outcome_key(hint.job_id, hint.at)
            if key not in have:
                wanted[key] = hint
        found: list[dict[str, Any]] = []
        keys = list(wanted)
        for start in range(0, len(keys), 100):
            chunk = keys[start:start + 100]
            request = {self.table: {"Keys": [{"pk": {"S": partner_key(partner_id)}, "sk": {"S": k}} for k in chunk],
                                    "ConsistentRead": True}}
            while request:
                got = self.client.batch_get_item(RequestItems=request)
                found += [from_attrs(i) for i in got.get("Responses", {}).get(self.table, [])]
                request = got.get("UnprocessedKeys") or {}
        present = jobs | {job_of(i["sk"]) for i in found}
        brought: set[tuple[str, str]] = set()  # jobs an earlier record of this batch puts in a window
        looked_up: set[tuple[str, str]] = set()
        candidates = {id(h) for h in [*wanted.values(), *unplaced]}
        for hint in hints:
            job = (hint.window, hint.job_id)
            if not hint.expected:
                brought.add(job)
            elif id(hint) in candidates and hint.job_id not in present and job not in brought | looked_up:
                looked_up.add(job)
                found += self._find_job(partner_id, hint)  # the old image did not say where it is
        return found

    def _find_job(self, partner_id: str, hint: EntryHint) -> list[dict[str, Any]]:
        """Every entry of one job in a window, wherever it lies (the partition's keys are by time,
        so this reads the window's whole history: only when an old image cannot say where)."""
        low, high = (RATING_PREFIX, RATING_PREFIX + "~") if hint.window == RATINGS else (OUTCOME_PREFIX, "T#~")
        found: list[dict[str, Any]] = []
        for raw in self._query_all(
                ConsistentRead=True, KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={":pk": {"S": partner_key(partner_id)}, ":low": {"S": low},
                                           ":high": {"S": high}}):
            if job_of(raw["sk"]["S"]) == hint.job_id:
                found.append(from_attrs(raw))
        return found

    # --- the one write path ------------------------------------------------------------------
    def update(self, partner_id: str, changes: list[Change], judge: Judge,
               window_sizes: Callable[[str | None], tuple[int, int]] | None = None,
               extra_puts: Callable[[Standing], list[dict[str, Any]]] | None = None,
               always_save: bool = False, first_read: Standing | None = None) -> list[Notice]:
        """Apply ``changes`` in order to the partner's standing and write what changed: once, or
        in a few writes when a batch brings a partner more than a transaction can hold. On a
        conflicting write, read again and apply the changes not yet written again."""
        windows = frozenset().union(*(c.windows for c in changes)) if changes else frozenset()
        hints = [h for c in changes for h in c.hints()]
        extra = {w: sum(1 for c in changes if w in c.windows) for w in (RATINGS, OUTCOMES)}
        notices: list[Notice] = []
        done = 0
        for _attempt in range(MAX_CONFLICT_RETRIES):
            standing = first_read if first_read is not None else self.load(partner_id, windows, hints,
                                                                           window_sizes, extra)
            first_read = None
            snapshot, pending = Snapshot.of(standing), []
            try:
                for index in range(done, len(changes)):
                    pending += changes[index].apply(standing, judge)
                    if index + 1 < len(changes) and len(self._writes(standing, snapshot, pending)) >= FLUSH_AT:
                        self._save(standing, snapshot, pending, None, False)
                        notices += pending
                        done, snapshot, pending = index + 1, Snapshot.of(standing), []
                self._save(standing, snapshot, pending, extra_puts, always_save)
                return notices + pending
            except Conflict:
                continue  # read again; the changes already written are in what we read
        raise Conflict(partner_id)

    def _writes(self, standing: Standing, snapshot: Snapshot, notices: list[Notice]) -> Writes:
        writes = Writes(self._rating_writes(standing, snapshot) + self._outcome_writes(standing, snapshot))
        pk = partner_key(standing.partner_id)
        writes.others += [self.notice_item(n) for n in notices]
        writes.others += [{"pk": pk, "sk": f"DECISION#{d['log_seq']:06d}", "partner_id": standing.partner_id, **d}
                          for d in standing.decisions]
        writes.others += [{"pk": pk, "sk": f"FLAG#{f['hash']}", "partner_id": standing.partner_id, **f}
                          for f in standing.review_flags]
        return writes

    def _rating_writes(self, standing: Standing, snapshot: Snapshot) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        for job in sorted(set(snapshot.ratings) | set(standing.ratings)):
            before, after = snapshot.ratings.get(job), standing.ratings.get(job)
            if before == after:
                continue
            if before is not None and (after is None or after.rated_at != before.rated_at):
                key = {"pk": {"S": partner_key(standing.partner_id)}, "sk": {"S": rating_key(job, before.rated_at)}}
                actions.append({"Delete": {"TableName": self.table, "Key": key}})
            if after is not None:
                actions.append({"Put": {"TableName": self.table,
                                        "Item": to_attrs(rating_item(standing.partner_id, job, after))}})
        return actions

    def _outcome_writes(self, standing: Standing, snapshot: Snapshot) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        for job in sorted(set(snapshot.outcomes) | set(standing.outcomes)):
            before, after = snapshot.outcomes.get(job), standing.outcomes.get(job)
            if before == after or after is None or (after.kind == GONE and after.at == NOWHERE):
                continue  # (a marker for a job that never had an entry guards nothing)
            if before is not None and before.same_outcome(after):
                continue  # only a newer image of the same outcome (a payment): the entry stands as it is
            if before is not None and before.at != after.at:  # it moved: a marker where it was (R3.4)
                marker = OutcomeEntry(GONE, before.at, seq=after.seq)
                actions.append(self._entry_put(outcome_item(standing.partner_id, job, marker)))
            actions.append(self._entry_put(outcome_item(standing.partner_id, job, after)))
        return actions

    def _entry_put(self, item: dict[str, Any]) -> dict[str, Any]:
        """An entry only ever moves forward in the job's stream (R3.4): never over a newer image."""
        return {"Put": {"TableName": self.table, "Item": to_attrs(item),
                        "ConditionExpression": "attribute_not_exists(sk) OR seq <= :seq",
                        "ExpressionAttributeValues": {":seq": {"N": str(item["seq"])}}}}

    def _save(self, standing: Standing, snapshot: Snapshot, notices: list[Notice],
              extra_puts: Callable[[Standing], list[dict[str, Any]]] | None, always_save: bool) -> None:
        writes = self._writes(standing, snapshot, notices)
        content = standing.to_item()
        aggregate_changed = snapshot.aggregate != content
        extras = extra_puts(standing) if extra_puts else []
        if not aggregate_changed and not writes.others and not extras and not always_save:
            self._entries_only(writes.entries)
            return
        expected = standing.revision
        item = self._aggregate_item(standing, content)
        revision = item["revision"]
        city_changed = snapshot.aggregate is None or snapshot.aggregate.get("city") != standing.city
        condition = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected is None
            else {"ConditionExpression": "revision = :r", "ExpressionAttributeValues": {":r": {"S": expected}}}
        )
        puts = writes.others + extras
        aggregate_put = {"TableName": self.table, "Item": to_attrs(item), **condition}
        try:
            if not puts:
                # Nothing decided (no notice, no decision): the aggregate first, then the entries.
                # Should the entries fail, the retry applies the same records to the same
                # aggregate and again decides nothing, so the two need no transaction.
                self.client.put_item(**aggregate_put)
            else:  # a decision and what it was decided on, together (R12.1, R13's outbox)
                actions = [{"Put": aggregate_put}, *writes.entries,
                           *({"Put": {"TableName": self.table, "Item": to_attrs(p)}} for p in puts)]
                for start in range(0, len(actions), TRANSACTION_ITEMS):  # FLUSH_AT keeps this to one
                    self.client.transact_write_items(TransactItems=actions[start:start + TRANSACTION_ITEMS])
        except ClientError as error:
            if _is_conflict(error):
                raise Conflict(standing.partner_id) from None
            raise
        standing.revision = revision
        if not puts:
            self._entries_only(writes.entries)
        standing.decisions, standing.review_flags = [], []
        if city_changed:  # the cities the nightly check plans (idempotent; registrations only)
            self.put({"pk": "CITIES", "sk": standing.city or UNKNOWN_CITY})

    def _entries_only(self, actions: list[dict[str, Any]]) -> None:
        """Entries alone, each a small write: ratings (one reader, no condition) in batches of 25,
        outcomes one by one with their sequence condition (R3.4)."""
        plain = [a for a in actions if "ConditionExpression" not in next(iter(a.values()))]
        for action in actions:
            if action not in plain:
                self._single(action)
        self._batch_write([{"PutRequest": {"Item": a["Put"]["Item"]}} if "Put" in a
                           else {"DeleteRequest": {"Key": a["Delete"]["Key"]}} for a in plain])

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        """BatchWriteItem, 25 at a time, until DynamoDB has taken every request."""
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table: requests[start:start + 25]}
            while pending:
                answer = self.client.batch_write_item(RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}

    def _single(self, action: dict[str, Any]) -> None:
        (kind, body), = action.items()
        try:
            if kind == "Delete":
                self.client.delete_item(**body)
            else:
                self.client.put_item(**body)
        except ClientError as error:
            if _is_conflict(error):
                raise Conflict(body.get("Key") or body.get("Item", {}).get("pk")) from None
            raise

    @staticmethod
    def notice_item(notice: Notice) -> dict[str, Any]:
        seq = notice.notice_id.rsplit(":", 1)[-1]
        return {
            "pk": partner_key(notice.partner_id),
            "sk": f"NOTICE#{seq}",
            "notice_id": notice.notice_id,
            "partner_id": notice.partner_id,
            "type": notice.type,
            "at": format_time(notice.at),
            "reasons": notice.reasons,
            "user_pool_username": notice.user_pool_username,
        }

    # --- a partner's records -----------------------------------------------------------------
    def records(self, partner_id: str, prefix: str) -> list[dict[str, Any]]:
        """A partner's items of one kind (NOTICE#, DECISION#, FLAG#, AUDIT#), oldest first."""
        return self.records_of(partner_key(partner_id), prefix)

    def records_of(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        """The items of one partition whose sort key starts with ``prefix``, in key order."""
        return [from_attrs(i) for i in self._query_all(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": prefix}},
        )]

    def notices(self, partner_id: str) -> list[dict[str, Any]]:
        return self.records(partner_id, "NOTICE#")

    # --- the city listing (the nightly check's segments) -----------------------------------
    def listed_partners(self, city: str | None, shard: int, start: str | None = None,
                        page_size: int = 500) -> tuple[list[str], str | None]:
        """One page of a city's listing shard: partner ids, and where the next page starts."""
        kwargs: dict[str, Any] = {
            "TableName": self.table, "IndexName": "city_listing", "Limit": page_size,
            "KeyConditionExpression": "listing_pk = :c",
            "ExpressionAttributeValues": {":c": {"S": f"CITY#{city or UNKNOWN_CITY}#{shard:02d}"}},
        }
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        page = self.client.query(**kwargs)
        ids = [i["listing_sk"]["S"] for i in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return ids, json.dumps(last, sort_keys=True) if last else None

    def scan_listing(self, segment: int, segments: int, start: str | None = None,
                     page_size: int = 500) -> tuple[list[tuple[str, str | None]], str | None]:
        """One page of a parallel Scan of the whole listing: (partner id, city) pairs, and where
        the next page starts. The index holds keys only, so this reads about 100 bytes a partner."""
        kwargs: dict[str, Any] = {"TableName": self.table, "IndexName": "city_listing", "Limit": page_size,
                                  "Segment": segment, "TotalSegments": segments}
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        page = self.client.scan(**kwargs)
        found = []
        for raw in page.get("Items", []):
            city = raw["listing_pk"]["S"].split("#")[1]
            found.append((raw["listing_sk"]["S"], None if city == UNKNOWN_CITY else city))
        last = page.get("LastEvaluatedKey")
        return found, json.dumps(last, sort_keys=True) if last else None

    def listed_count(self) -> int:
        """About how many partners the listing holds (DynamoDB updates this every few hours)."""
        described = self.client.describe_table(TableName=self.table)["Table"]
        for index in described.get("GlobalSecondaryIndexes", []):
            if index["IndexName"] == "city_listing":
                return int(index.get("ItemCount", 0))
        return 0

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
            "average_cancellation_rate": _decimal(figures.average),
            "maximum_cancellation_rate": _decimal(figures.maximum),
            "average_numerator": figures.average.numerator, "average_denominator": figures.average.denominator,
            "maximum_numerator": figures.maximum.numerator, "maximum_denominator": figures.maximum.denominator,
            "qualifying_partners": partners, "computed_at": at,
        }))

    # --- identity fingerprints (R8.1) ----------------------------------------------------------
    def claim_fingerprint(self, kind: str, value: str, partner_id: str) -> set[str]:
        """Add the partner to the fingerprint's holders, atomically; returns the holders before."""
        answer = self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"FINGERPRINT#{kind}#{value}"}, "sk": {"S": "HOLDERS"}},
            UpdateExpression="ADD holders :me",
            ExpressionAttributeValues={":me": {"SS": [partner_id]}},
            ReturnValues="UPDATED_OLD",
        )
        return set(answer.get("Attributes", {}).get("holders", {}).get("SS", []))

    # --- generic ---------------------------------------------------------------------------
    def put(self, item: dict[str, Any]) -> None:
        self.client.put_item(TableName=self.table, Item=to_attrs(item))

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


def _decimal(value: Fraction) -> Any:
    from .standing import number

    return number(value)


def _beyond(hint: EntryHint, covered: dict[str, str | None]) -> bool:
    """Whether a hinted entry may lie beyond what the window reads covered (older than the
    oldest entry read): only then is it worth asking for. A window not read covers nothing."""
    oldest = covered.get(hint.window)
    if hint.window not in covered or oldest is None or hint.at is None:
        return hint.window not in covered
    if hint.window == RATINGS:
        return rating_key(hint.job_id, hint.at) < oldest
    return outcome_key(hint.job_id, hint.at) > oldest


def _edge_read(entries: list[dict[str, Any]], window: str, wanted: int) -> bool:
    """Whether the entries read hold the window whole: the last one read is strictly older than
    the ``wanted``-th newest live one, so no entry tied with it at the edge is left unread."""
    live = [i for i in entries if window == RATINGS or i.get("kind") != "G"]
    if len(live) <= wanted:
        return False
    edge, last = live[wanted - 1], entries[-1]
    if window == RATINGS:
        return bool(last["sk"].split("#", 2)[1] < edge["sk"].split("#", 2)[1])
    return bool(last["sk"].split("#", 2)[1] > edge["sk"].split("#", 2)[1])


def timestamp(moment: datetime) -> str:
    return format_time(moment)
