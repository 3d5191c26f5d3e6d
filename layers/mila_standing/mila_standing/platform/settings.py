"""Settings read once at cold start from the environment the template sets.

Every variable the template sets is required: a missing one stops the cold start with an error
naming it (a stack without STANDING_TABLE must not quietly write to a table called "standing").
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

_PACKAGED_POLICY = Path(__file__).parents[1] / "policy.yaml"  # the layer's copy (make build)
_REPO_POLICY = Path(__file__).resolve().parents[4] / "infra" / "policy.yaml"  # a checkout
REQUIRED = ("STANDING_TABLE", "JOBS_TABLE", "EVENT_BUS_NAME", "FAILURE_QUEUE_URL", "USER_POOL_ID", "POLICY_FILE")


class SettingsError(RuntimeError):
    """The function's environment lacks what the template gives it."""


class Settings(BaseModel):
    standing_table: str
    jobs_table: str | None = None
    event_bus_name: str | None = None
    failure_queue_url: str | None = None
    user_pool_id: str | None = None
    policy_file: str

    @classmethod
    def from_env(cls) -> Settings:
        missing = [name for name in REQUIRED if not os.environ.get(name)]
        if missing:
            raise SettingsError(
                f"missing environment variable(s): {', '.join(missing)} (template.yaml sets them for every function)"
            )
        policy = os.environ["POLICY_FILE"]
        if not Path(policy).exists():
            # The template points at the layer's copy (make build); a checkout reads infra/policy.yaml.
            found = next((p for p in (_PACKAGED_POLICY, _REPO_POLICY) if p.exists()), None)
            if found is None:
                raise SettingsError(f"POLICY_FILE {policy} does not exist")
            policy = str(found)
        return cls(
            standing_table=os.environ["STANDING_TABLE"],
            jobs_table=os.environ["JOBS_TABLE"],
            event_bus_name=os.environ["EVENT_BUS_NAME"],
            failure_queue_url=os.environ["FAILURE_QUEUE_URL"],
            user_pool_id=os.environ["USER_POOL_ID"],
            policy_file=policy,
        )
