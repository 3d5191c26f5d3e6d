"""R6 no-shows: one warning, then exclusion (R6.2, R6.3, R14.6)."""

from __future__ import annotations

from ..domain.standing import ACTIVE, NO_SHOW_WARNINGS_KEPT, Standing
from ..domain.times import format_time
from .judgement import Judgement, Notice, new_notice, record_decision, statement
from .restrictions import restrict
from .windows import active_strikes

NO_SHOW_WARNING = "NO_SHOW_WARNING"


def no_show_ladder(standing: Standing, j: Judgement, job_id: str) -> list[Notice]:
    """R6.2 / R6.3 / R14.6, after a new strike for ``job_id``."""
    if standing.status != ACTIVE:
        return []  # R14.3, R14.6: strikes of a restricted partner change nothing
    strikes = active_strikes(standing, j.policy, j.now)
    if job_id not in strikes:
        return []  # reported long ago: already expired as a strike
    limit = j.policy.no_show.strikes_before_exclusion
    figures = {
        "no_show_strikes": len(strikes),
        "strikes": strikes,
        "strike_window_days": j.policy.no_show.strike_window_days,
    }
    thresholds = {"strikes_before_exclusion": limit}
    if len(strikes) >= limit:
        reasons = statement("R6.3", j, figures, thresholds, standing.no_show_warnings)
        return restrict(standing, j, "EXCLUDE", "NO_SHOW", reasons)
    if len(strikes) == 1:
        reasons = statement("R6.2", j, figures, thresholds)
        standing.last_warnings[NO_SHOW_WARNING] = j.now
        notice = new_notice(standing, NO_SHOW_WARNING, j, reasons)
        standing.no_show_warnings = (standing.no_show_warnings + [notice.notice_id])[-NO_SHOW_WARNINGS_KEPT:]
        record_decision(
            standing,
            {
                "notice_id": notice.notice_id,
                "type": NO_SHOW_WARNING,
                "status": standing.status,
                "reason": None,
                "at": format_time(j.now),
                "reasons": reasons,
            },
        )
        return [notice]
    return []
