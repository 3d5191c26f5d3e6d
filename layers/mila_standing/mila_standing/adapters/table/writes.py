"""What a save writes (a ``ChangeSet`` as the standing table's writes), whatever holds the table.

Entries alone go as small writes of their own: ratings unconditionally (keyed by job and time),
outcomes on the condition that they only move forward in their job's stream (R3.4: never over a
newer image). When the aggregate changes, the aggregate (conditional on the revision read), the
entries, the new notices, decisions, flags and records go together: one transaction when anything
was decided (a transactional outbox, R13: a decision and what it was decided on are never half
stored), or the aggregate first and then the entries when nothing was (a retry re-derives the same
aggregate from the same records, so the two need no transaction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...domain.standing import GONE, OutcomeEntry
from ...usecases.ports import ChangeSet
from . import items, keys


@dataclass(frozen=True)
class Condition:
    """``new``: the item must not exist; ``revision``: the stored revision must be this one;
    ``seq_at_most``: the item must not exist or carry a stream sequence number at most this."""

    new: bool = False
    revision: str | None = None
    seq_at_most: int | None = None


@dataclass(frozen=True)
class Put:
    item: dict[str, Any]
    condition: Condition | None = None


@dataclass(frozen=True)
class Delete:
    key: dict[str, Any]


Write = Put | Delete


@dataclass
class SavePlan:
    entries: list[Write]  # window entries
    aggregate: Put | None = None  # None: only entries changed
    decided: list[Put] = field(default_factory=list)  # notices, decisions, flags, records: with the aggregate
    revision: str | None = None  # the aggregate's revision once saved
    city_changed: bool = False  # the partner's city is new: list it among the cities the night plans

    @property
    def transactional(self) -> bool:
        return self.aggregate is not None and bool(self.decided)


def plan_save(change: ChangeSet) -> SavePlan:
    standing, before = change.standing, change.before
    pid = standing.partner_id
    entries: list[Write] = []
    for job, rated, rerated in change.rating_writes():
        if rated is not None and (rerated is None or rerated.rated_at != rated.rated_at):
            entries.append(Delete({"pk": keys.partner_key(pid), "sk": keys.rating_key(job, rated.rated_at)}))
        if rerated is not None:
            entries.append(Put(items.rating_item(pid, job, rerated)))
    for job, was, moved in change.outcome_writes():
        if was is not None and was.at != moved.at:  # it moved: a marker where it was (R3.4)
            entries.append(_entry(items.outcome_item(pid, job, OutcomeEntry(GONE, was.at, seq=moved.seq))))
        entries.append(_entry(items.outcome_item(pid, job, moved)))
    decided = [Put(items.notice_item(n)) for n in change.notices]
    decided += [Put(items.decision_item(pid, d)) for d in standing.decisions]
    decided += [Put(items.flag_item(pid, f)) for f in standing.review_flags]
    records = [Put(items.record_item(pid, r)) for r in change.records]
    content = standing.to_item()
    if before.aggregate == content and not decided and not records and not change.always:
        return SavePlan(entries, revision=standing.revision)
    aggregate = items.aggregate_item(standing)
    condition = Condition(new=True) if standing.revision is None else Condition(revision=standing.revision)
    city_changed = before.aggregate is None or before.aggregate.get("city") != standing.city
    return SavePlan(entries, Put(aggregate, condition), decided + records, aggregate["revision"], city_changed)


def _entry(item: dict[str, Any]) -> Put:
    """An entry only ever moves forward in the job's stream (R3.4): never over a newer image."""
    return Put(item, Condition(seq_at_most=int(item["seq"])))
