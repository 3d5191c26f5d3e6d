"""The partner's language (CONTRACT §1, R13.1) and ops' (CONTRACT §3 `ops_locale`, R13.2): read from
the partners record and the policy, kept in the standing, never a reason to refuse a record; and the
notices scenario (infra/scenarios/notices.jsonl) is what its generator writes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mila_standing.adapters.memory import MemoryStandingStore
from mila_standing.domain.models import Partner
from mila_standing.domain.policy import Policy, PolicyError
from mila_standing.domain.standing import Standing
from mila_standing.usecases.changes import PartnerChange
from mila_standing.usecases.profile import ProfileChange
from mila_standing.usecases.standings import Standings

SCENARIOS = Path(__file__).resolve().parents[2] / "infra" / "scenarios"
NOW = datetime(2026, 10, 1, 8, tzinfo=UTC)
RECORD = {"partner_id": "p-1", "city": "leipzig", "verified": True}


@pytest.mark.parametrize(
    ("locale", "read"),
    [("en", "en"), ("de", "de"), (None, "de"), ("fr", "de"), ("EN", "de"), (7, "de"), ("", "de")],
)
def test_contract_1_the_locale_is_de_or_en_and_anything_else_reads_de(locale, read):
    """Given a partners record with `locale` of any value (or none), then it is valid and reads `en`
    only for `en`: anything else is `de` (CONTRACT §1), never a reason to dead-letter the record."""
    record = RECORD | ({"locale": locale} if locale is not None else {})
    assert Partner.parse(record).locale == read


def test_r13_1_the_standing_keeps_the_language_and_only_english_is_stored():
    """Given a standing in English, then its aggregate keeps `locale: en` and reads back in English; a
    German one (the default) stores nothing new, so every existing aggregate keeps its content and
    revision."""
    english = Standing("p-1", city="leipzig", locale="en")
    assert english.to_item()["locale"] == "en"
    assert Standing.from_item(english.to_item()).locale == "en"
    german = Standing("p-1", city="leipzig")
    assert "locale" not in german.to_item()
    assert Standing.from_item(german.to_item()).locale == "de"


def test_r13_1_a_partner_who_switches_language_is_saved_with_it():
    """Given a partner registered without a locale, when their record says `en`, then the standing is
    saved in English (a profile change that changes only the language is still a change)."""
    standings = Standings(MemoryStandingStore(), Policy.from_mapping({"version": 1}))
    standings.update("p-1", [ProfileChange(Partner.parse(RECORD))], NOW)
    assert standings.load("p-1").locale == "de"
    change = PartnerChange("p-1", ProfileChange(Partner.parse(RECORD | {"locale": "en"})))
    standings.update(change.partner_id, [change.change], NOW)
    assert standings.load("p-1").locale == "en"


def test_contract_3_ops_locale_defaults_to_german_and_may_differ_per_city():
    policy = Policy.from_mapping({"version": 1, "cities": {"halle": {"ops_locale": "en"}}})
    assert policy.defaults.ops_locale == "de"
    assert policy.for_city("halle").ops_locale == "en"
    assert policy.for_city("leipzig").ops_locale == "de"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"defaults": {"ops_locale": "fr"}}, "defaults.ops_locale"),
        ({"cities": {"halle": {"ops_locale": 1}}}, "cities.halle.ops_locale"),
    ],
)
def test_contract_3_an_ops_locale_without_a_catalog_is_refused_naming_the_field(raw, field):
    with pytest.raises(PolicyError, match=field):
        Policy.from_mapping({"version": 1} | raw)


def test_the_notices_scenario_is_what_its_generator_writes():
    """Given the generator of infra/scenarios/notices.jsonl, then it writes the committed file byte
    for byte (`python infra/scenarios/generate_notices.py` after a change)."""
    sys.path.insert(0, str(SCENARIOS))
    import generate_notices

    assert generate_notices.dump(generate_notices.month()).encode("utf-8") == (SCENARIOS / "notices.jsonl").read_bytes()
