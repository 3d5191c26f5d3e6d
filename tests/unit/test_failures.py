"""Issue 12: one classification of failures (failures.is_transient), and R14.13's limits up front."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError, ReadTimeoutError
from mila_standing.adapters.memory import MemoryStandingStore
from mila_standing.domain.models import InvalidRecord, Job, Partner, Rating
from mila_standing.domain.policy import Policy
from mila_standing.platform.failures import is_transient, reason_of, secret_values
from mila_standing.usecases import ops
from mila_standing.usecases.ports import Conflict
from mila_standing.usecases.standings import Standings


def client_error(code: str, status: int = 400, reasons: list[str] | None = None) -> ClientError:
    response: dict = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": r} for r in reasons]
    return ClientError(response, "PutItem")


@pytest.mark.parametrize(
    "error",
    [
        client_error("ProvisionedThroughputExceededException"),
        client_error("ThrottlingException"),
        client_error("RequestLimitExceeded"),
        client_error("TransactionConflictException"),
        client_error("ConditionalCheckFailedException"),
        client_error("InternalServerError", 500),
        client_error("SomethingNew", 503),
        client_error("TransactionCanceledException", reasons=["None", "ConditionalCheckFailed"]),
        client_error("TransactionCanceledException", reasons=["ThrottlingError", "None"]),
        client_error("AccessDeniedException"),  # the environment, not the record
        Conflict("p1"),
        ReadTimeoutError(endpoint_url="http://x"),
        EndpointConnectionError(endpoint_url="http://x"),
        TimeoutError(),
    ],
    ids=lambda e: type(e).__name__ + (f":{e.response['Error']['Code']}" if isinstance(e, ClientError) else ""),
)
def test_issue_12_throttling_timeouts_conflicts_and_service_errors_are_retried(error):
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        client_error("ValidationException"),  # a key or item DynamoDB refuses
        client_error("TransactionCanceledException", reasons=["None", "ValidationError"]),
        client_error("ItemCollectionSizeLimitExceededException"),
        ParamValidationError(report="bad"),
        OverflowError("date value out of range"),
        decimal.Rounded(),
        decimal.InvalidOperation(),
        KeyError("status"),
        ValueError("x"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_issue_12_what_fails_the_same_way_every_time_is_bad_input(error):
    assert not is_transient(error)


def test_r14_12_a_reason_never_carries_a_secret_value():
    record = {"dynamodb": {"NewImage": {"access_secrets": {"M": {"wifi": {"S": "hunter2"}}}}}}
    try:
        raise ValueError("cannot read 'hunter2' as a number")
    except ValueError as error:
        reason = reason_of(error, secret_values(record))
    assert "hunter2" not in reason and "[REDACTED]" in reason and reason.startswith("ValueError:")
    assert "test_failures.py" in reason  # where it was raised, for whoever reads the dead letter


# --- R14.13 to DynamoDB's and the ledger's limits ------------------------------------------------

RATING = {"job_id": "j1", "partner_id": "p1", "stars": 4, "rated_at": "2026-03-02T09:00:00Z"}
JOB = {
    "job_id": "j1",
    "city": "berlin",
    "status": "COMPLETED",
    "partner_id": "p1",
    "scheduled_at": "2026-03-02T09:00:00Z",
    "payment_status": "PAID",
    "price_cents": 1030,
}
PARTNER = {"partner_id": "p1", "city": "berlin", "verified": True}


@pytest.mark.parametrize(
    "item, reason",
    [
        ({**RATING, "rated_at": "0001-01-01T00:00:00+05:00"}, "cannot be converted to UTC"),
        ({**RATING, "rated_at": "9999-12-31T23:59:59-05:00"}, "cannot be converted to UTC"),
        ({**RATING, "rated_at": "2200-01-01T00:00:00Z"}, "outside 2000-2099"),
        ({**RATING, "rated_at": "1970-01-01T00:00:00Z"}, "outside 2000-2099"),
        ({**RATING, "partner_id": "p" * 129}, "partner_id: must be at most 128 bytes"),
        ({**RATING, "job_id": "ü" * 65}, "job_id: must be at most 128 bytes"),  # bytes, not characters
        ({**RATING, "stars": decimal.Decimal("Infinity")}, "stars"),
    ],
)
def test_r14_13_ratings_beyond_the_limits_are_invalid_records(item, reason):
    with pytest.raises(InvalidRecord, match=reason):
        Rating.parse(item)


def test_r14_13_the_edges_of_the_limits_pass():
    assert Rating.parse({**RATING, "partner_id": "p" * 128, "rated_at": "2000-01-01T00:00:00Z"})
    assert Rating.parse({**RATING, "rated_at": "2099-12-31T23:59:59.999999Z"})
    assert Job.parse({**JOB, "price_cents": 10**12}).price_cents == 10**12


@pytest.mark.parametrize(
    "item, reason",
    [
        ({**JOB, "price_cents": 10**12 + 1}, "price_cents: must be at most"),
        ({**JOB, "price_cents": decimal.Decimal("1E+40")}, "price_cents: must be at most"),
        ({**JOB, "price_cents": decimal.Decimal("NaN")}, "price_cents: must be a whole number"),
        ({**JOB, "currency": "E" * 17}, "currency: must be at most 16"),
    ],
)
def test_r14_13_amounts_the_ledger_cannot_hold_are_invalid(item, reason):
    with pytest.raises(InvalidRecord, match=reason):
        Job.parse(item)


@pytest.mark.parametrize(
    "item, reason",
    [
        ({**PARTNER, "phone": "9" * 513}, "phone: must be at most 512 bytes"),
        ({**PARTNER, "city": "a" * 65}, "city: must be a lower-case city slug of at most 64"),
        ({**PARTNER, "user_pool_username": "u" * 129}, "user_pool_username: must be at most 128"),
    ],
)
def test_r14_13_partners_beyond_key_limits_are_invalid(item, reason):
    with pytest.raises(InvalidRecord, match=reason):
        Partner.parse(item)


@pytest.mark.parametrize(
    "event, field",
    [
        (
            {"action": "report_incident", "partner_id": "p1", "category": "CONDUCT", "actor": "a", "note": "n" * 2001},
            "note",
        ),
        ({"action": "reinstate", "partner_id": "p1", "actor": "a", "reason": "r" * 1001}, "reason"),
        ({"action": "decide", "partner_id": "p1", "approve": True, "actor": "a" * 129}, "actor"),
        ({"action": "explain", "partner_id": "p" * 129}, "partner_id"),
        ({"action": "report_incident", "partner_id": "p1", "category": "C" * 65, "actor": "a"}, "category"),
    ],
)
def test_r14_13_ops_calls_over_the_limits_answer_an_error_object(event, field):
    # The call is refused before anything is read or written (no runtime needed).
    standings = Standings(MemoryStandingStore(), Policy.from_mapping({"version": 1}))
    answer = ops.handle(standings, event, datetime(2026, 3, 2, tzinfo=UTC))
    assert answer["error"]["code"] == "INVALID_REQUEST"
    assert answer["error"]["message"].startswith(f"{field}:") and "at most" in answer["error"]["message"]
