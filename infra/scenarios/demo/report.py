"""What each story partner should show, checked against what the project's own rules decided on
the lines (the reference driver's standings, notices and ops answers). Thresholds are the
policy's (infra/policy.yaml with the scenario's policy line), never copies; the story's own
numbers (its dates, its star targets) come from ``story``. Each story names the rules it shows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from mila_standing.domain.models import Job
from mila_standing.domain.numbers import number
from mila_standing.domain.policy import CityPolicy
from mila_standing.domain.standing import ACTIVE, CANCELLATION, Standing
from mila_standing.rules import active_strikes, cancellation_figures, dispatch_eligible, in_rating_band, outcome_entry

from . import story as s
from .builder import dispatched
from .lines import Line, iso, parse
from .reference import NightFigures, ReferenceDriver

RESTRICTING = ("RATING_WARNING", "SUSPENDED", "EXCLUDED", "CLOSED", "DECISION_PENDING")


def fmt(x: Fraction | None, digits: int = 3) -> str:
    return "-" if x is None else f"{float(x):.{digits}f}"


@dataclass
class Story:
    """One story: what it shows (the rules), what the report says of it, and what did not come out."""

    title: str
    rules: tuple[str, ...]
    partner: str | None = None  # whose notices the report lists with it
    said: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missed

    def say(self, text: str) -> None:
        self.said.append(text)

    def expect(self, cond: bool, what: str) -> None:
        if not cond:
            self.missed.append(what)


def about(partner: str, what: str, rules: tuple[str, ...]) -> Story:
    return Story(f"{partner} ({what})", rules, partner)


class Facts:
    """The lines and what the rules decided on them, indexed for the stories."""

    def __init__(self, lines: list[Line], driver: ReferenceDriver):
        self.driver = driver
        self.end = parse(lines[-1]["at"])
        self.jobs: dict[str, dict[str, Any]] = {}  # the latest item of each job
        self.ratings: dict[str, list[Line]] = defaultdict(list)  # each partner's rating lines
        for line in lines:
            put = line.get("put") or {}
            if put.get("table") == "jobs":
                self.jobs[put["item"]["job_id"]] = put["item"]
            elif put.get("table") == "ratings":
                self.ratings[put["item"]["partner_id"]].append(line)
        self.last_job_day: dict[str, str] = {}
        for j in self.jobs.values():
            if j.get("partner_id"):
                self.last_job_day[j["partner_id"]] = max(
                    self.last_job_day.get(j["partner_id"], ""), j["scheduled_at"][:10]
                )
        self.notices = {p: driver.notices(p) for p in driver.partners()}
        self.restrictions = driver.restrictions()

    def standing(self, p: str) -> Standing:
        return self.driver.standing(p)

    def policy(self, p: str) -> CityPolicy:
        return self.driver.policy.for_city(self.standing(p).city)

    def jobs_of(self, p: str) -> list[dict[str, Any]]:
        return [j for j in self.jobs.values() if j.get("partner_id") == p]

    def days(self, p: str, kind: str) -> list[str]:
        """The dates of the partner's notices of one kind."""
        return [n["at"][:10] for n in self.notices.get(p, []) if n["type"] == kind]

    def rules(self, p: str, kind: str) -> list[str]:
        """The rule each of the partner's notices of one kind cites (its statement of reasons, R12.1)."""
        return [n["reasons"].get("rule") for n in self.notices.get(p, []) if n["type"] == kind]

    def listed(self, p: str) -> str:
        return " ".join(f"{n['type']}@{n['at'][5:10]}" for n in self.notices.get(p, []))

    def nights(self, p: str) -> list[tuple[str, NightFigures]]:
        return [(at, partners[p]) for at, partners in self.driver.nights if p in partners]

    def night(self, p: str, date: str) -> NightFigures:
        return next(fig for at, fig in self.nights(p) if at.startswith(date))

    def restricted_from(self, p: str) -> str:
        periods = self.restrictions.get(p)
        return iso(periods[0][0]) if periods else "-"


# --- Leipzig --------------------------------------------------------------------------------------


