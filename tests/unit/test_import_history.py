"""CONTRACT §5 `mila-standing import`: a history rebuilt from a snapshot of the platform's tables,
in DynamoDB's Export-to-S3 format, with what could not be reconstructed counted (issue 10)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from mila_admin.export import ExportError, find_exports, read_items, snapshot, write_export
from mila_admin.history import SourceItem, rebuild
from mila_admin.importing import import_history

EXPORTED = datetime(2026, 11, 1, tzinfo=UTC)


def partner(pid: str = "p-1", city: str = "leipzig", created: str = "2026-10-01T08:00:00Z") -> dict:
    return {"partner_id": pid, "city": city, "verified": True, "created_at": created}


def completed_job(job_id: str = "j-1", **extra) -> dict:
    return {
        "job_id": job_id,
        "customer_id": "c-1",
        "city": "leipzig",
        "status": "COMPLETED",
        "partner_id": "p-1",
        "created_at": "2026-10-02T09:00:00Z",
        "accepted_at": "2026-10-02T09:10:00Z",
        "scheduled_at": "2026-10-03T10:00:00Z",
        "completed_at": "2026-10-03T11:30:00Z",
        "price_cents": 9000,
        "currency": "EUR",
        "payment_status": "PAID",
        **extra,
    }


def rating(job_id: str = "j-1", stars: int = 5, at: str = "2026-10-03T12:00:00Z") -> dict:
    return {"job_id": job_id, "partner_id": "p-1", "customer_id": "c-1", "stars": stars, "rated_at": at}


def items(*pairs: tuple[str, dict]) -> list[SourceItem]:
    return [SourceItem(table, item, f"test:{n}") for n, (table, item) in enumerate(pairs, start=1)]


def puts(history, table: str) -> list[tuple[str, dict]]:
    return [(line["at"], line["put"]["item"]) for line in history.lines if line.get("put", {}).get("table") == table]


def test_a_completed_job_is_replayed_through_its_states_at_its_own_times():
    """Given a COMPLETED job in a snapshot, when the history is rebuilt, then it is requested at
    created_at, accepted at accepted_at (with its partner) and completed at completed_at (R3.1),
    and the earlier states carry none of the outcome's fields."""
    history = rebuild(items(("partners", partner()), ("jobs", completed_job())))
    states = puts(history, "jobs")
    assert [(at, item["status"]) for at, item in states] == [
        ("2026-10-02T09:00:00Z", "REQUESTED"),
        ("2026-10-02T09:10:00Z", "ACCEPTED"),
        ("2026-10-03T11:30:00Z", "COMPLETED"),
    ]
    assert "partner_id" not in states[0][1] and states[1][1]["partner_id"] == "p-1"
    assert not {"completed_at", "payment_status"} & set(states[1][1])
    assert states[2][1] == completed_job()
    assert history.gaps == {"payments: time unknown, applied at completion": 1}


def test_events_are_in_time_order_with_a_nightly_check_every_night_at_the_schedules_hour():
    """Given a partner registered long before and activity over two days, then the lines are in time
    order, and a nightly check runs at 02:00 UTC from the first night after the first job or rating
    until the night after the last event (so the last day is judged too)."""
    history = rebuild(
        items(
            ("ratings", rating(at="2026-10-04T20:00:00Z")),
            ("jobs", completed_job()),
            ("partners", partner(created="2024-01-01T00:00:00Z")),
        )
    )
    times = [line["at"] for line in history.lines]
    assert times == sorted(times)
    nights = [line["at"] for line in history.lines if "invoke" in line]
    assert nights == ["2026-10-03T02:00:00Z", "2026-10-04T02:00:00Z", "2026-10-05T02:00:00Z"]
    assert history.nights == 3
    assert history.lines[0]["put"]["table"] == "partners"


def test_what_a_snapshot_cannot_tell_is_counted_not_invented():
    """Given a job without created_at, a refunded job and a voided rating, then each gap is a count in
    the import's summary, and a refund is replayed as paid then refunded at completion (R10.3)."""
    no_request = {k: v for k, v in completed_job("j-2").items() if k != "created_at"}
    refunded = completed_job("j-3", payment_status="REFUNDED")
    history = rebuild(
        items(
            ("partners", partner()),
            ("jobs", no_request),
            ("jobs", refunded),
            ("ratings", rating("j-2", 1) | {"voided": True}),
        )
    )
    gaps = history.summary()["not_reconstructed"]
    assert gaps["jobs without created_at: requested at their first known time"] == 1
    assert gaps["refunded jobs: paid and refunded at completion (times unknown)"] == 1
    assert gaps["voided ratings: only the voided version is known (the rating never counts)"] == 1
    j3 = [
        item["payment_status"]
        for _, item in puts(history, "jobs")
        if item["job_id"] == "j-3" and item["status"] == "COMPLETED"
    ]
    assert j3 == ["PAID", "REFUNDED"]
    j2_requested = [
        at for at, item in puts(history, "jobs") if item["job_id"] == "j-2" and item["status"] == "REQUESTED"
    ]
    assert j2_requested == ["2026-10-02T09:10:00Z"]  # its first known time, accepted_at


