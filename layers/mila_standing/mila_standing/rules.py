"""The rule core (SPEC R1-R14): plain data in, decisions out, the clock passed in.

Every function here mutates the ``Standing`` it is given and returns the notices it decided.
No AWS, no I/O: the handlers load, call one of these, and save.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from .models import Job, format_time
from .policy import CityPolicy
from .standing import (
    ACTIVE,
    CANCELLATION,
    CLOSED,
    COMPLETED,
    EXCLUDED,
    GONE,
    NO_SHOW,
    RESOLVED,
    SUSPENDED,
    OutcomeEntry,
    RatingEntry,
    Standing,
    number,
)

RATING_WARNING = "RATING_WARNING"
CANCELLATION_WARNING = "CANCELLATION_WARNING"
NO_SHOW_WARNING = "NO_SHOW_WARNING"
DECISION_PENDING = "DECISION_PENDING"
REINSTATED = "REINSTATED"

# R7.1 / R7.2
CONDUCT_CATEGORIES = frozenset({
    "DISCRIMINATION", "PROPERTY_DAMAGE", "PHYSICAL_CONTACT", "ABUSIVE_BEHAVIOUR",
    "UNWANTED_CONTACT", "ILLEGAL_CONDUCT", "PRIVACY_BREACH",
})
FRAUD_CATEGORIES = frozenset({
    "OFF_PLATFORM_WORK", "CASH_PAYMENT", "CANCEL_THEN_PERFORM", "MULTIPLE_ACCOUNTS",
    "UNAUTHORISED_MARKETING",
})

STATUS_OF_ACTION = {"SUSPEND": SUSPENDED, "EXCLUDE": EXCLUDED, "CLOSE": CLOSED}
SEVERITY = {ACTIVE: 0, EXCLUDED: 1, SUSPENDED: 2, CLOSED: 3}


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


@dataclass(frozen=True)
class Judgement:
    """Everything a rule needs besides the standing: the policy and figures in force, and now."""

    policy: CityPolicy
    city: CityFigures
    now: datetime


@dataclass
class Notice:
    partner_id: str
    type: str
    at: datetime
    reasons: dict[str, Any]
    notice_id: str
    user_pool_username: str | None = None

    def to_view(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id,
            "partner_id": self.partner_id,
            "type": self.type,
            "at": format_time(self.at),
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class RatingFigures:
    count: int
    total: int
    window: int

    @property
    def average(self) -> Fraction | None:
        return Fraction(self.total, self.count) if self.count else None


@dataclass(frozen=True)
class CancellationFigures:
    resolved: int
    cancellations: int
    window: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.cancellations, self.resolved) if self.resolved else None


# --- R1 / R3 windows --------------------------------------------------------------------

def rating_figures(standing: Standing, policy: CityPolicy) -> RatingFigures:
    """R1.1: the last `window` live ratings by rated_at, ties by job_id."""
    window = policy.rating.window
    ordered = sorted(standing.ratings.items(), key=lambda kv: (kv[1].rated_at, kv[0]))[-window:]
    return RatingFigures(len(ordered), sum(e.stars for _, e in ordered), window)


def cancellation_figures(standing: Standing, policy: CityPolicy) -> CancellationFigures:
    """R3.1: the last `window` resolved jobs by outcome time, ties by job_id."""
    window = policy.cancellation.window
    resolved = [kv for kv in standing.outcomes.items() if kv[1].kind in RESOLVED]
    ordered = sorted(resolved, key=lambda kv: (kv[1].at, kv[0]))[-window:]
    # R14.6: every no-show in the window counts in the rate, expired as a strike or not.
    cancellations = sum(1 for _, e in ordered if e.kind in (CANCELLATION, NO_SHOW))
    return CancellationFigures(len(ordered), cancellations, window)


def active_strikes(standing: Standing, policy: CityPolicy, now: datetime) -> list[str]:
    """R6.1 / R14.6: unexpired, unforgiven strikes; a strike exactly window days old still counts."""
    limit = policy.no_show.strike_window_days
    forgiven = set(standing.forgiven_strikes)
    return sorted(
        job
        for job, e in standing.outcomes.items()
        if e.strike and job not in forgiven and (now.date() - e.at.date()).days <= limit
    )


def apply_rating(standing: Standing, job_id: str, rating: RatingEntry | None) -> bool:
    """R1.2: a new or replaced rating counts with its stars; None (deleted/voided) removes it."""
    before = standing.ratings.get(job_id)
    if before == rating:
        return False
    if rating is None:
        del standing.ratings[job_id]
    else:
        standing.ratings[job_id] = rating
    return True


def outcome_entry(job: Job) -> OutcomeEntry | None:
    """R3.2 / R3.3: what a job's latest image puts in its partner's cancellation window."""
    if job.status == "COMPLETED":
        return OutcomeEntry(COMPLETED, job.outcome_at)
    if job.status == "CANCELLED":
        # Customer and support cancellations are neutral: not in the window at all.
        return OutcomeEntry(CANCELLATION, job.outcome_at) if job.cancelled_by == "partner" else None
    if job.status == "NO_SHOW":
        announced = job.support_informed_at is not None and job.support_informed_at < job.scheduled_at
        if announced:
            return OutcomeEntry(CANCELLATION, job.outcome_at)
        return OutcomeEntry(NO_SHOW, job.outcome_at, strike=True)
    return None


def apply_outcome(standing: Standing, job_id: str, entry: OutcomeEntry | None, seq: int = 0) -> tuple[bool, bool]:
    """R3.4: a job counts with its latest outcome. Returns (window changed, a new strike).

    ``seq`` is the stream sequence number of the job image: an image older than the one the
    standing already reflects is ignored, so two functions reading the same jobs stream (or a
    late retry) can never put an earlier outcome back. A job that leaves the window (R14.9:
    deleted, neutral, moved to another partner) is kept as a GONE marker for that reason."""
    before = standing.outcomes.get(job_id)
    if before is not None and seq and before.seq > seq:
        return False, False
    if entry is None:
        if before is None and not seq:
            return False, False
        moment = before.at if before is not None else datetime.min.replace(tzinfo=UTC)
        entry = OutcomeEntry(GONE, moment, seq=seq)
    else:
        entry = replace(entry, seq=seq)
    if before == entry:
        return False, False
    standing.outcomes[job_id] = entry
    was = before if before is not None and before.kind in RESOLVED else None
    now_resolved = entry if entry.kind in RESOLVED else None
    if (was is None and now_resolved is None) or (was is not None and was.same_outcome(now_resolved)):
        return False, False  # only the marker moved on: the window is the same (R14.2)
    new_strike = entry.strike and not (was is not None and was.strike)
    return True, new_strike


# --- R4 city figures ---------------------------------------------------------------------

def city_maximum(average: Fraction, policy: CityPolicy) -> Fraction:
    """R4.2"""
    c = policy.cancellation
    return max(c.maximum_floor, average * c.maximum_factor)


def city_figures(rates: list[Fraction], policy: CityPolicy) -> CityFigures:
    """R4.1: mean of the qualifying partners' rates, or the default with too few of them."""
    if len(rates) < policy.cancellation.min_city_partners:
        average = policy.cancellation.default_city_average
    else:
        average = sum(rates, Fraction(0)) / len(rates)
    return CityFigures(average, city_maximum(average, policy), computed=True)


