"""The rule book: every rule id the repository cites resolves in docs/rules.md, which covers SPEC.

R1–R15 coverage: ids like ``R2.4`` (a rule) and ``R14`` (a family) are cited in code comments,
tests, docs, the template and statements of reasons. A citation is only useful if a reader can look
it up, so each one must be a ``- **R2.4**`` entry or a ``## R14 `` heading of docs/rules.md, and
rules.md must state every rule of the product owner's SPEC.md (R1.1 … R15.6) and no rule SPEC lacks.
``PWD-11`` (Platform Work Directive Art. 11) is the one id of another kind, under "Other ids".
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE_BOOK = ROOT / "docs" / "rules.md"
# The product owner's folder beside the repository; CI clones only the repository.
SPEC = ROOT.parent / "shared" / "SPEC.md"

SEARCHED = (
    "layers",
    "functions",
    "tools",
    "tests",
    "infra",
    "bench",
    "docs",
    "README.md",
    "template.yaml",
    "BENCHMARKS.md",
)
SKIPPED_SUFFIXES = (".gz", ".png", ".pyc")
SKIPPED_DIRS = ("__pycache__", "node_modules")

# `\b` keeps ids inside words out (`XR2`), and the store's key prefixes (`R#<rated_at>#<job>`)
# have no digit after the R. Every match in the repository was checked to be a rule citation,
# so nothing is excluded; an exclusion, if one is ever needed, belongs here with its reason.
CITATION = re.compile(r"\bR[0-9]+(?:\.[0-9]+)?\b|\bPWD-[0-9]+\b")
BOOK_ENTRY = re.compile(r"^- \*\*(R[0-9]+\.[0-9]+|PWD-[0-9]+)\*\*", re.MULTILINE)
FAMILY_HEADING = re.compile(r"^## (R[0-9]+) ", re.MULTILINE)
SPEC_RULE = re.compile(r"^(R[0-9]+\.[0-9]+) ", re.MULTILINE)


def searched_files() -> list[Path]:
    files: list[Path] = []
    for name in SEARCHED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            parts = candidate.relative_to(ROOT).parts
            if (
                not candidate.is_file()
                or candidate.suffix in SKIPPED_SUFFIXES
                or any(p.startswith(".") or p.endswith(".egg-info") or p in SKIPPED_DIRS for p in parts)
            ):
                continue
            files.append(candidate)
    # The rule book defines the ids; citing them there is not a use to check.
    return [f for f in files if f != RULE_BOOK]


def text_of(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None  # binary
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def citations() -> dict[str, list[str]]:
    """Every id cited outside the rule book, with where (``path:line``)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in searched_files():
        text = text_of(path)
        if text is None:
            continue
        for match in CITATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found[match.group()].append(f"{path.relative_to(ROOT)}:{line}")
    return found


def book_entries() -> list[str]:
    return BOOK_ENTRY.findall(RULE_BOOK.read_text(encoding="utf-8"))


def book_families() -> list[str]:
    return FAMILY_HEADING.findall(RULE_BOOK.read_text(encoding="utf-8"))


def test_given_the_repository_when_scanned_then_it_finds_citations_in_code_and_template_but_not_in_the_rule_book():
    found = citations()

    where_r2_4 = found["R2.4"]
    assert "layers/mila_standing/mila_standing/rules/suspensions.py:1" in where_r2_4
    assert any(w.startswith("template.yaml:") for w in where_r2_4)
    assert any(w.startswith("layers/mila_standing/mila_standing/rules/reviews.py:") for w in found["PWD-11"])
    assert not any(w.startswith("docs/rules.md:") for places in found.values() for w in places)


def test_given_every_id_cited_in_the_repository_then_the_rule_book_defines_it():
    defined = set(book_entries()) | set(book_families())

    undefined = {rule_id: places for rule_id, places in citations().items() if rule_id not in defined}

    assert not undefined, "cited but not defined in docs/rules.md:\n" + "\n".join(
        f"  {place}: {rule_id}" for rule_id, places in sorted(undefined.items()) for place in places
    )


def test_given_the_rule_book_then_each_rule_and_family_is_defined_once():
    entries, families = book_entries(), book_families()

    assert sorted({e for e in entries if entries.count(e) > 1}) == []
    assert sorted({f for f in families if families.count(f) > 1}) == []


@pytest.mark.skipif(
    not SPEC.is_file(),
    reason="SPEC.md is in the product owner's folder (../shared), "
    "not in the repository; a clone of the repository alone has no SPEC to compare",
)
def test_given_spec_then_the_rule_book_states_every_rule_and_family_of_it_and_no_rule_it_lacks():
    spec = SPEC.read_text(encoding="utf-8")
    spec_rules, spec_families = set(SPEC_RULE.findall(spec)), set(FAMILY_HEADING.findall(spec))
    book_rules = {e for e in book_entries() if e.startswith("R")}  # PWD-11 is not SPEC's

    assert {f"R{n}" for n in range(1, 16)} <= spec_families  # the parse found SPEC's families
    assert sorted(spec_rules - book_rules) == [], "in SPEC.md, missing from docs/rules.md"
    assert sorted(spec_families - set(book_families())) == [], "SPEC family without a heading"
    assert sorted(book_rules - spec_rules) == [], "in docs/rules.md but not a rule of SPEC.md"
