"""A replay history rebuilt from a snapshot of the platform's tables (``mila-standing import``).

An export is a snapshot: each item as it is now, not the writes that led there. The history is
rebuilt from the items' own times: a partner appears at ``created_at``, a job is requested at
``created_at``, accepted at ``accepted_at`` and ends at ``completed_at`` / ``cancelled_at`` /
``reported_at``, a rating arrives at ``rated_at``; a ``nightly_check`` runs every night at the
schedule's hour. What the snapshot cannot tell (earlier versions of an item, deletions, the time
of a payment, ops' calls) is counted in ``Reconstruction.gaps``, never silently invented.

Pure: plain items in, scenario lines out (CONTRACT §4); no AWS, no files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from mila_standing.domain.times import format_time, parse_time

NIGHTLY_AT = time(2, 0, tzinfo=UTC)  # template.yaml's NightlySchedule default, cron(0 2 * * ? *)
FINAL_STATES = {"COMPLETED": "completed_at", "CANCELLED": "cancelled_at", "NO_SHOW": "reported_at"}
JOB_STATES = ("REQUESTED", "ACCEPTED", *FINAL_STATES)
# Fields a job gains only with its outcome (or payment): left out of its earlier states.
OUTCOME_FIELDS = (
    "completed_at",
    "cancelled_at",
    "cancelled_by",
    "reported_at",
    "support_informed_at",
    "payment_status",
)
TABLE_ORDER = {"partners": 0, "jobs": 1, "ratings": 2}
# Always true of a snapshot, whatever its content: said once in every import's summary.
NOT_IN_A_SNAPSHOT = (
    "earlier versions of an item (a changed rating, a job's address) and deleted items",
    "ops' calls (incidents R7, reinstatements R12.4, decisions R12.3): they are not in the platform's tables",
)


Event = tuple[datetime, int, int, dict[str, Any]]
"""(time, table order, arrival, scenario line body): sorted, the history's lines."""


@dataclass(frozen=True)
class SourceItem:
    """One item of an export, where it came from (for naming it when it is bad)."""

    table: str
    item: dict[str, Any]
    where: str  # file:line


@dataclass
class Reconstruction:
    lines: list[dict[str, Any]] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)  # items read per table
    gaps: dict[str, int] = field(default_factory=dict)  # what could not be reconstructed: counts
    bad_items: list[dict[str, str]] = field(default_factory=list)  # {"table", "where", "reason"}
    nights: int = 0

    def gap(self, what: str) -> None:
        self.gaps[what] = self.gaps.get(what, 0) + 1

    def summary(self) -> dict[str, Any]:
        return {
            "items": dict(sorted(self.items.items())),
            "events": len(self.lines),
            "nightly_checks": self.nights,
            "not_reconstructed": dict(sorted(self.gaps.items())),
            "not_in_a_snapshot": list(NOT_IN_A_SNAPSHOT),
            "bad_items": {"count": len(self.bad_items), "items": self.bad_items},
        }


class BadItem(ValueError):
    """An item the history cannot place: counted and listed, never fatal."""


def _time(item: dict[str, Any], name: str) -> datetime | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as error:
        raise BadItem(f"{name}: {error}") from None


