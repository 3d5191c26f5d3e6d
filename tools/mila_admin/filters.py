"""Lambda's event filtering (a mapping's ``FilterCriteria``) on DynamoDB stream records: the subset
of the pattern syntax stream mappings use (values, ``exists``, ``prefix``, ``anything-but``; the
patterns of one mapping ORed, at most 5 on AWS). One implementation for the replay's mappings and
for ``redrive``, which hands a function only the records its mapping would have let through."""

from __future__ import annotations

from typing import Any

MISSING = object()


def passes(patterns: list[dict[str, Any]], record: Any) -> bool:
    """Whether a mapping with these filter patterns delivers the record (none: every record)."""
    return not patterns or any(matches(p, record) for p in patterns)


def matches(pattern: dict[str, Any], event: Any) -> bool:
    for key, rule in pattern.items():
        value = event.get(key, MISSING) if isinstance(event, dict) else MISSING
        if isinstance(rule, dict):
            if not matches(rule, value if isinstance(value, dict) else {}):
                return False
        elif isinstance(rule, list):
            if not any(_matches_value(r, value) for r in rule):
                return False
        elif not _matches_value(rule, value):
            return False
    return True


def _matches_value(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return (value is not MISSING) == bool(rule["exists"])
        if value is MISSING:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return value not in (excluded if isinstance(excluded, list) else [excluded])
        raise ValueError(f"filter rule not supported by the replay: {rule}")
    return value == rule
