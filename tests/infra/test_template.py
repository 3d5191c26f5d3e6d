"""template.yaml, checked offline: SAM transform, cfn-lint, least privilege, resilience.

Each test reads the template as deployed (after the SAM transform, see conftest.py) unless
it is about what we wrote ourselves (SAM properties such as CodeUri).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .calls import CALLS, SCRUB_ATTRIBUTES
from .conftest import ROOT

pytestmark = pytest.mark.infra

QUEUE_ARN = {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}
STANDING_ARN = {"Fn::GetAtt": ["StandingTable", "Arn"]}
BUS_ARN = {"Fn::GetAtt": ["NoticeBus", "Arn"]}
JOBS_STREAM = {
    "Fn::If": [
        "CreateJobsTable",
        {"Fn::GetAtt": ["JobsTable", "StreamArn"]},
        {"Ref": "ExistingJobsStreamArn"},
    ]
}

# function -> the stream it consumes (the table's own when created, else the platform's)
STREAM_OF = {
    "OnRatingFunction": {
        "Fn::If": [
            "CreateRatingsTable",
            {"Fn::GetAtt": ["RatingsTable", "StreamArn"]},
            {"Ref": "ExistingRatingsStreamArn"},
        ]
    },
    "OnCancelFunction": JOBS_STREAM,
    "OnJobCompletedFunction": JOBS_STREAM,
    "OnPartnerFunction": {
        "Fn::If": [
            "CreatePartnersTable",
            {"Fn::GetAtt": ["PartnersTable", "StreamArn"]},
            {"Ref": "ExistingPartnersStreamArn"},
        ]
    },
    "PublishNoticesFunction": {"Fn::GetAtt": ["StandingTable", "StreamArn"]},
}
ALL_FUNCTIONS = [*STREAM_OF, "NightlyCheckFunction", "OpsFunction"]
STREAM_READ = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}
DATA_PLANE_PREFIXES = ("dynamodb:", "sqs:", "events:", "cognito-idp:", "sns:", "s3:")


# ---------------------------------------------------------------- helpers
def of_type(resources: dict[str, dict[str, Any]], cfn_type: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in resources.items() if res["Type"] == cfn_type}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def mapping_of(resources: dict[str, dict[str, Any]], function: str) -> dict[str, Any]:
    mappings = [
        res["Properties"]
        for res in of_type(resources, "AWS::Lambda::EventSourceMapping").values()
        if res["Properties"]["FunctionName"] == {"Ref": function}
    ]
    assert len(mappings) == 1, f"{function} should have exactly one stream mapping"
    return mappings[0]


def statements_of_role(resources: dict[str, dict[str, Any]], role_id: str) -> list[dict[str, Any]]:
    """Inline statements plus those of the template's managed policies attached to the role."""
    props = resources[role_id]["Properties"]
    statements = [s for policy in props.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    for arn in props.get("ManagedPolicyArns", []):
        assert isinstance(arn, dict) and "Ref" in arn, f"{role_id} attaches a policy not in the template: {arn}"
        statements += resources[arn["Ref"]]["Properties"]["PolicyDocument"]["Statement"]
    return statements


def role_of(resources: dict[str, dict[str, Any]], function: str) -> str:
    role = resources[function]["Properties"]["Role"]
    assert "Fn::GetAtt" in role, f"{function} must use a role declared in the template"
    return role["Fn::GetAtt"][0]


def granted(resources: dict[str, dict[str, Any]], function: str) -> dict[str, list[Any]]:
    """action -> resources the function's role allows it on."""
    grants: dict[str, list[Any]] = {}
    for statement in statements_of_role(resources, role_of(resources, function)):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            grants.setdefault(action, []).extend(as_list(statement["Resource"]))
    return grants


def all_iam_statements(resources: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for lid, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            found += [(lid, s) for p in props.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
        elif res["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            found += [(lid, s) for s in props["PolicyDocument"]["Statement"]]
    return found


def ddb(**attributes: str) -> dict[str, Any]:
    return {name: {"S": value} for name, value in attributes.items()}


def matches(pattern: Any, event: Any) -> bool:
    """The subset of Lambda event filtering the template uses (values, prefix, exists).

    As in Lambda, `exists` only matches a leaf: a DynamoDB attribute is a map ({"S": ...}),
    so `{"payment_status": [{"exists": true}]}` would never match - it must test the "S" leaf.
    """
    missing = object()
    for key, rule in pattern.items():
        value = event.get(key, missing) if isinstance(event, dict) else missing
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
            continue
        leaf = value is not missing and not isinstance(value, (dict, list))
        if not any(
            (isinstance(r, dict) and "exists" in r and r["exists"] == leaf)
            or (isinstance(r, dict) and "prefix" in r and leaf and str(value).startswith(r["prefix"]))
            or (not isinstance(r, dict) and leaf and value == r)
            for r in rule
        ):
            return False
    return True


def delivered_to(resources: dict[str, dict[str, Any]], function: str, record: dict[str, Any]) -> bool:
    criteria = mapping_of(resources, function).get("FilterCriteria")
    if not criteria:
        return True
    return any(matches(json.loads(f["Pattern"]), record) for f in criteria["Filters"])


# ---------------------------------------------------------------- the transform and the linter
def test_sam_transform_expands_every_function_into_lambda_and_mappings(cfn_resources):
    assert set(ALL_FUNCTIONS) <= set(of_type(cfn_resources, "AWS::Lambda::Function"))
    assert len(of_type(cfn_resources, "AWS::Lambda::EventSourceMapping")) == len(STREAM_OF)
    assert not of_type(cfn_resources, "AWS::Serverless::Function")


def test_translated_template_passes_cfn_lint(cfn_template):
    """cfn-lint does not run the SAM transform itself (LOCAL-AWS.md), so lint the translated JSON.

    Errors and warnings both fail: nothing is ignored. (Informational I-rules are off, as
    by default: I3011 would ask for explicit deletion policies on the dev/demo source tables.)
    """
    from cfnlint.api import ManualArgs, lint

    matches_found = lint(json.dumps(cfn_template), config=ManualArgs(regions=["eu-central-1", "us-east-1"]))
    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches_found] == []


# ---------------------------------------------------------------- stream mappings
@pytest.mark.parametrize("function", list(STREAM_OF))
def test_stream_mapping_caps_retries_bisects_and_dead_letters(cfn_resources, function):
    """Given a poison record, when it keeps failing, then it is retried 5 times at most, the
    batch is split to isolate it, the rest of the batch is kept (partial batch response), and
    it ends in the failure queue instead of blocking the shard for a day."""
    mapping = mapping_of(cfn_resources, function)
    assert mapping["EventSourceArn"] == STREAM_OF[function]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 1
    assert mapping["MaximumRetryAttempts"] == 5
    assert mapping["MaximumRecordAgeInSeconds"] == 21600
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": QUEUE_ARN}}


def test_no_stream_has_more_than_two_readers(cfn_resources):
    """AWS: at most 2 functions should read one stream shard."""
    readers: dict[str, int] = {}
    for mapping in of_type(cfn_resources, "AWS::Lambda::EventSourceMapping").values():
        key = json.dumps(mapping["Properties"]["EventSourceArn"], sort_keys=True)
        readers[key] = readers.get(key, 0) + 1
    assert max(readers.values()) <= 2


def test_filter_patterns_are_the_agreed_ones(cfn_resources):
    def patterns(function: str) -> list[Any] | None:
        criteria = mapping_of(cfn_resources, function).get("FilterCriteria")
        return None if criteria is None else [json.loads(f["Pattern"]) for f in criteria["Filters"]]

    assert patterns("OnRatingFunction") is None  # R1.2: INSERT, MODIFY and REMOVE all change the window
    assert patterns("OnPartnerFunction") is None
    assert patterns("OnCancelFunction") == [
        {"dynamodb": {"NewImage": {"status": {"S": ["CANCELLED", "NO_SHOW"]}}}},
        {"eventName": ["REMOVE"]},
        {"dynamodb": {"OldImage": {"status": {"S": ["CANCELLED", "NO_SHOW"]}}}},  # R3.4: taken back
    ]
    assert patterns("OnJobCompletedFunction") == [
        {"dynamodb": {"NewImage": {"status": {"S": ["COMPLETED"]}}}},
        {"dynamodb": {"NewImage": {"payment_status": {"S": [{"exists": True}]}}}},
        {"dynamodb": {"OldImage": {"status": {"S": ["COMPLETED"]}}}},  # R3.4: taken back
    ]
    assert patterns("PublishNoticesFunction") == [
        {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "NOTICE#"}]}}}},
    ]


