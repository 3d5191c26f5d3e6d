"""Property-based tests of the rule core (issue 11 item 6): any delivery order and any
duplication of records gives the same standing, ledger and notices as in-order, once-only
delivery (R1.3, R3.4, R10.4).

What may be reordered is what AWS may reorder: records of different items (two mappings, retries,
bisected batches, a redrive); the images of one item keep their stream order, except where the
rule core itself guards the order (job outcomes carry their sequence number, R3.4), and there
they are shuffled too. Examples are bounded for CI time (``max_examples``, no deadline: the
machine is shared).
"""

from __future__ import annotations

import random
from datetime import timedelta
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mila_standing.adapters.memory import MemoryStandingStore
from mila_standing.domain.policy import Policy
from mila_standing.domain.standing import CANCELLATION, COMPLETED, OutcomeEntry, RatingEntry
from mila_standing.rules import apply_outcome, apply_rating, cancellation_figures, evaluate, nightly, rating_figures
from mila_standing.usecases.ledger import book
from mila_standing.usecases.standings import Standings

from .conftest import DAY0, city_policy, day, job, judge, partner

POLICY = city_policy()
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ratings = st.lists(st.tuples(st.integers(1, 5), st.integers(0, 60 * 24 * 40)), min_size=1, max_size=70)
KINDS = [COMPLETED, CANCELLATION, "NO_SHOW", None]  # None: the job left the window (deleted, moved)
jobs = st.lists(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3), min_size=1, max_size=40)


def _rating_records(drawn: list[tuple[int, int]]) -> list[tuple[str, Any]]:
    return [
        ("rating", (f"r-{i:03d}", RatingEntry(stars, DAY0 - timedelta(days=45) + timedelta(minutes=m))))
        for i, (stars, m) in enumerate(drawn)
    ]


def _job_records(drawn: list[list[str | None]]) -> list[tuple[str, Any]]:
    """Each job's images in stream order, numbered by the stream (sequence numbers increase)."""
    records, seq = [], 0
    for i, images in enumerate(drawn):
        for kind in images:
            seq += 1
            at = DAY0 - timedelta(days=30) + timedelta(hours=i)
            entry = None if kind is None else OutcomeEntry(kind, at, strike=kind == "NO_SHOW")
            records.append(("outcome", (f"j-{i:03d}", entry, seq)))
    return records


def _deliver(records: list[tuple[str, Any]]) -> tuple[Any, list[Any]]:
    standing = partner()
    for kind, body in records:
        if kind == "rating":
            apply_rating(standing, *body)
        else:
            job_id, entry, seq = body
            apply_outcome(standing, job_id, entry, seq=seq)
    j = judge(day(0, hour=12), POLICY)
    notices = evaluate(standing, j) + nightly(standing, judge(day(1), POLICY))
    return standing, notices


def _view(standing: Any, notices: list[Any]) -> Any:
    r, c = rating_figures(standing, POLICY), cancellation_figures(standing, POLICY)
    return (
        (r.count, r.average),
        (c.resolved, c.rate),
        standing.status,
        standing.reason,
        [(n.type, n.reasons) for n in notices],
    )


def _shuffled_with_duplicates(records: list[Any], seed: int, duplicates: int) -> list[Any]:
    rng = random.Random(seed)
    out = list(records)
    for _ in range(duplicates):
        out.insert(rng.randrange(len(out) + 1), rng.choice(records))
    rng.shuffle(out)
    return out


@EXAMPLES
@given(drawn=ratings, seed=st.integers(), duplicates=st.integers(0, 20))
def test_r1_3_any_order_and_duplication_of_ratings_gives_the_same_standing_and_notices(drawn, seed, duplicates):
    records = _rating_records(drawn)
    expected = _view(*_deliver(records))
    assert _view(*_deliver(_shuffled_with_duplicates(records, seed, duplicates))) == expected


@EXAMPLES
@given(drawn=jobs, seed=st.integers(), duplicates=st.integers(0, 20))
def test_r3_4_any_order_and_duplication_of_job_images_gives_the_same_rate_and_notices(drawn, seed, duplicates):
    records = _job_records(drawn)
    expected = _view(*_deliver(records))
    assert _view(*_deliver(_shuffled_with_duplicates(records, seed, duplicates))) == expected


class Ledger:
    """ledger.book, the function on_job_completed runs for each job image, on the in-memory store."""

    def __init__(self) -> None:
        self.store = MemoryStandingStore()
        self.standings = Standings(self.store, Policy.from_mapping({"version": 1, "defaults": {}}))

    def apply(self, job_id: str, payment: str, price: int, rate: Fraction) -> None:
        item = job(
            job_id=job_id,
            status="COMPLETED",
            completed_at="2026-03-02T11:00:00Z",
            payment_status=payment,
            price_cents=price,
            currency="EUR",
        )
        book(self.standings, item, DAY0)

    @property
    def items(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The ledger's items (without the booking time, which redelivery may move)."""
        return {(i["pk"], i["sk"]): {k: v for k, v in i.items() if k != "at"} for i in self.store.table.items()}


payments = st.lists(
    st.tuples(
        st.sampled_from([["PAID"], ["PAID", "REFUNDED"], ["REFUNDED"], ["PAID", "PAID"]]), st.integers(1, 10_000_000)
    ),
    min_size=1,
    max_size=30,
)


@EXAMPLES
@given(drawn=payments, seed=st.integers(), duplicates=st.integers(0, 20))
def test_r10_4_redelivery_and_interleaving_never_change_the_ledger(drawn, seed, duplicates):
    rate = Fraction(0)  # the policy's rate is used; kept in the image for readability
    per_job = [[(f"j-{i:03d}", p, price, rate) for p in images] for i, (images, price) in enumerate(drawn)]
    in_order = Ledger()
    for images in per_job:
        for image in images:
            in_order.apply(*image)
    # Other jobs' images interleave anywhere; a job's own images keep their stream order (DynamoDB
    # Streams orders each item's changes), and any image may come again (retries, redrive).
    rng = random.Random(seed)
    queues = [list(images) for images in per_job]
    delivered = Ledger()
    seen: list[Any] = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        image = queue.pop(0)
        seen.append(image)
        delivered.apply(*image)
        for _ in range(rng.randint(0, 1) if duplicates else 0):
            delivered.apply(*rng.choice(seen))  # a redelivery of something already seen
    assert delivered.items == in_order.items
    for item in delivered.items.values():
        assert item["price_cents"] == item["commission_cents"] + item["payout_cents"]  # R10.1, in cents
