"""What the functions' DynamoDB calls cost, in the units AWS bills (``stats.capacity``).

The replay asks DynamoDB for ``ReturnConsumedCapacity: INDEXES`` on every call a function makes,
through a botocore event hook in the replay process (the functions are not changed), and adds
the answers up per function and per table / index. DynamoDB Local reports AWS's units (1 write
unit per KB, 4 KB per read unit, eventually consistent reads at half, indexes included) with one
exception measured here: for ``TransactWriteItems`` DynamoDB Local 3.3.0 adds up the *distinct*
per-item values (two 1 KB puts report 2 units; AWS bills 4). For the items of a transaction
that are puts, the replay therefore computes the table's units itself, with AWS's item-size
rules, and keeps the larger of the two figures. moto reports no capacity at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
WITH_CAPACITY = READS | WRITES


def attribute_value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed attribute value ("Item sizes and formats")."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in inner)
    if kind == "NS":
        return sum(_number_size(v) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + attribute_value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind}")


def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return (len(digits) + 1) // 2 + 1


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_value_size(value) for name, value in item.items())


def write_units(size: int, transactional: bool = False) -> int:
    units = max(1, math.ceil(size / 1024))
    return 2 * units if transactional else units


@dataclass
class CapacityMeter:
    """Units per function and per table (``table`` or ``table/index``), writes and reads apart."""

    by_function: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    by_table: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    names: dict[str, str] = field(default_factory=dict)  # physical table name -> name in the outcome
    reported: bool = False

    def record(self, function: str, operation: str, params: dict[str, Any], consumed: Any) -> None:
        if consumed is None:
            return
        self.reported = True
        kind = "read_units" if operation in READS else "write_units"
        entries = consumed if isinstance(consumed, list) else [consumed]
        if operation == "TransactWriteItems":
            entries = self._transaction(params, entries)
        for entry in entries:
            table = self.names.get(entry.get("TableName", "?"), entry.get("TableName", "?"))
            total = float(entry.get("CapacityUnits", 0))
            self.by_function[function][kind] += total
            parts = {table: float((entry.get("Table") or {}).get("CapacityUnits", total))}
            for index, used in (entry.get("GlobalSecondaryIndexes") or {}).items():
                parts[f"{table}/{index}"] = float(used.get("CapacityUnits", 0))
            for index, used in (entry.get("LocalSecondaryIndexes") or {}).items():
                parts[f"{table}/{index}"] = float(used.get("CapacityUnits", 0))
            for name, units in parts.items():
                self.by_table[name][kind] += units

    @staticmethod
    def _transaction(params: dict[str, Any], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """AWS bills every item of a transaction: 2 units per KB of each item, not per distinct value."""
        computed: dict[str, int] = defaultdict(int)
        for action in params.get("TransactItems", []):
            ((kind, body),) = action.items()
            if kind == "Put":
                computed[body["TableName"]] += write_units(item_size(body["Item"]), transactional=True)
            else:  # size unknown without reading the item: at least one KB
                computed[body["TableName"]] += write_units(0, transactional=True)
        fixed = []
        for entry in entries:
            entry = dict(entry)
            table_units = float((entry.get("Table") or {}).get("CapacityUnits", entry.get("CapacityUnits", 0)))
            better = max(table_units, float(computed.get(entry.get("TableName", ""), 0)))
            indexes = (entry.get("GlobalSecondaryIndexes") or {}).values()
            index_units = sum(float(v.get("CapacityUnits", 0)) for v in indexes)
            entry["Table"] = {"CapacityUnits": better}
            entry["CapacityUnits"] = better + index_units
            fixed.append(entry)
        return fixed

    def totals(self) -> tuple[float, float]:
        """Write and read units of every function so far."""
        return (
            sum(v["write_units"] for v in self.by_function.values()),
            sum(v["read_units"] for v in self.by_function.values()),
        )

    def summary(self, source_records: int) -> dict[str, Any] | None:
        if not self.reported:
            return None  # moto reports no consumed capacity
        write, read = self.totals()
        return {
            "write_units": _round(write),
            "read_units": _round(read),
            "source_records": source_records,
            "write_units_per_source_record": _round(write / source_records) if source_records else None,
            "read_units_per_source_record": _round(read / source_records) if source_records else None,
            "by_function": {
                name: {k: _round(v.get(k, 0.0)) for k in ("write_units", "read_units")}
                for name, v in sorted(self.by_function.items())
            },
            "by_table": {
                name: {k: _round(v.get(k, 0.0)) for k in ("write_units", "read_units")}
                for name, v in sorted(self.by_table.items())
            },
        }


def _round(value: float) -> float:
    return round(value, 3)