def poor_stars(f: Facts) -> Story:
    p, story = s.P_POOR, about(s.P_POOR, "poor stars", ("R2.2", "R2.4"))
    rating, st = f.policy(p).rating, f.standing(p)
    checked, decided_on = s.POOR_BUSY_DAYS + 1, s.POOR_DECISION_DAY  # the nights after the busy start
    rl = sorted(f.ratings[p], key=lambda x: x["at"])
    stars = [x["put"]["item"]["stars"] for x in rl]
    busy = [x["put"]["item"]["stars"] for x in rl if x["at"] < s.date_of(checked)]
    baseline = Fraction(sum(stars[: rating.min_ratings]), rating.min_ratings)
    decided = f.night(p, s.date_of(decided_on))
    story.say(
        f"{len(rl)} ratings, overall mean {fmt(Fraction(sum(stars), len(stars)))}; {len(busy)} ratings by Oct "
        f"{s.POOR_BUSY_DAYS} (mean {fmt(Fraction(sum(busy), len(busy)))}), "
        f"rating {rating.min_ratings} at {rl[rating.min_ratings - 1]['at']} -> baseline {fmt(baseline)}"
    )
    story.say(
        f"nightly Oct {decided_on}: avg {fmt(decided.rating.average)} over {decided.rating.count} "
        f"(<= baseline, < {number(rating.minimum)}), streak {decided.rating_streak}; status {st.status}/{st.reason} "
        f"at {f.restricted_from(p)}; last job day {f.last_job_day.get(p)}"
    )
    averages = [
        fig.rating.average
        for at, fig in f.nights(p)
        if fig.rating.average is not None and s.date_of(checked) <= at <= s.date_of(decided_on) + "T23"
    ]
    story.say(f"nightly averages Oct {checked}-{decided_on}: {fmt(min(averages))} .. {fmt(max(averages))}")
    story.expect(len(busy) >= s.POOR_BUSY_DAYS * s.POOR_BUSY_JOBS, "p07 rated on every job of its busy start")
    story.expect(f.days(p, "RATING_WARNING") == [s.date_of(d) for d in s.POOR_WARNING_DAYS], "p07 warnings Oct 2/9/16")
    story.expect(
        f.days(p, "SUSPENDED") == [s.date_of(decided_on)]
        and st.reason == "RATING"
        and f.rules(p, "SUSPENDED") == ["R2.4"],
        "p07 suspended by R2.4 on Oct 17",
    )
    story.expect(f.last_job_day.get(p, "") < s.date_of(decided_on), "p07 no jobs once suspended")
    story.expect(
        all(s.POOR_AVERAGE[0] <= a <= baseline and a < rating.minimum for a in averages),
        "p07 average below the minimum and at most the baseline at every check",
    )
    return story


def borderline(f: Facts) -> Story:
    p, story = s.P_BORDER, about(s.P_BORDER, "borderline", ("R2.2", "R2.3"))
    policy, st = f.policy(p), f.standing(p)
    nights = f.nights(p)
    band = [at[5:10] for at, fig in nights if in_rating_band(fig.rating, policy)]
    final = nights[-1][1]
    story.say(
        f"in the band at the nightly checks of {', '.join(band) or '-'}; avg at the Oct {s.DAYS} check "
        f"{fmt(final.rating.average)} over {final.rating.count}; status {st.status}"
    )
    shown = [(at, fig) for at, fig in nights if fig.rating.count >= policy.rating.min_ratings - 2]
    story.say("nightly avg: " + " ".join(f"{at[8:10]}:{fmt(fig.rating.average, 2)}" for at, fig in shown))
    warnings = f.days(p, "RATING_WARNING")
    story.expect(len(warnings) == 1, "p12 warned exactly once")
    warned = parse(warnings[0] + "T00:00:00Z") if warnings else s.START
    top = policy.rating.minimum + policy.rating.warning_margin
    later = [fig for at, fig in nights if parse(at) >= warned + timedelta(days=6)]
    story.expect(
        all(fig.rating.average is not None and fig.rating.average >= top + s.BORDER_CLEAR for fig in later),
        "p12 clearly out of the band from warning + 6 days",
    )
    story.expect(final.rating_streak == 0, "p12's streak ended on leaving the band (R2.3)")
    story.expect(st.status == ACTIVE and not f.days(p, "SUSPENDED"), "p12 stays ACTIVE")
    return story