def qualifying_rate(standing: Standing, policy: CityPolicy) -> Fraction | None:
    """R4.1: the partner's rate if it counts towards the city average."""
    if standing.status == CLOSED:
        return None
    figures = cancellation_figures(standing, policy)
    return figures.rate if figures.resolved >= policy.cancellation.min_jobs else None


# --- statements of reasons (R12.1) -------------------------------------------------------

def _rating_view(figures: RatingFigures) -> dict[str, Any]:
    return {"rating_average": number(figures.average), "rating_count": figures.count,
            "window": figures.window}


def _cancellation_view(figures: CancellationFigures) -> dict[str, Any]:
    return {"cancellation_rate": number(figures.rate), "resolved_jobs": figures.resolved,
            "cancellations": figures.cancellations, "window": figures.window}


def statement(rule: str, j: Judgement, figures: dict[str, Any], thresholds: dict[str, Any],
              notices: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "figures": figures,
        "thresholds": thresholds,
        "policy_version": j.policy.version,
        "decision_mode": j.policy.decision_mode,
        "notices": list(notices or []),
        **extra,
    }


def _rating_thresholds(p: CityPolicy) -> dict[str, Any]:
    r = p.rating
    return {"minimum": number(r.minimum), "warning_margin": number(r.warning_margin),
            "min_ratings": r.min_ratings, "notices_before_suspension": r.notices_before_suspension,
            "notice_cooldown_days": p.notice_cooldown_days}


