from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from mila_replay.aws import EmbeddedAws
from mila_replay.backends import DynamoDBLocal
from mila_replay.template import Template
from mila_standing.platform import runtime

from . import scenario as scenarios
from .scenario import ScenarioBuilder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local for the whole session (each replay creates and drops its own tables);
    the CLI tests reach it through MILA_DYNAMODB_ENDPOINT instead of starting a JVM each."""
    engine = DynamoDBLocal().start()
    scenarios.ENGINE = engine
    saved = os.environ.get("MILA_DYNAMODB_ENDPOINT")
    os.environ["MILA_DYNAMODB_ENDPOINT"] = engine.endpoint_url
    yield engine
    if saved is None:
        os.environ.pop("MILA_DYNAMODB_ENDPOINT", None)
    else:
        os.environ["MILA_DYNAMODB_ENDPOINT"] = saved
    scenarios.ENGINE = None
    engine.stop()


@pytest.fixture
def scenario(tmp_path):
    return ScenarioBuilder(tmp_path)


@pytest.fixture
def load_function(monkeypatch) -> Iterator[Callable[[str], ModuleType]]:
    """The embedded AWS with the template's resources and environment, and a loader for a
    function's app module, as Lambda would import it at a cold start."""
    aws = EmbeddedAws(Template(), scenarios.ENGINE or DynamoDBLocal()).start()
    for spec in Template().functions(aws.refs):
        for key, value in spec.environment.items():
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("POLICY_FILE", str(ROOT / "infra" / "policy.yaml"))  # the checkout's policy
    runtime.reset()

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"function_{name}", ROOT / "functions" / name / "app.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    yield load
    aws.stop()
    runtime.reset()
