"""Settings read once at cold start from the environment the template sets."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel

_PACKAGED_POLICY = Path(__file__).with_name("policy.yaml")
_REPO_POLICY = Path(__file__).resolve().parents[3] / "infra" / "policy.yaml"


class Settings(BaseModel):
    standing_table: str
    jobs_table: str | None = None
    event_bus_name: str | None = None
    failure_queue_url: str | None = None
    user_pool_id: str | None = None
    policy_file: str

    @classmethod
    def from_env(cls) -> Settings:
        def optional(name: str) -> str | None:
            return os.environ.get(name) or None

        policy = optional("POLICY_FILE")
        if policy is None or not Path(policy).exists():
            # The layer ships a copy of infra/policy.yaml (make build); a checkout reads the original.
            policy = str(_PACKAGED_POLICY if _PACKAGED_POLICY.exists() else _REPO_POLICY)
        return cls(
            standing_table=os.environ.get("STANDING_TABLE", "standing"),
            jobs_table=optional("JOBS_TABLE"),
            event_bus_name=optional("EVENT_BUS_NAME"),
            failure_queue_url=optional("FAILURE_QUEUE_URL"),
            user_pool_id=optional("USER_POOL_ID"),
            policy_file=policy,
        )
