"""The replay's DynamoDB engines (CONTRACT §5 --engine): DynamoDB Local by default, started and
stopped by the replay itself, never left running; moto on request; a line either engine refuses
is a bad line with DynamoDB's own words."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mila_admin import cli
from mila_admin.scenario import ScenarioError
from mila_replay import replay_run
from mila_replay.backends import DynamoDBLocal, EngineError
from mila_replay.engine import Replay
from mila_replay.generate import generate

from .scenario import day

ROOT = Path(__file__).resolve().parents[2]


def _jvm_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        return "DynamoDBLocal" in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


class RecordingEngine(DynamoDBLocal):
    """DynamoDB Local that remembers the pid of every JVM it started."""

    started: list[int] = []

    def start(self) -> RecordingEngine:
        super().start()
        RecordingEngine.started.append(self.pid or 0)
        return self


@pytest.fixture
def own_engine(monkeypatch):
    """The CLI starts its own DynamoDB Local (not the session's)."""
    monkeypatch.delenv("MILA_DYNAMODB_ENDPOINT", raising=False)
    RecordingEngine.started = []
    monkeypatch.setattr("mila_replay.backends.DynamoDBLocal", RecordingEngine)
    return RecordingEngine


def test_contract_5_the_cli_starts_dynamodb_local_and_stops_it_after_a_good_run(scenario, tmp_path, own_engine):
    scenario.partner("p1", city="hamburg")
    scenario.rating(day(0), "p1", 5)
    out = tmp_path / "o.json"
    assert cli.main(["replay", str(scenario.write()), "--out", str(out)]) == 0
    outcome = json.loads(out.read_text())
    assert outcome["stats"]["engine"] == "dynamodb-local"
    assert outcome["partners"]["p1"]["rating_count"] == 1
    assert len(own_engine.started) == 1 and not _jvm_alive(own_engine.started[0])


def test_contract_5_a_line_dynamodb_refuses_stops_the_engine_and_names_the_line(scenario, tmp_path, capsys, own_engine):
    scenario.partner("p1", city="hamburg")
    scenario.put(day(1), "ratings", {"job_id": "big", "partner_id": "p1", "comment": "x" * 410_000})
    out = tmp_path / "o.json"
    assert cli.main(["replay", str(scenario.write()), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "line 2" in error and "Item size has exceeded the maximum allowed size" in error  # DynamoDB's words
    assert not out.exists() and not (tmp_path / "o.json.partial").exists()  # nothing half-written
    assert own_engine.started and not any(_jvm_alive(pid) for pid in own_engine.started)


def test_contract_5_ctrl_c_during_a_replay_leaves_no_jvm(scenario, own_engine, monkeypatch):
    for n in range(3):
        scenario.partner(f"p{n}", city="hamburg", at=day(n))

    def interrupt(done: int, total: int, records: int = 0) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(replay_run, "Progress", lambda: interrupt)
    assert cli.main(["replay", str(scenario.write())]) == 130
    assert own_engine.started and not any(_jvm_alive(pid) for pid in own_engine.started)


@pytest.mark.parametrize(
    "item, words",
    [
        ({"job_id": "", "partner_id": "p1", "stars": 5}, "empty string"),  # an empty key
        ({"job_id": "j1", "partner_id": "p1", "stars": 10**126}, "Number overflow"),  # out of DynamoDB's range
    ],
)
def test_contract_4_items_dynamodb_refuses_are_bad_lines_with_its_message(tmp_path, item, words):
    path = tmp_path / "bad.jsonl"
    partner = {"partner_id": "p1", "city": "hamburg", "verified": True}
    lines = [
        {"at": "2026-03-02T08:00:00Z", "put": {"table": "partners", "item": partner}},
        {"at": "2026-03-02T09:00:00Z", "put": {"table": "ratings", "item": item}},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ScenarioError) as refused:
        Replay(path).run()
    assert refused.value.line == 2
    assert words.lower() in str(refused.value).lower()


def test_contract_5_without_java_the_engine_says_so_in_one_line():
    with pytest.raises(EngineError) as missing:
        DynamoDBLocal(java="/nonexistent/java").start()
    message = str(missing.value)
    assert "\n" not in message


def test_contract_5_without_java_on_path_the_cli_answers_one_line_and_moto_still_works(
    scenario, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("MILA_DYNAMODB_ENDPOINT", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    scenario.partner("p1", city="hamburg")
    path = scenario.write()
    assert cli.main(["replay", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "Java" in error and "--engine moto" in error
    out = tmp_path / "o.json"
    assert cli.main(["replay", str(path), "--engine", "moto", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["stats"]["engine"] == "moto"


def test_contract_5_two_replays_at_once_each_have_their_own_engine(tmp_path):
    """Two CLI replays in parallel processes on one machine: each starts its own DynamoDB Local
    on its own port; both finish with the same outcome and leave no JVM."""
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(generate(partners=4, days=2, seed=7)) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "MILA_DYNAMODB_ENDPOINT"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mila_admin.cli", "replay", str(path), "--out", str(tmp_path / f"o{n}.json")],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for n in range(2)
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read().decode() if run.stderr else ""
    first, second = (json.loads((tmp_path / f"o{n}.json").read_text()) for n in range(2))
    for key in ("partners", "notices", "ledger", "tables"):
        assert first[key] == second[key]
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(path) not in ps


def test_contract_4_chaos_equals_calm_on_a_fresh_engine_everything_but_timings(tmp_path, monkeypatch):
    """CONTRACT §4 --chaos: on its own engine (as the CLI runs it) a chaotic replay's outcome equals
    the calm one in every key but the run's statistics, tables and dead letters included."""
    monkeypatch.delenv("MILA_DYNAMODB_ENDPOINT", raising=False)
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(generate(partners=12, days=4, seed=11)) + "\n")
    calm = Replay(path).run()
    chaotic = Replay(path, chaos_seed=3).run()
    assert chaotic["stats"]["invocations"] > calm["stats"]["invocations"]  # chaos did something
    for key in set(calm) - {"stats"}:
        assert chaotic[key] == calm[key], key


def test_a_long_replay_shows_where_it_is_on_a_terminal_only():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    ticks = iter([0.0, 10.0, 20.0])
    screen = Terminal()
    progress = replay_run.Progress(screen, clock=lambda: next(ticks))
    progress(500, 1000, 730)
    progress(1000, 1000, 1460)
    shown = screen.getvalue()
    assert "500/1,000 lines" in shown and "730 records" in shown and "50 lines/s" in shown and "0m10s left" in shown
    assert "replay done: 1,000 lines, 1,460 records" in shown
    quiet = io.StringIO()  # not a terminal: nothing
    replay_run.Progress(quiet)(1, 2, 3)
    assert quiet.getvalue() == ""


def test_the_generator_writes_a_valid_deterministic_city_history(tmp_path):
    lines = generate(partners=40, days=5, seed=1)
    assert lines == generate(partners=40, days=5, seed=1)
    assert lines != generate(partners=40, days=5, seed=2)
    events = [json.loads(line) for line in lines[1:]]
    kinds = {
        next(k for k in ("put", "invoke") if k in e)
        + ":"
        + (e.get("put", {}).get("table") or e.get("invoke", {}).get("function"))
        for e in events
    }
    assert {"put:partners", "put:jobs", "put:ratings", "invoke:nightly_check", "invoke:ops"} <= kinds
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    statuses = {e["put"]["item"].get("status") for e in events if e.get("put", {}).get("table") == "jobs"}
    assert {"REQUESTED", "ACCEPTED", "COMPLETED"} <= statuses
    path = tmp_path / "g.jsonl"
    path.write_text("\n".join(lines) + "\n")
    outcome = Replay(path).run()  # it replays: every line valid
    assert len(outcome["partners"]) >= 40 and outcome["ledger"]