@pytest.mark.parametrize(
    ("function", "record", "expected"),
    [
        # R3, R6: outcomes reach on_cancel; R14.9: so does a deleted job
        (
            "OnCancelFunction",
            {"eventName": "MODIFY", "dynamodb": {"NewImage": ddb(status="CANCELLED")}},
            True,
        ),
        ("OnCancelFunction", {"eventName": "MODIFY", "dynamodb": {"NewImage": ddb(status="NO_SHOW")}}, True),
        (
            "OnCancelFunction",
            {"eventName": "REMOVE", "dynamodb": {"OldImage": ddb(status="COMPLETED")}},
            True,
        ),
        (
            "OnCancelFunction",
            {"eventName": "MODIFY", "dynamodb": {"NewImage": ddb(status="ACCEPTED")}},
            False,
        ),
        # R14.11: COMPLETED records and any record carrying a payment_status
        (
            "OnJobCompletedFunction",
            {"eventName": "MODIFY", "dynamodb": {"NewImage": ddb(status="COMPLETED")}},
            True,
        ),
        (
            "OnJobCompletedFunction",
            {
                "eventName": "MODIFY",
                "dynamodb": {"NewImage": ddb(status="CANCELLED", payment_status="REFUNDED")},
            },
            True,
        ),
        (
            "OnJobCompletedFunction",
            {"eventName": "MODIFY", "dynamodb": {"NewImage": ddb(status="ACCEPTED")}},
            False,
        ),
        # R13: only newly persisted notices are published
        (
            "PublishNoticesFunction",
            {"eventName": "INSERT", "dynamodb": {"Keys": ddb(pk="PARTNER#p1", sk="NOTICE#2026-03-01")}},
            True,
        ),
        (
            "PublishNoticesFunction",
            {"eventName": "MODIFY", "dynamodb": {"Keys": ddb(pk="PARTNER#p1", sk="NOTICE#2026-03-01")}},
            False,
        ),
        (
            "PublishNoticesFunction",
            {"eventName": "INSERT", "dynamodb": {"Keys": ddb(pk="PARTNER#p1", sk="STANDING")}},
            False,
        ),
    ],
)
def test_filters_deliver_the_records_each_function_needs(cfn_resources, function, record, expected):
    assert delivered_to(cfn_resources, function, record) is expected


