"""Issue 10 (CONTRACT §5): `mila-standing import` round-trips an export through the real replay, and
`mila-standing whatif` compares two policies on it, with a report a headless browser opens."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from mila_admin.cli import main
from mila_admin.export import snapshot, write_export
from mila_admin.importing import import_history, write_scenario
from mila_replay.compare import differences
from mila_replay.engine import Replay
from moto import mock_aws

from . import scenario as scenarios
from .scenario import ScenarioBuilder, day, iso

ROOT = Path(__file__).resolve().parents[2]
LENIENT_LEIPZIG = """version: 2
cities:
  leipzig: {rating: {minimum: 3.5}}
"""


def history(tmp: Path) -> ScenarioBuilder:
    """Two Leipzig partners, twelve paid jobs each over three days, every item carrying its own times
    (as the platform writes them), and a nightly check every night at 02:00: what a snapshot can tell."""
    builder = ScenarioBuilder(tmp)
    for partner_id in ("p-low", "p-ok"):
        builder.put(
            day(0, 7),
            "partners",
            {
                "partner_id": partner_id,
                "city": "leipzig",
                "verified": True,
                "created_at": iso(day(0, 7)),
                "user_pool_username": partner_id,
            },
        )
    for n in range(12):
        for offset, (partner_id, stars) in enumerate((("p-low", 4), ("p-ok", 5))):
            start = day(n // 4, hour=8 + 3 * (n % 4), minute=10 * offset)
            job = {
                "job_id": f"j-{partner_id}-{n:02d}",
                "customer_id": f"c-{n}",
                "city": "leipzig",
                "status": "REQUESTED",
                "scheduled_at": iso(start + timedelta(hours=1)),
                "price_cents": 6000 + n,
                "currency": "EUR",
                "created_at": iso(start),
            }
            builder.put(start, "jobs", job)
            accepted = start + timedelta(minutes=5)
            job = job | {"status": "ACCEPTED", "partner_id": partner_id, "accepted_at": iso(accepted)}
            builder.put(accepted, "jobs", job)
            done = start + timedelta(hours=2)
            builder.put(
                done, "jobs", job | {"status": "COMPLETED", "completed_at": iso(done), "payment_status": "PAID"}
            )
            rated = start + timedelta(hours=2, minutes=30)
            builder.put(
                rated,
                "ratings",
                {
                    "job_id": job["job_id"],
                    "partner_id": partner_id,
                    "customer_id": f"c-{n}",
                    "stars": stars,
                    "rated_at": iso(rated),
                },
            )
    for night in (1, 2, 3):
        builder.nightly(night)
    return builder


def export(lines: list[dict], folder: Path) -> Path:
    for table, items in snapshot(lines).items():
        write_export(folder / table, table, items, day(4), table_name=f"mila-{table}")
    return folder


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("whatif")
    scenario = history(tmp).write()
    lines = [json.loads(line) for line in scenario.read_text().splitlines()]
    return scenario, export(lines, tmp / "export")


def test_an_imported_export_replays_to_the_same_outcome_as_the_history_it_came_from(exported, tmp_path):
    """Issue 10 round trip: scenario → export folder (AWS's layout and encoding) → import → replay
    gives the same partners, notices, ledger and nightly answers as the scenario itself."""
    scenario, folder = exported
    rebuilt = import_history([str(folder)])
    assert rebuilt.summary()["bad_items"]["count"] == 0
    imported = tmp_path / "imported.jsonl"
    with open(imported, "w", encoding="utf-8") as out:
        write_scenario(rebuilt, out)
    original = Replay(scenario, engine=scenarios.ENGINE or "dynamodb-local").run()
    again = Replay(imported, engine=scenarios.ENGINE or "dynamodb-local").run()
    assert [n["type"] for n in original["notices"]] == ["RATING_WARNING"]  # the history has something to judge
    assert differences(original, again) == []


@pytest.fixture(scope="module")
def report(exported, tmp_path_factory) -> Path:
    _, folder = exported
    out = tmp_path_factory.mktemp("report")
    lenient = out / "lenient.yaml"
    lenient.write_text(LENIENT_LEIPZIG, encoding="utf-8")
    assert main(["whatif", str(folder), "--policy", str(lenient), "--out", str(out / "whatif")]) == 0
    return out / "whatif"


def test_whatif_reports_counts_per_city_and_the_partners_a_change_affects(report):
    """Issue 10: report.json has `cities` with the counts per policy and `differences`, one entry per
    partner whose standing or notices differ, with both statements of reasons (R12.1)."""
    figures = json.loads((report / "report.json").read_text())
    leipzig = figures["cities"]["leipzig"]
    assert (leipzig["a"]["warnings"], leipzig["b"]["warnings"]) == (1, 0)
    assert leipzig["a"]["commission_cents"] == leipzig["b"]["commission_cents"] > 0
    assert [d["partner_id"] for d in figures["differences"]] == ["p-low"]
    low = figures["differences"][0]
    assert [n["type"] for n in low["a"]["notices"]] == ["RATING_WARNING"] and low["b"]["notices"] == []
    assert low["a"]["notices"][0]["reasons"]["thresholds"]["minimum"] == 4.3
    assert figures["policies"]["a"]["path"] == "infra/policy.yaml" or figures["policies"]["a"]["path"].endswith(
        "infra/policy.yaml"
    )
    assert figures["history"]["import"]["not_reconstructed"] == {"payments: time unknown, applied at completion": 24}
    assert (report / "report.html").stat().st_size > 0


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(BROWSER is None, reason="needs Debian's chromium (make setup installs it)")
def test_the_report_opens_in_a_real_headless_browser_without_errors_and_draws_its_figures(report, tmp_path):
    """Issue 10: the page opens without errors (no network) and shows the figures: every chart laid out
    with marks in it (the page's own check, run by the browser after layout), the tables present."""
    page = (report / "report.html").resolve().as_uri()
    flags = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run([*flags, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    head = dom.stdout[:400]
    assert 'data-ready="1"' in head and "data-errors" not in head, head
    assert 'data-charts="5"' in head  # restrictions per city, two timelines, leipzig's ratings and cancellations
    assert "Uncaught" not in dom.stderr and "CONSOLE" not in dom.stderr
    assert "p-low" in dom.stdout and "RATING_WARNING" in dom.stdout
    shot = tmp_path / "report.png"
    subprocess.run(
        [*flags, "--hide-scrollbars", "--window-size=1240,1800", f"--screenshot={shot}", page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


# --- bad input: one line naming the file, exit 2, nothing half-written ---------------------------------


def test_a_policy_that_does_not_validate_is_named_and_nothing_is_written(exported, tmp_path, capsys):
    _, folder = exported
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\ncities:\n  leipzig: {rating: {minimum: 7}}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["whatif", str(folder), "--policy", str(bad), "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and str(bad) in error and "cities.leipzig.rating.minimum" in error
    assert not out.exists()


def test_an_export_missing_a_table_is_named_and_nothing_is_written(exported, tmp_path, capsys):
    _, folder = exported
    partial = tmp_path / "partial"
    shutil.copytree(folder / "partners", partial / "partners")
    shutil.copytree(folder / "jobs", partial / "jobs")
    out = tmp_path / "out"
    assert main(["whatif", str(partial), "--policy", "infra/policy.yaml", "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and str(partial) in error and "no export of the ratings table" in error
    assert not out.exists()
    assert main(["import", str(partial)]) == 2


def test_a_history_that_is_neither_an_export_nor_a_scenario_is_named(tmp_path, capsys):
    notes = tmp_path / "partners.csv"
    notes.write_text("partner_id,city\np-1,leipzig\n", encoding="utf-8")
    assert main(["whatif", str(notes), "--policy", "infra/policy.yaml", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and f"{notes}: not a scenario or an export (line 1: not valid JSON" in error
    assert not (tmp_path / "out").exists()


def test_import_reads_an_export_from_s3_with_the_users_credentials(exported, monkeypatch):
    """Issue 10: the same export read from s3://bucket/prefix (moto stands in for the user's account)."""
    _, folder = exported
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="mila-exports", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        for path in folder.rglob("*"):
            if path.is_file():
                s3.put_object(
                    Bucket="mila-exports", Key=f"2026/{path.relative_to(folder).as_posix()}", Body=path.read_bytes()
                )
        from_s3 = import_history(["s3://mila-exports/2026"])
    from_disk = import_history([str(folder)])
    assert from_s3.lines == from_disk.lines and len(from_s3.lines) > 90


def test_a_line_dynamodb_refuses_in_parallel_runs_is_one_line_and_exit_2(tmp_path, capsys):
    """Issue 10 bad input, with both replays in worker processes: the refused line comes back named."""
    path = tmp_path / "history.jsonl"
    partner = {"partner_id": "p1", "city": "hamburg", "verified": True, "created_at": "2026-03-01T08:00:00Z"}
    rating = {
        "job_id": "j1",
        "partner_id": "p1",
        "stars": 5,
        "rated_at": "2026-03-02T09:00:00Z",
        "comment": "x" * 500_000,
    }  # above DynamoDB's 400 KB item limit
    lines = [
        {"at": "2026-03-02T08:00:00Z", "put": {"table": "partners", "item": partner}},
        {"at": "2026-03-02T09:00:00Z", "put": {"table": "ratings", "item": rating}},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = tmp_path / "out"
    assert (
        main(
            ["whatif", str(path), "--policy", "infra/policy.yaml", "--out", str(out), "--engine", "moto", "--jobs", "2"]
        )
        == 2
    )
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"mila-standing whatif: {path}: line 2: put: DynamoDB refused the item"), error
    assert not out.exists()
