"""Issue 10 `mila-standing whatif`: the comparison of two outcomes (CONTRACT §4) and its report."""

from __future__ import annotations

from html.parser import HTMLParser

from mila_replay.report_html import render
from mila_replay.whatif import compare, statement_text
from mila_standing.domain.policy import Policy

CITIES = {"p-low": "leipzig", "p-new": "leipzig", "p-ok": "leipzig", "p-dd": "dresden"}


def partner(status: str = "ACTIVE", reason=None, pending=None, average=4.8, count=50, rate=0.02, jobs=50) -> dict:
    return {
        "status": status,
        "reason": reason,
        "dispatch_eligible": status == "ACTIVE",
        "dispatch_score": 1.0,
        "rating_average": average,
        "rating_count": count,
        "cancellation_rate": rate,
        "resolved_jobs": jobs,
        "no_show_strikes": 0,
        "legal_action": False,
        "pending_decision": pending,
    }


def notice(partner_id: str, kind: str, at: str, rule: str = "R2.2", **figures) -> dict:
    return {
        "partner_id": partner_id,
        "type": kind,
        "at": at,
        "notice_id": f"{partner_id}:1",
        "reasons": {
            "rule": rule,
            "figures": figures or {"rating_average": 4.35, "rating_count": 12, "window": 50},
            "thresholds": {"minimum": 4.4},
            "policy_version": "2",
            "decision_mode": "automatic",
        },
    }


def outcomes() -> tuple[dict, dict]:
    a = {
        "partners": {
            "p-low": partner(average=4.35, count=12),
            "p-new": partner(average=4.0, count=11),
            "p-ok": partner(),
            "p-dd": partner(),
        },
        "notices": [notice("p-new", "RATING_WARNING", "2026-10-03T02:00:00Z")],
        "ledger": [
            {
                "job_id": "j-1",
                "partner_id": "p-ok",
                "kind": "COMMISSION",
                "price_cents": 10000,
                "commission_cents": 2000,
                "payout_cents": 8000,
                "city": "leipzig",
            },
            {
                "job_id": "j-2",
                "partner_id": "p-dd",
                "kind": "COMMISSION",
                "price_cents": 5000,
                "commission_cents": 1000,
                "payout_cents": 4000,
                "city": "dresden",
            },
            {
                "job_id": "j-2",
                "partner_id": "p-dd",
                "kind": "REVERSAL",
                "price_cents": -5000,
                "commission_cents": -1000,
                "payout_cents": -4000,
                "city": "dresden",
            },
        ],
        "cities": {"leipzig": {"average_cancellation_rate": 0.03, "maximum_cancellation_rate": 0.05}},
        "stats": {},
    }
    b = {
        **a,
        "partners": {**a["partners"], "p-low": partner("SUSPENDED", "RATING", average=4.35, count=12)},
        "notices": [
            *a["notices"],
            notice("p-low", "RATING_WARNING", "2026-10-02T02:00:00Z"),
            notice(
                "p-low",
                "SUSPENDED",
                "2026-10-09T02:00:00Z",
                rule="R2.4",
                rating_average=4.35,
                rating_count=12,
                window=50,
            ),
        ],
    }
    return a, b


def policies() -> dict[str, Policy]:
    base = {"version": 1, "defaults": {}, "cities": {}}
    return {"a": Policy(base), "b": Policy({**base, "version": 2, "cities": {"leipzig": {"rating": {"minimum": 4.4}}}})}


def test_counts_per_city_and_overall_under_each_policy():
    """Given B suspends p-low after a warning, then leipzig counts one more warning and one suspension
    under B; commission is net of reversals per city (R10.3) and equal under both."""
    report = compare(*outcomes(), CITIES, policies())
    leipzig = report["cities"]["leipzig"]
    assert (leipzig["a"]["warnings"], leipzig["b"]["warnings"]) == (1, 2)
    assert (leipzig["a"]["suspensions"], leipzig["b"]["suspensions"]) == (0, 1)
    assert (leipzig["a"]["restricted_at_end"], leipzig["b"]["restricted_at_end"]) == (0, 1)
    assert report["cities"]["dresden"]["a"]["commission_cents"] == 0
    assert report["overall"]["b"]["commission_cents"] == 2000 == report["overall"]["a"]["commission_cents"]
    assert report["overall"]["b"]["suspensions"] == 1


