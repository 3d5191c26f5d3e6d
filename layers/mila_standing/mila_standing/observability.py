"""Logger and Metrics, built once per cold start (Powertools).

Handlers never log their incoming event (records carry customer secrets, R11.2); the logger's
handler writes to whatever ``sys.stdout`` is at the moment, which is Lambda's log stream on AWS
and the replay's log file locally.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from aws_lambda_powertools import Logger, Metrics

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "partner-standing")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Mila/PartnerStanding")
REDACTED = "[REDACTED]"
SECRET_FIELD = "access_secrets"


class _CurrentStdout:
    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(service=SERVICE, logger_handler=logging.StreamHandler(_CurrentStdout()))
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


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
