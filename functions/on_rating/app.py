"""on_rating: ratings stream -> the partner's rating window (R1) and the immediate warning (R2.2, R2.3).

Suspension never happens here (R2.5): only the nightly check suspends.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.models import InvalidRecord, Rating
from mila_standing.observability import logger, metrics
from mila_standing.rules import apply_rating, evaluate
from mila_standing.standing import RatingEntry
from mila_standing.streams import Change, PartnerChange, image, process_stream


def rating_change(job_id: str, entry: RatingEntry | None) -> Change:
    def apply(standing, judge):  # type: ignore[no-untyped-def]
        if not apply_rating(standing, job_id, entry):
            return []  # a redelivery or a no-op: the window is keyed by job id (R1.3)
        return evaluate(standing, judge(standing), cancellations=False)  # R14.2: the rating rules

    return apply


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    old, new = image(record, "old"), image(record, "new")
    if record.event_name and record.event_name.name == "REMOVE":
        # R1.2: a deleted rating no longer counts. Only the keys are needed from the old image.
        job_id, partner_id = old.get("job_id"), old.get("partner_id")
        if not isinstance(job_id, str) or not isinstance(partner_id, str):
            raise InvalidRecord("REMOVE without job_id and partner_id in its old image")
        return [PartnerChange(partner_id, rating_change(job_id, None))]
    rating = Rating.parse(new)
    entry = None if rating.voided else RatingEntry(rating.stars, rating.rated_at)  # R1.2 voided
    changes = [PartnerChange(rating.partner_id, rating_change(rating.job_id, entry))]
    previous_partner = old.get("partner_id")
    if isinstance(previous_partner, str) and previous_partner != rating.partner_id:
        changes.insert(0, PartnerChange(previous_partner, rating_change(rating.job_id, None)))
    return changes


@logger.inject_lambda_context(log_event=False)  # R11.2: never log the event
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_rating", parse)
