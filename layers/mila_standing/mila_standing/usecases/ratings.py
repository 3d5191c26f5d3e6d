"""The ratings stream (on_rating): what a rating record changes in its partner's rating window (R1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from ..domain.models import InvalidRecord, Rating
from ..domain.standing import RatingEntry
from .changes import PartnerChange, RatingChange, image


def previous_rating(old: dict[str, Any]) -> tuple[datetime | None, bool]:
    """Where the old image put the rating in the window: (its rated_at, or None and whether an
    entry may still be there although the old image cannot say where)."""
    if not old:
        return None, False
    try:
        rating = Rating.parse(old)
    except InvalidRecord:
        return None, True
    return (None, False) if rating.voided else (rating.rated_at, False)


def rating_changes(record: DynamoDBRecord) -> list[PartnerChange]:
    old, new = image(record, "old"), image(record, "new")
    previous_at, look_up = previous_rating(old)
    if record.event_name and record.event_name.name == "REMOVE":
        # R1.2: a deleted rating no longer counts.
        job_id, partner_id = old.get("job_id"), old.get("partner_id")
        if not isinstance(job_id, str) or not isinstance(partner_id, str):
            raise InvalidRecord("REMOVE without job_id and partner_id in its old image")
        return [PartnerChange(partner_id, RatingChange(job_id, None, previous_at, look_up))]
    rating = Rating.parse(new)
    entry = None if rating.voided else RatingEntry(rating.stars, rating.rated_at)  # R1.2 voided
    previous_partner = old.get("partner_id")
    moved = isinstance(previous_partner, str) and previous_partner != rating.partner_id
    changes = [
        PartnerChange(
            rating.partner_id, RatingChange(rating.job_id, entry, None if moved else previous_at, look_up and not moved)
        )
    ]
    if moved:
        changes.insert(0, PartnerChange(str(previous_partner), RatingChange(rating.job_id, None, previous_at, look_up)))
    return changes
