"""Reads template.yaml the way the replay needs it: tables, queues, the bus, the user pool,
the functions with their environment, and each stream mapping's settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
STACK_NAME = "mila"


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, !If ...) in their long form: the
    one template loader (the replay, the template tests and the bench read template.yaml with it)."""


def _tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            # !GetAtt Resource.Attribute: the attribute's name may hold dots (Endpoint.Address)
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    # !Ref and !Condition keep their names; every other short tag is an Fn:: function.
    return {suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}": value}


CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass
class Mapping:
    """One stream event source mapping, with the settings AWS applies."""

    function: str  # logical function name, e.g. on_rating
    source: str  # logical id of the table whose stream it reads
    batch_size: int = 100
    maximum_retry_attempts: int = -1
    bisect: bool = False
    report_item_failures: bool = False
    filters: list[dict[str, Any]] = field(default_factory=list)
    on_failure: str | None = None  # logical id of the SQS queue
    maximum_record_age: int = -1  # seconds; -1: until the stream trims the record (24 h)


@dataclass
class FunctionSpec:
    logical_id: str
    name: str  # folder name under functions/
    code_dir: Path
    handler: str
    environment: dict[str, Any]


def function_name(logical_id: str, code_uri: str) -> str:
    return Path(code_uri.rstrip("/")).name or logical_id


class Template:
    def __init__(self, path: Path = TEMPLATE):
        self.path = path
        self.doc = load_template(path)
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources", {})
        self.parameters = {k: v.get("Default", "") for k, v in (self.doc.get("Parameters") or {}).items()}

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == kind}

    def condition(self, name: str) -> bool:
        return bool(self.evaluate((self.doc.get("Conditions") or {})[name], {}))

    def created(self, logical_id: str) -> bool:
        cond = self.resources[logical_id].get("Condition")
        return True if cond is None else self.condition(cond)

    def evaluate(self, value: Any, refs: dict[str, Any]) -> Any:
        """Resolve the intrinsic functions the template uses, with physical ids from ``refs``."""
        if isinstance(value, list):  # AWS::NoValue leaves a list
            return [e for e in (self.evaluate(v, refs) for v in value) if e is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            intrinsic = INTRINSICS.get(key)
            if intrinsic is not None:
                return intrinsic(self, arg, refs)
        return {k: self.evaluate(v, refs) for k, v in value.items()}

    def _sub(self, text: str, refs: dict[str, Any]) -> str:
        import re

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if "." in name:
                return str(refs.get(name, ""))
            return str(self.evaluate({"Ref": name}, refs))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    # --- the pieces the replay needs ----------------------------------------------------
    def functions(self, refs: dict[str, Any]) -> list[FunctionSpec]:
        globals_env = ((self.doc.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
        base = self.evaluate(globals_env.get("Variables") or {}, refs)
        out = []
        for logical, res in self.of_type("AWS::Serverless::Function").items():
            props = res.get("Properties", {})
            code_uri = props.get("CodeUri", "")
            own = self.evaluate((props.get("Environment") or {}).get("Variables") or {}, refs)
            env = {k: str(v) for k, v in {**base, **own}.items() if v is not None}
            out.append(
                FunctionSpec(
                    logical,
                    function_name(logical, code_uri),
                    ROOT / code_uri,
                    props.get("Handler", "app.lambda_handler"),
                    env,
                )
            )
        return out

    def mappings(self, stream_sources: dict[str, str], queue_arns: dict[str, str]) -> list[Mapping]:
        """Stream mappings; ``stream_sources`` maps stream ARN -> table logical id."""
        refs = {f"{t}.StreamArn": arn for arn, t in stream_sources.items()}
        refs |= {f"{q}.Arn": arn for q, arn in queue_arns.items()}
        queue_of_arn = {arn: q for q, arn in queue_arns.items()}
        out = []
        for logical, res in self.of_type("AWS::Serverless::Function").items():
            props = res.get("Properties", {})
            name = function_name(logical, props.get("CodeUri", ""))
            for event in (props.get("Events") or {}).values():
                if event.get("Type") != "DynamoDB":
                    continue
                p = event.get("Properties", {})
                stream = self.evaluate(p.get("Stream"), refs)
                if stream not in stream_sources:
                    continue  # attached to an external stream the replay does not have
                destination = self.evaluate(
                    ((p.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"), refs
                )
                filters = [
                    json.loads(f["Pattern"]) if isinstance(f["Pattern"], str) else f["Pattern"]
                    for f in ((p.get("FilterCriteria") or {}).get("Filters") or [])
                ]
                out.append(
                    Mapping(
                        function=name,
                        source=stream_sources[stream],
                        batch_size=int(p.get("BatchSize", 100)),
                        maximum_retry_attempts=int(p.get("MaximumRetryAttempts", -1)),
                        bisect=bool(p.get("BisectBatchOnFunctionError", False)),
                        report_item_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                        filters=filters,
                        on_failure=queue_of_arn.get(destination),
                        maximum_record_age=int(p.get("MaximumRecordAgeInSeconds", -1)),
                    )
                )
        return out


# --- the intrinsic functions the template uses ------------------------------------------------
PSEUDO_PARAMETERS = {
    "AWS::StackName": STACK_NAME,
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::NoValue": None,
}


def _ref(template: Template, name: Any, refs: dict[str, Any]) -> Any:
    if name in refs:
        return refs[name]
    if name in PSEUDO_PARAMETERS:
        return PSEUDO_PARAMETERS[name]
    return template.parameters.get(name, "")


def _get_att(template: Template, arg: Any, refs: dict[str, Any]) -> Any:
    logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
    return refs.get(f"{logical}.{attribute}")


def _if(template: Template, arg: Any, refs: dict[str, Any]) -> Any:
    name, yes, no = arg
    return template.evaluate(yes if template.condition(name) else no, refs)


def _equals(template: Template, arg: Any, refs: dict[str, Any]) -> bool:
    a, b = (template.evaluate(v, refs) for v in arg)
    return bool(a == b)


def _sub(template: Template, arg: Any, refs: dict[str, Any]) -> str:
    text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
    return template._sub(text, {**refs, **{k: template.evaluate(v, refs) for k, v in extra.items()}})


def _join(template: Template, arg: Any, refs: dict[str, Any]) -> str:
    separator, parts = arg
    return str(separator.join(str(template.evaluate(p, refs)) for p in parts))


INTRINSICS: dict[str, Callable[[Template, Any, dict[str, Any]], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": lambda template, arg, refs: not template.evaluate(arg[0], refs),
    "Fn::And": lambda template, arg, refs: all(template.evaluate(v, refs) for v in arg),
    "Fn::Or": lambda template, arg, refs: any(template.evaluate(v, refs) for v in arg),
    "Condition": lambda template, name, refs: template.condition(name),
    "Fn::Sub": _sub,
    "Fn::Join": _join,
}


def short_table_name(logical_id: str) -> str:
    """PartnersTable -> partners: the replay's physical table names."""
    return logical_id.removesuffix("Table").lower()
