"""R8.1: two registrations with the same fingerprint, handled by two concurrent invocations.

The test runs the two invocations in threads on DynamoDB Local and orders their steps itself:
both claim the fingerprint before either saves its standing, then they save in either order."""

from __future__ import annotations

import threading

import pytest
from boto3.dynamodb.types import TypeSerializer
from mila_replay.lambda_runtime import LambdaContext
from mila_standing.domain.standing import CLOSED
from mila_standing.platform import runtime
from mila_standing.usecases.ports import FLAG


def _insert(partner_id: str, phone: str) -> dict:
    s = TypeSerializer()
    image = {"partner_id": partner_id, "city": "berlin", "verified": True, "phone": phone}
    return {
        "Records": [
            {
                "eventID": partner_id,
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/partners/stream/x",
                "dynamodb": {
                    "Keys": {"partner_id": s.serialize(partner_id)},
                    "NewImage": {k: s.serialize(v) for k, v in image.items()},
                    "SequenceNumber": "1",
                    "SizeBytes": 100,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                    "ApproximateCreationDateTime": 1772359200,
                },
            }
        ]
    }


@pytest.fixture
def on_partner(load_function):
    return load_function("on_partner")


@pytest.mark.parametrize("first_to_save", ["a", "b"])
def test_r8_1_racing_registrations_close_exactly_one_account(on_partner, monkeypatch, first_to_save):
    """Given two partners registering with the same phone, both claiming it before either has
    saved, when they save in either order, then exactly one is CLOSED as a duplicate."""
    claimed = {pid: threading.Event() for pid in "ab"}
    go = {pid: threading.Event() for pid in "ab"}
    from mila_standing.usecases import partners as duplicates

    real_claim = duplicates.claim_fingerprints

    def claim_then_wait(rt, partner):
        shared = real_claim(rt, partner)
        claimed[partner.partner_id].set()
        assert go[partner.partner_id].wait(10)
        return shared

    monkeypatch.setattr(duplicates, "claim_fingerprints", claim_then_wait)
    answers = {}

    def register(pid: str) -> None:
        answers[pid] = on_partner.lambda_handler(_insert(pid, "+49-30-1"), LambdaContext("on_partner"))

    threads = {pid: threading.Thread(target=register, args=(pid,)) for pid in "ab"}
    threads["a"].start()
    assert claimed["a"].wait(10)
    threads["b"].start()
    assert claimed["b"].wait(10)
    second = "b" if first_to_save == "a" else "a"
    for pid in (first_to_save, second):
        go[pid].set()
        threads[pid].join(10)
    assert answers == {"a": {"batchItemFailures": []}, "b": {"batchItemFailures": []}}
    store = runtime.runtime().store
    assert store.load("a").status == "ACTIVE"  # the first claim holds the account
    assert (store.load("b").status, store.load("b").reason) == (CLOSED, "DUPLICATE_ACCOUNT")
    flags = store.records("a", FLAG)  # flagged for ops review, not changed
    assert len(flags) == 1 and flags[0]["shared"][0]["partner_id"] == "b"
