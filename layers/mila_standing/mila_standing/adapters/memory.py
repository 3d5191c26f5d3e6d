"""The storage port in memory: the standing table's own items (adapters/table) in a Python dict.

The same items as on DynamoDB, written by the same save plans (``table.writes``) under the same
conditions (a stale revision is a ``Conflict``; an entry never moves back in its job's stream), so
a replay on memory leaves the same table as one on DynamoDB. Items are kept as boto3 would read
them back (numbers as Decimal, attributes whose value is None left out). A standing is read with
all its entries (the rules take the newest of each window themselves, R1.1, R3.1), so the window
reads and hints of the DynamoDB adapter have nothing to do here.

For the unit tests (no engine at all) and the replay's in-memory engine.
"""

from __future__ import annotations

import bisect
import copy
from typing import Any

from ..domain.standing import Standing
from ..rules import CityFigures
from ..usecases.ports import NOTICE, ChangeSet, Conflict, ReadPlan
from .dynamodb.codec import from_attrs, to_attrs
from .table import items, keys
from .table.writes import Condition, Delete, Put, SavePlan, plan_save

Item = dict[str, Any]


class MemoryTable:
    """One table's items by partition and sort key, sort keys kept in order (as DynamoDB does)."""

    def __init__(self) -> None:
        self.partitions: dict[str, dict[str, Item]] = {}
        self._order: dict[str, list[str]] = {}

    def get(self, key: dict[str, str]) -> Item | None:
        found = self.partitions.get(key["pk"], {}).get(key["sk"])
        return copy.deepcopy(found) if found is not None else None

    def put(self, item: Item) -> None:
        stored = from_attrs(to_attrs(item))  # as DynamoDB keeps it: Decimals, no None attributes
        pk, sk = stored["pk"], stored["sk"]
        partition = self.partitions.setdefault(pk, {})
        if sk not in partition:
            bisect.insort(self._order.setdefault(pk, []), sk)
        partition[sk] = stored

    def delete(self, key: dict[str, str]) -> None:
        partition = self.partitions.get(key["pk"], {})
        if partition.pop(key["sk"], None) is not None:
            self._order[key["pk"]].remove(key["sk"])

    def between(self, pk: str, low: str, high: str) -> list[Item]:
        order = self._order.get(pk, [])
        start, end = bisect.bisect_left(order, low), bisect.bisect_right(order, high)
        partition = self.partitions[pk] if order else {}
        return [copy.deepcopy(partition[sk]) for sk in order[start:end]]

    def prefixed(self, pk: str, prefix: str) -> list[Item]:
        return self.between(pk, prefix, prefix + "\U0010ffff")

    def holds(self, write: Put | Delete) -> bool:
        """Whether a write's condition holds on what is stored now."""
        if isinstance(write, Delete) or write.condition is None:
            return True
        stored = self.partitions.get(write.item["pk"], {}).get(write.item["sk"])
        condition: Condition = write.condition
        if condition.new:
            return stored is None
        if condition.revision is not None:
            return stored is not None and stored.get("revision") == condition.revision
        return stored is None or int(stored.get("seq", 0)) <= int(condition.seq_at_most or 0)

    def apply(self, write: Put | Delete) -> None:
        if isinstance(write, Delete):
            self.delete(write.key)
        else:
            self.put(write.item)

    def items(self) -> list[Item]:
        """Every item, by partition and sort key (what a Scan of the table would find)."""
        return [copy.deepcopy(self.partitions[pk][sk]) for pk in sorted(self._order) for sk in self._order[pk]]