@pytest.mark.parametrize(
    "table, item, reason",
    [
        ("jobs", {"status": "COMPLETED"}, "job_id: required"),
        ("jobs", completed_job(status="LOST"), "status: 'LOST' is not one of"),
        ("jobs", {"job_id": "j-9", "status": "REQUESTED"}, "no time at all"),
        ("ratings", {"job_id": "j-9", "stars": 5}, "rated_at: required"),
        ("partners", partner(created="yesterday"), "created_at:"),
        ("ratings", {"__bad__": "not valid JSON"}, "not valid JSON"),
    ],
)
def test_a_bad_item_is_counted_and_listed_with_its_reason_never_fatal(table, item, reason):
    """Issue 10 bad input: bad items are counted and listed with their reason; the rest is imported."""
    history = rebuild(items(("partners", partner()), (table, item), ("jobs", completed_job())))
    bad = history.summary()["bad_items"]
    assert bad["count"] == 1 and reason in bad["items"][0]["reason"]
    assert bad["items"][0]["table"] == table and bad["items"][0]["where"] == "test:2"
    assert [i["status"] for _, i in puts(history, "jobs")] == ["REQUESTED", "ACCEPTED", "COMPLETED"]


def test_a_partner_without_created_at_is_placed_at_the_start_and_counted():
    history = rebuild(items(("jobs", completed_job()), ("partners", {"partner_id": "p-1", "city": "leipzig"})))
    assert history.lines[0]["put"]["item"]["partner_id"] == "p-1"
    assert history.gaps == {
        "partners without created_at: placed at the start of the history": 1,
        "payments: time unknown, applied at completion": 1,
    }


# --- the export format -------------------------------------------------------------------------------


def scenario_lines() -> list[dict]:
    secret_job = completed_job("j-2", access_secrets={"door_code": "1234"}, status="ACCEPTED")
    for field in ("completed_at", "payment_status"):
        secret_job.pop(field)
    return [
        {"at": "2026-10-01T08:00:00Z", "put": {"table": "partners", "item": partner()}},
        {"at": "2026-10-01T08:00:00Z", "put": {"table": "partners", "item": partner("p-2", "halle")}},
        {"at": "2026-10-02T09:00:00Z", "put": {"table": "jobs", "item": completed_job() | {"status": "REQUESTED"}}},
        {"at": "2026-10-03T11:30:00Z", "put": {"table": "jobs", "item": completed_job()}},
        {"at": "2026-10-03T12:00:00Z", "put": {"table": "jobs", "item": secret_job}},
        {"at": "2026-10-03T12:00:00Z", "put": {"table": "ratings", "item": rating() | {"comment": "schön"}}},
        {"at": "2026-10-03T12:30:00Z", "put": {"table": "ratings", "item": rating("j-2", 4)}},
        {"at": "2026-10-04T12:00:00Z", "delete": {"table": "ratings", "key": {"job_id": "j-2"}}},
        {
            "at": "2026-10-04T12:00:00Z",
            "put": {"table": "partners", "item": partner("p-3") | {"score_hint": Decimal("4.25"), "tags": ["a", "b"]}},
        },
    ]


def write_all(folder, lines) -> dict[str, list[dict]]:
    tables = snapshot(lines)
    for table, table_items in tables.items():
        write_export(folder / table, table, table_items, EXPORTED, table_name=f"mila-prod-{table}")
    return tables


