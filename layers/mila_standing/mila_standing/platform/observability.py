"""Logger, Metrics and (where it pays) Tracer, built once per cold start (Powertools).

Every metric carries a ``function`` dimension beside ``service`` (``measured``), so that the
RecordsFailed of seven functions do not merge into one; the alarms name it. The Tracer costs a
third more import time at a cold start (aws-xray-sdk patches botocore), so only nightly_check
uses it (``traced``): it runs minutes, once a night, where a trace of its DynamoDB calls helps
and the import does not matter. The stream functions keep Lambda's own segment (Tracing: Active).

Handlers never log their incoming event (records carry customer secrets, R11.2); the logger's
handler writes to whatever ``sys.stdout`` is at the moment, which is Lambda's log stream on AWS
and the replay's log file locally.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics

from ..domain.models import SECRET_FIELD

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "partner-standing")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Mila/PartnerStanding")
REDACTED = "[REDACTED]"


class _CurrentStdout:
    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(service=SERVICE, logger_handler=logging.StreamHandler(_CurrentStdout()))
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# The adapters log with the standard library (``logging.getLogger(__name__)``: they know nothing of
# the platform); their records go through the same handler and Powertools' formatter, so they carry
# the invocation's context like the platform's own lines.
_package = logging.getLogger("mila_standing")
_package.handlers, _package.propagate = list(logger.handlers), False
_package.setLevel(logger.log_level)
FUNCTION_DIMENSION = "function"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def measured(function: str) -> Callable[[Handler], Handler]:
    """``@metrics.log_metrics`` with a ``function`` dimension on every metric of the invocation.
    Set per invocation, not at import: the replay runs every function in one process."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            if metrics.default_dimensions.get(FUNCTION_DIMENSION) != function:
                with warnings.catch_warnings():  # "overwritten": only when the replay switches function
                    warnings.simplefilter("ignore")
                    metrics.set_default_dimensions(**{FUNCTION_DIMENSION: function})
            return handler(event, context)

        return metrics.log_metrics(run)  # type: ignore[return-value]

    return decorate


def traced(handler: Handler) -> Handler:
    """Powertools Tracer around a handler (imported here, so only the functions that use it pay)."""
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service=SERVICE)
    return tracer.capture_lambda_handler(capture_response=False, capture_error=False)(handler)


def redact_secrets(value: Any) -> Any:
    """R11.2 / R14.12: a copy with every access_secrets value replaced by "[REDACTED]".

    Works on stream records (typed {"M": {k: {"S": v}}}) and plain items alike. Powertools'
    DataMasking.erase was tried: its custom mask is cut to the secret's length, which both leaks
    that length and is not the "[REDACTED]" marker ops search for.
    """
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out[key] = _redact_map(inner) if key == SECRET_FIELD else redact_secrets(inner)
        return out
    if isinstance(value, list):
        return [redact_secrets(v) for v in value]
    return value


def _redact_map(secrets: Any) -> Any:
    if isinstance(secrets, dict) and set(secrets) == {"M"} and isinstance(secrets["M"], dict):
        return {"M": {k: {"S": REDACTED} for k in secrets["M"]}}
    if isinstance(secrets, dict):
        return {k: REDACTED for k in secrets}
    return REDACTED
