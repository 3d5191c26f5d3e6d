"""What two replay outcomes must agree on: everything SPEC and CONTRACT fix.

Used to compare engines (DynamoDB Local and moto), a run with ``--chaos`` against a calm one,
and two policies (what-if). Stream sequence numbers, event ids and record sizes are the
engine's own and are left out of the dead letters' records; timings and call counts are not
compared.
"""

from __future__ import annotations

from typing import Any

SPEC_KEYS = ("partners", "notices", "ledger", "cities", "invocations", "dead_letters", "logins")
_ENGINE_FIELDS = ("SequenceNumber", "SizeBytes", "ApproximateCreationDateTime")


def record_view(record: dict[str, Any]) -> dict[str, Any]:
    """A stream record without what only the engine decides (sequence number, size, event id)."""
    ddb = {k: v for k, v in (record.get("dynamodb") or {}).items() if k not in _ENGINE_FIELDS}
    return {"eventName": record.get("eventName"), "dynamodb": ddb}


def dead_letter_view(dead: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in dead.items() if k not in ("record", "batch")}
    if isinstance(dead.get("record"), dict):
        view["record"] = record_view(dead["record"])
    return view


def spec_view(outcome: dict[str, Any]) -> dict[str, Any]:
    view = {key: outcome.get(key) for key in SPEC_KEYS}
    view["dead_letters"] = [dead_letter_view(d) for d in outcome.get("dead_letters") or []]
    return view


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Human-readable places where two outcomes differ on SPEC's keys (empty: they agree)."""
    found = []
    va, vb = spec_view(a), spec_view(b)
    for key in SPEC_KEYS:
        if va[key] == vb[key]:
            continue
        left, right = va[key], vb[key]
        if isinstance(left, dict) and isinstance(right, dict):
            for item in sorted(set(left) | set(right)):
                if left.get(item) != right.get(item):
                    found.append(f"{key}.{item}: {left.get(item)!r} != {right.get(item)!r}")
        elif isinstance(left, list) and isinstance(right, list):
            if len(left) != len(right):
                found.append(f"{key}: {len(left)} entries != {len(right)}")
            found += [
                f"{key}[{i}]: {x!r} != {y!r}" for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y
            ][:3]
        else:
            found.append(f"{key}: {left!r} != {right!r}")
    return found