def _cancellation_thresholds(j: Judgement) -> dict[str, Any]:
    c = j.policy.cancellation
    return {"city_average": number(j.city.average), "city_maximum": number(j.city.maximum),
            "city_figures": "nightly" if j.city.computed else "default",
            "min_jobs": c.min_jobs, "notices_before_suspension": c.notices_before_suspension,
            "notice_cooldown_days": j.policy.notice_cooldown_days}


def new_notice(standing: Standing, kind: str, j: Judgement, reasons: dict[str, Any]) -> Notice:
    standing.notice_seq += 1
    return Notice(standing.partner_id, kind, j.now, reasons,
                  f"{standing.partner_id}:{standing.notice_seq:06d}", standing.user_pool_username)


# --- R2 / R5 evaluation (R14.2) ------------------------------------------------------------

def warning_due(standing: Standing, kind: str, j: Judgement) -> bool:
    """R14.1: calendar days in UTC since the last warning of this kind."""
    last = standing.last_warnings.get(kind)
    return last is None or (j.now.date() - last.date()).days >= j.policy.notice_cooldown_days


def in_rating_band(figures: RatingFigures, policy: CityPolicy) -> bool:
    """R2.1, compared exactly (R14.7): total / count < minimum + margin."""
    r = policy.rating
    return figures.count >= r.min_ratings and figures.total < (r.minimum + r.warning_margin) * figures.count


def above_city_average(figures: CancellationFigures, j: Judgement) -> bool:
    """R5.1"""
    return (figures.resolved >= j.policy.cancellation.min_jobs
            and figures.cancellations > j.city.average * figures.resolved)


def retention(window: int) -> int:
    """How many entries of a window's history a standing keeps: the window and ample room for
    deletions and late arrivals inside it, while the item stays far below DynamoDB's 400 KB."""
    return max(4 * window, 200)


def prune(standing: Standing, j: Judgement) -> None:
    """Drop history no rule can need again: entries older than the newest ``retention`` of
    their window, except no-show strikes still inside the strike window (R6.1)."""
    keep_ratings = retention(j.policy.rating.window)
    if len(standing.ratings) > keep_ratings:
        ordered = sorted(standing.ratings.items(), key=lambda kv: (kv[1].rated_at, kv[0]))
        standing.ratings = dict(ordered[-keep_ratings:])
    keep_outcomes = retention(j.policy.cancellation.window)
    if len(standing.outcomes) > keep_outcomes:
        ordered_outcomes = sorted(standing.outcomes.items(), key=lambda kv: (kv[1].at, kv[0]))
        live = set(active_strikes(standing, j.policy, j.now))
        standing.outcomes = dict(
            [kv for kv in ordered_outcomes[:-keep_outcomes] if kv[0] in live] + ordered_outcomes[-keep_outcomes:])


def evaluate(standing: Standing, j: Judgement, ratings: bool = True, cancellations: bool = True) -> list[Notice]:
    """R14.2: the warning rules of the window that changed (R2.2/R2.3 for ratings, R5.2 for
    outcomes; both at night), then the dispatch score (R9).

    R14.3: only ACTIVE partners are warned; the streaks of others stand still.
    """
    prune(standing, j)
    notices: list[Notice] = []
    if standing.status == ACTIVE:
        if ratings:
            notices += _rating_warning(standing, j)
        if cancellations:
            notices += _cancellation_warning(standing, j)
    standing.dispatch_score = dispatch_score(standing, j)
    return notices


