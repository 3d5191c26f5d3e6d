"""R1 rating window, R2 rating notices and suspension, with R14.1 / R14.3 / R14.4 readings."""

from __future__ import annotations

import random
from datetime import timedelta
from fractions import Fraction

from mila_standing.domain.standing import ACTIVE, SUSPENDED, RatingEntry
from mila_standing.rules import (
    RATING_WARNING,
    apply_rating,
    evaluate,
    nightly,
    rating_figures,
    reinstate,
    report_incident,
)

from .conftest import (
    DAY0,
    city_policy,
    day,
    give_ratings,
    judge,
    nights,
    partner,
    rate,
    types,
    warning_days,
)

POLICY = city_policy()


# --- R1 rating window ---------------------------------------------------------------------


def test_r1_1_given_50_newer_ratings_when_a_late_old_rating_arrives_then_it_falls_outside_the_window():
    # Given 50 five-star ratings in the window
    standing = give_ratings(partner(), [5] * 50, start=DAY0 - timedelta(days=10))

    # When a one-star rating from before all of them arrives late
    apply_rating(standing, "late-old", RatingEntry(1, DAY0 - timedelta(days=30)))

    # Then the average is untouched: the window is the last 50 by rated_at, not by arrival
    figures = rating_figures(standing, POLICY)
    assert (figures.count, figures.average) == (50, Fraction(5))


def test_r1_1_given_50_ratings_when_a_newer_rating_arrives_then_the_oldest_leaves_the_window():
    standing = give_ratings(partner(), [1] + [5] * 49, start=DAY0 - timedelta(days=10))

    apply_rating(standing, "newest", RatingEntry(5, DAY0))

    figures = rating_figures(standing, POLICY)
    assert (figures.count, figures.average) == (50, Fraction(5))


def test_r1_1_given_51_ratings_at_the_same_instant_then_ties_are_broken_by_job_id():
    # Given 51 ratings all rated at the same moment; the lowest job id is the 1-star one
    standing = partner()
    for i in range(51):
        standing.ratings[f"job-{i:03d}"] = RatingEntry(1 if i == 0 else 5, DAY0)

    # Then the window keeps the 50 highest (job-001 .. job-050): the 1-star falls out
    assert rating_figures(standing, POLICY).average == Fraction(5)


def test_r1_2_given_a_rating_when_modified_then_it_counts_with_its_new_stars():
    standing = give_ratings(partner(), [4] * 10)

    apply_rating(standing, "r-0000", RatingEntry(2, standing.ratings["r-0000"].rated_at))

    assert rating_figures(standing, POLICY).total == 38


def test_r1_2_given_a_rating_when_voided_or_deleted_then_it_no_longer_counts():
    standing = give_ratings(partner(), [1, 5, 5])

    rate(standing, judge(), "r-0000", None)  # voided by support (or the item deleted)

    figures = rating_figures(standing, POLICY)
    assert (figures.count, figures.average) == (2, Fraction(5))
    assert rate(standing, judge(), "r-0000", None) == []  # deleting again is a no-op


def test_r1_3_given_the_same_ratings_in_shuffled_orders_with_redeliveries_then_the_figures_are_identical():
    # Given 70 distinct live ratings (so the window matters) and 5 that end up deleted
    rng = random.Random(20260302)
    live = [
        (f"job-{i:03d}", RatingEntry(rng.randint(1, 5), DAY0 - timedelta(minutes=rng.randint(0, 10_000))))
        for i in range(70)
    ]
    deleted = [f"job-{i:03d}" for i in range(70, 75)]

    def replay(seed: int) -> tuple[int, int]:
        order = random.Random(seed)
        events = live + order.sample(live, 20)  # some records delivered twice
        order.shuffle(events)
        standing = partner()
        for job_id in deleted:  # a rating that was created and then deleted
            apply_rating(standing, job_id, RatingEntry(1, DAY0))
        for job_id, entry in events:
            apply_rating(standing, job_id, entry)
        for job_id in deleted:
            apply_rating(standing, job_id, None)
            apply_rating(standing, job_id, None)
        figures = rating_figures(standing, POLICY)
        return figures.count, figures.total

    # When applied in different orders / Then the same figures every time
    results = {replay(seed) for seed in range(8)}
    assert len(results) == 1
    expected = sorted(live, key=lambda kv: (kv[1].rated_at, kv[0]))[-50:]
    assert results == {(50, sum(e.stars for _, e in expected))}


# --- R2.1 - R2.3 band, warnings, streak, baseline --------------------------------------------


