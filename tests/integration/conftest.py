import pytest

from .scenario import ScenarioBuilder


@pytest.fixture
def scenario(tmp_path):
    return ScenarioBuilder(tmp_path)
