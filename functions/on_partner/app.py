"""on_partner: partners stream -> the partner's profile in their standing (city, verification:
R8.2) and one account per partner (R8.1)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.duplicates import claim_fingerprints, flag_existing, register
from mila_standing.models import InvalidRecord, Partner
from mila_standing.observability import logger, metrics
from mila_standing.profile import forget_profile
from mila_standing.runtime import runtime
from mila_standing.streams import PartnerChange, image, process_stream


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    event = record.event_name.name if record.event_name else ""
    if event == "REMOVE":
        partner_id = image(record, "old").get("partner_id")
        if not isinstance(partner_id, str):
            raise InvalidRecord("REMOVE without partner_id in its old image")
        return [PartnerChange(partner_id, forget_profile)]
    new = image(record, "new")
    try:
        partner = Partner.parse(new)
    except InvalidRecord as invalid:
        partner_id = new.get("partner_id")
        if isinstance(partner_id, str) and partner_id:
            # R14.8: the partner is now without a valid partners record: default policy, not eligible.
            raise InvalidRecord(str(invalid), [PartnerChange(partner_id, forget_profile)]) from None
        raise
    shared = claim_fingerprints(runtime(), partner)
    # R14.15: "newly registered" is an INSERT, or the first valid image of a partner not yet known.
    changes = [PartnerChange(partner.partner_id, register(partner, event == "INSERT", shared))]
    owners: dict[str, list[str]] = {}
    for item in shared:
        owners.setdefault(item["partner_id"], []).append(item["kind"])
    changes += [PartnerChange(owner, flag_existing(partner.partner_id, kinds)) for owner, kinds in owners.items()]
    return changes


@logger.inject_lambda_context(log_event=False)  # partner records carry phone numbers
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_partner", parse)