def _rating_warning(standing: Standing, j: Judgement) -> list[Notice]:
    figures = rating_figures(standing, j.policy)
    if not in_rating_band(figures, j.policy):
        standing.rating_streak, standing.rating_baseline = [], None  # R2.3
        return []
    if not warning_due(standing, RATING_WARNING, j):
        return []
    if not standing.rating_streak:
        standing.rating_baseline = (figures.total, figures.count)  # R2.2 baseline
    reasons = statement(
        "R2.2", j, _rating_view(figures), _rating_thresholds(j.policy), standing.rating_streak,
        streak=len(standing.rating_streak) + 1, academy="https://academy.mila.com",
    )
    notice = new_notice(standing, RATING_WARNING, j, reasons)
    standing.rating_streak.append(notice.notice_id)
    standing.last_warnings[RATING_WARNING] = j.now
    return [notice]


def _cancellation_warning(standing: Standing, j: Judgement) -> list[Notice]:
    figures = cancellation_figures(standing, j.policy)
    if not above_city_average(figures, j):
        if figures.resolved == 0 or figures.cancellations <= j.city.average * figures.resolved:
            standing.cancellation_streak = []  # R5.2: a rate at or below the city average ends the streak
        return []
    if not warning_due(standing, CANCELLATION_WARNING, j):
        return []
    reasons = statement(
        "R5.2", j, _cancellation_view(figures), _cancellation_thresholds(j),
        standing.cancellation_streak, streak=len(standing.cancellation_streak) + 1,
    )
    notice = new_notice(standing, CANCELLATION_WARNING, j, reasons)
    standing.cancellation_streak.append(notice.notice_id)
    standing.last_warnings[CANCELLATION_WARNING] = j.now
    return [notice]


# --- nightly (R2.4, R5.3, R14.4) -------------------------------------------------------------

def nightly(standing: Standing, j: Judgement) -> list[Notice]:
    """R14.4: suspensions (R2.4 before R5.3) are checked before the night's warnings."""
    notices: list[Notice] = []
    if standing.status == ACTIVE:
        notices += _rating_suspension(standing, j) or _cancellation_suspension(standing, j)
    return notices + evaluate(standing, j)


def _rating_suspension(standing: Standing, j: Judgement) -> list[Notice]:
    """R2.4: enough warnings, below the minimum, no improvement on the streak's baseline."""
    r = j.policy.rating
    figures = rating_figures(standing, j.policy)
    if len(standing.rating_streak) < r.notices_before_suspension or not figures.count:
        return []
    if standing.rating_baseline is None:
        return []
    base_total, base_count = standing.rating_baseline
    below_minimum = figures.total < r.minimum * figures.count
    no_improvement = figures.total * base_count <= base_total * figures.count
    if not (below_minimum and no_improvement):
        return []
    view = _rating_view(figures) | {"baseline": number(Fraction(base_total, base_count)),
                                    "streak": len(standing.rating_streak)}
    reasons = statement("R2.4", j, view, _rating_thresholds(j.policy), standing.rating_streak)
    return restrict(standing, j, "SUSPEND", "RATING", reasons)


def _cancellation_suspension(standing: Standing, j: Judgement) -> list[Notice]:
    """R5.3: enough warnings and above the city maximum."""
    c = j.policy.cancellation
    figures = cancellation_figures(standing, j.policy)
    if len(standing.cancellation_streak) < c.notices_before_suspension or not figures.resolved:
        return []
    if not figures.cancellations > j.city.maximum * figures.resolved:
        return []
    view = _cancellation_view(figures) | {"streak": len(standing.cancellation_streak)}
    reasons = statement("R5.3", j, view, _cancellation_thresholds(j), standing.cancellation_streak)
    return restrict(standing, j, "SUSPEND", "CANCELLATION", reasons)


# --- restrictions and human review (R12.3, R14.5) ------------------------------------------

