"""R8.1 / R14.15: one account per partner, decided by identity fingerprints; and the partners
stream (on_partner) that applies them.

Each fingerprint has one item (FINGERPRINT#<kind>#<value> / HOLDERS) with the set of partners
who ever claimed it. A claim is one atomic ADD that returns the set as it was, so of two
registrations racing for the same fingerprint the second always sees the first. A holder counts
while they are not CLOSED and still carry that value (a profile change can give it up, a deleted
record gives all up), or while their own registration is still in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..domain.models import InvalidRecord, Partner
from ..domain.standing import CLOSED, Standing, flag_hash
from ..domain.times import format_time
from ..rules import Judgement, Notice, change_status, statement
from .changes import AChange, Judge, PartnerChange, image
from .profile import ForgetProfile, ProfileChange
from .standings import Standings


def claim_fingerprints(standings: Standings, partner: Partner) -> list[dict[str, str]]:
    """Claim every fingerprint; returns the ones another live partner holds."""
    shared = []
    for kind, value in sorted(partner.fingerprints().items()):
        before = standings.store.claim_fingerprint(kind, value, partner.partner_id)
        for other in sorted(before - {partner.partner_id}):  # never a duplicate of itself
            holder = standings.load(other, windows=frozenset())
            in_flight = not holder.profile_known and not holder.profile_removed  # its record not yet applied
            still_holds = in_flight or (holder.profile_known and holder.fingerprints.get(kind) == value)
            if holder.status != CLOSED and still_holds:
                shared.append({"kind": kind, "partner_id": other})
    return shared


@dataclass
class Registration(AChange):
    """The partner record arrived: profile first (so a closure notice can block the login),
    then CLOSED if newly registered with a shared fingerprint, else flagged (R14.15)."""

    partner: Partner
    insert: bool
    shared: list[dict[str, str]]

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        newly_registered = self.insert or not standing.profile_known
        notices = ProfileChange(self.partner).apply(standing, judge)
        return notices + _close_duplicate(standing, judge, newly_registered, self.shared)


def _close_duplicate(
    standing: Standing, judge: Judge, newly_registered: bool, shared: list[dict[str, str]]
) -> list[Notice]:
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


@dataclass
class FlagExisting(AChange):
    """The existing account is flagged for ops review, not changed (R8.1)."""

    duplicate_id: str
    kinds: list[str] = field(default_factory=list)

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        return _flag(
            standing,
            judge(standing),
            [{"kind": k, "partner_id": self.duplicate_id} for k in self.kinds],
            "a newly registered account shares its identity fingerprints",
        )


def _flag(standing: Standing, j: Judgement, shared: list[dict[str, str]], why: str) -> list[Notice]:
    flag = {"rule": "R8.1", "why": why, "shared": shared}
    digest = flag_hash({"rule": flag["rule"], "shared": shared})
    if digest in standing.flags:
        return []  # redelivery
    standing.flags.append(digest)
    standing.review_flags.append({**flag, "hash": digest, "at": format_time(j.now)})
    return []


def partner_changes(standings: Standings, record: DynamoDBRecord) -> list[PartnerChange]:
    """A partners record: the profile (R8.2, R14.8), and one account per partner (R8.1)."""
    event = record.event_name.name if record.event_name else ""
    if event == "REMOVE":
        partner_id = image(record, "old").get("partner_id")
        if not isinstance(partner_id, str):
            raise InvalidRecord("REMOVE without partner_id in its old image")
        return [PartnerChange(partner_id, ForgetProfile())]
    new = image(record, "new")
    try:
        partner = Partner.parse(new)
    except InvalidRecord as invalid:
        partner_id = new.get("partner_id")
        if isinstance(partner_id, str) and partner_id:
            # R14.8: the partner is now without a valid partners record: default policy, not eligible.
            raise InvalidRecord(str(invalid), [PartnerChange(partner_id, ForgetProfile())]) from None
        raise
    shared = claim_fingerprints(standings, partner)
    # R14.15: "newly registered" is an INSERT, or the first valid image of a partner not yet known.
    changes = [PartnerChange(partner.partner_id, Registration(partner, event == "INSERT", shared))]
    owners: dict[str, list[str]] = {}
    for item in shared:
        owners.setdefault(item["partner_id"], []).append(item["kind"])
    changes += [PartnerChange(owner, FlagExisting(partner.partner_id, kinds)) for owner, kinds in owners.items()]
    return changes
