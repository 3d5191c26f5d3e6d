"""on_rating: ratings stream -> the partner's rating window (R1) and the immediate warning (R2.2, R2.3).

Suspension never happens here (R2.5): only the nightly check suspends.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mila_standing.platform.observability import logger, measured
from mila_standing.platform.streams import process_stream
from mila_standing.usecases.ratings import rating_changes


@logger.inject_lambda_context(log_event=False)  # R11.2: never log the event
@measured("on_rating")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_stream(event, context, "on_rating", rating_changes)