def restrict(standing: Standing, j: Judgement, action: str, reason: str,
             reasons: dict[str, Any]) -> list[Notice]:
    """Apply an automatic restriction, or record it for a human where the city wants one."""
    if j.policy.decision_mode == "human_review":
        if standing.pending_decision is not None:
            return []  # R14.5: the first pending decision wins
        notice = new_notice(standing, DECISION_PENDING, j, reasons | {"proposed_action": action,
                                                                     "proposed_reason": reason})
        standing.pending_decision = {
            "action": action, "reason": reason, "rule": reasons["rule"],
            "proposed_at": format_time(j.now), "notice_id": notice.notice_id, "reasons": reasons,
        }
        return [notice]
    return [change_status(standing, j, STATUS_OF_ACTION[action], reason, reasons)]


def change_status(standing: Standing, j: Judgement, status: str, reason: str | None,
                  reasons: dict[str, Any], notice_type: str | None = None) -> Notice:
    standing.status, standing.reason = status, reason
    notice = new_notice(standing, notice_type or status, j, reasons)
    standing.decisions.append({"notice_id": notice.notice_id, "type": notice.type, "status": status,
                               "reason": reason, "at": format_time(j.now), "reasons": reasons})
    standing.dispatch_score = dispatch_score(standing, j)
    return notice


# --- R6 no-shows -----------------------------------------------------------------------------

def no_show_ladder(standing: Standing, j: Judgement, job_id: str) -> list[Notice]:
    """R6.2 / R6.3 / R14.6, after a new strike for ``job_id``."""
    if standing.status != ACTIVE:
        return []  # R14.3, R14.6: strikes of a restricted partner change nothing
    strikes = active_strikes(standing, j.policy, j.now)
    if job_id not in strikes:
        return []  # reported long ago: already expired as a strike
    limit = j.policy.no_show.strikes_before_exclusion
    figures = {"no_show_strikes": len(strikes), "strikes": strikes,
               "strike_window_days": j.policy.no_show.strike_window_days}
    thresholds = {"strikes_before_exclusion": limit}
    if len(strikes) >= limit:
        reasons = statement("R6.3", j, figures, thresholds, _notices_of(standing, NO_SHOW_WARNING))
        return restrict(standing, j, "EXCLUDE", "NO_SHOW", reasons)
    if len(strikes) == 1:
        reasons = statement("R6.2", j, figures, thresholds)
        standing.last_warnings[NO_SHOW_WARNING] = j.now
        notice = new_notice(standing, NO_SHOW_WARNING, j, reasons)
        standing.decisions.append({"notice_id": notice.notice_id, "type": NO_SHOW_WARNING,
                                   "status": standing.status, "reason": None,
                                   "at": format_time(j.now), "reasons": reasons})
        return [notice]
    return []


def _notices_of(standing: Standing, kind: str) -> list[str]:
    return [d["notice_id"] for d in standing.decisions if d.get("type") == kind]


# --- R9 dispatch priority ----------------------------------------------------------------------

def dispatch_eligible(standing: Standing) -> bool:
    """R9.1 (and R14.8: a partner without a valid partners record is not eligible)."""
    return standing.status == ACTIVE and standing.verified and standing.profile_known


def dispatch_score(standing: Standing, j: Judgement) -> float:
    """R9.2, documented in docs/dispatch-score.md.

    rating part  = (r - 1) / 4 with r the Bayesian average of the window's stars and
                   `min_ratings` prior ratings halfway between the city minimum and 5 stars;
    reliability  = 1 - c with c the Bayesian cancellation rate of the window and `min_jobs`
                   prior jobs at the city's average rate;
    score        = rating part x reliability, in (0, 1].
    """
    if not dispatch_eligible(standing):
        return 0.0
    p = j.policy
    ratings = rating_figures(standing, p)
    prior_stars = (p.rating.minimum + 5) / 2  # a typical good partner of the city: never a free 5.0
    r = (ratings.total + prior_stars * p.rating.min_ratings) / (ratings.count + p.rating.min_ratings)
    jobs = cancellation_figures(standing, p)
    k = p.cancellation.min_jobs
    c = (jobs.cancellations + j.city.average * k) / (jobs.resolved + k)
    score = (r - 1) / 4 * (1 - c)
    return max(float(score), 1e-9)


