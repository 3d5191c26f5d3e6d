"""R13.1 / R13.2: every notice a partner can receive has a message they can read, in their language,
with the figures rounded and in the language's format; ops-facing notices have a message for ops
only. The notices come from the rule core itself: infra/scenarios/notices.jsonl (every notice type,
in German and English) and the demo, run in memory through the real use cases (the reference
driver), so the words are tested on what the rules really decide."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from mila_standing.domain.languages import LANGUAGES
from mila_standing.domain.policy import Policy
from mila_standing.domain.standing import Standing
from mila_standing.domain.times import parse_time
from mila_standing.rules import Notice
from mila_standing.rules.judgement import OPS_FACING
from mila_standing.usecases.messages import PARTNER_MESSAGES, compose
from mila_standing.usecases.messages.catalog import LOCALES, SOURCE_LANGUAGE, MissingText, Words, catalog_path
from mila_standing.usecases.messages.people import People, beside

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "infra" / "scenarios"
sys.path.insert(0, str(SCENARIOS))  # the reference driver's package

from demo.lines import read  # noqa: E402
from demo.reference import ReferenceDriver  # noqa: E402
from mila_admin.transparency.page import LOCALES as TRANSPARENCY_LOCALES  # noqa: E402

MESSAGES_DIR = ROOT / "layers" / "mila_standing" / "mila_standing" / "usecases" / "messages"
UNTRANSLATED = "a text is not translated"
CATALOG_LOGGER = "mila_standing.usecases.messages.catalog"
NOTICE_TYPES = set(PARTNER_MESSAGES) | OPS_FACING


class Run:
    """A scenario run in memory: its lines, the notices the rules stored, and the texts that fell back
    to English for want of a translation (the catalog's warnings)."""

    def __init__(self, path: Path):
        overlay, self.lines = read(path)
        self.policy = Policy.load(ROOT / "infra" / "policy.yaml", overlay=overlay)
        with _warnings() as caught:
            self.driver = ReferenceDriver(self.policy).run(self.lines)
        self.untranslated = [r for r in caught if r.getMessage() == UNTRANSLATED]
        self.partner_ids = self.driver.partners()
        self.notices = [n for p in self.partner_ids for n in self.driver.notices(p)]

    def ops_events(self) -> Iterator[dict[str, Any]]:
        for line in self.lines:
            if "invoke" in line and line["invoke"]["function"] == "ops":
                yield line["invoke"]["event"]


class _Caught(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _warnings() -> Iterator[list[logging.LogRecord]]:
    """The catalog's warnings (the package's logger does not propagate to the root: observability.py)."""
    catalog_log = logging.getLogger(CATALOG_LOGGER)
    caught = _Caught()
    catalog_log.addHandler(caught)
    try:
        yield caught.records
    finally:
        catalog_log.removeHandler(caught)


@pytest.fixture(scope="module")
def notices_run() -> Run:
    return Run(SCENARIOS / "notices.jsonl")


@pytest.fixture(scope="module")
def demo_run() -> Run:
    return Run(SCENARIOS / "demo.jsonl")


def _words(notice: dict[str, Any]) -> dict[str, str]:
    return notice.get("message") or notice.get("ops_message") or {}


# --- the catalogs ------------------------------------------------------------------------------------


CATALOGS = [
    ("messages", MESSAGES_DIR, LOCALES),  # the notices (R13.1, R13.2)
    ("transparency", ROOT / "tools" / "mila_admin" / "transparency", TRANSPARENCY_LOCALES),  # the Art. 9 page
]


def _ids(messages: Any) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


@pytest.mark.parametrize(("domain", "code", "locales"), CATALOGS)
def test_r13_1_the_catalog_template_holds_exactly_the_texts_of_the_code(domain, code, locales):
    """Given the code of the notices (and of the Art. 9 page), when its texts are extracted as `make
    messages` does, then the catalog template holds exactly those: no text of the code is missing from
    the catalogs, none is left over."""
    extracted = {m[2] if isinstance(m[2], str) else m[2][0] for m in extract_from_dir(str(code))}
    with (locales / f"{domain}.pot").open("rb") as pot:
        template = _ids(read_po(pot))
    assert extracted == template, "run `make messages` and translate the new texts"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
@pytest.mark.parametrize(("domain", "code", "locales"), CATALOGS)
def test_r13_1_every_text_is_translated_and_keeps_its_placeholders(lang, domain, code, locales):
    """Given a language's catalog, then every text of the template has a translation that is neither
    empty nor fuzzy (a guess of `pybabel update`), every plural form is filled, and each keeps the
    English text's named values (Babel's own catalog checks)."""
    with (locales / f"{domain}.pot").open("rb") as pot:
        template = _ids(read_po(pot))
    with catalog_path(lang, domain, locales).open("rb") as po:
        catalog = read_po(po, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    problems += [f"{m.id!r}: {errors}" for m, errors in catalog.check() if errors]
    problems += [f"missing: {text!r}" for text in sorted(template - _ids(catalog))]
    assert problems == []


@pytest.mark.parametrize(("domain", "code", "locales"), CATALOGS)
def test_r13_1_the_languages_are_the_catalogs(domain, code, locales):
    """The languages a partner record may name (CONTRACT §1) are the source language and the catalogs."""
    catalogs = {path.parent.parent.name for path in locales.glob(f"*/LC_MESSAGES/{domain}.po")}
    assert set(LANGUAGES) == catalogs | {SOURCE_LANGUAGE}


def test_a_text_the_catalog_lacks_fails_strictly_and_falls_back_to_english_otherwise():
    """Given a text that is not in the German catalog, when it is asked for strictly (the tests), then
    it fails; a deployed function falls back to the English text and logs it, never failing a notice."""
    with pytest.raises(MissingText):
        Words("de", strict=True)._("A text nobody translated.")
    with _warnings() as caught:
        assert Words("de")._("A text nobody translated.") == "A text nobody translated."
    assert [r.getMessage() for r in caught] == [UNTRANSLATED]


# --- every notice, in every language --------------------------------------------------------------------


def test_r13_1_the_notices_scenario_produces_every_notice_type_in_both_languages(notices_run):
    """Given infra/scenarios/notices.jsonl run on the real rules, then every notice type appears, each
    partner-facing one in German and in English, each with a subject and a body; and no text fell
    back to English for want of a translation."""
    seen = {(n["type"], _words(n).get("locale")) for n in notices_run.notices}
    partner_types = set(PARTNER_MESSAGES)
    assert {(t, lang) for t in partner_types for lang in LANGUAGES} <= seen
    assert OPS_FACING <= {t for t, _ in seen}
    assert all(_words(n).get("subject") and _words(n).get("body") for n in notices_run.notices)
    assert notices_run.untranslated == []


def _variants(run: Run) -> list[dict[str, Any]]:
    """One stored notice of each kind of statement (type, rule, outcome) the scenario produced."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for n in run.notices:
        reasons = n["reasons"]
        key = (
            n["type"],
            reasons.get("rule"),
            reasons.get("outcome"),
            "approved_by" in reasons,
            bool(reasons.get("effect")),
        )
        found.setdefault(key, n)
    return list(found.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_r13_1_every_notice_renders_in_every_language_without_a_missing_text(notices_run, lang):
    """Given each kind of notice the rules produced (every type, every rule behind it, every answer
    to a review), when it is written strictly in each language (a partner's for partner notices,
    ops_locale for ops notices), then no text is missing and the message is in that language."""
    for stored in _variants(notices_run):
        notice = Notice(
            stored["partner_id"], stored["type"], parse_time(stored["at"]), stored["reasons"], stored["notice_id"]
        )
        standing = Standing(stored["partner_id"], city="leipzig", locale=lang)
        policy = Policy({"version": 1, "defaults": {"ops_locale": lang}}).for_city("leipzig")
        compose(notice, standing, policy, strict=True)
        words = notice.ops_message if stored["type"] in OPS_FACING else notice.message
        assert words is not None and words["locale"] == lang and words["subject"] and words["body"]
        assert (notice.message is None) == (stored["type"] in OPS_FACING)


def test_r13_1_every_notice_type_has_words_of_its_own():
    """Every type the rules know has a message of its own (the fallback is for a type added later)."""
    assert NOTICE_TYPES == set(PARTNER_MESSAGES) | OPS_FACING
    assert {
        "RATING_WARNING",
        "CANCELLATION_WARNING",
        "NO_SHOW_WARNING",
        "SUSPENDED",
        "EXCLUDED",
        "CLOSED",
        "REINSTATED",
        "REVIEW_ANSWERED",
    } == set(PARTNER_MESSAGES)


# --- figures for people -----------------------------------------------------------------------------------


def _message(run: Run, notice_id: str) -> dict[str, str]:
    return next(_words(n) for n in run.notices if n["notice_id"] == notice_id)


def _plain(text: str) -> str:
    assert "\u00a0" not in text and "\u202f" not in text  # plain spaces, as people type "6,7 %"
    return text


def test_r13_1_figures_are_rounded_and_written_in_the_partners_format(notices_run):
    """Given the rating warning of a German partner at 4.1 stars against Leipzig's 4.3, then it reads
    '4,1 Sternen' and '4,3 Sternen'; the English partner's reads '4.1 stars'; a rate of 1 in 15 reads
    '6,7 %' and '6.7%'; dates read 05.10.2026 and Oct 6, 2026 (the no-show's date plus 365 days as
    the day it stops counting, R14.6)."""
    de = _plain(_message(notices_run, "p-leipzig-01:000001")["body"])
    assert "liegt bei 4,1 Sternen" in de and "Mindestwert in Leipzig liegt bei 4,3 Sternen" in de
    assert "unter 4,5 Sternen" in de
    en = _message(notices_run, "p-leipzig-02:000001")["body"]
    assert "is 4.1 stars" in en and "minimum in Leipzig is 4.3 stars" in en
    assert "6,7 %" in _plain(_message(notices_run, "p-leipzig-03:000001")["body"])
    assert "is 6.7%" in _message(notices_run, "p-leipzig-04:000001")["body"]
    no_show_de = _message(notices_run, "p-leipzig-05:000001")["body"]
    assert "gemeldet am 05.10.2026" in no_show_de and "bis einschließlich 05.10.2027" in no_show_de
    assert "reported on Oct 6, 2026" in _message(notices_run, "p-leipzig-06:000001")["body"]


def test_r13_1_a_figure_next_to_its_threshold_never_looks_equal_or_the_wrong_way_round():
    """Rounded to one decimal, 4.46 would read 4,5 against the 4,5 at which we warn; it reads 4,46
    (towards the side it is on). Far from the threshold one decimal is enough. Never more than two."""
    assert beside(Decimal("4.46"), Decimal("4.5")) == Decimal("4.46")
    assert beside(Decimal("4.449"), Decimal("4.5")) == Decimal("4.4")
    assert beside(Decimal("4.5"), Decimal("4.5")) == Decimal("4.5")
    assert beside(Decimal("4.301"), Decimal("4.3")) == Decimal("4.31")  # above stays above
    assert beside(Decimal("4.29999"), Decimal("4.3")) == Decimal("4.29")
    people = People("de")
    assert _plain(people.percent(Decimal("0.0320"), Decimal("0.0318"))) == "3,2 %"
    assert _plain(people.percent(Decimal("0.03181"), Decimal("0.032"))) == "3,18 %"  # not 3,2 % against 3,2 %
    assert _plain(people.percent_limit(Decimal("0.045"))) == "4,5 %"
    assert _plain(People("en").percent(Decimal("0.0666666"))) == "6.7%"
    assert people.date(datetime(2026, 10, 17, 23, 30, tzinfo=UTC)) == "17.10.2026"


# --- privacy ------------------------------------------------------------------------------------------------

RULE_ID = re.compile(r"\b(?:R\d{1,2}(?:\.\d+)?|PWD-\d+)\b")
DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
LONG_DECIMAL = re.compile(r"\d[.,]\d{3,}")


def _private_texts(run: Run) -> tuple[set[str], dict[str, set[str]]]:
    """What no partner message may hold: every actor and every ops note; and per review, the answer's
    reason (written for that partner: allowed only in the answer to that review)."""
    private: set[str] = set()
    answers: dict[str, set[str]] = {}
    for event in run.ops_events():
        private |= {str(event[k]) for k in ("actor", "note", "text") if event.get(k)}
        if event.get("reason"):
            if event.get("action") == "answer_review":
                answers.setdefault(str(event["partner_id"]), set()).add(str(event["reason"]))
            else:
                private.add(str(event["reason"]))  # a reinstatement's or a decision's reason is ops'
    return private, answers


@pytest.mark.parametrize("scenario", ["notices_run", "demo_run"])
def test_r13_1_no_partner_message_names_another_partner_a_person_at_mila_a_note_or_a_rule(scenario, request):
    """Given every partner message of the notices scenario and of the demo, then none holds another
    partner's id (the duplicate's closure names no one; the incident note that mentions another
    partner stays in the reasons), an actor, an ops note or a partner's review text, a rule id like
    R2.4, or a number with more than two decimals; the review answer's reason reaches only the
    partner it answers. The statements of reasons still hold all of it (R12.1)."""
    run: Run = request.getfixturevalue(scenario)
    private, answers = _private_texts(run)
    checked = 0
    for notice in run.notices:
        if notice["type"] in OPS_FACING:
            continue
        message = notice["message"]
        text = message["subject"] + "\n" + message["body"]
        own = notice["partner_id"]
        others = [p for p in run.partner_ids if p != own]
        assert not [p for p in others if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)], text
        assert not [t for t in private if t in text], text
        foreign = {r for p, rs in answers.items() if p != own for r in rs}
        assert not [t for t in foreign if t in text], text
        if notice["type"] != "REVIEW_ANSWERED":
            assert not [t for t in answers.get(own, set()) if t in text], text
        assert not RULE_ID.search(text), text
        assert not LONG_DECIMAL.search(DATE.sub("", text)), text
        checked += 1
    assert checked > 20
    # What the message leaves out is kept for ops: the closure's reasons name the existing account.
    if scenario == "notices_run":
        closure = next(n for n in run.notices if n["notice_id"] == "p-leipzig-09:000001")
        assert closure["reasons"]["figures"]["shared_fingerprints"][0]["partner_id"] == "p-leipzig-01"


def test_r13_1_a_conduct_suspension_names_the_category_and_the_job_not_the_note(notices_run):
    """Given a suspension for damaging a customer's property reported with a note, then the partner
    reads the category in plain words and the job, and neither the reporter nor the note."""
    body = _message(notices_run, "p-leipzig-07:000001")["body"]
    assert "Beschädigung von Eigentum eines Kunden" in body and "Auftrag j-" in body
    assert "Weber" not in body and "Ticket" not in body and "ops-anna" not in body


def test_r13_1_a_review_answer_says_the_outcome_and_its_reasons(notices_run):
    """Given reviews answered `corrected` and `upheld`, then the answers say so and give the reasons
    the person wrote for the partner; a late answer apologises (two weeks, Art. 11)."""
    corrected = _message(notices_run, "p-leipzig-01:000007")["body"]
    assert "Ergebnis: Wir haben die Entscheidung korrigiert, und Ihr Zugang ist wieder freigegeben." in corrected
    assert "Unsere Begründung: Die Bewertungen stammen aus Ihrer Krankheitszeit" in corrected
    late = _message(notices_run, "p-leipzig-03:000007")["body"]
    assert "Die Entscheidung bleibt bestehen" in late and "länger als die zugesagten zwei Wochen" in late


def test_r13_1_warnings_and_restrictions_say_how_to_ask_for_a_review_and_within_two_weeks(notices_run):
    """Every warning and every restriction tells the partner how to ask for a review and that Mila
    answers within two weeks; where a review is open, by which date."""
    for notice in notices_run.notices:
        if notice["type"] in {
            "RATING_WARNING",
            "CANCELLATION_WARNING",
            "NO_SHOW_WARNING",
            "SUSPENDED",
            "EXCLUDED",
            "CLOSED",
        }:
            body = notice["message"]["body"]
            assert ("innerhalb von zwei Wochen" in body) or ("within two weeks" in body), body
            assert notice["notice_id"] in body
    waiting = _message(notices_run, "p-leipzig-03:000005")["body"]
    assert (
        "Ihre Bitte um Überprüfung vom 03.10.2026 ist noch offen: Mila antwortet Ihnen bis spätestens 17.10.2026."
        in waiting
    )


def test_r13_1_a_suspension_says_the_login_is_blocked_and_an_exclusion_that_it_is_not(notices_run):
    suspended = _message(notices_run, "p-leipzig-02:000006")["body"]
    assert "you cannot log in" in suspended
    excluded = _message(notices_run, "p-leipzig-06:000002")["body"]
    assert "you can still log in, but you receive no new jobs" in excluded


# --- to whom ------------------------------------------------------------------------------------------------


def test_r13_2_ops_notices_have_a_message_for_ops_in_ops_locale_and_none_for_the_partner(notices_run):
    """Given Halle's ops reading English (ops_locale: en) and Leipzig's German (the default), then a
    pending decision about a German partner in Halle is written for ops in English, Leipzig's review
    reminders in German, and no ops-facing notice carries a partner message."""
    ops = [n for n in notices_run.notices if n["type"] in OPS_FACING]
    assert ops and all("message" not in n and n["audience"] == "ops" for n in ops)
    pending = next(n for n in ops if n["partner_id"] == "p-halle-01")
    assert (
        pending["ops_message"]["locale"] == "en"
        and "Suspension of partner p-halle-01" in pending["ops_message"]["subject"]
    )
    reminder = next(n for n in ops if n["type"] == "REVIEW_DUE" and n["partner_id"] == "p-leipzig-03")
    assert reminder["ops_message"]["locale"] == "de"
    partner = [n for n in notices_run.notices if n["type"] not in OPS_FACING]
    assert all("ops_message" not in n and n["audience"] == "partner" for n in partner)


def test_r13_1_the_language_follows_the_partners_record(notices_run):
    """A partner record saying `en` gets English, `fr` (not a language of the system) German, and a
    partner who switches to English gets English from then on (CONTRACT §1)."""
    by_partner = {
        p: [_words(n)["locale"] for n in notices_run.driver.notices(p) if n["type"] not in OPS_FACING]
        for p in ("p-leipzig-02", "p-halle-03", "p-leipzig-05")
    }
    assert set(by_partner["p-leipzig-02"]) == {"en"}
    assert set(by_partner["p-halle-03"]) == {"de"}
    assert by_partner["p-leipzig-05"] == ["de", "de", "en"]


def test_r14_8_a_partner_without_a_partners_record_reads_german_about_their_city_unnamed(notices_run):
    """Given a partner with no valid partners record (no city, no language: R14.8), when a rating
    warning is written, then it is German and speaks of "Ihrer Stadt" instead of a city's name."""
    stored = _message_notice(notices_run, "p-leipzig-01:000001")
    notice = Notice("p-x", stored["type"], parse_time(stored["at"]), stored["reasons"], "p-x:000001")
    compose(notice, Standing("p-x"), Policy({"version": 1}).defaults, strict=True)
    assert notice.message is not None and notice.message["locale"] == "de"
    assert "Der Mindestwert in Ihrer Stadt liegt bei 4,3 Sternen" in notice.message["body"]


def _message_notice(run: Run, notice_id: str) -> dict[str, Any]:
    return next(n for n in run.notices if n["notice_id"] == notice_id)


def test_readme_shows_messages_as_the_rules_write_them(notices_run):
    """The README's two examples (what a partner receives) are the notices scenario's messages, word
    for word (the README wraps lines for reading)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What a partner receives", 1)[1].split("\n## ", 1)[0]
    shown = [" ".join(block.split()) for block in re.findall(r"```text\n(.*?)```", section, flags=re.S)]
    for notice_id in ("p-leipzig-01:000001", "p-leipzig-06:000002"):
        message = _message(notices_run, notice_id)
        assert " ".join(f"{message['subject']}\n{message['body']}".split()) in shown, notice_id


def test_r13_1_a_notice_type_without_words_still_reaches_the_partner_with_a_message_and_is_logged():
    """A type added to the rules later, without words yet, is not sent without a message: it gets a
    short generic one (in the partner's language), and the gap is logged for the developers."""
    caught = _Caught()
    logging.getLogger("mila_standing.usecases.messages").addHandler(caught)
    try:
        notice = compose(
            Notice("p-1", "SOMETHING_NEW", datetime(2026, 10, 1, tzinfo=UTC), {"rule": "R13"}, "p-1:000001"),
            Standing("p-1", locale="en"),
            Policy({"version": 1}).defaults,
            strict=True,
        )
    finally:
        logging.getLogger("mila_standing.usecases.messages").removeHandler(caught)
    assert notice.message is not None and notice.message["subject"] == "News about your partner account"
    assert [r.getMessage() for r in caught.records] == ["a notice type has no words of its own"]
