"""The unit of work: one partner's changes applied, judged and saved together.

Read the standing with what the changes need (the aggregate, the newest window entries and the
entries the changes touch), apply the changes in order (each asks the rule core), then save what
changed in one conditional write: conditional on the revision that was read, so two writers can
never both decide on the same standing. Every new notice is saved with its message (R13.1, R13.2:
``messages.compose``). On a conflict the whole cycle runs again on a fresh read
("read again, decide again"): the changes are idempotent by job id (R1.3, R3.4), so applying them
to a standing that already holds some of them changes nothing twice.

A batch that brings one partner more items than a DynamoDB transaction holds is saved in a few
writes (``FLUSH_AT``); the changes already saved are not applied again after a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.standing import Standing
from ..rules import Notice
from .changes import Change, Judge
from .messages import compose
from .ports import ChangeSet, Conflict, ReadPlan, Snapshot, StandingStore, WindowSizes

MAX_CONFLICT_RETRIES = 4
FLUSH_AT = 80  # items of one save before a transaction could outgrow DynamoDB's limit of 100


def read_plan(changes: Sequence[Change], sizes: WindowSizes | None) -> ReadPlan:
    """What the changes need read: their windows, the entries they touch, room for what they add."""
    windows = frozenset().union(*(c.windows for c in changes)) if changes else frozenset()
    hints = tuple(h for c in changes for h in c.hints())
    extra = {w: sum(1 for c in changes if w in c.windows) for w in windows}
    return ReadPlan(windows, hints, extra, sizes)


@dataclass
class UnitOfWork:
    store: StandingStore
    judge: Judge
    sizes: WindowSizes | None = None

    def apply(self, partner_id: str, changes: Sequence[Change], first_read: Standing | None = None) -> list[Notice]:
        """Apply ``changes`` in order to the partner's standing and save what changed; returns the
        notices decided. ``first_read``: a standing the caller read already (the night)."""
        plan = read_plan(changes, self.sizes)
        notices: list[Notice] = []
        done = 0
        for _attempt in range(MAX_CONFLICT_RETRIES):
            standing = first_read if first_read is not None else self.store.load(partner_id, plan)
            first_read = None
            before, pending = Snapshot.of(standing), []
            try:
                for index in range(done, len(changes)):
                    pending += changes[index].apply(standing, self.judge)
                    if index + 1 < len(changes) and ChangeSet(standing, before, pending).items() >= FLUSH_AT:
                        self._save(ChangeSet(standing, before, pending))
                        notices += pending
                        done, before, pending = index + 1, Snapshot.of(standing), []
                records = [r for c in changes for r in c.records(standing)]
                self._save(ChangeSet(standing, before, pending, records, always=any(c.always_save for c in changes)))
                return notices + pending
            except Conflict:
                continue  # read again; the changes already saved are in what we read
        raise Conflict(partner_id)

    def _save(self, change: ChangeSet) -> None:
        if change.notices:  # R13.1, R13.2: every notice is stored with its words
            policy = self.judge(change.standing).policy
            for notice in change.notices:
                compose(notice, change.standing, policy)
        change.standing.revision = self.store.save(change)
        change.standing.decisions, change.standing.review_flags = [], []  # written: forgotten
