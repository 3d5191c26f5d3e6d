"""The `mila-standing replay` command line (CONTRACT §4): files in, outcome out, clear errors."""

from __future__ import annotations

import json

import pytest
from mila_admin.cli import main

from .scenario import day


def test_outcome_and_log_files_are_written(scenario, tmp_path, capsys):
    scenario.partner("p1", city="hamburg")
    scenario.rating(day(0), "p1", 5)
    out, log = tmp_path / "outcome.json", tmp_path / "functions.log"
    assert main(["replay", str(scenario.write()), "--out", str(out), "--log-file", str(log)]) == 0
    outcome = json.loads(out.read_text())
    assert set(outcome) >= {"partners", "notices", "ledger", "cities", "invocations", "dead_letters", "stats", "tables"}
    assert outcome["partners"]["p1"]["rating_average"] == 5
    assert log.read_text().strip()  # the functions' log lines
    assert capsys.readouterr().out == ""  # --out: nothing on stdout


def test_outcome_goes_to_stdout_without_out(scenario, capsys):
    scenario.partner("p1", city="hamburg")
    assert main(["replay", str(scenario.write())]) == 0
    assert json.loads(capsys.readouterr().out)["partners"]["p1"]["status"] == "ACTIVE"


@pytest.mark.parametrize(
    "bad_line, expected",
    [
        ('{"at": "2026-03-02T09:00:00Z", "put": {"table": "partners"', "line 2: not valid JSON"),
        ('{"at": "yesterday", "put": {"table": "partners", "item": {"partner_id": "x"}}}', "line 2: at:"),
        ('{"at": "2026-03-02T09:00:00Z", "put": {"table": "customers", "item": {}}}', "line 2: put.table"),
        ('{"at": "2026-03-02T09:00:00Z", "invoke": {"function": "nope", "event": {}}}', "line 2: invoke.function"),
        ('{"at": "2026-03-01T09:00:00Z", "delete": {"table": "jobs", "key": {"job_id": "j"}}}', "line 2: 'at'"),
        (
            '{"at": "2026-03-02T09:00:00Z", "put": {"table": "jobs", "item": {"status": "ACCEPTED"}}}',
            "line 2: put.item.job_id",
        ),
    ],
)
def test_a_bad_scenario_line_is_named_and_nothing_after_it_runs(tmp_path, capsys, bad_line, expected):
    path = tmp_path / "bad.jsonl"
    first = {
        "at": "2026-03-02T08:00:00Z",
        "put": {"table": "partners", "item": {"partner_id": "p1", "city": "hamburg", "verified": True}},
    }
    path.write_text(json.dumps(first) + "\n" + bad_line + "\n")
    assert main(["replay", str(path), "--out", str(tmp_path / "o.json")]) == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


def test_a_bad_policy_file_names_the_field(scenario, tmp_path, capsys):
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\ncities:\n  berlin: {rating: {minimum: high}}\n")
    scenario.partner("p1")
    assert main(["replay", str(scenario.write()), "--policy", str(policy)]) == 2
    assert "cities.berlin.rating.minimum" in capsys.readouterr().err


def test_a_bad_policy_line_in_the_scenario_names_the_field(scenario, capsys):
    scenario.policy = {"defaults": {"rating": {"window": -1}}}
    scenario.partner("p1")
    assert main(["replay", str(scenario.write())]) == 2
    assert "defaults.rating.window" in capsys.readouterr().err
