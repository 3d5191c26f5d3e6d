"""What every rule decides with: the policy and city figures in force and the time (a
``Judgement``), the notices it decides (R13), and their statements of reasons (R12.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from ..domain.policy import CityPolicy
from ..domain.standing import Standing
from ..domain.times import format_time


@dataclass(frozen=True)
class CityFigures:
    """R4: a city's average and maximum cancellation rate, exact."""

    average: Fraction
    maximum: Fraction
    computed: bool = False  # False until the city's first nightly check (R4.3)

    @classmethod
    def default(cls, policy: CityPolicy) -> CityFigures:
        average = policy.cancellation.default_city_average
        return cls(average, city_maximum(average, policy), computed=False)


def city_maximum(average: Fraction, policy: CityPolicy) -> Fraction:
    """R4.2"""
    c = policy.cancellation
    return max(c.maximum_floor, average * c.maximum_factor)


@dataclass(frozen=True)
class Judgement:
    """Everything a rule needs besides the standing: the policy and figures in force, and now."""

    policy: CityPolicy
    city: CityFigures
    now: datetime


# R13.2: notices for the ops team's work channel, never for the partner; every other type is
# the partner's (R13.1).
OPS_FACING = frozenset({"DECISION_PENDING", "REVIEW_DUE", "REVIEW_OVERDUE"})
PARTNER, OPS = "partner", "ops"


@dataclass
class Notice:
    """A notice as the rules decide it: type, time and statement of reasons (R12.1), no words.
    The use cases give it its message before it is stored (usecases/messages): ``message`` for
    the partner (R13.1) or, for an ops-facing type, ``ops_message`` (R13.2), never both."""

    partner_id: str
    type: str
    at: datetime
    reasons: dict[str, Any]
    notice_id: str
    user_pool_username: str | None = None
    message: dict[str, str] | None = None
    ops_message: dict[str, str] | None = None

    @property
    def audience(self) -> str:
        return OPS if self.type in OPS_FACING else PARTNER

    def to_view(self) -> dict[str, Any]:
        words = {"ops_message": self.ops_message} if self.audience == OPS else {"message": self.message}
        return {
            "notice_id": self.notice_id,
            "partner_id": self.partner_id,
            "type": self.type,
            "at": format_time(self.at),
            "audience": self.audience,
            **words,
            "reasons": self.reasons,
        }


def new_notice(standing: Standing, kind: str, j: Judgement, reasons: dict[str, Any]) -> Notice:
    """Notice ids are ``<partner_id>:000001``, in order per partner (R13)."""
    standing.notice_seq += 1
    return Notice(
        standing.partner_id,
        kind,
        j.now,
        reasons,
        f"{standing.partner_id}:{standing.notice_seq:06d}",
        standing.user_pool_username,
    )


def statement(
    rule: str, j: Judgement, figures: dict[str, Any], thresholds: dict[str, Any], notices: Any = None, **extra: Any
) -> dict[str, Any]:
    """R12.1: the rule, the figures, the thresholds and policy version in force, and the notices
    that led to it."""
    return {
        "rule": rule,
        "figures": figures,
        "thresholds": thresholds,
        "policy_version": j.policy.version,
        "decision_mode": j.policy.decision_mode,
        "notices": list(notices or []),
        **extra,
    }


def record_decision(standing: Standing, record: dict[str, Any]) -> None:
    """A decision for the partner's record (R12.1): stored as an item of its own with this update."""
    standing.log_seq += 1
    standing.decisions.append({"log_seq": standing.log_seq, **record})