# ---------------------------------------------------------------- least privilege
def test_no_data_plane_action_is_granted_on_every_resource(cfn_resources):
    """Least privilege: no dynamodb/sqs/events/cognito-idp action on Resource "*"."""
    offenders = [
        (lid, action)
        for lid, statement in all_iam_statements(cfn_resources)
        for action in as_list(statement["Action"])
        if action.startswith(DATA_PLANE_PREFIXES) and "*" in as_list(statement["Resource"])
    ]
    assert offenders == []


NIGHT_ROLES = {
    "NightlyStateMachineRole": "states.amazonaws.com",
    "NightlyStateMachineNightlyRole": "events.amazonaws.com",
}


def test_no_aws_managed_policy_is_attached(cfn_resources):
    """SAM's DynamoDB event would attach AWSLambdaDynamoDBExecutionRole (stream reads on "*");
    every function therefore has its own role, and no role takes an AWS managed policy. Besides
    the functions' roles there are the nightly state machine's and its schedule's."""
    roles = of_type(cfn_resources, "AWS::IAM::Role")
    assert set(roles) == {role_of(cfn_resources, f) for f in ALL_FUNCTIONS} | set(NIGHT_ROLES)
    for role_id, role in roles.items():
        assert all(isinstance(arn, dict) for arn in role["Properties"].get("ManagedPolicyArns", [])), role_id
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert as_list(statement["Principal"]["Service"]) == [NIGHT_ROLES.get(role_id, "lambda.amazonaws.com")]


