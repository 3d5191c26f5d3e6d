"""on_partner: partners stream -> the partner's profile in their standing (city, verification:
R8.2) and one account per partner (R8.1)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform.observability import logger, measured
from mila_standing.platform.runtime import runtime
from mila_standing.platform.streams import process_stream
from mila_standing.usecases.changes import PartnerChange
from mila_standing.usecases.partners import partner_changes


def parse(record: DynamoDBRecord) -> list[PartnerChange]:
    return partner_changes(runtime().standings, record)


@logger.inject_lambda_context(log_event=False)  # partner records carry phone numbers
@measured("on_partner")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_partner", parse)
