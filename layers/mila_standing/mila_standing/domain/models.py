"""Source items of the platform's tables (CONTRACT §1), validated as SPEC R14.13 reads them.

Stream images arrive deserialized by Powertools (numbers as ``Decimal``). Unknown attributes
are ignored; an invalid value raises ``InvalidRecord`` with a reason naming the field.

R14.13 up front, to what DynamoDB and the ledger can hold (issue 12): a value that passed here
must never fail deeper down (a key DynamoDB refuses, a time that overflows in UTC, an amount the
ledger cannot store), because such a failure would repeat on every retry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from .languages import DEFAULT_LANGUAGE, partner_language
from .policy import CITY_SLUG, describe
from .times import parse_time

# Limits (issue 12, R14.13). DynamoDB allows 2,048 bytes in a partition key and 1,024 in a sort
# key; ids go into both (PARTNER#<id>, R#<time>#<job>, LEDGER#<job>, notice ids), and the
# aggregate's size budget (standing.py) counts on ids of at most MAX_ID_BYTES.
MAX_ID_BYTES = 128
MAX_FINGERPRINT_BYTES = 512  # FINGERPRINT#<kind>#<value> is a partition key (hashes are 64 characters)
MAX_CITY_CHARS = 64
# A sane range for any time: UTC conversion of every value in it works, and keys of a fixed width
# hold it. Years outside it are typing errors, not jobs.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# 10 billion in the currency's units: far above any job, exact in the ledger (DynamoDB numbers
# hold 38 digits) and in every JSON reader (below 2**53).
MAX_PRICE_CENTS = 10**12
SECRET_FIELD = "access_secrets"  # a job's customer secrets (R11): removed once it ends, never copied


class InvalidRecord(ValueError):
    """A source record that can never be processed: it goes to the failure destination.

    ``changes`` are what the record still means for standings although it is invalid (a partner
    whose latest record is invalid no longer has a valid partners record, R14.8)."""

    def __init__(self, reason: str, changes: list[Any] | None = None):
        super().__init__(reason)
        self.changes = list(changes or [])


def _source_time(value: Any) -> datetime:
    """R14.13 for the platform's records: a time (parse_time) within the sane range. Our own
    items keep times outside it (a marker at year 1), so the range is checked here only."""
    moment = parse_time(value)
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"{value!r} lies outside {EARLIEST.year}-{LATEST.year - 1}")
    return moment


def _stars(value: Any) -> int:
    # R14.13: 4 and 4.0 pass, "4" (a string) and True fail.
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float) or not _finite(value):
        raise ValueError("must be an integral number from 1 to 5")
    if value != int(value) or not 1 <= int(value) <= 5:
        raise ValueError(f"must be an integral number from 1 to 5, got {value}")
    return int(value)


def _finite(value: int | Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _cents(value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | Decimal | float)
        or not _finite(value)
        or value != int(value)
    ):
        raise ValueError("must be a whole number of cents")
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    if value > MAX_PRICE_CENTS:
        raise ValueError(f"must be at most {MAX_PRICE_CENTS} cents")
    return int(value)


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _slug(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_CITY_CHARS or not CITY_SLUG.match(value):
        shown = value if not isinstance(value, str) or len(value) <= MAX_CITY_CHARS else f"{value[:20]}..."
        raise ValueError(f"must be a lower-case city slug of at most {MAX_CITY_CHARS} characters, got {shown!r}")
    return value


def within_key_limit(value: str, limit: int | None = None) -> str:
    """An id or fingerprint that goes into a DynamoDB key: at most ``limit`` bytes in UTF-8."""
    limit = MAX_ID_BYTES if limit is None else limit
    if len(value.encode("utf-8")) > limit:
        raise ValueError(f"must be at most {limit} bytes (UTF-8), got {len(value.encode('utf-8'))}")
    return value


def _identifier(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return within_key_limit(value)


def _text_or_none(value: Any) -> str | None:
    """Fields the rules do not use: a wrong type is ignored, never a reason to drop a record."""
    return value if isinstance(value, str) else None


def _kept_text(limit: int) -> Callable[[Any], str | None]:
    """A field the rules keep (in the standing, a notice, the ledger): an odd type is ignored as
    for LooseText, but a string longer than ``limit`` is refused, not stored (issue 12)."""

    def check(value: Any) -> str | None:
        if isinstance(value, str) and len(value) > limit:
            raise ValueError(f"must be at most {limit} characters, got {len(value)}")
        return _text_or_none(value)

    return check


def _fingerprint(value: Any) -> str | None:
    # R14.15: exact equality, field by field: only non-empty strings are fingerprints; anything
    # else is ignored (not a reason to drop the partner's record).
    if not isinstance(value, str) or not value:
        return None
    return within_key_limit(value, MAX_FINGERPRINT_BYTES)


Time = Annotated[datetime, BeforeValidator(_source_time)]
LooseText = Annotated[str | None, BeforeValidator(_text_or_none)]
Username = Annotated[str | None, BeforeValidator(_kept_text(128))]  # Cognito's own limit
Currency = Annotated[str | None, BeforeValidator(_kept_text(16))]
Fingerprint = Annotated[str | None, BeforeValidator(_fingerprint)]
Stars = Annotated[int, BeforeValidator(_stars)]
# R13.1: the partner's language; an odd value is read as the default, never a reason to drop the record.
PartnerLocale = Annotated[str, BeforeValidator(partner_language)]
Cents = Annotated[int, BeforeValidator(_cents)]
JsonBool = Annotated[bool, BeforeValidator(_strict_bool)]
CitySlug = Annotated[str, BeforeValidator(_slug)]
Identifier = Annotated[str, BeforeValidator(_identifier)]
KeyPart = Annotated[str, AfterValidator(within_key_limit)]  # ops ids: a str first, then its length


class _SourceItem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def parse(cls, image: dict[str, Any]) -> Self:
        try:
            return cls.model_validate(image)
        except ValidationError as exc:
            raise InvalidRecord(describe(exc)) from None


class Partner(_SourceItem):
    partner_id: Identifier
    city: CitySlug
    verified: JsonBool
    created_at: Time | None = None
    user_pool_username: Username = None
    id_document_hash: Fingerprint = None
    phone: Fingerprint = None
    iban_hash: Fingerprint = None
    locale: PartnerLocale = DEFAULT_LANGUAGE

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
    voided: JsonBool = False


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
    currency: Currency = None
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