def test_an_export_written_as_aws_does_reads_back_item_for_item(tmp_path):
    """Issue 10: an export-shaped folder (AWSDynamoDB/<id>/ with manifest-summary.json, manifest-files.json
    and gzip DynamoDB-JSON data files) written from a scenario reads back to the same items."""
    tables = write_all(tmp_path, scenario_lines())
    assert [i["job_id"] for i in tables["ratings"]] == ["j-1"]  # the deleted rating is not in the snapshot
    exports = find_exports([tmp_path])
    assert set(exports) == {"partners", "jobs", "ratings"}
    for table, export in exports.items():
        read = sorted((s.item for s in read_items(export)), key=lambda i: json.dumps(i, sort_keys=True, default=str))
        want = sorted(tables[table], key=lambda i: json.dumps(i, sort_keys=True, default=str))
        assert read == want
    summary_files = list(tmp_path.rglob("manifest-summary.json"))
    summary = json.loads(summary_files[0].read_text())
    assert summary["outputFormat"] == "DYNAMODB_JSON" and summary["tableArn"].endswith(
        summary_files[0].parts[len(tmp_path.parts)]
    )
    data = next(tmp_path.glob("jobs/AWSDynamoDB/*/data/*.json.gz"))
    first = json.loads(gzip.decompress(data.read_bytes()).splitlines()[0])
    assert set(first) == {"Item"} and first["Item"]["job_id"] == {"S": first["Item"]["job_id"]["S"]}


def test_a_round_trip_rebuilds_the_scenarios_final_items(tmp_path):
    """Scenario → export → import: the last put of every surviving item is in the history, unchanged."""
    lines = scenario_lines()
    write_all(tmp_path, lines)
    history = import_history([str(tmp_path)])
    rebuilt = snapshot(history.lines)
    assert {t: sorted(map(repr, v)) for t, v in rebuilt.items()} == {
        t: sorted(map(repr, v)) for t, v in snapshot(lines).items()
    }
    assert history.summary()["bad_items"]["count"] == 0


def test_a_bad_line_in_a_data_file_is_a_bad_item_not_a_failure(tmp_path):
    write_all(tmp_path, scenario_lines())
    data = next(tmp_path.glob("ratings/AWSDynamoDB/*/data/*.json.gz"))
    body = gzip.decompress(data.read_bytes()) if data.stat().st_size else b""
    data.write_bytes(gzip.compress(body + b"{not json\n" + b'{"Thing": {}}\n'))
    history = import_history([str(tmp_path)])
    bad = history.summary()["bad_items"]
    assert bad["count"] == 2
    assert {b["reason"] for b in bad["items"]} == {"not valid JSON", 'not an {"Item": {...}} in DynamoDB JSON'}
    assert all(b["where"].startswith(str(data)) for b in bad["items"])


def test_an_export_missing_a_table_is_one_clear_error(tmp_path):
    """Issue 10 bad input: an export missing a table names what is missing."""
    write_all(tmp_path, scenario_lines())
    for path in sorted((tmp_path / "ratings").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    with pytest.raises(ExportError, match="no export of the ratings table"):
        find_exports([tmp_path])


def test_a_folder_that_is_no_export_is_one_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ExportError, match=r"not a DynamoDB export \(no manifest-summary.json"):
        find_exports([tmp_path])


def test_an_ion_export_is_refused_by_name(tmp_path):
    write_all(tmp_path, scenario_lines())
    summary = next(tmp_path.glob("jobs/AWSDynamoDB/*/manifest-summary.json"))
    summary.write_text(json.dumps(json.loads(summary.read_text()) | {"outputFormat": "ION"}))
    with pytest.raises(ExportError, match=f"{summary}: outputFormat 'ION'"):
        find_exports([tmp_path])


def test_the_import_command_writes_a_scenario_and_says_what_it_could_not_reconstruct(tmp_path, capsys):
    """Issue 10: `mila-standing export` then `mila-standing import`: a scenario the replay accepts, the
    gaps as counts on stderr and in FILE.import.json, nothing under the scenario's name on failure."""
    from mila_admin.cli import main
    from mila_admin.scenario import load_scenario

    scenario = tmp_path / "history.jsonl"
    scenario.write_text("".join(json.dumps(line, default=str) + "\n" for line in scenario_lines()))
    assert main(["export", str(scenario), "--out", str(tmp_path / "export")]) == 0
    assert main(["import", str(tmp_path / "export"), "--out", str(tmp_path / "imported.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "import: 2 jobs, 3 partners, 1 ratings" in err and "bad items: 0" in err
    assert "not reconstructed: 1 payments: time unknown, applied at completion" in err
    loaded = load_scenario(tmp_path / "imported.jsonl", {"nightly_check"})
    assert [line.kind for line in loaded.lines].count("invoke") == 2  # nights of 3 and 4 October
    summary = json.loads((tmp_path / "imported.jsonl.import.json").read_text())
    assert summary["not_reconstructed"] == {"payments: time unknown, applied at completion": 1}
    assert main(["import", str(tmp_path / "export" / "jobs"), "--out", str(tmp_path / "only-jobs.jsonl")]) == 2
    assert "no export of the partners and ratings tables" in capsys.readouterr().err
    assert not (tmp_path / "only-jobs.jsonl").exists()
