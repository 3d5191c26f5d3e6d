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
from mila_replay.template import TEMPLATE, load_template

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_BUCKET = "mila-standing-artifacts"


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
    return load_template(TEMPLATE)


@pytest.fixture(scope="session")
def cfn_template(sam_template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml after the SAM transform: the plain CloudFormation that gets deployed."""
    from samtranslator.translator.transform import transform

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    return transform(_package_code_uris(sam_template), {}, _NoManagedPolicies())


@pytest.fixture(scope="session")
def cfn_resources(cfn_template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return cfn_template["Resources"]
