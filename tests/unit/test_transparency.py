"""`mila-standing transparency` (CONTRACT §6; EU Platform Work Directive Art. 9): one city's rules as
a page for its partners, generated from the policy, so it says exactly what the policy says (R1-R9,
R12.3, PWD-11). Bad input is one line and exit 2, nothing written."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from mila_admin.cli import main
from mila_admin.transparency import page_for

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "infra" / "policy.yaml"


def _text(page: str) -> str:
    """What a reader sees: the page without its tags, entities resolved, no-break spaces as spaces."""
    body = re.sub(r"<(style|script)>.*?</\1>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).replace("\u00a0", " ")


def _policy(tmp_path: Path, leipzig: dict) -> Path:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    raw["cities"]["leipzig"] = leipzig
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_contract_6_the_leipzig_page_in_german_states_leipzigs_thresholds_as_the_policy_does():
    """Given the shipped policy (Leipzig on the defaults), when the German page for Leipzig is made,
    then it is German and names every threshold of R1-R6 with Leipzig's numbers in German format."""
    page = page_for("leipzig", "de", SHIPPED)
    text = _text(page)
    assert '<html lang="de">' in page and "Wie Mila über Partner in Leipzig entscheidet" in text
    for shown in (
        "Ihrer letzten 50 Bewertungen",  # R1.1 window
        "Mindestdurchschnitt 4,3 Sterne",  # R2 minimum
        "0,2 Sterne (also unter 4,5 Sternen)",  # R2.1 warning margin
        "Bewertungen, die es vor einer Benachrichtigung braucht 10",  # R2.1 min_ratings
        "Tage zwischen zwei Benachrichtigungen (mindestens) 7",  # R14.1 cooldown
        "bevor eine Sperre folgen kann 3",  # R2.4
        "Ihren letzten 50 angenommenen Aufträgen",  # R3.1 window
        "mit mindestens 10 Aufträgen",  # R4.1 min_jobs
        "Wenn weniger als 5 Partner so viele Aufträge haben gilt als Durchschnitt der Stadt 3 %",  # R4.1
        "das 1,5-Fache des Durchschnitts der Stadt, mindestens 5 %",  # R4.2
        "Bei 2 Nichterscheinen innerhalb von 365 Tagen",  # R6
        "als hätten Sie zusätzlich 10 Bewertungen mit 4,65 Sternen",  # R9.2 prior
        "innerhalb von 14 Tagen mit einer Begründung",  # PWD-11
    ):
        assert shown in text, shown


def test_contract_6_the_english_page_is_english_with_english_numbers():
    text = _text(page_for("leipzig", "en", SHIPPED))
    assert "How Mila decides about partners in Leipzig" in text
    assert "Minimum average 4.3 stars" in text and "1.5 times the city average, at least 5%" in text
    assert "Kunden" not in text and "Sterne" not in text


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        ({"rating": {"minimum": 4.4}}, "Minimum average 4.3 stars", "Minimum average 4.4 stars"),
        ({"rating": {"warning_margin": 0.25}}, "0.2 stars (so below 4.5 stars)", "0.25 stars (so below 4.55 stars)"),
        ({"rating": {"window": 40}}, "your last 50 ratings", "your last 40 ratings"),
        (
            {"notice_cooldown_days": 10},
            "Days between two warnings (at least) 7",
            "Days between two warnings (at least) 10",
        ),
        (
            {"cancellation": {"maximum_factor": 2, "maximum_floor": 0.035}},
            "1.5 times the city average, at least 5%",
            "2 times the city average, at least 3.5%",
        ),
        ({"cancellation": {"default_city_average": 0.025}}, "the city average is 3%", "the city average is 2.5%"),
        (
            {"no_show": {"strikes_before_exclusion": 3, "strike_window_days": 180}},
            "With 2 no-shows within 365 days",
            "With 3 no-shows within 180 days",
        ),
        (
            {"decision_mode": "human_review"},
            "the system applies the suspensions",
            "the system never suspends, excludes or closes an account on its own",
        ),
    ],
)
def test_contract_6_a_changed_threshold_changes_the_page(tmp_path, change, before, after):
    """Given Leipzig's policy with one threshold changed, then the page shows the new value where it
    showed the old one: the page is the policy, not a copy of it."""
    shipped = _text(page_for("leipzig", "en", SHIPPED))
    changed = _text(page_for("leipzig", "en", _policy(tmp_path, change)))
    assert before in shipped and before not in changed
    assert after in changed


def test_contract_6_the_page_is_self_contained():
    """One file that opens offline: no script, stylesheet, image or font from anywhere."""
    page = page_for("berlin", "de", SHIPPED)
    assert not re.search(r"<(link|img|iframe)\b", page) and "src=" not in page and "@import" not in page
    assert "http" not in re.sub(r"https://academy\.mila\.com", "", page)  # the Academy's address, as text
    assert "Mindestdurchschnitt 4,5 Sterne" in _text(page)  # Berlin's own minimum


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--city", "atlantis", "--lang", "de"], "unknown city 'atlantis'"),
        (["--city", "leipzig", "--lang", "fr"], "no page in 'fr'"),
    ],
)
def test_contract_6_an_unknown_city_or_language_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, argv, says):
    out = tmp_path / "page.html"
    assert main(["transparency", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_contract_6_an_invalid_policy_is_named_and_nothing_written(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\ncities:\n  leipzig: {rating: {minimum: 7}}\n", encoding="utf-8")
    out = tmp_path / "page.html"
    assert main(["transparency", "--city", "leipzig", "--policy", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cities.leipzig.rating.minimum" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_contract_6_the_page_goes_to_out_or_stdout(tmp_path, capsys):
    out = tmp_path / "leipzig" / "de.html"
    assert main(["transparency", "--city", "leipzig", "--out", str(out)]) == 0
    assert '<html lang="de">' in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["transparency", "--city", "leipzig", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
