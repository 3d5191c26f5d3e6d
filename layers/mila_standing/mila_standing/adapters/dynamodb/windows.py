"""Reading a partner's windows on DynamoDB: the aggregate with the newest entries of a window in
one Query (adapters/table/keys.py: the partition's order), and the older entries a change
touches (a late rating of an old job, a correction of an old outcome) by key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...domain.standing import RATINGS
from ...usecases.ports import EntryHint, ReadPlan
from ..table import keys
from ..table.items import is_live
from .codec import from_attrs

WINDOW_SLACK = 10  # entries read beyond the window, so ties at its edge are read whole


class WindowReader:
    def __init__(self, table: str, client: Any):
        self.table, self.client = table, client

    def window(
        self, partner_id: str, window: str, plan: ReadPlan
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, str | None]:
        """(entries, the aggregate, the oldest key read or None when the window was read whole)."""
        low, high = keys.RATINGS_RANGE if window == RATINGS else keys.OUTCOMES_RANGE
        extra = plan.extra.get(window, 0)
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.partner_key(partner_id)},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ScanIndexForward": window != RATINGS,
        }
        entries: list[dict[str, Any]] = []
        aggregate: dict[str, Any] | None = None
        wanted: int | None = None
        live = 0
        default = plan.window_sizes(None)[0 if window == RATINGS else 1]  # the city is read with the page
        limit = default + extra + WINDOW_SLACK + 1
        while True:
            page = self.client.query(Limit=limit, **kwargs)
            for raw in page.get("Items", []):
                item = from_attrs(raw)
                if item["sk"] == keys.AGGREGATE:
                    aggregate = item
                    continue
                entries.append(item)
                if window == RATINGS or is_live(item):
                    live += 1
            if wanted is None:
                rating_window, cancellation_window = plan.window_sizes(aggregate.get("city") if aggregate else None)
                wanted = (rating_window if window == RATINGS else cancellation_window) + extra
            last = page.get("LastEvaluatedKey")
            if last is None:
                return entries, aggregate, None  # the whole window's history was read
            if live > wanted and _edge_read(entries, window, wanted):
                return entries, aggregate, entries[-1]["sk"]
            kwargs["ExclusiveStartKey"] = last
            limit = 100

    def hinted(
        self,
        partner_id: str,
        loaded: list[dict[str, Any]],
        hints: tuple[EntryHint, ...],
        covered: dict[str, str | None],
    ) -> list[dict[str, Any]]:
        """The entries the changes touch that the window reads did not bring (older ones)."""
        have = {item["sk"] for item in loaded}
        jobs = {keys.job_of(item["sk"]) for item in loaded}
        wanted: dict[str, EntryHint] = {}
        unplaced: list[EntryHint] = []
        for hint in hints:
            if hint.window in covered and covered[hint.window] is None:
                continue  # that window was read whole: what is not there does not exist
            if hint.at is None:
                unplaced.append(hint)
                continue
            if not _beyond(hint, covered):
                if hint.expected:
                    unplaced.append(hint)  # expected where the read covered, yet not there: look it up
                continue
            key = keys.entry_key(hint.window, hint.job_id, hint.at)
            if key not in have:
                wanted[key] = hint
        found = self._get(partner_id, list(wanted))
        present = jobs | {keys.job_of(i["sk"]) for i in found}
        brought: set[tuple[str, str]] = set()  # jobs an earlier record of this batch puts in a window
        looked_up: set[tuple[str, str]] = set()
        candidates = {id(h) for h in [*wanted.values(), *unplaced]}
        for hint in hints:
            job = (hint.window, hint.job_id)
            if not hint.expected:
                brought.add(job)
            elif id(hint) in candidates and hint.job_id not in present and job not in brought | looked_up:
                looked_up.add(job)
                found += self._find_job(partner_id, hint)  # the old image did not say where it is
        return found

    def _get(self, partner_id: str, sort_keys: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(sort_keys), 100):
            chunk = sort_keys[start : start + 100]
            request = {
                self.table: {
                    "Keys": [{"pk": {"S": keys.partner_key(partner_id)}, "sk": {"S": k}} for k in chunk],
                    "ConsistentRead": True,
                }
            }
            while request:
                got = self.client.batch_get_item(RequestItems=request)
                found += [from_attrs(i) for i in got.get("Responses", {}).get(self.table, [])]
                request = got.get("UnprocessedKeys") or {}
        return found

    def _find_job(self, partner_id: str, hint: EntryHint) -> list[dict[str, Any]]:
        """Every entry of one job in a window, wherever it lies (the partition's keys are by time,
        so this reads the window's whole history: only when an old image cannot say where)."""
        low, high = keys.WHOLE_WINDOW[hint.window]
        return [
            from_attrs(raw)
            for raw in self.query_all(
                ConsistentRead=True,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={
                    ":pk": {"S": keys.partner_key(partner_id)},
                    ":low": {"S": low},
                    ":high": {"S": high},
                },
            )
            if keys.job_of(raw["sk"]["S"]) == hint.job_id
        ]

    def query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table, PaginationConfig={"PageSize": 100}, **kwargs):
            yield from page.get("Items", [])


def _beyond(hint: EntryHint, covered: dict[str, str | None]) -> bool:
    """Whether a hinted entry may lie beyond what the window reads covered (older than the
    oldest entry read): only then is it worth asking for. A window not read covers nothing."""
    oldest = covered.get(hint.window)
    if hint.window not in covered or oldest is None or hint.at is None:
        return hint.window not in covered
    key = keys.entry_key(hint.window, hint.job_id, hint.at)
    return key < oldest if hint.window == RATINGS else key > oldest


def _edge_read(entries: list[dict[str, Any]], window: str, wanted: int) -> bool:
    """Whether the entries read hold the window whole: the last one read is strictly older than
    the ``wanted``-th newest live one, so no entry tied with it at the edge is left unread."""
    live = [i for i in entries if window == RATINGS or is_live(i)]
    if len(live) <= wanted:
        return False
    edge, last = live[wanted - 1], entries[-1]
    if window == RATINGS:
        return bool(keys.moment_of(last["sk"]) < keys.moment_of(edge["sk"]))
    return bool(keys.moment_of(last["sk"]) > keys.moment_of(edge["sk"]))
