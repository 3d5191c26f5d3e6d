"""Source items of the platform's tables (CONTRACT §1), validated as SPEC R14.13 reads them.

Stream images arrive deserialized by Powertools (numbers as ``Decimal``). Unknown attributes
are ignored; an invalid value raises ``InvalidRecord`` with a reason naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from .policy import CITY_SLUG, describe


class InvalidRecord(ValueError):
    """A source record that can never be processed: it goes to the failure destination.

    ``changes`` are what the record still means for standings although it is invalid (a partner
    whose latest record is invalid no longer has a valid partners record, R14.8)."""

    def __init__(self, reason: str, changes: list[Any] | None = None):
        super().__init__(reason)
        self.changes = list(changes or [])


def parse_time(value: Any) -> datetime:
    """R14.13: ISO-8601 with a zone, normalised to UTC. Numbers and zone-less strings fail."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 time string with a zone")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _stars(value: Any) -> int:
    # R14.13: 4 and 4.0 pass, "4" (a string) and True fail.
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise ValueError("must be an integral number from 1 to 5")
    if value != int(value) or not 1 <= int(value) <= 5:
        raise ValueError(f"must be an integral number from 1 to 5, got {value}")
    return int(value)


def _cents(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float) or value != int(value):
        raise ValueError("must be a whole number of cents")
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return int(value)


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not CITY_SLUG.match(value):
        raise ValueError(f"must be a lower-case city slug, got {value!r}")
    return value


def _identifier(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _text_or_none(value: Any) -> str | None:
    """Fields the rules do not use: a wrong type is ignored, never a reason to drop a record."""
    return value if isinstance(value, str) else None


def _fingerprint(value: Any) -> str | None:
    # R14.15: exact equality, field by field: only non-empty strings are fingerprints; anything
    # else is ignored (not a reason to drop the partner's record).
    return value if isinstance(value, str) and value else None


Time = Annotated[datetime, BeforeValidator(parse_time)]
LooseText = Annotated[str | None, BeforeValidator(_text_or_none)]
Fingerprint = Annotated[str | None, BeforeValidator(_fingerprint)]
Stars = Annotated[int, BeforeValidator(_stars)]
Cents = Annotated[int, BeforeValidator(_cents)]
StrictBool = Annotated[bool, BeforeValidator(_strict_bool)]
CitySlug = Annotated[str, BeforeValidator(_slug)]
Identifier = Annotated[str, BeforeValidator(_identifier)]


class _SourceItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def parse(cls, image: dict[str, Any]):  # type: ignore[no-untyped-def]
        try:
            return cls.model_validate(image)
        except ValidationError as exc:
            raise InvalidRecord(describe(exc)) from None


class Partner(_SourceItem):
    partner_id: Identifier
    city: CitySlug
    verified: StrictBool
    created_at: Time | None = None
    user_pool_username: LooseText = None
    id_document_hash: Fingerprint = None
    phone: Fingerprint = None
    iban_hash: Fingerprint = None

    def fingerprints(self) -> dict[str, str]:
        """R8.1 identity fingerprints present on this record."""
        return {
            kind: value
            for kind in ("id_document_hash", "phone", "iban_hash")
            if isinstance(value := getattr(self, kind), str) and value
        }


class Rating(_SourceItem):
    job_id: Identifier
    partner_id: Identifier
    customer_id: LooseText = None
    stars: Stars
    rated_at: Time
    voided: StrictBool = False


JobStatus = Literal["REQUESTED", "ACCEPTED", "COMPLETED", "CANCELLED", "NO_SHOW"]
PaymentStatus = Literal["PENDING", "PAID", "FAILED", "REFUNDED"]


class Job(_SourceItem):
    job_id: Identifier
    customer_id: LooseText = None
    city: CitySlug
    status: JobStatus
    scheduled_at: Time
    partner_id: Identifier | None = None
    accepted_at: Time | None = None
    completed_at: Time | None = None
    cancelled_at: Time | None = None
    cancelled_by: Literal["partner", "customer", "support"] | None = None
    reported_at: Time | None = None
    support_informed_at: Time | None = None
    price_cents: Cents | None = None
    currency: LooseText = None
    payment_status: PaymentStatus | None = None
    access_secrets: dict[str, str] | None = None

    @model_validator(mode="after")
    def _outcome_is_complete(self) -> Job:
        if self.status == "CANCELLED" and self.cancelled_by is None:
            raise ValueError("cancelled_by: is required for a CANCELLED job")
        accepted = self.status in ("ACCEPTED", "COMPLETED", "NO_SHOW") or self.cancelled_by == "partner"
        if accepted and self.partner_id is None:
            raise ValueError(f"partner_id: is required for a job with status {self.status}")
        return self

    @property
    def has_outcome(self) -> bool:
        return self.status in ("COMPLETED", "CANCELLED", "NO_SHOW")

    @property
    def outcome_at(self) -> datetime:
        """R3.1 outcome time; a missing one falls back to the appointment (scheduled_at)."""
        moment = {
            "COMPLETED": self.completed_at,
            "CANCELLED": self.cancelled_at,
            "NO_SHOW": self.reported_at,
        }.get(self.status)
        return moment or self.scheduled_at