def test_r2_1_given_9_low_ratings_then_no_warning_and_the_10th_puts_the_partner_in_the_band():
    # Given 9 one-star ratings (fewer than min_ratings 10)
    standing = give_ratings(partner(), [1] * 8)
    assert rate(standing, judge(), "r-9th", 1) == []

    # When the 10th rating arrives
    notices = rate(standing, judge(), "r-10th", 1)

    # Then the rating event warns right away (R2.2)
    assert types(notices) == [RATING_WARNING]
    assert len(standing.rating_streak) == 1


def test_r2_2_given_a_partner_entering_the_band_when_warned_then_the_warning_points_to_mila_academy():
    standing = give_ratings(partner(), [5] * 9)

    notices = rate(standing, judge(), "r-new", 1)  # 46 / 10 = 4.6 >= 4.5: not yet
    assert notices == []
    notices = rate(standing, judge(), "r-newer", 1)  # 47 / 11 = 4.27 < 4.5

    assert types(notices) == [RATING_WARNING]
    assert "academy" in notices[0].reasons
    assert notices[0].reasons["rule"] == "R2.2"


def test_r2_2_given_a_partner_above_the_band_then_no_warning():
    standing = give_ratings(partner(), [5, 4] * 10)  # 4.5 exactly = minimum + margin
    assert evaluate(standing, judge()) == []


def test_r14_1_given_a_warning_at_23_59_on_day_0_when_evaluated_at_00_01_on_day_7_then_a_warning_is_due():
    standing = give_ratings(partner(), [4] * 10)
    assert types(evaluate(standing, judge(day(0, 23, 59)))) == [RATING_WARNING]

    notices = evaluate(standing, judge(day(7, 0, 1)))  # 7 calendar days, though < 7 * 24 h

    assert types(notices) == [RATING_WARNING]
    assert len(standing.rating_streak) == 2


def test_r14_1_given_a_warning_at_23_59_on_day_0_when_evaluated_at_23_59_on_day_6_then_no_warning():
    standing = give_ratings(partner(), [4] * 10)
    evaluate(standing, judge(day(0, 23, 59)))

    assert evaluate(standing, judge(day(6, 23, 59))) == []
    assert len(standing.rating_streak) == 1


def test_r2_2_given_a_partner_staying_in_the_band_then_the_nightly_check_warns_once_per_cooldown():
    standing = give_ratings(partner(), [5, 4] * 5 + [4] * 2)  # 4.42: in band but above minimum

    by_night = nights(standing, range(0, 22))

    assert warning_days(by_night, RATING_WARNING) == [0, 7, 14, 21]
    assert standing.status == ACTIVE  # R2.4 needs average < minimum


def test_r2_3_given_a_warned_partner_when_good_ratings_lift_them_out_of_the_band_then_the_streak_ends():
    standing = give_ratings(partner(), [4] * 10)
    evaluate(standing, judge())
    assert standing.rating_baseline is not None

    for i in range(30):
        rate(standing, judge(day(1)), f"good-{i:02d}", 5, rated_at=day(1) + timedelta(minutes=i))

    assert standing.rating_streak == []
    assert standing.rating_baseline is None


def test_r2_3_given_a_warned_partner_when_ratings_drop_below_min_ratings_then_the_streak_ends():
    standing = give_ratings(partner(), [4] * 10)
    evaluate(standing, judge())

    rate(standing, judge(day(1)), "r-0003", None)  # a rating voided: 9 left

    assert standing.rating_streak == []
    assert standing.rating_baseline is None


def test_r2_2_given_a_streak_then_the_baseline_is_the_average_at_the_first_warning():
    standing = give_ratings(partner(), [4] * 10)  # 4.0 at the first warning
    evaluate(standing, judge(day(0)))

    give_ratings(standing, [3] * 10, start=day(1), prefix="s")  # 3.5 at the second
    evaluate(standing, judge(day(7)))

    total, count = standing.rating_baseline
    assert Fraction(total, count) == 4
    assert len(standing.rating_streak) == 2


# --- R2.4 / R2.5 / R14.4 suspension ---------------------------------------------------------------


def test_r2_4_given_warnings_on_day_0_7_and_14_when_the_nightly_check_runs_on_day_15_then_suspended():
    # Given a partner below the minimum who does not improve
    standing = give_ratings(partner(), [4] * 10)

    # When the nightly check runs every night from day 0 to 15
    by_night = nights(standing, range(0, 16))

    # Then warnings on days 0, 7 and 14, and suspension for RATING on day 15
    assert warning_days(by_night, RATING_WARNING) == [0, 7, 14]
    assert types(by_night[15]) == [SUSPENDED]
    assert (standing.status, standing.reason) == (SUSPENDED, "RATING")
    reasons = by_night[15][0].reasons
    assert reasons["rule"] == "R2.4"
    assert reasons["notices"] == standing.rating_streak and len(reasons["notices"]) == 3
    assert all(not notices for d, notices in by_night.items() if d not in (0, 7, 14, 15))