@pytest.mark.parametrize("function", list(STREAM_OF))
def test_stream_function_reads_only_its_own_stream(cfn_resources, function):
    grants = granted(cfn_resources, function)
    for action in STREAM_READ:
        assert grants[action] == [STREAM_OF[function]], action
    # the grant sits inline in the role, so it exists before the mapping is created
    role = cfn_resources[role_of(cfn_resources, function)]["Properties"]
    assert any(
        STREAM_OF[function] in as_list(s["Resource"])
        for p in role["Policies"]
        for s in p["PolicyDocument"]["Statement"]
    )


JOBS_TABLE = {
    "Fn::If": [
        "CreateJobsTable",
        {"Fn::GetAtt": ["JobsTable", "Arn"]},
        {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${ExistingJobsTableName}"},
    ]
}
USER_POOL = {
    "Fn::If": [
        "CreateUserPool",
        {"Fn::GetAtt": ["PartnerUserPool", "Arn"]},
        {
            "Fn::Sub": "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}"
            ":userpool/${ExistingUserPoolId}"
        },
    ]
}
RESOURCES = {
    "standing": STANDING_ARN,
    "listing": {"Fn::Sub": "${StandingTable.Arn}/index/city_listing"},
    "jobs": JOBS_TABLE,
    "queue": QUEUE_ARN,
    "bus": BUS_ARN,
    "user_pool": USER_POOL,
}


def _canonical(grants: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {a: sorted(json.dumps(r, sort_keys=True) for r in res) for a, res in grants.items()}


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_issue_12_each_role_grants_exactly_the_calls_its_function_makes(cfn_resources, function):
    """Issue 12 item 6: data-plane actions and their resources equal what the code calls
    (tests/infra/calls.py, checked against the calls a replay records): PutEvents and
    SendMessage only where used, no ConditionCheckItem, UpdateItem only where an update is made."""
    grants = granted(cfn_resources, function)
    actual = {a: res for a, res in grants.items() if a.startswith(DATA_PLANE_PREFIXES) and a not in STREAM_READ}
    expected = {a: [RESOURCES[r] for r in names] for a, names in CALLS[function].items()}
    assert _canonical(actual) == _canonical(expected)


def test_issue_12_the_secret_scrub_may_touch_only_the_secret(cfn_resources):
    """R11.1 / issue 12: UpdateItem on the jobs table only for the key, the secret and the status
    its condition reads, and never returning the item."""
    statements = [s for lid, s in all_iam_statements(cfn_resources) if JOBS_TABLE in as_list(s["Resource"])]
    assert len(statements) == 1 and as_list(statements[0]["Action"]) == ["dynamodb:UpdateItem"]
    condition = statements[0]["Condition"]
    assert set(condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]) == SCRUB_ATTRIBUTES
    assert condition["StringEqualsIfExists"]["dynamodb:ReturnValues"] == "NONE"


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_r13_login_blocking_goes_to_publish_notices_only(cfn_resources, function):
    grants = granted(cfn_resources, function)
    blocks_logins = function == "PublishNoticesFunction"
    for action in ("cognito-idp:AdminDisableUser", "cognito-idp:AdminEnableUser", "events:PutEvents"):
        assert bool(grants.get(action)) == blocks_logins, action


def test_functions_log_to_the_stack_log_group_only(cfn_resources):
    group = {"Ref": "FunctionLogGroup"}
    assert cfn_resources["FunctionLogGroup"]["Properties"]["RetentionInDays"] > 0
    for function in ALL_FUNCTIONS:
        assert cfn_resources[function]["Properties"]["LoggingConfig"]["LogGroup"] == group
        grants = granted(cfn_resources, function)
        assert grants["logs:PutLogEvents"] == [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}]


