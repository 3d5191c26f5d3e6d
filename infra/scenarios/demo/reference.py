"""The reference driver: scenario lines applied to the project's own rules, in memory.

While it builds the story, the generator needs to see what the real rules decide: who is
restricted when (dispatch gives a restricted partner no jobs) and which notices each story
partner gets. This driver shows it without a rules engine of its own. It keeps the three source
tables as dicts; each put or delete becomes the stream record DynamoDB would write (INSERT,
MODIFY or REMOVE with old and new image; none for a write that changes nothing); the template's
event source mappings decide which records reach a function (their FilterCriteria); each record
is parsed by the stream functions' own use cases (``usecases.partners``, ``.jobs``, ``.ratings``)
and every ``PartnerChange`` is applied with ``Standings.update`` on a ``MemoryStandingStore``,
under infra/policy.yaml with the scenario's policy line deep-merged over it. ``invoke`` lines go
to the nightly check's and the ops console's use cases. As in the replay, the writes of a burst
(lines with the same time) come first, then the streams are delivered, partners first.

A jobs record reaches on_cancel and on_job_completed by their filters; both turn it into the same
window changes, so it is applied once. The secret scrub (R11.1) writes back to the jobs table as
on AWS, and its own record comes round and is skipped (R11.3). Left out, as they decide nothing
about a standing: the commission ledger (R10), the user pool, publishing notices, batching,
retries. Nothing here decides anything: every decision is the rule core's.

This is a stand-in for the replay (``mila-standing replay`` on DynamoDB Local stays the
reference for what the system does) and may be replaced by the replay's in-memory engine
(``--engine memory``) once it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from mila_admin.filters import passes
from mila_admin.scenario import KEYS
from mila_replay.engine import DELIVERY_ORDER as REPLAY_ORDER
from mila_replay.template import Template, short_table_name
from mila_standing.adapters.dynamodb.codec import attribute_value
from mila_standing.adapters.memory import MemoryStandingStore
from mila_standing.adapters.table import keys
from mila_standing.domain.models import SECRET_FIELD
from mila_standing.domain.policy import Policy
from mila_standing.domain.standing import ACTIVE, Standing
from mila_standing.domain.times import format_time, parse_time
from mila_standing.rules import CancellationFigures, CityFigures, RatingFigures, cancellation_figures, rating_figures
from mila_standing.usecases import night_requests, ops
from mila_standing.usecases.changes import PartnerChange
from mila_standing.usecases.jobs import parse_job_record
from mila_standing.usecases.partners import partner_changes
from mila_standing.usecases.ports import DECISION, NOTICE
from mila_standing.usecases.ratings import rating_changes
from mila_standing.usecases.standings import Standings

# The replay's order: partners first, so the other functions know a partner's home city.
DELIVERY_ORDER = tuple(t for t in map(short_table_name, REPLAY_ORDER) if t in KEYS)
CALLER = {"via": "demo-reference-driver", "verified": False}

Periods = dict[str, list[tuple[datetime, datetime | None]]]
"""Per partner, the times they were restricted: from, until (None: still restricted)."""


@dataclass(frozen=True)
class NightFigures:
    """A partner as one nightly check left them: status and figures, exact (R14.7)."""

    status: str
    reason: str | None
    rating: RatingFigures
    cancellation: CancellationFigures
    rating_streak: int
    cancellation_streak: int


@dataclass(frozen=True)
class OpsCall:
    at: str
    event: dict[str, Any]
    answer: dict[str, Any]


def stream_filters() -> dict[str, list[Any]]:
    """Per source table, the event source mappings reading its stream (template.yaml)."""
    template = Template()
    sources = {f"stream:{logical}": logical for logical in ("PartnersTable", "JobsTable", "RatingsTable")}
    found: dict[str, list[Any]] = {table: [] for table in KEYS}
    for mapping in template.mappings(sources, {}):
        found[short_table_name(mapping.source)].append(mapping)
    return found


def stream_record(table: str, sequence: int, old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """The record DynamoDB writes to a table's stream (NEW_AND_OLD_IMAGES), as Lambda hands it on."""
    key = KEYS[table]
    ddb: dict[str, Any] = {
        "Keys": {key: attribute_value((new or old or {})[key])},
        "SequenceNumber": f"{sequence:021d}",
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        ddb["NewImage"] = {k: attribute_value(v) for k, v in new.items()}
    if old is not None:
        ddb["OldImage"] = {k: attribute_value(v) for k, v in old.items()}
    event = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
    return {"eventID": f"{table}-{sequence}", "eventName": event, "eventSource": "aws:dynamodb", "dynamodb": ddb}


class ReferenceDriver:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.store = MemoryStandingStore()
        self.standings = Standings(self.store, policy)
        self.tables: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in KEYS}
        self.mappings = stream_filters()
        self._written = dict.fromkeys(KEYS, 0)  # each stream's records so far: its sequence numbers
        self._stream: dict[str, list[dict[str, Any]]] = {table: [] for table in KEYS}  # not yet delivered
        self.ops_calls: list[OpsCall] = []
        self.nights: list[tuple[str, dict[str, NightFigures]]] = []  # after each nightly check

    # --- the lines ------------------------------------------------------------------------------
    def run(self, lines: list[dict[str, Any]]) -> ReferenceDriver:
        """Apply ``lines`` (the scenario's, without its policy line) in order."""
        for n, line in enumerate(lines):
            now = parse_time(line["at"])
            if "invoke" in line:
                self.invoke(line["invoke"], now)
                continue
            self.write(line)
            following = lines[n + 1] if n + 1 < len(lines) else None
            if following is None or following["at"] != line["at"] or "invoke" in following:
                self.deliver(now)  # the burst is written: its records go out
        return self

    def write(self, line: dict[str, Any]) -> None:
        if "put" in line:
            table, item = line["put"]["table"], line["put"]["item"]
            self._put(table, item[KEYS[table]], dict(item))
        else:
            table = line["delete"]["table"]
            self._put(table, line["delete"]["key"][KEYS[table]], None)

    def _put(self, table: str, key: str, new: dict[str, Any] | None) -> None:
        old = self.tables[table].get(key)
        if old == new:
            return  # DynamoDB writes no stream record for a write that changes nothing
        if new is None:
            del self.tables[table][key]
        else:
            self.tables[table][key] = new
        self._written[table] += 1
        self._stream[table].append(stream_record(table, self._written[table], old, new))

    def deliver(self, now: datetime) -> None:
        """Every stream record written so far, to the functions whose filters take it."""
        while any(self._stream.values()):
            for table in DELIVERY_ORDER:
                records, self._stream[table] = self._stream[table], []
                for record in records:
                    if any(passes(mapping.filters, record) for mapping in self.mappings[table]):
                        self._apply(table, DynamoDBRecord(record), now)

    def _apply(self, table: str, record: DynamoDBRecord, now: datetime) -> None:
        self.standings.forget_city_figures()  # as every stream invocation does (R4)
        changes: list[PartnerChange]
        if table == "partners":
            changes = partner_changes(self.standings, record)
        elif table == "ratings":
            changes = rating_changes(record)
        else:
            _job, changes = parse_job_record(self, record)
        for change in changes:
            self.standings.update(change.partner_id, [change.change], now)

    def remove_secrets(self, job_id: str, status: str) -> bool:
        """The jobs table's side of the secret scrub (R11.1), with its condition."""
        item = self.tables["jobs"].get(job_id)
        if item is None or SECRET_FIELD not in item or item.get("status") != status:
            return False
        self._put("jobs", job_id, {k: v for k, v in item.items() if k != SECRET_FIELD})
        return True

    def invoke(self, call: dict[str, Any], now: datetime) -> None:
        event = call.get("event", {})
        if call["function"] == "nightly_check":
            night_requests.handle(self.standings, event, now)
            self.nights.append((format_time(now), {p: self.night_figures(p) for p in self.partners()}))
        elif call["function"] == "ops":
            answer = ops.handle(self.standings, event, now, caller=CALLER)
            self.ops_calls.append(OpsCall(format_time(now), event, answer))
        else:
            raise ValueError(f"the reference driver does not run {call['function']!r}")

    # --- what the rules decided ---------------------------------------------------------------------
    def partners(self) -> list[str]:
        return sorted(self.tables["partners"])

    def standing(self, partner_id: str) -> Standing:
        return self.standings.load(partner_id)

    def notices(self, partner_id: str) -> list[dict[str, Any]]:
        """The partner's notices, oldest first (type, at, reasons)."""
        return self.store.records(partner_id, NOTICE)

    def night_figures(self, partner_id: str) -> NightFigures:
        standing = self.standing(partner_id)
        policy = self.policy.for_city(standing.city)
        return NightFigures(
            standing.status,
            standing.reason,
            rating_figures(standing, policy),
            cancellation_figures(standing, policy),
            len(standing.rating_streak),
            len(standing.cancellation_streak),
        )

    def restrictions(self) -> Periods:
        """When each partner was restricted, from their recorded decisions (R12.1)."""
        found: Periods = {}
        for partner_id in self.partners():
            status = ACTIVE
            spans: list[tuple[datetime, datetime | None]] = []
            for decision in self.store.records(partner_id, DECISION):
                new = decision.get("status")
                if new is None or new == status:
                    continue  # a warning, a recorded incident, a decision that changed nothing
                at = parse_time(decision["at"])
                if status == ACTIVE:
                    spans.append((at, None))
                elif new == ACTIVE:
                    spans[-1] = (spans[-1][0], at)
                status = new
            if spans:
                found[partner_id] = spans
        return found

    def city_figures(self, city: str) -> tuple[CityFigures | None, int]:
        """The city's figures from its last nightly check (R4) and how many partners qualified."""
        item = self.store.table.get(keys.city_figures_key(city))
        return self.store.city_figures(city), int(item["qualifying_partners"]) if item else 0