def _key(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise BadItem(f"{name}: required, a non-empty string")
    return value


def rebuild(items: list[SourceItem]) -> Reconstruction:
    """Scenario lines in time order for every item that can be placed, then a nightly check each night."""
    result = Reconstruction()
    events: list[Event] = []
    undated_partners: list[dict[str, Any]] = []
    for source in items:
        result.items[source.table] = result.items.get(source.table, 0) + 1
        try:
            placed = _place(source, result)
        except BadItem as error:
            result.bad_items.append({"table": source.table, "where": source.where, "reason": str(error)})
            continue
        for at, item in placed:
            if at is None:
                undated_partners.append(item)
            else:
                events.append(
                    (at, TABLE_ORDER[source.table], len(events), {"put": {"table": source.table, "item": item}})
                )
    if not events and not undated_partners:
        return result
    first = min(e[0] for e in events) if events else datetime.now(UTC)
    for item in undated_partners:
        events.append((first, -1, len(events), {"put": {"table": "partners", "item": item}}))
    _nightly_checks(events, first, result)
    events.sort(key=lambda event: event[:3])
    result.lines = [{"at": format_time(at), **body} for at, _, _, body in events]
    return result


def _place(source: SourceItem, result: Reconstruction) -> Sequence[tuple[datetime | None, dict[str, Any]]]:
    """Each state of the item with its time (None: a partner without created_at, placed at the
    start of the history). BadItem when it cannot be placed."""
    if "__bad__" in source.item:  # the export's reader could not read it as an item
        raise BadItem(source.item["__bad__"])
    if source.table == "partners":
        _key(source.item, "partner_id")
        created = _time(source.item, "created_at")
        if created is None:
            result.gap("partners without created_at: placed at the start of the history")
        return [(created, source.item)]
    if source.table == "jobs":
        return _job_states(source.item, result)
    _key(source.item, "job_id")
    rated = _time(source.item, "rated_at")
    if rated is None:
        raise BadItem("rated_at: required to place a rating in time")
    if source.item.get("voided") is True:
        result.gap("voided ratings: only the voided version is known (the rating never counts)")
    return [(rated, source.item)]


def _nightly_checks(
    events: list[tuple[datetime, int, int, dict[str, Any]]], first: datetime, result: Reconstruction
) -> None:
    """A nightly check every night at the schedule's hour, from the first job or rating on."""
    last = max(e[0] for e in events)
    # Nights start with the first job or rating: partners registered years before have nothing to judge.
    activity = [e[0] for e in events if e[1] > TABLE_ORDER["partners"]]
    begins = min(activity or [first])
    night = datetime.combine(begins.date(), NIGHTLY_AT)
    if night < begins:
        night += timedelta(days=1)
    # Every night until the night after the last event, so that the last day is judged too.
    while night <= last + timedelta(days=1):
        events.append((night, 9, len(events), {"invoke": {"function": "nightly_check", "event": {}}}))
        result.nights += 1
        night += timedelta(days=1)


def _job_states(job: dict[str, Any], result: Reconstruction) -> list[tuple[datetime, dict[str, Any]]]:
    """A job's states in order, each as the item looked then (R3.1: outcome at its own time)."""
    _key(job, "job_id")
    status = job.get("status")
    if status not in JOB_STATES:
        raise BadItem(f"status: {status!r} is not one of {', '.join(JOB_STATES)}")
    created, accepted = _time(job, "created_at"), _time(job, "accepted_at")
    scheduled = _time(job, "scheduled_at")
    ended = _time(job, FINAL_STATES[status]) if status in FINAL_STATES else None
    known = [t for t in (created, accepted, ended, scheduled) if t is not None]
    if not known:
        raise BadItem("no time at all (created_at, accepted_at, scheduled_at, outcome time)")
    if created is None:
        result.gap("jobs without created_at: requested at their first known time")
        created = min(known)
    if status == "REQUESTED":
        return [(created, job)]
    requested = {k: v for k, v in job.items() if k not in (*OUTCOME_FIELDS, "partner_id", "accepted_at")}
    states = [(created, {**requested, "status": "REQUESTED"})]
    if status == "ACCEPTED" or job.get("partner_id") is not None:
        states.append(_accepted(job, status, accepted, created, result))
    if status == "ACCEPTED":
        return states
    return states + _ended(job, status, ended, scheduled, states[-1][0], result)


def _accepted(
    job: dict[str, Any], status: str, accepted: datetime | None, created: datetime, result: Reconstruction
) -> tuple[datetime, dict[str, Any]]:
    if accepted is None:
        result.gap("jobs without accepted_at: accepted when requested")
        accepted = created
    accepted_item = {**{k: v for k, v in job.items() if k not in OUTCOME_FIELDS}, "status": "ACCEPTED"}
    return (max(accepted, created), accepted_item if status != "ACCEPTED" else job)


def _ended(
    job: dict[str, Any],
    status: str,
    ended: datetime | None,
    scheduled: datetime | None,
    previous: datetime,
    result: Reconstruction,
) -> list[tuple[datetime, dict[str, Any]]]:
    """A finished job's last state (after a paid one, if it was refunded), never before ``previous``."""
    if ended is None:
        # docs/decisions.md R3.1: a finished job without its outcome time is ordered by scheduled_at.
        result.gap(f"{status.lower()} jobs without {FINAL_STATES[status]}: ended at scheduled_at")
        ended = scheduled or previous
    ended = max(ended, previous)
    payment = job.get("payment_status")
    states = []
    if payment == "REFUNDED":
        # R10: a refund reverses a commission taken when the job was paid; the snapshot keeps neither time.
        result.gap("refunded jobs: paid and refunded at completion (times unknown)")
        states.append((ended, {**job, "payment_status": "PAID"}))
    elif payment is not None and status == "COMPLETED":
        result.gap("payments: time unknown, applied at completion")
    states.append((ended, job))
    return states
