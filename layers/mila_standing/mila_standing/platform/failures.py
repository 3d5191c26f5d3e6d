"""Whether a retry can help: the one place that tells a transient failure from bad input.

A stream record is retried only when the failure can go away by itself: throttling, timeouts,
a conflicting writer, a service error, or an environment that is not ready (permissions, a
table not yet there: not the record's fault, and the iterator-age alarm shows it). Anything else
fails the same way on every retry - a value out of range after validation, a key or item
DynamoDB refuses (``ValidationException``), a conversion that overflows, a bug - and retrying it
only takes the good records after it down with it (issue 12). Such a record is bad input: it
goes to the failure destination at once, with its reason, and the batch goes on.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)

from ..domain.models import SECRET_FIELD
from ..usecases.ports import Conflict
from .observability import REDACTED

# botocore error codes a retry can clear (DynamoDB, SQS, EventBridge, Cognito, STS).
TRANSIENT_CODES = frozenset(
    {
        # throttling
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "KMSThrottlingException",
        # conflicts: another writer got there first; read again, decide again
        "ConditionalCheckFailedException",
        "TransactionConflictException",
        "TransactionInProgressException",
        # timeouts and service errors
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalServerError",
        "InternalFailure",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "AWS.SimpleQueueService.ServiceUnavailable",
        # the environment, not the record: fixed by a deployment, then the retry succeeds
        "AccessDeniedException",
        "AccessDenied",
        "UnrecognizedClientException",
        "ExpiredTokenException",
        "ResourceNotFoundException",
        "AWS.SimpleQueueService.NonExistentQueue",
    }
)
# Reasons inside a cancelled transaction that a retry can clear; any other (ValidationError,
# ItemCollectionSizeLimitExceeded) fails again.
TRANSIENT_CANCELLATIONS = frozenset(
    {
        "None",
        "ConditionalCheckFailed",
        "TransactionConflict",
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
    }
)
TRANSIENT_BUILTINS: tuple[type[BaseException], ...] = (
    TimeoutError,
    ConnectionError,
    HTTPClientError,
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
    NoCredentialsError,
)


def is_transient(error: BaseException) -> bool:
    """True if retrying the same record can succeed; False if it is bad input (deterministic)."""
    if isinstance(error, (Conflict, *TRANSIENT_BUILTINS)):  # Conflict: the unit of work's retries ran out
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            reasons = error.response.get("CancellationReasons") or []
            return all(str(r.get("Code", "None")) in TRANSIENT_CANCELLATIONS for r in reasons)
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in TRANSIENT_CODES or (isinstance(status, int) and status >= 500)
    return False


def reason_of(error: BaseException, secrets: Iterable[str] = ()) -> str:
    """What went wrong, for the failure message and the log: the exception's type and message
    and where it was raised, with every secret value of the record replaced (R11.2, R14.12)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    text = f"{type(error).__name__}: {error}{where}"
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def secret_values(value: Any) -> list[str]:
    """Every access_secrets value in a record, typed (stream) or plain, for reason_of."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == SECRET_FIELD:
                found += _strings(inner)
            else:
                found += secret_values(inner)
    elif isinstance(value, list):
        for inner in value:
            found += secret_values(inner)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for inner in value.values() for s in _strings(inner)]
    if isinstance(value, list):
        return [s for inner in value for s in _strings(inner)]
    return []
