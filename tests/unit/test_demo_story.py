"""The demo's story on the project's own rules (issue 20): infra/scenarios/generate_demo.py
builds the month with the reference driver (the real use cases on the in-memory store, no
engine), so regenerating with the default seed must give the committed demo.jsonl byte for byte,
and every story partner must show what the story says, as the rules decide it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "infra" / "scenarios"
sys.path.insert(0, str(SCENARIOS))  # the generator's package, beside its entry point

from demo import lines as scenario_lines  # noqa: E402
from demo import story  # noqa: E402
from demo.builder import DEFAULT_SEED, demo_policy, generate  # noqa: E402
from demo.reference import ReferenceDriver  # noqa: E402
from demo.report import report  # noqa: E402

# What the stories show between them, by rule id (docs/rules.md).
SHOWN = {"R2.2", "R2.3", "R2.4", "R3.3", "R5.2", "R5.3", "R6.2", "R6.3", "R7.1", "R8.1", "R8.2", "R12.3", "R12.4"}


@pytest.fixture(scope="module")
def demo():
    """The month generated with the default seed, and the reference driver that ran it."""
    return generate(DEFAULT_SEED, demo_policy())


def test_the_default_seed_regenerates_the_committed_demo_byte_for_byte(demo):
    """Given the default seed, when the demo is generated on the real rules, then it is the
    committed infra/scenarios/demo.jsonl, byte for byte (make demo replays that file)."""
    written, _ = demo
    assert scenario_lines.dump(written).encode("utf-8") == (SCENARIOS / "demo.jsonl").read_bytes()


def test_every_story_comes_out_on_the_real_rules(demo):
    """Given the generated month, when each story partner's expectations are checked against the
    real rules' standings, notices and ops answers, then every story comes out: R2.2/R2.4
    (p-leipzig-07), R2.3 (p-leipzig-12), R5.2/R5.3 (p-leipzig-19), R6.2/R6.3 (p-leipzig-23),
    R3.3 (p-leipzig-27), R8.2 (p-leipzig-29/30), R7.1/R12.4 (p-leipzig-11), R8.1/R12.4
    (p-leipzig-31), R12.3 (p-halle-03, p-halle-05)."""
    written, driver = demo
    stories = report(written[1:], driver)
    assert {s.title: s.missed for s in stories if s.missed} == {}
    assert SHOWN <= {rule for s in stories for rule in s.rules}
    assert not scenario_lines.check_lines(written[1:])


def test_a_story_that_does_not_come_out_is_reported(demo):
    """Given the month without ops' refused attempt to reinstate the duplicate account, when the
    stories are checked, then the duplicate's story (R12.4: CLOSED is never reinstated) and the
    console's are reported as not come out, and no other."""
    written, _ = demo
    refused = story.REFUSED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [line for line in written[1:] if not ("invoke" in line and line["at"] == refused)]
    stories = report(lines, ReferenceDriver(demo_policy()).run(lines))
    missed = {s.title: s.missed for s in stories if s.missed}
    assert sorted(missed) == ["ops", f"{story.P_DUPLICATE} (a second account)"]
    assert missed[f"{story.P_DUPLICATE} (a second account)"] == ["reinstating p31 is refused (CLOSED, R12.4)"]
