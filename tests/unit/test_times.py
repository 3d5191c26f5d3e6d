"""The one time format (issue 20): ISO-8601 in UTC with a ``Z``, at the precision each reader expects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mila_standing.domain.times import format_time, parse_time

BERLIN_SUMMER = timezone(timedelta(hours=2))


def test_given_a_time_in_another_zone_when_written_then_it_is_utc_with_a_z():
    assert format_time(datetime(2026, 3, 1, 12, 0, tzinfo=BERLIN_SUMMER)) == "2026-03-01T10:00:00Z"


def test_given_microseconds_when_written_then_they_show_only_when_the_time_has_them():
    assert format_time(datetime(2026, 3, 1, 10, 0, 5, 123456, tzinfo=UTC)) == "2026-03-01T10:00:05.123456Z"
    assert format_time(datetime(2026, 3, 1, 10, 0, 5, tzinfo=UTC)) == "2026-03-01T10:00:05Z"


def test_given_lambdas_and_the_streams_precisions_then_the_time_is_cut_not_rounded():
    moment = datetime(2026, 3, 1, 10, 0, 5, 999999, tzinfo=UTC)
    assert format_time(moment, timespec="milliseconds") == "2026-03-01T10:00:05.999Z"  # Lambda's timestamp
    assert format_time(moment, timespec="seconds") == "2026-03-01T10:00:05Z"  # a stream record's arrival
    assert format_time(datetime(2026, 3, 1, tzinfo=UTC), timespec="milliseconds") == "2026-03-01T00:00:00.000Z"


def test_what_is_written_reads_back_as_the_same_moment():
    moment = datetime(2026, 3, 1, 10, 0, 5, 120000, tzinfo=UTC)
    assert parse_time(format_time(moment)) == moment
    assert parse_time(format_time(moment, timespec="milliseconds")) == moment
