"""The two DynamoDB engines of the replay agree (CONTRACT §5): a history replayed on AWS's own
DynamoDB Local and on moto gives the same outcome on every key SPEC fixes.

moto differs from AWS where the replay corrects it (tools/mila_replay/streams.py): a put that
changes nothing writes a MODIFY record on moto, none on AWS (R1.3, R3.4 must hold anyway); an
update that creates an item writes two INSERTs; a failed transaction restores a copy of the table
and its stream. This is the cross-check of those corrections, on histories that exercise them all:
generated city histories (registrations, jobs through their states, cancellations, no-shows,
ratings re-rated and voided, payments, refunds, incidents, ops calls, a night every night,
duplicates) and the scenarios below, which write the same item twice and race two writers.
Every other scenario test runs on DynamoDB Local alone; MILA_ENGINE_DIFFERENTIAL=1 runs them all
on both engines.
"""

from __future__ import annotations

import pytest
from mila_replay.compare import differences
from mila_replay.engine import Replay
from mila_replay.generate import generate

from . import scenario as scenarios
from .scenario import day


@pytest.mark.parametrize("seed, partners, days", [(3, 16, 9), (8, 10, 14)])
def test_contract_5_a_generated_city_history_replays_the_same_on_both_engines(tmp_path, seed, partners, days):
    """R1.3, R3.4, R10.4: the same history, the same standings, notices, ledger and dead letters."""
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(generate(partners=partners, days=days, seed=seed)) + "\n", encoding="utf-8")
    on_dynamodb_local = Replay(path, engine=scenarios.ENGINE or "dynamodb-local").run()
    on_moto = Replay(path, engine="moto").run()
    assert on_dynamodb_local["notices"] and on_dynamodb_local["ledger"]  # the history decided something
    assert not differences(on_dynamodb_local, on_moto)


def test_r1_3_a_write_that_changes_nothing_is_no_event_on_either_engine(scenario):
    """R1.3 / R3.4: the same item written again (moto writes a record for it, AWS none), a rating
    re-rated to the same stars, a job written twice with the same outcome: the same outcome."""
    scenario.partner("p-1")
    for n in range(12):
        scenario.rating(day(1, minute=n), "p-1", 4, job_id=f"r-{n}")
    scenario.rating(day(2), "p-1", 4, job_id="r-3", rated_at=day(1, minute=3))  # the same image again
    scenario.job(day(2, minute=5), "p-1", "CANCELLED", job_id="j-1", cancelled_by="partner")
    scenario.job(
        day(2, minute=6), "p-1", "CANCELLED", job_id="j-1", cancelled_by="partner", cancelled_at="2026-03-04T09:05:00Z"
    )
    scenario.nightly(3)
    scenario.replay(differential=True)


def test_r8_1_two_registrations_in_one_burst_race_the_same_way_on_both_engines(scenario):
    """R8.1 / R14.15: the fingerprint claim is an update that creates its item (two INSERTs on
    moto, one on AWS) and the second registration's closure a transaction."""
    scenario.partner("p-1", phone="+49-30-1", at=day(1))
    scenario.partner("p-2", phone="+49-30-1", at=day(1))
    scenario.invoke(day(2), "ops", {"action": "explain", "partner_id": "p-1"})
    scenario.replay(differential=True)
