"""R9 dispatch priority: eligibility, and a score that rewards stars and punishes cancellations."""

from __future__ import annotations

import pytest
from mila_standing.domain.standing import CLOSED, EXCLUDED, SUSPENDED
from mila_standing.rules import dispatch_eligible, dispatch_score

from .conftest import city_policy, give_outcomes, give_ratings, judge, partner


def score(standing, policy=None) -> float:
    return dispatch_score(standing, judge(policy=policy))


def test_r9_1_given_an_active_verified_partner_with_a_known_profile_then_eligible_with_a_score_in_0_1():
    standing = give_outcomes(give_ratings(partner(), [5] * 50), completed=50)

    assert dispatch_eligible(standing)
    assert 0 < score(standing) <= 1


@pytest.mark.parametrize(
    "fields",
    [
        {"verified": False},  # R8.2
        {"profile_known": False},  # R14.8: no valid partners record
        {"status": SUSPENDED, "reason": "RATING"},
        {"status": EXCLUDED, "reason": "NO_SHOW"},
        {"status": CLOSED, "reason": "FRAUD"},
    ],
)
def test_r9_1_given_a_partner_not_active_verified_and_known_then_not_eligible_and_scored_0(fields):
    standing = give_outcomes(give_ratings(partner(**fields), [5] * 50), completed=50)

    assert not dispatch_eligible(standing)
    assert score(standing) == 0


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ([4] * 20, [4] * 19 + [5]),
        ([1] * 20, [1] * 19 + [2]),
        ([5] * 19 + [4], [5] * 20),
        ([3] * 50, [3] * 49 + [4]),
    ],
)
def test_r9_2_given_equal_counts_then_the_score_strictly_increases_with_the_rating_average(lower, higher):
    worse = give_outcomes(give_ratings(partner("a"), lower), completed=20)
    better = give_outcomes(give_ratings(partner("b"), higher), completed=20)

    assert score(worse) < score(better)


@pytest.mark.parametrize(("fewer", "more"), [(0, 1), (1, 2), (10, 11), (49, 50)])
def test_r9_2_given_equal_resolved_jobs_then_the_score_strictly_decreases_with_the_rate(fewer, more):
    reliable = give_outcomes(give_ratings(partner("a"), [5] * 20), completed=50 - fewer, cancelled=fewer)
    unreliable = give_outcomes(give_ratings(partner("b"), [5] * 20), completed=50 - more, cancelled=more)

    assert score(reliable) > score(unreliable)


def test_r9_2_given_a_new_partner_with_no_ratings_then_a_neutral_prior_between_a_bad_and_a_good_partner():
    newcomer = partner("new")
    bad = give_ratings(partner("bad"), [3] * 50)
    good = give_ratings(partner("good"), [5] * 50)

    assert score(bad) < score(newcomer) < score(good)
    assert score(newcomer) < 1  # not a free 5.0


def test_r9_2_given_a_new_partner_with_no_jobs_then_a_neutral_prior_between_reliable_and_unreliable():
    newcomer = give_ratings(partner("new"), [5] * 20)
    reliable = give_outcomes(give_ratings(partner("r"), [5] * 20), completed=50)
    unreliable = give_outcomes(give_ratings(partner("u"), [5] * 20), completed=40, cancelled=10)

    assert score(unreliable) < score(newcomer) < score(reliable)


def test_r9_2_given_the_worst_possible_record_then_the_score_is_still_above_0():
    standing = give_outcomes(give_ratings(partner(), [1] * 50), cancelled=50)

    assert 0 < score(standing) <= 1


def test_r9_2_given_a_strict_city_with_minimum_4_9_then_scores_stay_in_0_1_and_no_free_5_0():
    strict = city_policy({"rating": {"minimum": 4.9}})
    reliable_newcomer = give_outcomes(partner("new"), completed=50)
    perfect = give_outcomes(give_ratings(partner("top"), [5] * 50), completed=50)

    assert 0 < score(reliable_newcomer, strict) <= 1
    assert score(reliable_newcomer, strict) < score(perfect, strict)
