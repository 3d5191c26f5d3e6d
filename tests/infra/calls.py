"""What each function's code calls, by IAM action and resource (issue 12 item 6).

tests/infra/test_template.py checks that each role grants exactly this; the replay test
tests/integration/test_iam_calls.py records the calls the functions really make and checks that
each is here. Resources: ``standing`` (the table), ``listing`` (its city_listing index), ``jobs``
(the platform's jobs table), ``queue`` (the stream failure queue), ``bus`` (the notice bus),
``user_pool``. Stream reads are checked apart (each function reads only its own stream).
"""

from __future__ import annotations

# store.load + store.update: one Query per window, the aggregate alone by GetItem, older entries
# by BatchGetItem, the aggregate (conditional) and entries by PutItem, entries in batches, city
# figures by GetItem. Transactions are authorised per item (PutItem, DeleteItem).
STANDING_WRITE_PATH = frozenset(
    {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:Query",
    }
)
FAILURE_QUEUE = {"sqs:SendMessage": {"queue"}}

CALLS: dict[str, dict[str, set[str]]] = {
    "OnRatingFunction": {
        **{a: {"standing"} for a in STANDING_WRITE_PATH},
        "dynamodb:DeleteItem": {"standing"},  # a rating leaving the window (R1.2), in a transaction
        **FAILURE_QUEUE,
    },
    "OnCancelFunction": {
        **{a: {"standing"} for a in STANDING_WRITE_PATH},
        "dynamodb:UpdateItem": {"jobs"},  # R11.1: REMOVE access_secrets
        **FAILURE_QUEUE,
    },
    "OnJobCompletedFunction": {
        **{a: {"standing"} for a in STANDING_WRITE_PATH},  # the ledger: GetItem, PutItem
        "dynamodb:UpdateItem": {"jobs"},
        **FAILURE_QUEUE,
    },
    "OnPartnerFunction": {
        **{a: {"standing"} for a in STANDING_WRITE_PATH},
        "dynamodb:UpdateItem": {"standing"},  # R8.1: claim a fingerprint (one atomic ADD)
        **FAILURE_QUEUE,
    },
    "PublishNoticesFunction": {
        "dynamodb:GetItem": {"standing"},  # the notice the stream names
        "dynamodb:UpdateItem": {"standing"},  # marked published
        "events:PutEvents": {"bus"},
        "cognito-idp:AdminDisableUser": {"user_pool"},
        "cognito-idp:AdminEnableUser": {"user_pool"},
        **FAILURE_QUEUE,  # Lambda sends exhausted records to the mapping's destination with this role
    },
    "NightlyCheckFunction": {
        **{a: {"standing"} for a in STANDING_WRITE_PATH},
        "dynamodb:Query": {"standing", "listing"},  # a city's listing shards
        "dynamodb:Scan": {"listing"},  # all cities: a parallel Scan of the listing
        "dynamodb:DescribeTable": {"standing"},  # how many partners: segments to plan
    },
    "OpsFunction": {a: {"standing"} for a in STANDING_WRITE_PATH},
}

# The scrub may touch only these attributes of a job (the role's dynamodb:Attributes condition).
SCRUB_ATTRIBUTES = frozenset({"job_id", "access_secrets", "status"})