def cancels(f: Facts) -> Story:
    p, story = s.P_CANCELS, about(s.P_CANCELS, "cancels", ("R5.2", "R5.3"))
    policy, st = f.policy(p), f.standing(p)
    mine = f.jobs_of(p)
    by_partner = sum(1 for j in mine if j["status"] == "CANCELLED" and j.get("cancelled_by") == "partner")
    figures = cancellation_figures(st, policy)
    story.say(
        f"{len(mine)} accepted jobs, {by_partner} cancelled by the partner, {figures.resolved} resolved, rate "
        f"{fmt(figures.rate)}; status {st.status}/{st.reason}; last job day {f.last_job_day.get(p)}"
    )
    warnings, suspended = f.days(p, "CANCELLATION_WARNING"), f.days(p, "SUSPENDED")
    story.expect(
        figures.resolved >= policy.cancellation.min_jobs and len(warnings) >= 2, "p19 enough resolved jobs, warnings"
    )
    before = [d for d in warnings if suspended and d <= suspended[0]]
    story.expect(
        len(suspended) == 1
        and len(before) >= policy.cancellation.notices_before_suspension
        and st.reason == "CANCELLATION"
        and f.rules(p, "SUSPENDED") == ["R5.3"],
        "p19 suspended by R5.3 after its warnings",
    )
    story.expect(bool(suspended) and f.last_job_day.get(p, "") <= suspended[0], "p19 no jobs once suspended")
    return story


def no_shows(f: Facts) -> Story:
    p, story = s.P_NOSHOW, about(s.P_NOSHOW, "no-shows", ("R6.2", "R6.3"))
    st = f.standing(p)
    ns = sorted(j["reported_at"] for j in f.jobs_of(p) if j["status"] == "NO_SHOW")
    story.say(
        f"unannounced no-shows reported {', '.join(ns)}; status {st.status}/{st.reason}; "
        f"last job day {f.last_job_day.get(p)}"
    )
    story.expect(len(ns) == 2 and f.days(p, "NO_SHOW_WARNING") == [ns[0][:10]], "p23 warned at the first no-show")
    story.expect(
        f.days(p, "EXCLUDED") == [ns[-1][:10]] and st.status == "EXCLUDED" and f.rules(p, "EXCLUDED") == ["R6.3"],
        "p23 excluded at the second",
    )
    story.expect(f.last_job_day.get(p) == ns[-1][:10], "p23 no jobs after the exclusion")
    return story


def announced(f: Facts) -> Story:
    p, story = s.P_ANNOUNCED, about(s.P_ANNOUNCED, "announced no-show", ("R3.3", "R6.1"))
    policy, st = f.policy(p), f.standing(p)
    found = [j for j in f.jobs_of(p) if j["status"] == "NO_SHOW"]
    figures = cancellation_figures(st, policy)
    strikes = active_strikes(st, policy, f.end)
    what = ", ".join(
        f"{j['job_id']} scheduled {j['scheduled_at']}, support informed {j.get('support_informed_at')}" for j in found
    )
    story.say(f"{what}; strikes {len(strikes)}; rate {fmt(figures.rate)} over {figures.resolved}; status {st.status}")
    entries = [outcome_entry(Job.parse(j)) for j in found]
    story.expect(
        len(found) == 1 and all(e is not None and e.kind == CANCELLATION and not e.strike for e in entries),
        "p27 one no-show, counted as a cancellation (R3.3)",
    )
    story.expect(not strikes and not f.days(p, "NO_SHOW_WARNING"), "p27 no strike, no no-show warning")
    story.expect(st.status == ACTIVE, "p27 ACTIVE")
    return story


def unverified(f: Facts) -> Story:
    story = Story(f"{' and '.join(s.UNVERIFIED)} (unverified)", ("R8.2", "R9.1"))
    for p in s.UNVERIFIED:
        story.expect(not dispatch_eligible(f.standing(p)), f"{p} not eligible for dispatch")
        story.expect(p not in f.last_job_day, f"{p} (unverified) gets no jobs")
    story.say("not eligible for dispatch, no jobs")
    return story


def incident(f: Facts) -> Story:
    p, story = s.P_INCIDENT, about(s.P_INCIDENT, "incident, then reinstated", ("R7.1", "R12.4"))
    st = f.standing(p)
    mine = f.jobs_of(p)
    window: list[tuple[datetime, datetime | None]] = [(s.INCIDENT_AT, s.REINSTATE_AT)]
    gap = [
        j["job_id"]
        for j in mine
        if not dispatched({"scheduled": parse(j["scheduled_at"]), "accepted": parse(j["accepted_at"])}, window)
    ]
    reported = next(c.event for c in f.driver.ops_calls if c.event["action"] == "report_incident")
    story.say(
        f"incident {reported['category']} about {reported['job_id']}; status {st.status}; "
        f"{len(mine)} jobs, none while suspended: {not gap}"
    )
    story.expect(
        f.days(p, "SUSPENDED") == [s.INCIDENT_AT.date().isoformat()]
        and f.rules(p, "SUSPENDED") == ["R7.1"]
        and f.days(p, "REINSTATED") == [s.REINSTATE_AT.date().isoformat()]
        and f.rules(p, "REINSTATED") == ["R12.4"]
        and st.status == ACTIVE,
        "p11 suspended Oct 20 (R7.1), reinstated Oct 24 (R12.4), ACTIVE",
    )
    story.expect(not gap, f"p11 no jobs while suspended ({', '.join(gap)})")
    story.expect(any(j["job_id"] == reported["job_id"] for j in mine), "p11 incident names one of its jobs")
    return story