class MemoryStandingStore:
    def __init__(self, table: MemoryTable | None = None):
        self.table = table or MemoryTable()

    # --- a partner's standing -----------------------------------------------------------------
    def load(self, partner_id: str, plan: ReadPlan | None = None) -> Standing:
        pk = keys.partner_key(partner_id)
        aggregate = self.table.get(keys.aggregate_key(partner_id))
        found: list[Item] = []
        if plan is None or plan.windows:  # every entry: the rules take each window's newest
            for low, high in keys.WHOLE_WINDOW.values():
                found += self.table.between(pk, low, high)
        return items.standing_from_items(([aggregate] if aggregate else []) + found, partner_id)

    def save(self, change: ChangeSet) -> str | None:
        plan = plan_save(change)
        self._write(plan, change.standing.partner_id)
        if plan.city_changed:
            self.table.put(keys.city_key(change.standing.city))
        return plan.revision

    def _write(self, plan: SavePlan, partner_id: str) -> None:
        if plan.aggregate is not None and plan.transactional:
            writes = [plan.aggregate, *plan.entries, *plan.decided]
            if not all(self.table.holds(w) for w in writes):  # a transaction: all or nothing
                raise Conflict(partner_id)
            for write in writes:
                self.table.apply(write)
            return
        if plan.aggregate is not None:
            if not self.table.holds(plan.aggregate):
                raise Conflict(partner_id)
            self.table.apply(plan.aggregate)
        # Entries alone, as the DynamoDB adapter writes them: conditional outcomes one by one first.
        conditional = [w for w in plan.entries if isinstance(w, Put) and w.condition is not None]
        for write in conditional:
            if not self.table.holds(write):
                raise Conflict(partner_id)
            self.table.apply(write)
        for write in plan.entries:
            if write not in conditional:
                self.table.apply(write)

    # --- the partner's records ---------------------------------------------------------------
    def records(self, partner_id: str, kind: str) -> list[dict[str, Any]]:
        return [
            items.without_keys(i) for i in self.table.prefixed(keys.partner_key(partner_id), keys.record_prefix(kind))
        ]

    def record(self, partner_id: str, kind: str, seq: int) -> dict[str, Any] | None:
        found = self.table.get(keys.record_key(partner_id, kind, seq))
        return items.without_keys(found) if found is not None else None

    def mark_published(self, partner_id: str, seq: int, at: str) -> None:
        found = self.table.get(keys.record_key(partner_id, NOTICE, seq))
        if found is None:
            raise Conflict(partner_id)  # as DynamoDB's attribute_exists(pk): the notice must be there
        self.table.put({**found, "published_at": at})

    # --- the ledger (R10) ----------------------------------------------------------------------
    def ledger_entry(self, job_id: str, kind: str) -> dict[str, Any] | None:
        found = self.table.get(keys.ledger_key(job_id, kind))
        return items.without_keys(found) if found is not None else None

    def add_ledger_entry(self, entry: dict[str, Any]) -> bool:
        item = items.ledger_item(entry)
        if self.table.get({"pk": item["pk"], "sk": item["sk"]}) is not None:
            return False
        self.table.put(item)
        return True

    # --- identity fingerprints (R8.1) -----------------------------------------------------------
    def claim_fingerprint(self, kind: str, value: str, partner_id: str) -> set[str]:
        key = keys.fingerprint_key(kind, value)
        found = self.table.get(key) or {**key, "holders": set()}
        before = set(found.get("holders") or set())
        self.table.put({**found, "holders": before | {partner_id}})
        return before

    # --- cities (R4) and the city listing ---------------------------------------------------------
    def city_figures(self, city: str | None) -> CityFigures | None:
        found = self.table.get(keys.city_figures_key(city))
        return items.figures_from_item(found) if found is not None else None

    def save_city_figures(self, city: str | None, figures: CityFigures, at: str, partners: int) -> None:
        self.table.put(items.figures_item(city, figures, at, partners))

    def cities(self) -> list[str | None]:
        return [keys.city_of(i["sk"]) for i in self.table.prefixed(keys.CITIES, "")]

    def _listed(self) -> list[tuple[str, str]]:
        """(listing_pk, partner id) of every aggregate, as the KEYS_ONLY index holds them."""
        found = []
        for pk in sorted(self.table.partitions):
            aggregate = self.table.partitions[pk].get(keys.AGGREGATE)
            if aggregate is not None and "listing_pk" in aggregate:
                found.append((str(aggregate["listing_pk"]), str(aggregate["listing_sk"])))
        return sorted(found)

    def listed_partners(
        self, city: str | None, shard: int, start: str | None = None, page_size: int = 500
    ) -> tuple[list[str], str | None]:
        wanted = keys.listing_pk(city, shard)
        ids = [pid for listing, pid in self._listed() if listing == wanted]
        return _page(ids, start, page_size)

    def scan_listing(
        self, segment: int, segments: int, start: str | None = None, page_size: int = 500
    ) -> tuple[list[tuple[str, str | None]], str | None]:
        pairs = [
            (pid, keys.listed_city(listing))
            for n, (listing, pid) in enumerate(self._listed())
            if n % segments == segment
        ]
        return _page(pairs, start, page_size)

    def listed_count(self) -> int:
        return len(self._listed())

    # --- the night's log ---------------------------------------------------------------------------
    def save_night_part(self, night: str, kind: str, segment: str, body: dict[str, Any]) -> None:
        self.table.put(items.night_item(night, kind, segment, body))

    def night_parts(self, night: str, kind: str) -> list[dict[str, Any]]:
        return [items.without_keys(i) for i in self.table.prefixed(keys.night_pk(night), f"{kind}#")]


def _page(found: list[Any], start: str | None, page_size: int) -> tuple[list[Any], str | None]:
    offset = int(start) if start else 0
    end = offset + page_size
    return found[offset:end], (str(end) if end < len(found) else None)
