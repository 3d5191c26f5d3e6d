"""Fixtures for the template tests: read template.yaml, translate it as `sam deploy` would.

Everything here is offline: aws-sam-translator runs locally with a managed-policy loader
that knows no policies (the template attaches none by name), and no AWS call is made.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ARTIFACT_BUCKET = "mila-standing-artifacts"


class CfnLoader(yaml.SafeLoader):
    """A YAML loader that turns CloudFormation short tags into their long form."""


def _construct_short_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # !GetAtt Resource.Attribute — attribute names may hold dots (e.g. Endpoint.Address)
        value = value.split(".", 1)
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_short_tag)


def load_cfn_yaml(text: str) -> dict[str, Any]:
    return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader


class _NoManagedPolicies:
    """Stands in for SAM's IAM-backed loader: the template names no managed policy."""

    def load(self) -> dict[str, str]:
        return {}


def _package_code_uris(template: dict[str, Any]) -> dict[str, Any]:
    """Rewrite local CodeUri/ContentUri to s3:// URIs, as `sam package` does before deploy."""
    packaged = copy.deepcopy(template)
    for logical_id, resource in packaged["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            uri = props.get(key)
            if isinstance(uri, str) and not uri.startswith("s3://"):
                props[key] = f"s3://{ARTIFACT_BUCKET}/{logical_id}.zip"
    return packaged


@pytest.fixture(scope="session")
def sam_template() -> dict[str, Any]:
    """template.yaml as written (SAM), short tags expanded."""
    return load_cfn_yaml(TEMPLATE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def cfn_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml after the SAM transform: the plain CloudFormation that gets deployed."""
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    return transform(_package_code_uris(sam_template), {}, _NoManagedPolicies())


@pytest.fixture(scope="session")
def cfn_resources(cfn_template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return cfn_template["Resources"]
