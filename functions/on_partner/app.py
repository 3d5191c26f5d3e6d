"""on_partner: partners stream -> the partner's profile in their standing (city, verification: R8.2)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from mila_standing.models import InvalidRecord, Partner
from mila_standing.observability import logger, metrics
from mila_standing.profile import forget_profile, sync_profile
from mila_standing.streams import PartnerChange, image, process_stream


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    if record.event_name and record.event_name.name == "REMOVE":
        partner_id = image(record, "old").get("partner_id")
        if not isinstance(partner_id, str):
            raise InvalidRecord("REMOVE without partner_id in its old image")
        return [PartnerChange(partner_id, forget_profile)]
    partner = Partner.parse(image(record, "new"))
    return [PartnerChange(partner.partner_id, sync_profile(partner))]


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_partner", parse)
