"""``mila-standing transparency --city C [--lang de|en] [--policy FILE] [--out FILE]``: the partner
information of the EU Platform Work Directive (2024/2831) Art. 9 for one city, as one
self-contained HTML page generated from the policy file (CONTRACT §6).

The page says which data the system uses, which decisions it takes or proposes and which a person
takes, every threshold of that city as the policy states it (R1-R9), how the dispatch score ranks
partners (R9.2), human review (R12.3) and how to ask for a review (PWD-11). Its texts are the
``transparency`` gettext catalog (``locales/``), its numbers Babel's, as the notices' (R13.1).

A city the policy does not name, a language without a catalog or a policy that does not validate
is one line on stderr and exit 2; nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mila_standing.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from mila_standing.domain.policy import Policy, PolicyError

from .sections import render

DEFAULT_POLICY = Path(__file__).resolve().parents[3] / "infra" / "policy.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--city", required=True, help="a city the policy names (its slug, e.g. leipzig)")
    parser.add_argument("--lang", default=DEFAULT_LANGUAGE, help=f"the page's language: {', '.join(LANGUAGES)}")
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="policy file (default infra/policy.yaml)")
    parser.add_argument("--out", type=Path, default=None, help="write the page here (default stdout)")


def run(args: argparse.Namespace) -> int:
    try:
        page = page_for(args.city, args.lang, args.policy)
    except (PolicyError, ValueError) as error:
        print(f"mila-standing transparency: {error}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(page)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(page, encoding="utf-8")
        print(f"transparency: {args.out} ({args.city}, {args.lang})", file=sys.stderr)
    return 0


def page_for(city: str, lang: str, policy_file: Path) -> str:
    """The page, or a ValueError / PolicyError saying in one line why there is none."""
    if lang not in LANGUAGES:
        raise ValueError(f"no page in {lang!r}: the languages are {', '.join(LANGUAGES)}")
    policy = Policy.load(policy_file)
    if city not in policy.cities:
        named = ", ".join(policy.cities) or "none"
        raise ValueError(f"unknown city {city!r}: the policy {policy_file} names {named}")
    return render(policy.for_city(city), city, lang)
