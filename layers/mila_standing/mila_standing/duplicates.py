"""R8.1 / R14.15: one account per partner, decided by identity fingerprints.

Each fingerprint is claimed with a conditional write (FINGERPRINT#<kind>#<value> / OWNER), so
two registrations racing for the same fingerprint cannot both win: the loser sees the owner.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .models import Partner, format_time
from .profile import sync_profile
from .rules import Notice, change_status, statement
from .runtime import Runtime
from .standing import CLOSED, Standing
from .store import to_attrs
from .streams import Judge


def claim_fingerprints(rt: Runtime, partner: Partner) -> list[dict[str, str]]:
    """Claim every fingerprint; returns the ones held by another partner who is not CLOSED."""
    shared = []
    for kind, value in sorted(partner.fingerprints().items()):
        key = {"pk": f"FINGERPRINT#{kind}#{value}", "sk": "OWNER"}
        if rt.store.put_if_absent({**key, "partner_id": partner.partner_id}):
            continue
        owner = (rt.store.get(key["pk"], "OWNER") or {}).get("partner_id")
        if owner in (None, partner.partner_id):
            continue  # a profile update is never a duplicate of itself
        if rt.store.load(owner).status == CLOSED:
            _take_over(rt, key, owner, partner.partner_id)  # a closed account no longer holds it
            continue
        shared.append({"kind": kind, "partner_id": owner})
    return shared


def _take_over(rt: Runtime, key: dict[str, str], previous: str, new: str) -> None:
    try:
        rt.dynamodb.update_item(
            TableName=rt.store.table, Key=to_attrs(key), UpdateExpression="SET partner_id = :new",
            ConditionExpression="partner_id = :old",
            ExpressionAttributeValues={":new": {"S": new}, ":old": {"S": previous}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


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
