"""The three rules for turning stored or parsed numbers into plain values (domain/numbers.py)."""

from __future__ import annotations

import json
from decimal import Decimal

from mila_standing.domain.numbers import exact_as_written, plain, plain_as_written

READ = json.loads('{"stars": 4, "again": 4.0, "rate": 0.25, "list": [1, 2.50], "big": 1E+2}', parse_float=Decimal)


def test_answers_give_every_whole_number_as_an_int_and_sets_as_sorted_lists():
    assert plain({**READ, "tags": {"b", "a"}}) == {
        "stars": 4,
        "again": 4,
        "rate": 0.25,
        "list": [1, 2.5],
        "big": 100,
        "tags": ["a", "b"],
    }
    assert isinstance(plain(Decimal("4.0")), int) and isinstance(plain(Decimal("0.5")), float)


def test_json_handed_on_keeps_each_number_in_the_form_it_was_written():
    values = plain_as_written(READ)
    assert values == {"stars": 4, "again": 4.0, "rate": 0.25, "list": [1, 2.5], "big": 100}
    assert isinstance(values["stars"], int) and isinstance(values["again"], float)


def test_r14_13_items_from_an_export_keep_4_and_4_0_apart_exactly():
    values = exact_as_written({**READ, "ids": {"b", "a"}, "blob": b"\x01\xff"})
    assert values["stars"] == 4 and isinstance(values["stars"], int)
    assert values["again"] == Decimal("4.0") and str(values["again"]) == "4.0"
    assert values["rate"] == Decimal("0.25") and values["list"] == [1, Decimal("2.50")]
    assert values["ids"] == ["a", "b"] and values["blob"] == "01ff"
