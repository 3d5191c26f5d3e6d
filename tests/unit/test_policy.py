"""The policy file (CONTRACT §3): SPEC defaults, per-city deep merge, validation, exactness (R14.7)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from mila_standing.domain.policy import Policy, PolicyError
from mila_standing.rules import RatingFigures, evaluate, in_rating_band

from .conftest import city_policy, give_ratings, judge, partner, rate, types


def test_r2_r4_r5_r6_given_only_a_version_when_loaded_then_every_default_matches_the_spec():
    # Given a policy file that sets nothing but its version
    policy = Policy.from_mapping({"version": 1})

    # When ops read the policy in force for any city
    p = policy.for_city("berlin")

    # Then every number is SPEC's default, held exactly
    assert p.decision_mode == "automatic"
    assert p.notice_cooldown_days == 7
    assert p.commission_rate == Fraction("0.20")
    assert (p.rating.window, p.rating.min_ratings, p.rating.notices_before_suspension) == (50, 10, 3)
    assert (p.rating.minimum, p.rating.warning_margin) == (Fraction("4.3"), Fraction("0.2"))
    c = p.cancellation
    assert (c.window, c.min_jobs, c.min_city_partners, c.notices_before_suspension) == (50, 10, 5, 3)
    assert c.default_city_average == Fraction("0.03")
    assert (c.maximum_factor, c.maximum_floor) == (Fraction("1.5"), Fraction("0.05"))
    assert (p.no_show.strikes_before_exclusion, p.no_show.strike_window_days) == (2, 365)
    assert p.version == "1"


def test_contract_3_given_a_berlin_minimum_override_then_only_that_field_changes_for_berlin():
    # Given berlin overrides rating.minimum only
    policy = Policy.from_mapping({"version": 3, "cities": {"berlin": {"rating": {"minimum": 4.5}}}})

    # When the berlin and the hamburg policies are read
    berlin, hamburg = policy.for_city("berlin"), policy.for_city("hamburg")

    # Then berlin's minimum is 4.5 and every other berlin field keeps its default
    assert berlin.rating.minimum == Fraction("4.5")
    assert berlin.rating.warning_margin == Fraction("0.2")
    assert berlin.rating.min_ratings == 10
    assert berlin.cancellation == hamburg.cancellation
    assert berlin.no_show == hamburg.no_show
    # and a city without overrides (or without a city at all, R14.8) gets the defaults
    assert hamburg.rating.minimum == Fraction("4.3")
    assert policy.for_city(None) == hamburg
    assert berlin.version == "3"


def test_contract_3_given_changed_defaults_and_a_city_override_then_the_city_inherits_the_changed_defaults():
    policy = Policy.from_mapping(
        {
            "version": 1,
            "defaults": {"notice_cooldown_days": 3, "rating": {"warning_margin": 0.1}},
            "cities": {"berlin": {"rating": {"minimum": 4.5}, "decision_mode": "human_review"}},
        }
    )

    berlin = policy.for_city("berlin")

    assert berlin.notice_cooldown_days == 3
    assert berlin.rating.warning_margin == Fraction("0.1")
    assert berlin.rating.minimum == Fraction("4.5")
    assert berlin.decision_mode == "human_review"
    assert policy.for_city("munich").decision_mode == "automatic"


@pytest.mark.parametrize(
    ("raw", "field_path"),
    [
        ({"cities": {"berlin": {"rating": {"minimun": 4.5}}}}, "cities.berlin.rating.minimun"),
        ({"defaults": {"rating": {"window": -1}}}, "defaults.rating.window"),
        ({"cities": {"berlin": {"rating": {"window": -5}}}}, "cities.berlin.rating.window"),
        ({"cities": {"berlin": {"rating": {"minimum": "abc"}}}}, "cities.berlin.rating.minimum"),
        ({"defaults": {"decision_mode": "maybe"}}, "defaults.decision_mode"),
        ({"cities": {"berlin": {"decision_mode": "maybe"}}}, "cities.berlin.decision_mode"),
        ({"cities": {"Berlin": {}}}, "cities.Berlin"),
        ({"cities": {"new york": {}}}, "cities.new york"),
        ({"defaults": {"no_show": {"strikes_before_exclusion": 1.5}}}, "defaults.no_show.strikes_before_exclusion"),
        ({"defaults": {"rating": {"min_ratings": True}}}, "defaults.rating.min_ratings"),
        ({"defaults": {"cancellation": {"maximum_floor": -0.01}}}, "defaults.cancellation.maximum_floor"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_contract_3_given_an_invalid_policy_when_loaded_then_a_policy_error_names_the_field(raw, field_path):
    # Given an invalid policy file / When it is loaded / Then nothing runs on it and ops see which field
    with pytest.raises(PolicyError) as refused:
        Policy.from_mapping({"version": 1} | raw)
    assert field_path in str(refused.value)


def test_contract_3_given_an_infinite_threshold_when_loaded_then_a_policy_error_names_the_field():
    with pytest.raises(PolicyError, match="defaults.cancellation.maximum_factor"):
        Policy.from_mapping({"version": 1, "defaults": {"cancellation": {"maximum_factor": float("inf")}}})


def test_contract_3_given_no_version_when_loaded_then_refused():
    with pytest.raises(PolicyError, match="version"):
        Policy.from_mapping({"defaults": {}})


def test_r14_7_given_yaml_float_literals_then_thresholds_are_the_exact_decimals_not_binary_floats():
    p = city_policy({"rating": {"minimum": 4.4, "warning_margin": 0.2}})

    assert p.rating.minimum == Fraction(22, 5)
    assert p.rating.minimum + p.rating.warning_margin == Fraction(23, 5)  # 4.4 + 0.2 == 4.6 exactly


def test_r14_7_given_minimum_4_4_when_the_average_is_exactly_4_6_then_the_partner_is_not_in_the_band():
    # Given minimum 4.4 and margin 0.2 (in binary floats 4.4 + 0.2 = 4.6000000000000005)
    p = city_policy({"rating": {"minimum": 4.4, "warning_margin": 0.2}})
    standing = give_ratings(partner(), [5, 5, 5, 5, 5, 5, 4, 4, 4, 4])  # 46 / 10 = 4.6 exactly

    # When the partner is evaluated
    notices = evaluate(standing, judge(policy=p))

    # Then an average of exactly 4.6 is not in the band and earns no warning
    assert in_rating_band(RatingFigures(count=10, total=46, window=50), p) is False
    assert notices == []
    # while 4.59 is in the band
    assert in_rating_band(RatingFigures(count=100, total=459, window=100), p) is True


def test_r14_7_given_minimum_4_4_when_a_rating_brings_the_average_to_exactly_4_6_then_no_warning():
    p = city_policy({"rating": {"minimum": 4.4, "warning_margin": 0.2}})
    standing = give_ratings(partner(), [5, 5, 5, 5, 5, 5, 4, 4, 4])

    notices = rate(standing, judge(policy=p), "r-last", 4)  # 10th rating: 46 / 10

    assert types(notices) == []
    assert standing.rating_streak == []


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"version": 1, "defaults": {"rating": {"minimum": "4.3"}}}, "defaults.rating.minimum"),
        ({"version": 1, "defaults": {"version": 2}}, "defaults.version"),
        ({"version": 1, "cities": {"berlin": {"version": 2}}}, "cities.berlin.version"),
    ],
)
def test_contract_3_text_numbers_and_misplaced_versions_are_named(raw, field):
    """CONTRACT §3: an invalid file is a clear error naming the field."""
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        Policy.from_mapping(raw)
