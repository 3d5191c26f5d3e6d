"""R8.1 / R14.15: one account per partner, decided by identity fingerprints.

Each fingerprint has one item (FINGERPRINT#<kind>#<value> / HOLDERS) with the set of partners
who ever claimed it. A claim is one atomic ADD that returns the set as it was, so of two
registrations racing for the same fingerprint the second always sees the first. A holder counts
while they are not CLOSED and still carry that value (a profile change can give it up, a deleted
record gives all up), or while their own registration is still in flight.
"""

from __future__ import annotations

from typing import Any

from .models import Partner, format_time
from .profile import sync_profile
from .rules import Notice, change_status, statement
from .runtime import Runtime
from .standing import CLOSED, Standing
from .streams import Judge


def claim_fingerprints(rt: Runtime, partner: Partner) -> list[dict[str, str]]:
    """Claim every fingerprint; returns the ones another live partner holds."""
    shared = []
    for kind, value in sorted(partner.fingerprints().items()):
        answer = rt.dynamodb.update_item(
            TableName=rt.store.table,
            Key={"pk": {"S": f"FINGERPRINT#{kind}#{value}"}, "sk": {"S": "HOLDERS"}},
            UpdateExpression="ADD holders :me",
            ExpressionAttributeValues={":me": {"SS": [partner.partner_id]}},
            ReturnValues="UPDATED_OLD",
        )
        before = set(answer.get("Attributes", {}).get("holders", {}).get("SS", []))
        for other in sorted(before - {partner.partner_id}):  # never a duplicate of itself
            holder = rt.store.load(other)
            in_flight = not holder.profile_known and not holder.profile_removed  # its record not yet applied
            still_holds = in_flight or (holder.profile_known and holder.fingerprints.get(kind) == value)
            if holder.status != CLOSED and still_holds:
                shared.append({"kind": kind, "partner_id": other})
    return shared


def register(partner: Partner, insert: bool, shared: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    """The partner record arrived: profile first (so a closure notice can block the login),
    then CLOSED if newly registered with a shared fingerprint, else flagged (R14.15)."""

    def apply(standing: Standing, judge: Judge) -> list[Notice]:
        newly_registered = insert or not standing.profile_known
        notices = sync_profile(partner)(standing, judge)
        return notices + _close_duplicate(standing, judge, newly_registered, shared)

    return apply


def _close_duplicate(standing: Standing, judge: Judge, newly_registered: bool,
                 shared: list[dict[str, str]]) -> list[Notice]:
    if not shared:
        return []
    j = judge(standing)
    reasons = statement("R8.1", j, {"shared_fingerprints": shared}, {})
    if not newly_registered:
        return _flag(standing, j, shared, "profile change adds a fingerprint held by another partner")
    if standing.status == CLOSED:
        return []
    standing.legal_action = False
    standing.pending_decision = None
    return [change_status(standing, j, CLOSED, "DUPLICATE_ACCOUNT", reasons)]


def flag_existing(duplicate_id: str, kinds: list[str]):  # type: ignore[no-untyped-def]
    """The existing account is flagged for ops review, not changed (R8.1)."""

    def apply(standing: Standing, judge: Judge) -> list[Notice]:
        return _flag(standing, judge(standing), [{"kind": k, "partner_id": duplicate_id} for k in kinds],
                     "a newly registered account shares its identity fingerprints")

    return apply


def _flag(standing: Standing, j: Any, shared: list[dict[str, str]], why: str) -> list[Notice]:
    flag = {"rule": "R8.1", "why": why, "shared": shared}
    if any(f.get("rule") == flag["rule"] and f.get("shared") == shared for f in standing.review_flags):
        return []  # redelivery
    standing.review_flags.append({**flag, "at": format_time(j.now)})
    return []
