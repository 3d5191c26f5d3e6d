"""Markers by folder: ``unit`` (no engine, no AWS at all: seconds), ``integration`` (the local
engines: DynamoDB Local, moto for what has no local engine), ``infra`` (template.yaml translated
and linted offline). ``make unit`` / ``make integration`` / ``make infra`` run one kind each."""

from __future__ import annotations

from pathlib import Path

import pytest

KINDS = ("unit", "integration", "infra")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder in KINDS:
            item.add_marker(getattr(pytest.mark, folder))
