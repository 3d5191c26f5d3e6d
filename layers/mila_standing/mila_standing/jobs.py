"""The jobs stream, shared by on_cancel and on_job_completed: the cancellation window (R3),
no-shows (R6), and the removal of customer secrets (R11)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from botocore.exceptions import ClientError

from .models import InvalidRecord, Job
from .observability import SECRET_FIELD, logger
from .rules import apply_outcome, evaluate, no_show_ladder, outcome_entry
from .runtime import Runtime
from .standing import OutcomeEntry
from .streams import Change, PartnerChange, image

OUTCOME_STATUSES = ("COMPLETED", "CANCELLED", "NO_SHOW")


def is_scrub_echo(record: DynamoDBRecord) -> bool:
    """R11.3 / R14.8: our own write that removed the secrets, recognised and skipped."""
    if not record.event_name or record.event_name.name != "MODIFY":
        return False
    old, new = image(record, "old"), image(record, "new")
    return SECRET_FIELD in old and SECRET_FIELD not in new and \
        {k: v for k, v in old.items() if k != SECRET_FIELD} == new


def outcome_change(job_id: str, entry: OutcomeEntry | None, seq: int) -> Change:
    def apply(standing, judge):  # type: ignore[no-untyped-def]
        changed, new_strike = apply_outcome(standing, job_id, entry, seq)
        if not changed:
            return []  # redelivered, or a payment-only update (R14.2)
        j = judge(standing)
        notices = no_show_ladder(standing, j, job_id) if new_strike else []  # R6.2, R6.3
        return notices + evaluate(standing, j, ratings=False)  # R14.2: the cancellation rules (R5.2)

    return apply


def job_changes(record: DynamoDBRecord) -> tuple[Job | None, list[PartnerChange]]:
    """The job's latest image and what it changes in its partners' windows (R3.4)."""
    old, new = image(record, "old"), image(record, "new")
    previous_partner = old.get("partner_id") if isinstance(old.get("partner_id"), str) else None
    seq = int(record.dynamodb.sequence_number or 0) if record.dynamodb else 0
    if record.event_name and record.event_name.name == "REMOVE":
        job_id = old.get("job_id")
        if not isinstance(job_id, str):
            raise InvalidRecord("REMOVE without job_id in its old image")
        # R14.9: a deleted job leaves the window and the strikes.
        return None, [PartnerChange(previous_partner, outcome_change(job_id, None, seq))] if previous_partner else []
    job = Job.parse(new)
    changes = []
    if previous_partner and previous_partner != job.partner_id:
        changes.append(PartnerChange(previous_partner, outcome_change(job.job_id, None, seq)))
    if job.partner_id:
        changes.append(PartnerChange(job.partner_id, outcome_change(job.job_id, outcome_entry(job), seq)))
    return job, changes


def remove_secrets(rt: Runtime, record: DynamoDBRecord) -> None:
    """R11.1 / R14.12: once a job has an outcome its access_secrets go, even on an invalid record.

    The condition keeps the write from resurrecting a deleted job or touching a job whose status
    moved on meanwhile (the newer image is scrubbed when it arrives)."""
    new = image(record, "new")
    job_id, status = new.get("job_id"), new.get("status")
    if SECRET_FIELD not in new or status not in OUTCOME_STATUSES or not isinstance(job_id, str):
        return
    if not rt.settings.jobs_table:
        logger.warning("JOBS_TABLE not configured: cannot remove a finished job's secrets")
        return
    try:
        rt.dynamodb.update_item(
            TableName=rt.settings.jobs_table,
            Key={"job_id": {"S": job_id}},
            UpdateExpression="REMOVE #secrets",
            ConditionExpression="attribute_exists(#secrets) AND #status = :status",
            ExpressionAttributeNames={"#secrets": SECRET_FIELD, "#status": "status"},
            ExpressionAttributeValues={":status": {"S": status}},
        )
        logger.info("removed a finished job's access secrets", extra={"job_id": job_id})
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def parse_job_record(rt: Runtime, record: DynamoDBRecord) -> tuple[Job | None, list[PartnerChange]]:
    if is_scrub_echo(record):
        return None, []
    try:
        return job_changes(record)
    finally:
        remove_secrets(rt, record)