def duplicate(f: Facts) -> Story:
    p, story = s.P_DUPLICATE, about(s.P_DUPLICATE, "a second account", ("R8.1", "R12.4"))
    st = f.standing(p)
    closing = [n for n in f.notices.get(p, []) if n["type"] == "CLOSED"]
    twins = sorted(x["partner_id"] for n in closing for x in n["reasons"]["figures"].get("shared_fingerprints", []))
    refused = [c.answer.get("error", {}).get("code") for c in f.driver.ops_calls if c.event["partner_id"] == p]
    story.say(
        f"registered {s.DUPLICATE_AT.date()}, phone of {', '.join(twins)}: status {st.status}/{st.reason}; "
        f"jobs {len(f.jobs_of(p))}; reinstating it: {', '.join(str(r) for r in refused)}"
    )
    story.expect(
        st.status == "CLOSED"
        and st.reason == "DUPLICATE_ACCOUNT"
        and twins == [s.P_DUPLICATED]
        and f.days(p, "CLOSED") == [s.DUPLICATE_AT.date().isoformat()],
        "p31 closed as a duplicate of p05 (R8.1)",
    )
    story.expect(p not in f.last_job_day and f.standing(s.P_DUPLICATED).status == ACTIVE, "p31 no jobs, p05 unchanged")
    story.expect(refused == ["CLOSED"], "reinstating p31 is refused (CLOSED, R12.4)")
    return story


# --- Halle (human review) -------------------------------------------------------------------------


def halle_no_shows(f: Facts) -> Story:
    p, story = s.H_NOSHOW, about(s.H_NOSHOW, "no-shows, human review", ("R6.2", "R6.3", "R12.3"))
    st = f.standing(p)
    mine = f.jobs_of(p)
    ns = sorted(j["reported_at"] for j in mine if j["status"] == "NO_SHOW")
    explained = next(c.answer for c in f.driver.ops_calls if c.event == {"action": "explain", "partner_id": p})
    pending = (explained.get("pending_decision") or {}).get("action")
    story.say(
        f"unannounced no-shows reported {', '.join(ns)}; explained with pending {pending}; "
        f"status {st.status}/{st.reason}; last job {max(j['scheduled_at'] for j in mine)}"
    )
    approved = iso(s.H_APPROVE_AT)
    days = [s.date_of(d) for d in s.NO_SHOW_DAYS_OF[p]]
    story.expect([x[:10] for x in ns] == days, "h03 no-shows on its two days")
    story.expect(f.days(p, "NO_SHOW_WARNING") == days[:1], "h03 warned at the first no-show")
    story.expect(
        f.days(p, "DECISION_PENDING") == days[1:]
        and f.rules(p, "DECISION_PENDING") == ["R6.3"]
        and pending == "EXCLUDE",
        "h03 decision pending at the second no-show, shown by explain",
    )
    story.expect(
        f.days(p, "EXCLUDED") == [approved[:10]] and st.status == "EXCLUDED" and st.reason == "NO_SHOW",
        "h03 excluded when ops approve",
    )
    story.expect(
        all(j["scheduled_at"] < approved and j["accepted_at"] < approved for j in mine),
        "h03 no jobs after the exclusion",
    )
    return story


