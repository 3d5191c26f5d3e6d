"""Settings fail fast at cold start (issue 11 item 5): no silent default table name."""

from __future__ import annotations

import pytest
from mila_standing.platform.settings import REQUIRED, Settings, SettingsError

ENV = {
    "STANDING_TABLE": "st",
    "JOBS_TABLE": "jobs",
    "EVENT_BUS_NAME": "bus",
    "FAILURE_QUEUE_URL": "https://q",
    "USER_POOL_ID": "pool",
    "POLICY_FILE": "/opt/python/mila_standing/policy.yaml",
}


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_variable_stops_the_cold_start_naming_it(monkeypatch, missing):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(missing)
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env()


def test_the_template_environment_is_read_as_set(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    settings = Settings.from_env()
    assert settings.standing_table == "st" and settings.jobs_table == "jobs"
    assert settings.policy_file.endswith("policy.yaml")  # the checkout's copy stands in for the layer's
