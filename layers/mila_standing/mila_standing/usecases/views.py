"""How a standing reads from outside: the replay's outcome and ops' explain share this view."""

from __future__ import annotations

from typing import Any

from ..domain.standing import Standing
from ..rules import (
    Judgement,
    active_strikes,
    cancellation_figures,
    dispatch_eligible,
    dispatch_score,
    rating_figures,
)


def partner_view(standing: Standing, j: Judgement) -> dict[str, Any]:
    """CONTRACT §4 partner outcome. Figures are what is in the window (R14.14), unrounded."""
    ratings = rating_figures(standing, j.policy)
    jobs = cancellation_figures(standing, j.policy)
    pending = standing.pending_decision
    return {
        "status": standing.status,
        "reason": standing.reason,
        "dispatch_eligible": dispatch_eligible(standing),
        "dispatch_score": dispatch_score(standing, j),
        "rating_average": float(ratings.average) if ratings.average is not None else None,
        "rating_count": ratings.count,
        "cancellation_rate": float(jobs.rate) if jobs.rate is not None else None,
        "resolved_jobs": jobs.resolved,
        "no_show_strikes": len(active_strikes(standing, j.policy, j.now)),
        "legal_action": standing.legal_action,
        "pending_decision": {"action": pending["action"], "reason": pending["reason"]} if pending else None,
    }
