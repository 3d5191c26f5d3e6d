"""Source records as R14.13 reads them: invalid input fails with a reason naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from mila_standing.domain.models import InvalidRecord, Partner, Rating

from .conftest import job


def rating_item(**fields: Any) -> dict[str, Any]:
    return {
        "job_id": "j-1",
        "partner_id": "p-1",
        "customer_id": "c-1",
        "stars": 4,
        "rated_at": "2026-03-01T10:00:00Z",
    } | fields


@pytest.mark.parametrize("stars", [4, Decimal("4"), Decimal("4.0"), 4.0, 1, 5])
def test_r14_13_given_integral_stars_when_parsed_then_the_rating_counts_with_those_stars(stars):
    assert Rating.parse(rating_item(stars=stars)).stars == int(stars)


@pytest.mark.parametrize("stars", ["4", True, 0, 6, 4.5, Decimal("4.5"), None, Decimal("-1")])
def test_r14_13_given_non_integral_or_out_of_range_stars_when_parsed_then_refused_naming_stars(stars):
    with pytest.raises(InvalidRecord) as refused:
        Rating.parse(rating_item(stars=stars))
    assert "stars" in str(refused.value)


@pytest.mark.parametrize(
    "rated_at", ["2026-03-01T10:00:00", "2026-03-01", 1772359200, Decimal("1772359200"), "yesterday", ""]
)
def test_r14_13_given_rated_at_without_zone_or_as_a_number_when_parsed_then_refused_naming_rated_at(rated_at):
    with pytest.raises(InvalidRecord) as refused:
        Rating.parse(rating_item(rated_at=rated_at))
    assert "rated_at" in str(refused.value)


def test_r14_13_given_a_time_in_another_zone_when_parsed_then_it_is_normalised_to_utc():
    rating = Rating.parse(rating_item(rated_at="2026-03-01T11:30:00+01:00"))
    assert rating.rated_at.isoformat() == "2026-03-01T10:30:00+00:00"


def test_r14_13_given_unknown_attributes_when_parsed_then_they_are_ignored():
    rating = Rating.parse(rating_item(comment="great", sentiment=Decimal("0.9"), voided=True))
    partner = Partner.parse(
        {"partner_id": "p-1", "city": "berlin", "verified": True, "email": "a@b.example", "shoe_size": 44}
    )
    assert rating.voided is True
    assert partner.city == "berlin"


def test_r14_13_given_a_partner_with_a_non_slug_city_or_non_boolean_verified_then_refused():
    with pytest.raises(InvalidRecord, match="city"):
        Partner.parse({"partner_id": "p-1", "city": "Berlin", "verified": True})
    with pytest.raises(InvalidRecord, match="verified"):
        Partner.parse({"partner_id": "p-1", "city": "berlin", "verified": "true"})


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"status": "DONE"}, "status"),
        ({"status": "COMPLETED", "price_cents": -1}, "price_cents"),
        ({"status": "COMPLETED", "price_cents": 10.5}, "price_cents"),
        ({"status": "COMPLETED", "price_cents": Decimal("999.99")}, "price_cents"),
        ({"status": "COMPLETED", "price_cents": "1000"}, "price_cents"),
        ({"status": "CANCELLED", "cancelled_by": "weather"}, "cancelled_by"),
        ({"status": "CANCELLED"}, "cancelled_by"),
        ({"status": "ACCEPTED", "partner_id": None}, "partner_id"),
        ({"status": "COMPLETED", "partner_id": None}, "partner_id"),
        ({"status": "NO_SHOW", "partner_id": None}, "partner_id"),
        ({"status": "CANCELLED", "cancelled_by": "partner", "partner_id": None}, "partner_id"),
        ({"scheduled_at": "2026-03-02T10:00:00"}, "scheduled_at"),
        ({"city": "Berlin Mitte"}, "city"),
    ],
)
def test_r14_13_given_an_invalid_job_when_parsed_then_refused_naming_the_field(fields, named):
    with pytest.raises(InvalidRecord) as refused:
        job(**fields)
    assert named in str(refused.value)


@pytest.mark.parametrize("price", [0, 12500, Decimal("12500"), Decimal("12500.0")])
def test_r14_13_given_a_non_negative_integral_price_when_parsed_then_accepted(price):
    assert job(status="COMPLETED", price_cents=price).price_cents == int(price)


@pytest.mark.parametrize("cancelled_by", ["customer", "support"])
def test_r3_2_given_a_job_cancelled_before_any_partner_accepted_it_when_parsed_then_it_is_valid(cancelled_by):
    cancelled = job(
        status="CANCELLED",
        cancelled_by=cancelled_by,
        partner_id=None,
        accepted_at=None,
        cancelled_at="2026-03-01T12:00:00Z",
    )
    assert cancelled.partner_id is None
    assert cancelled.has_outcome


def test_r3_1_given_each_outcome_when_parsed_then_its_outcome_time_is_the_matching_field():
    completed = job(status="COMPLETED", completed_at="2026-03-02T12:00:00Z")
    cancelled = job(status="CANCELLED", cancelled_by="partner", cancelled_at="2026-03-01T08:00:00Z")
    no_show = job(status="NO_SHOW", reported_at="2026-03-02T11:00:00Z")
    assert completed.outcome_at.isoformat() == "2026-03-02T12:00:00+00:00"
    assert cancelled.outcome_at.isoformat() == "2026-03-01T08:00:00+00:00"
    assert no_show.outcome_at.isoformat() == "2026-03-02T11:00:00+00:00"