# --- R7 incidents, R12.3 decisions, R12.4 reinstatement (ops) -----------------------------------

class OpsRefusal(ValueError):
    """An ops request the rules refuse: nothing changes (R7.3, R12.4, R14.10)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def report_incident(standing: Standing, j: Judgement, category: str, actor: str,
                    job_id: str | None = None, note: str | None = None) -> list[Notice]:
    """R7 / R14.10: conduct suspends, fraud closes with legal action, at once, in any mode."""
    incident = {"category": category, "actor": actor, "job_id": job_id, "note": note}
    if category in FRAUD_CATEGORIES:
        rule, status, reason = "R7.2", CLOSED, "FRAUD"
    elif category in CONDUCT_CATEGORIES:
        rule, status, reason = "R7.1", SUSPENDED, "CONDUCT"
    else:
        raise OpsRefusal("UNKNOWN_CATEGORY", f"unknown incident category {category!r}")
    reasons = statement(rule, j, {"incident": incident}, {"category": category})
    if standing.status == CLOSED:
        # R14.10: fraud on a closed partner sets reason and legal action, no new closure notice;
        # anything else is recorded and changes nothing.
        if reason == "FRAUD":
            standing.reason, standing.legal_action = "FRAUD", True
        standing.decisions.append({"type": "INCIDENT_RECORDED", "status": standing.status,
                                   "reason": standing.reason, "at": format_time(j.now),
                                   "reasons": reasons})
        return []
    if reason == "FRAUD":
        standing.legal_action = True
        standing.pending_decision = None  # CLOSED is final: nothing is left to decide
    # A conduct suspension keeps a pending proposal: ops may still decide it, and a
    # reinstatement clears it (R14.5).
    return [change_status(standing, j, status, reason, reasons)]


def reinstate(standing: Standing, j: Judgement, actor: str, why: str) -> list[Notice]:
    """R12.4 / R14.5 / R14.6 / R14.10."""
    if standing.status == CLOSED:
        raise OpsRefusal("CLOSED", "a CLOSED partner is never reinstated")
    if standing.status == ACTIVE:
        raise OpsRefusal("NOT_RESTRICTED", "the partner is ACTIVE: there is nothing to reinstate")
    reasons = statement("R12.4", j, {"previous_status": standing.status, "previous_reason": standing.reason},
                        {}, [], actor=actor, reason=why)
    standing.rating_streak, standing.rating_baseline, standing.cancellation_streak = [], None, []
    standing.forgiven_strikes = sorted(set(standing.forgiven_strikes) | {
        job for job, e in standing.outcomes.items() if e.strike})
    standing.pending_decision = None
    return [change_status(standing, j, ACTIVE, None, reasons, notice_type=REINSTATED)]


def decide(standing: Standing, j: Judgement, approve: bool, actor: str, why: str | None) -> list[Notice]:
    """R12.3 / R14.5: approve applies the stored action; reject ends the rating and cancellation streaks."""
    pending = standing.pending_decision
    if pending is None:
        raise OpsRefusal("NOTHING_PENDING", "the partner has no pending decision")
    standing.pending_decision = None
    record = {"type": "DECISION", "approved": approve, "actor": actor, "reason": why,
              "at": format_time(j.now), "proposal": pending}
    standing.decisions.append(record)
    if not approve:
        standing.rating_streak, standing.rating_baseline, standing.cancellation_streak = [], None, []
        return []
    target = STATUS_OF_ACTION[pending["action"]]
    if SEVERITY[target] <= SEVERITY[standing.status]:
        return []  # R6.3: a partner already as or more restricted keeps that status (and reason)
    reasons = dict(pending["reasons"]) | {"approved_by": actor, "approval_reason": why,
                                          "pending_notice": pending.get("notice_id")}
    return [change_status(standing, j, target, pending["reason"], reasons)]