def halle_poor(f: Facts) -> Story:
    p, story = s.H_POOR, about(s.H_POOR, "poor stars, human review", ("R2.2", "R2.4", "R12.3"))
    st = f.standing(p)
    warnings = [n for n in f.notices.get(p, []) if n["type"] == "RATING_WARNING"]
    story.say(
        f"status {st.status}; rating streak at the end {len(st.rating_streak)}; last job day {f.last_job_day.get(p)}"
    )
    story.expect(
        [w["at"][:10] for w in warnings[:3]] == [s.date_of(d) for d in s.POOR_WARNING_DAYS], "h05 warnings Oct 2/9/16"
    )
    story.expect(
        f.days(p, "DECISION_PENDING") == [s.date_of(s.POOR_DECISION_DAY)]
        and f.rules(p, "DECISION_PENDING") == ["R2.4"],
        "h05 decision pending (R2.4) at the Oct 17 check",
    )
    story.expect(not f.days(p, "SUSPENDED") and st.status == ACTIVE, "h05 never suspended, ACTIVE")
    later = [w for w in warnings if w["at"] > iso(s.H_REJECT_AT)]
    story.expect(not later or later[0]["reasons"].get("streak") == 1, "h05 a new streak after the rejection")
    story.expect(f.last_job_day.get(p, "") >= s.date_of(s.LAST_DAY_OF_HALLE_POOR), "h05 keeps getting jobs")
    return story


# --- everyone ---------------------------------------------------------------------------------------


def console(f: Facts) -> Story:
    story = Story("ops", ("R12.2", "R12.4"))
    for call in f.driver.ops_calls:
        story.say(f"{call.at} {call.event['action']} {call.event['partner_id']} -> {answer_text(call.answer)}")
    refused = [c for c in f.driver.ops_calls if "error" in c.answer]
    story.expect(len(refused) == 1, "exactly one ops call refused")
    return story


def answer_text(answer: dict[str, Any]) -> str:
    if "error" in answer:
        return f"refused: {answer['error']['code']}"
    standing = answer.get("standing") or {}
    pending = standing.get("pending_decision")
    return standing.get("status", "?") + (f" (pending {pending['action']} {pending['reason']})" if pending else "")


def ordinary(f: Facts) -> Story:
    story = Story("ordinary partners", ("R2.1", "R5.1"))
    others = {p: f.listed(p) for p in f.driver.partners() if p not in s.SPECIAL and f.notices.get(p)}
    story.say("with notices: " + ("; ".join(f"{p}: {v}" for p, v in sorted(others.items())) or "none"))
    story.expect(
        not any(f.days(p, kind) for p in f.driver.partners() if p not in s.SPECIAL for kind in RESTRICTING),
        "ordinary partners: no rating warnings, restrictions or pending decisions",
    )
    story.expect(
        all(
            fig.cancellation.rate is not None and fig.cancellation.rate <= f.policy(p).cancellation.maximum_floor
            for p in f.driver.partners()
            if p not in s.SPECIAL
            for _, fig in f.nights(p)
            if fig.cancellation.resolved >= f.policy(p).cancellation.min_jobs
        ),
        "ordinary partners: rate at most the maximum's floor at every check",
    )
    return story


STORIES: tuple[Callable[[Facts], Story], ...] = (
    poor_stars,
    borderline,
    cancels,
    no_shows,
    announced,
    unverified,
    halle_no_shows,
    halle_poor,
    incident,
    duplicate,
    console,
    ordinary,
)


def report(lines: list[Line], driver: ReferenceDriver) -> list[Story]:
    """Every story, checked against what the rules decided on ``lines`` (without the policy line)."""
    facts = Facts(lines, driver)
    return [check(facts) for check in STORIES]


def epilogue(driver: ReferenceDriver) -> list[str]:
    """The cities' figures at the last check (R4) and the notices of the month."""
    said = []
    last = driver.nights[-1][0] if driver.nights else "-"
    for city in (s.H_CITY, s.CITY):
        figures, partners = driver.city_figures(city)
        if figures is not None:
            said.append(
                f"city {city} at the {last} check: average cancellation rate {fmt(figures.average, 4)} over "
                f"{partners} partners, maximum {fmt(figures.maximum, 4)}"
            )
    totals = Counter(n["type"] for p in driver.partners() for n in driver.notices(p))
    said.append("notices in total: " + ", ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    return said


def printed(stories: list[Story], driver: ReferenceDriver, quiet: bool = False) -> list[str]:
    """The report as text: each story with its notices (``quiet``: only what did not come out)."""
    out: list[str] = []
    for story in stories:
        notices = driver.notices(story.partner) if story.partner else []
        if not quiet:
            out.append(f"{story.title} [{', '.join(story.rules)}]: {story.said[0] if story.said else ''}")
            out += [f"    {x}" for x in story.said[1:]]
            if notices:
                out.append("    notices: " + " ".join(f"{n['type']}@{n['at'][5:10]}" for n in notices))
        out += [f"    MISMATCH ({story.title}): {m}" for m in story.missed]
    return out if quiet else out + epilogue(driver)