# ---------------------------------------------------------------- data, schedule, alarms
@pytest.mark.parametrize("table", ["StandingTable", "PartnersTable", "JobsTable", "RatingsTable"])
def test_tables_have_pitr_sse_and_streams(cfn_resources, table):
    props = cfn_resources[table]["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    # The platform's tables give both images (CONTRACT §1); our own only keys (the outbox).
    view = "KEYS_ONLY" if table == "StandingTable" else "NEW_AND_OLD_IMAGES"
    assert props["StreamSpecification"] == {"StreamViewType": view}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "TableName" not in props  # the emulator names tables by logical id


@pytest.mark.parametrize(
    ("table", "condition"),
    [
        ("PartnersTable", "CreatePartnersTable"),
        ("JobsTable", "CreateJobsTable"),
        ("RatingsTable", "CreateRatingsTable"),
    ],
)
def test_source_tables_are_created_only_without_the_platforms_stream(cfn_template, table, condition):
    assert cfn_template["Resources"][table]["Condition"] == condition
    parameter = condition.replace("Create", "Existing").replace("Table", "StreamArn")
    assert cfn_template["Conditions"][condition] == {"Fn::Equals": [{"Ref": parameter}, ""]}
    assert cfn_template["Parameters"][parameter]["Default"] == ""


def test_standing_table_shape_and_retention(cfn_resources, cfn_template):
    standing = cfn_resources["StandingTable"]
    assert standing["DeletionPolicy"] == standing["UpdateReplacePolicy"] == "Retain"
    props = standing["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    index, legacy = props["GlobalSecondaryIndexes"]
    # the schema-1 index exists only while a migration needs it (docs/migration.md)
    assert legacy["Fn::If"][0] == "KeepLegacyCityIndex" and legacy["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    assert cfn_template["Parameters"]["KeepLegacyCityIndex"]["Default"] == "false"
    assert index["IndexName"] == "city_listing"
    assert index["KeySchema"] == [
        {"AttributeName": "listing_pk", "KeyType": "HASH"},
        {"AttributeName": "listing_sk", "KeyType": "RANGE"},
    ]
    # issue 8: no index projects whole standings; a city is write-sharded (standing.LISTING_SHARDS)
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_r2_5_nightly_check_runs_on_the_schedule(cfn_resources):
    """R2.5: suspensions happen only in the nightly check - so it must be scheduled, daily by
    default: the schedule starts the nightly state machine (issue 9), all cities."""
    rules = of_type(cfn_resources, "AWS::Events::Rule")
    targets = [(rule["Properties"], target) for rule in rules.values() for target in rule["Properties"]["Targets"]]
    assert len(targets) == 1
    props, target = targets[0]
    assert target["Arn"] == {"Ref": "NightlyStateMachine"}
    assert props["ScheduleExpression"] == {"Ref": "NightlySchedule"}
    assert props.get("State", "ENABLED") == "ENABLED"
    assert json.loads(target["Input"]) == {}  # all cities (CONTRACT §2)
    assert cfn_resources["NightlyCheckFunction"]["Properties"]["Timeout"] == 900


def test_issue_9_the_night_fans_out_in_two_distributed_maps_each_segment_retried(sam_template, cfn_resources):
    """R14.4 in two phases over the segments: figures per segment, combined, then every partner
    per segment; each segment a Lambda invocation retried on crash or timeout."""
    definition = sam_template["Resources"]["NightlyStateMachine"]["Properties"]["Definition"]
    assert "NightlyStateMachine" in cfn_resources  # and SAM translates it
    states = definition["States"]
    order, name = [], definition["StartAt"]
    while name:
        order.append(name)
        state = states[name]
        name = state.get("Next") or (state.get("Default") if state["Type"] == "Choice" else None)
    assert order == ["Plan", "Refused?", "Figures", "Combine", "Evaluate", "Summarize"]
    for phase, map_state in (("figures", "Figures"), ("evaluate", "Evaluate")):
        state = states[map_state]
        assert state["ItemProcessor"]["ProcessorConfig"] == {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
        assert state["ItemSelector"]["phase"] == phase
        (task,) = state["ItemProcessor"]["States"].values()
        assert task["TimeoutSeconds"] <= 900 and task["Retry"][0]["MaxAttempts"] >= 2
        assert "States.Timeout" in task["Retry"][0]["ErrorEquals"]
    assert states["Refused"]["Type"] == "Fail"  # a refused scheduled run fails the execution: alarmed


def test_default_schedule_is_daily(cfn_template):
    assert cfn_template["Parameters"]["NightlySchedule"]["Default"] == "cron(0 2 * * ? *)"


@pytest.mark.parametrize("function", list(STREAM_OF))
def test_every_stream_function_has_an_iterator_age_alarm(cfn_resources, function):
    alarms = [
        a["Properties"]
        for a in of_type(cfn_resources, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "IteratorAge"
        and a["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
    ]
    assert len(alarms) == 1
    (alarm,) = alarms
    assert alarm["Namespace"] == "AWS/Lambda"
    assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Maximum",
        "GreaterThanThreshold",
        300000,
    )
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_dead_letters_raise_an_alarm(cfn_resources):
    alarms = [
        a["Properties"]
        for a in of_type(cfn_resources, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    assert len(alarms) == 1
    (alarm,) = alarms
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["StreamFailureQueue", "QueueName"]}}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    queue = cfn_resources["StreamFailureQueue"]["Properties"]
    assert queue == {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600}


def test_alarm_email_is_subscribed_only_when_given(cfn_resources):
    subscriptions = of_type(cfn_resources, "AWS::SNS::Subscription")
    assert [s.get("Condition") for s in subscriptions.values()] == ["HasAlarmEmail"]


# ---------------------------------------------------------------- functions as written
@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_functions_share_runtime_tracing_layer_and_settings(cfn_resources, function):
    props = cfn_resources[function]["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Handler"] == "app.lambda_handler"
    (layer,) = props["Layers"]
    assert cfn_resources[layer["Ref"]]["Type"] == "AWS::Lambda::LayerVersion"
    assert set(props["Environment"]["Variables"]) == {
        "STANDING_TABLE",
        "EVENT_BUS_NAME",
        "FAILURE_QUEUE_URL",
        "USER_POOL_ID",
        "JOBS_TABLE",
        "POLICY_FILE",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    }


def test_layer_is_built_for_arm64(sam_template):
    layer = sam_template["Resources"]["SharedLayer"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    assert (ROOT / layer["Properties"]["ContentUri"]).is_dir()


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_every_function_code_folder_exists(sam_template, function):
    code_uri = sam_template["Resources"][function]["Properties"]["CodeUri"]
    folder = ROOT / code_uri
    if not folder.is_dir() and function == "PublishNoticesFunction":
        pytest.skip(f"{code_uri} not created yet (owned by another task)")
    assert folder.is_dir(), code_uri


# ---------------------------------------------------------------- operations (issue 11)
def test_every_alarm_has_a_runbook_section(cfn_resources):
    """Issue 11 item 3: docs/runbook.md says what each alarm means and what to do, by logical id."""
    runbook = (ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    headings = {line.removeprefix("### ").strip() for line in runbook.splitlines() if line.startswith("### ")}
    alarms = set(of_type(cfn_resources, "AWS::CloudWatch::Alarm"))
    assert alarms - headings == set()
    assert headings - alarms == set()  # no section for an alarm that no longer exists


@pytest.mark.parametrize(
    ("metric", "functions"),
    [
        ("RecordsFailed", ["on_rating", "on_cancel", "on_job_completed", "on_partner", "publish_notices"]),
        ("InvalidRecords", ["on_rating", "on_cancel", "on_job_completed", "on_partner"]),
    ],
)
def test_stream_failures_alarm_per_function(cfn_resources, metric, functions):
    """Issue 11 items 3-4: the metrics carry a function dimension, so each function has its alarm."""
    alarms = [
        a["Properties"]
        for a in of_type(cfn_resources, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == metric
    ]
    by_function = {}
    for alarm in alarms:
        dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        assert dimensions["service"] == "partner-standing"
        by_function[dimensions["function"]] = alarm
    assert sorted(by_function) == sorted(functions)
    for alarm in by_function.values():
        assert alarm["Namespace"] == "Mila/PartnerStanding"
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_a_night_that_never_ran_alarms_on_the_functions_own_metric(cfn_resources):
    """Issue 11 item 3: missing data is breaching, on the dimensions nightly_check publishes."""
    alarm = cfn_resources["NightlyNotCompletedAlarm"]["Properties"]
    assert alarm["MetricName"] == "NightsCompleted" and alarm["TreatMissingData"] == "breaching"
    assert alarm["Dimensions"] == [
        {"Name": "service", "Value": "partner-standing"},
        {"Name": "function", "Value": "nightly_check"},
    ]


def test_samconfig_has_dev_and_prod_and_prod_attaches_to_the_platform(cfn_template):
    """Issue 11 item 8: prod passes every Existing… parameter; every override names a parameter."""
    import tomllib

    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    parameters = set(cfn_template["Parameters"])
    overrides = {}
    for env in ("dev", "prod"):
        pairs = config[env]["deploy"]["parameters"]["parameter_overrides"]
        overrides[env] = dict(pair.split("=", 1) for pair in pairs)
        assert set(overrides[env]) <= parameters, env
    existing = {p for p in parameters if p.startswith("Existing")}
    assert existing and existing <= {k for k, v in overrides["prod"].items() if v}
    assert not existing & set(overrides["dev"])  # dev creates its own tables and user pool


# ---------------------------------------------------------------- notices a partner can read (R13.1)
def test_r13_the_notices_bus_has_an_archive_of_every_notice_event(cfn_resources):
    """The bus's archive keeps every notice event (source mila.partner-standing) for a limited time,
    so a consumer that lost notices can have them replayed (docs/notices.md)."""
    (archive,) = of_type(cfn_resources, "AWS::Events::Archive").values()
    props = archive["Properties"]
    assert props["SourceArn"] == {"Fn::GetAtt": ["NoticeBus", "Arn"]}
    assert props["EventPattern"] == {"source": ["mila.partner-standing"]}
    assert 0 < props["RetentionDays"] <= 400  # personal data: not forever (the table is the record)


def test_r13_1_the_layer_carries_the_message_catalogs_and_babel(sam_template):
    """The functions compose messages on Lambda: the layer's folder (what `sam build` copies) holds
    every catalog, and its requirements pin Babel as pyproject.toml does."""
    layer = ROOT / sam_template["Resources"]["SharedLayer"]["Properties"]["ContentUri"]
    catalogs = sorted((layer / "mila_standing" / "usecases" / "messages" / "locales").glob("*/LC_MESSAGES/*.po"))
    assert [c.parent.parent.name for c in catalogs] == ["de"]
    pins = {
        line.split("==")[0]: line.split("==")[1].split()[0]
        for line in (layer / "requirements.txt").read_text().splitlines()
        if "==" in line
    }
    project = (ROOT / "pyproject.toml").read_text()
    assert f'"babel=={pins["babel"]}"' in project
