"""The jobs stream, shared by on_cancel and on_job_completed: the cancellation window (R3),
no-shows (R6), and the removal of customer secrets (R11)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..domain.models import SECRET_FIELD, InvalidRecord, Job
from ..rules import outcome_entry
from .changes import OutcomeChange, PartnerChange, image
from .ports import SecretScrubber

OUTCOME_STATUSES = ("COMPLETED", "CANCELLED", "NO_SHOW")


def is_scrub_echo(record: DynamoDBRecord) -> bool:
    """R11.3 / R14.8: our own write that removed the secrets, recognised and skipped."""
    if not record.event_name or record.event_name.name != "MODIFY":
        return False
    old, new = image(record, "old"), image(record, "new")
    return (
        SECRET_FIELD in old and SECRET_FIELD not in new and {k: v for k, v in old.items() if k != SECRET_FIELD} == new
    )


def previous_outcome(old: dict[str, Any]) -> tuple[datetime | None, bool]:
    """Where the old image put the job in its partner's window: (its outcome time, or None and
    whether an entry may still be there although the old image cannot say where)."""
    if old.get("status") not in OUTCOME_STATUSES:
        return None, False
    try:
        entry = outcome_entry(Job.parse(old))
    except InvalidRecord:
        return None, True
    return (entry.at, False) if entry is not None else (None, False)


def job_changes(record: DynamoDBRecord) -> tuple[Job | None, list[PartnerChange]]:
    """The job's latest image and what it changes in its partners' windows (R3.4)."""
    old, new = image(record, "old"), image(record, "new")
    previous_partner = old.get("partner_id") if isinstance(old.get("partner_id"), str) else None
    previous_at, look_up = previous_outcome(old)
    seq = int(record.dynamodb.sequence_number or 0) if record.dynamodb else 0
    if record.event_name and record.event_name.name == "REMOVE":
        job_id = old.get("job_id")
        if not isinstance(job_id, str):
            raise InvalidRecord("REMOVE without job_id in its old image")
        # R14.9: a deleted job leaves the window and the strikes.
        gone = OutcomeChange(job_id, None, seq, previous_at, look_up)
        return None, [PartnerChange(previous_partner, gone)] if previous_partner else []
    job = Job.parse(new)
    changes = []
    if previous_partner and previous_partner != job.partner_id:
        changes.append(PartnerChange(previous_partner, OutcomeChange(job.job_id, None, seq, previous_at, look_up)))
    if job.partner_id:
        same = previous_partner == job.partner_id
        changes.append(
            PartnerChange(
                job.partner_id,
                OutcomeChange(job.job_id, outcome_entry(job), seq, previous_at if same else None, look_up and same),
            )
        )
    return job, changes


def remove_secrets(jobs: SecretScrubber, record: DynamoDBRecord) -> bool:
    """R11.1 / R14.12: once a job has an outcome its access_secrets go, even on an invalid record.
    True if this record's secrets were removed now."""
    new = image(record, "new")
    job_id, status = new.get("job_id"), new.get("status")
    if SECRET_FIELD not in new or status not in OUTCOME_STATUSES or not isinstance(job_id, str):
        return False
    return jobs.remove_secrets(job_id, str(status))


def parse_job_record(jobs: SecretScrubber, record: DynamoDBRecord) -> tuple[Job | None, list[PartnerChange]]:
    """The job's latest image and its partners' changes (or none: our own scrub coming back, R11.3)."""
    if is_scrub_echo(record):
        return None, []
    try:
        return job_changes(record)
    finally:
        remove_secrets(jobs, record)