def test_differences_list_only_partners_treated_differently_with_both_statements_of_reasons():
    """Issue 10: one entry per partner whose final standing or notices differ, {"partner_id", "a", "b"}."""
    report = compare(*outcomes(), CITIES, policies())
    assert [d["partner_id"] for d in report["differences"]] == ["p-low"]
    entry = report["differences"][0]
    assert entry["a"]["status"] == "ACTIVE" and entry["a"]["notices"] == []
    assert entry["b"]["status"] == "SUSPENDED"
    assert [n["reasons"]["rule"] for n in entry["b"]["notices"]] == ["R2.2", "R2.4"]


def test_every_restriction_shows_its_sample_and_few_samples_are_flagged():
    """Issue 10: partners restricted on few ratings or jobs, the sample size next to every restriction."""
    report = compare(*outcomes(), CITIES, policies())
    assert report["restrictions"] == [
        {
            "policy": "b",
            "partner_id": "p-low",
            "city": "leipzig",
            "type": "SUSPENDED",
            "at": "2026-10-09T02:00:00Z",
            "rule": "R2.4",
            "sample": 12,
            "unit": "ratings",
            "window": 50,
            "few": True,
        }
    ]
    assert report["few_samples"] == report["restrictions"]


def test_distributions_carry_each_policys_thresholds_and_the_timeline_every_day():
    report = compare(*outcomes(), CITIES, policies())
    leipzig = report["distributions"]["leipzig"]
    assert leipzig["rating_averages"] == {"4.0": 1, "4.3": 1, "4.8": 1}
    assert leipzig["thresholds"]["a"]["rating_minimum"] == 4.3 and leipzig["thresholds"]["b"]["rating_minimum"] == 4.4
    assert leipzig["thresholds"]["a"]["cancellation_maximum"] == 0.05
    timeline = report["timeline"]
    assert timeline["days"][0] == "2026-10-02" and timeline["days"][-1] == "2026-10-09" and len(timeline["days"]) == 8
    assert sum(timeline["a"]["warnings"]) == 1 and sum(timeline["b"]["warnings"]) == 2
    assert timeline["b"]["restrictions"][-1] == 1


def test_a_statement_of_reasons_reads_as_one_line():
    text = statement_text(
        notice("p", "SUSPENDED", "2026-10-09T02:00:00Z", rule="R2.4", rating_average=4.35, rating_count=12, window=50)[
            "reasons"
        ]
    )
    assert text == (
        "rule R2.4 · figures: rating average 4.35, rating count 12, window 50 · "
        "thresholds: minimum 4.4 · policy 2 (automatic)"
    )


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_page_is_self_contained_with_the_tables_and_charts():
    """Issue 10: one HTML file, no network (no external src/href), the tables and the charts: restrictions
    per city, rating averages and cancellation rates against thresholds, the timeline of notices."""
    report = compare(*outcomes(), CITIES, policies())
    report |= {
        "policies": {"a": {"path": "infra/policy.yaml", "version": "1"}, "b": {"path": "b.yaml", "version": "2"}},
        "history": {"path": "h.jsonl", "lines": 10, "import": None},
        "runs": {s: {"engine": "moto", "stream_records": 1, "invocations": 1, "seconds": 1.0} for s in "ab"},
        "parallel": False,
        "seconds": 2.0,
    }
    page = Page()
    page.feed(render(report))
    external = [attrs for _, attrs in page.tags if any(k in attrs for k in ("src", "href"))]
    assert external == []
    charts = {attrs["id"] for tag, attrs in page.tags if tag == "svg"}
    assert {
        "restrictions-per-city",
        "timeline-warnings",
        "timeline-restrictions",
        "ratings-leipzig",
        "cancellations-leipzig",
        "ratings-dresden",
    } <= charts
    tables = {attrs.get("id") for tag, attrs in page.tags if tag == "table"}
    assert {"counts", "differences", "restrictions"} <= tables
    text = "".join(page.text)
    assert "p-low" in text and "rule R2.4" in text and "12 ratings of 50" in text
    assert "€20.00 → €20.00" in text


def test_the_two_runs_share_no_engine_when_parallel(monkeypatch):
    """Issue 10.4: in parallel each run has its own engine; a shared one (MILA_DYNAMODB_ENDPOINT) takes
    one replay at a time, whatever --jobs says."""
    from mila_replay.whatif_run import _parallel

    monkeypatch.setenv("MILA_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000")
    assert not _parallel(2, "dynamodb-local")
    assert _parallel(2, "moto")
    monkeypatch.delenv("MILA_DYNAMODB_ENDPOINT")
    assert _parallel(2, "dynamodb-local") and not _parallel(1, "dynamodb-local")
