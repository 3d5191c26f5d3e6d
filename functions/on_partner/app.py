"""on_partner: partners stream -> the partner's profile in their standing (city, verification:
R8.2) and one account per partner (R8.1)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.duplicates import partner_changes
from mila_standing.observability import logger, measured
from mila_standing.streams import process_stream


@logger.inject_lambda_context(log_event=False)  # partner records carry phone numbers
@measured("on_partner")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_partner", partner_changes)