def test_r14_4_given_a_third_warning_due_tonight_then_it_is_sent_and_suspension_waits_a_night():
    standing = give_ratings(partner(), [4] * 10)

    by_night = nights(standing, range(0, 15))

    assert types(by_night[14]) == [RATING_WARNING]
    assert standing.status == ACTIVE


def test_r2_4_given_only_two_warnings_when_the_nightly_check_runs_on_day_15_then_no_suspension():
    standing = give_ratings(partner(), [4] * 10)
    nights(standing, [0, 7])  # two warnings

    notices = nightly(standing, judge(day(15)))

    assert types(notices) == [RATING_WARNING]  # the third warning, not a suspension
    assert standing.status == ACTIVE


def test_r2_4_given_three_warnings_but_the_average_is_not_below_the_minimum_then_no_suspension():
    standing = give_ratings(partner(), [5, 4] * 5 + [4] * 2)  # 4.42 >= 4.3

    nights(standing, range(0, 30))

    assert len(standing.rating_streak) >= 3
    assert standing.status == ACTIVE


def test_r2_4_given_three_warnings_when_the_average_improved_on_the_baseline_then_no_suspension():
    # Given warnings on day 0, 7 and 14 at an average of 4.0 (the baseline)
    standing = give_ratings(partner(), [4] * 10)
    nights(standing, range(0, 15))

    # When two 5-star ratings lift the average to 50 / 12 = 4.17 (still below 4.3, still in the band)
    for i in range(2):
        rate(standing, judge(day(14, 12)), f"better-{i}", 5, rated_at=day(14, 12) + timedelta(minutes=i))
    assert rating_figures(standing, POLICY).average == Fraction(25, 6)
    assert len(standing.rating_streak) == 3

    # Then the nightly check on day 15 does not suspend
    assert nightly(standing, judge(day(15))) == []
    assert standing.status == ACTIVE


def test_r2_4_given_three_warnings_when_the_average_got_worse_then_suspended():
    standing = give_ratings(partner(), [4] * 10)
    nights(standing, range(0, 15))
    rate(standing, judge(day(14, 12)), "worse", 1)

    notices = nightly(standing, judge(day(15)))

    assert types(notices) == [SUSPENDED]
    assert notices[0].reasons["figures"]["baseline"] == 4


def test_r2_5_given_a_partner_due_for_suspension_when_a_rating_arrives_then_no_suspension():
    standing = give_ratings(partner(), [4] * 10)
    nights(standing, range(0, 15))

    rate(standing, judge(day(15, 1)), "bad", 1)  # the stream handler's evaluation

    assert standing.status == ACTIVE


def test_r14_3_given_a_suspended_partner_then_no_rating_warnings_and_the_streak_stands_still():
    standing = give_ratings(partner(), [4] * 10)
    evaluate(standing, judge(day(0)))
    report_incident(standing, judge(day(1)), "ABUSIVE_BEHAVIOUR", actor="ops@mila")

    by_night = nights(standing, range(7, 30))

    assert all(n == [] for n in by_night.values())
    assert len(standing.rating_streak) == 1


def test_r14_10_given_a_reinstated_partner_then_the_warning_before_the_suspension_still_counts_for_cooldown():
    # Given a rating warning on day 0, then a suspension and a reinstatement
    standing = give_ratings(partner(), [4] * 10)
    evaluate(standing, judge(day(0)))
    report_incident(standing, judge(day(1)), "PROPERTY_DAMAGE", actor="ops@mila")
    reinstate(standing, judge(day(2)), actor="ops@mila", why="settled")

    # When the nightly check runs on days 3 to 7
    by_night = nights(standing, range(3, 8))

    # Then no warning until the cooldown since day 0 is over, and the streak starts again at 1
    assert warning_days(by_night, RATING_WARNING) == [7]
    assert len(standing.rating_streak) == 1


def test_r1_1_the_newest_entries_give_the_same_window_as_the_whole_history():
    """Given far more ratings than the window, when only the newest window + slack of them are
    held (as the store reads them), then the figures are those of the last 50 of the whole history."""
    from datetime import UTC, datetime, timedelta

    from mila_standing.domain.policy import Policy
    from mila_standing.domain.standing import RatingEntry, Standing
    from mila_standing.rules import rating_figures

    policy = Policy.from_mapping({"version": 1}).for_city(None)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    whole = Standing("p1", city="x", verified=True, profile_known=True)
    for i in range(1000):
        whole.ratings[f"j{i:04d}"] = RatingEntry((i % 5) + 1, start + timedelta(minutes=i))
    newest = Standing("p1", ratings=dict(sorted(whole.ratings.items(), key=lambda kv: kv[1].rated_at)[-60:]))
    assert rating_figures(newest, policy) == rating_figures(whole, policy)
    assert rating_figures(newest, policy).count == 50
