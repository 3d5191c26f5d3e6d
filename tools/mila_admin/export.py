"""DynamoDB's *Export to S3* format, read (``mila-standing import``) and written (tests, the example).

An export of one table is a folder ``[prefix/]AWSDynamoDB/<ExportId>/`` with
``manifest-summary.json`` (which table, when, how many items), ``manifest-files.json`` (one
JSON object a line naming each ``data/*.json.gz``) and the data files: gzip, one
``{"Item": {...}}`` a line in DynamoDB JSON. The same layout is read from a local folder or from
``s3://bucket/prefix`` (with the user's own credentials, through boto3).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from mila_standing.adapters.dynamodb.codec import attribute_value, from_attrs
from mila_standing.domain.numbers import exact_as_written
from mila_standing.domain.times import format_time

from .history import SourceItem
from .scenario import SOURCE_TABLES

SUMMARY = "manifest-summary.json"
FILES = "manifest-files.json"


class ExportError(ValueError):
    """Not an export, or not one the history can be built from: one line naming the place."""


class Storage(Protocol):
    """Where an export lies: a local folder or an S3 prefix, read by relative key."""

    def keys(self) -> list[str]: ...

    def read(self, key: str) -> bytes: ...

    def name(self, key: str) -> str: ...


@dataclass(frozen=True)
class LocalFolder:
    root: Path

    def keys(self) -> list[str]:
        return sorted(str(p.relative_to(self.root).as_posix()) for p in self.root.rglob("*") if p.is_file())

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def name(self, key: str) -> str:
        return str(self.root / key)


@dataclass
class S3Prefix:
    bucket: str
    prefix: str
    client: Any = None

    @classmethod
    def parse(cls, url: str) -> S3Prefix:
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ExportError(f"{url}: an S3 location is s3://bucket[/prefix]")
        return cls(bucket, prefix.strip("/"))

    def _client(self) -> Any:
        if self.client is None:
            import boto3  # the user's own credentials and region, as the AWS CLI would use them

            self.client = boto3.client("s3")
        return self.client

    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def keys(self) -> list[str]:
        keys = []
        start = f"{self.prefix}/" if self.prefix else ""
        try:
            for page in self._client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                keys += [obj["Key"][len(start) :] for obj in page.get("Contents", [])]
        except Exception as error:  # botocore's errors: no credentials, no bucket, access denied
            raise ExportError(f"s3://{self.bucket}/{self.prefix}: cannot list ({error})") from None
        return sorted(keys)

    def read(self, key: str) -> bytes:
        body = self._client().get_object(Bucket=self.bucket, Key=self._full(key))["Body"]
        return bytes(body.read())

    def name(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._full(key)}"


def storage(location: str | Path) -> Storage:
    text = str(location)
    if text.startswith("s3://"):
        return S3Prefix.parse(text)
    path = Path(text)
    if not path.is_dir():
        raise ExportError(f"{path}: not a folder (an export is a folder with {SUMMARY})")
    return LocalFolder(path)


def is_export(location: str | Path) -> bool:
    """A history given as a folder or an S3 location is an export; a file is a scenario."""
    return str(location).startswith("s3://") or Path(location).is_dir()


@dataclass(frozen=True)
class TableExport:
    table: str  # partners | jobs | ratings
    store: Storage
    folder: str  # relative key of the export's folder (where its manifests are)
    summary: dict[str, Any]


def source_table(table_arn: Any) -> str | None:
    """Which platform table an export holds, by its ARN's name (``prod-partners`` is partners)."""
    if not isinstance(table_arn, str) or "table/" not in table_arn:
        return None
    name = table_arn.split("table/", 1)[1].split("/", 1)[0].lower()
    matches = [t for t in SOURCE_TABLES if name.endswith(t)]
    return matches[0] if len(matches) == 1 else None


def _summary(store: Storage, key: str) -> tuple[str, dict[str, Any]]:
    """An export's manifest-summary.json: which source table it holds, and the summary itself,
    once it is one a history can be built from."""
    try:
        summary = json.loads(store.read(key))
    except (ValueError, UnicodeDecodeError) as error:
        raise ExportError(f"{store.name(key)}: not valid JSON ({error})") from None
    if not isinstance(summary, dict):
        raise ExportError(f"{store.name(key)}: must be a JSON object")
    table = source_table(summary.get("tableArn"))
    if table is None:
        raise ExportError(
            f"{store.name(key)}: tableArn {summary.get('tableArn')!r} names none of {', '.join(SOURCE_TABLES)}"
        )
    if summary.get("outputFormat", "DYNAMODB_JSON") != "DYNAMODB_JSON":
        raise ExportError(f"{store.name(key)}: outputFormat {summary.get('outputFormat')!r}; export with DYNAMODB_JSON")
    if summary.get("exportType", "FULL_EXPORT") != "FULL_EXPORT":
        raise ExportError(f"{store.name(key)}: exportType {summary.get('exportType')!r}; a history needs a FULL_EXPORT")
    return table, summary


def find_exports(locations: Iterable[str | Path]) -> dict[str, TableExport]:
    """The partners, jobs and ratings exports under the given places (each may hold one or all)."""
    found: dict[str, TableExport] = {}
    for location in locations:
        store = storage(location)
        summaries = [k for k in store.keys() if posixpath.basename(k) == SUMMARY]
        if not summaries:
            raise ExportError(f"{location}: not a DynamoDB export (no {SUMMARY} under it)")
        for key in summaries:
            table, summary = _summary(store, key)
            if table in found:
                raise ExportError(
                    f"{store.name(key)}: a second export of {table} "
                    f"(the first is {found[table].store.name(found[table].folder)})"
                )
            found[table] = TableExport(table, store, posixpath.dirname(key), summary)
    missing = [t for t in SOURCE_TABLES if t not in found]
    if missing:
        places = ", ".join(str(loc) for loc in locations)
        raise ExportError(
            f"{places}: no export of the {' and '.join(missing)} table"
            f"{'s' if len(missing) > 1 else ''} (a history needs {', '.join(SOURCE_TABLES)})"
        )
    return found


def read_items(export: TableExport) -> Iterator[SourceItem]:
    """Every item of a table's export. A line that is no item is yielded as a bad item (its reason
    under ``"__bad__"``) for the history to count; a missing or unreadable file stops the import."""
    store, folder = export.store, export.folder
    manifest_key = posixpath.join(folder, FILES)
    try:
        manifest = store.read(manifest_key).decode("utf-8")
    except (OSError, KeyError, UnicodeDecodeError) as error:
        raise ExportError(f"{store.name(manifest_key)}: cannot read ({error})") from None
    except Exception as error:  # S3: NoSuchKey and friends
        raise ExportError(f"{store.name(manifest_key)}: cannot read ({error})") from None
    for number, raw in enumerate(manifest.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            data_key = entry["dataFileS3Key"]
        except (ValueError, KeyError, TypeError):
            raise ExportError(f"{store.name(manifest_key)}: line {number} names no dataFileS3Key") from None
        # The key is the object's full S3 key (export prefix included): found under the export's folder.
        key = posixpath.join(folder, "data", posixpath.basename(data_key))
        try:
            lines = gzip.decompress(store.read(key)).decode("utf-8").splitlines()
        except Exception as error:
            raise ExportError(f"{store.name(key)}: cannot read the data file ({error})") from None
        for line_number, line in enumerate(lines, start=1):
            if line.strip():
                yield _item(export.table, line, f"{store.name(key)}:{line_number}")


def _item(table: str, line: str, where: str) -> SourceItem:
    try:
        record = json.loads(line, parse_float=Decimal)
        image = record["Item"]
        item = from_attrs(image)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        reason = (
            "not valid JSON" if isinstance(error, json.JSONDecodeError) else 'not an {"Item": {...}} in DynamoDB JSON'
        )
        return SourceItem(table, {"__bad__": reason}, where)
    return SourceItem(table, exact_as_written(item), where)


# --- writing, as AWS does (for tests and the shipped example) --------------------------------------


def write_export(
    folder: Path,
    table: str,
    items: list[dict[str, Any]],
    export_time: datetime,
    table_name: str | None = None,
    files: int = 2,
) -> Path:
    """``folder/AWSDynamoDB/<ExportId>/`` with the manifests and gzip data files AWS writes."""
    name = table_name or table
    digest = hashlib.sha256(json.dumps([name, format_time(export_time)]).encode()).hexdigest()
    export_id = f"{int(export_time.timestamp() * 1000):014d}-{digest[:8]}"
    base = f"AWSDynamoDB/{export_id}"
    root = folder / base
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "_started").write_bytes(b"")
    table_arn = f"arn:aws:dynamodb:eu-central-1:000000000000:table/{name}"
    parts: list[list[dict[str, Any]]] = [[] for _ in range(max(1, files))]
    for item in items:  # AWS spreads items over files by partition: by a hash of the key here
        key = str(item.get("partner_id" if table == "partners" else "job_id"))
        parts[int(hashlib.md5(key.encode()).hexdigest(), 16) % len(parts)].append(item)
    manifest_lines = []
    for number, part in enumerate(parts):
        body = "".join(json.dumps({"Item": {k: attribute_value(v) for k, v in item.items()}}) + "\n" for item in part)
        data = gzip.compress(body.encode("utf-8"), mtime=0)
        file_name = f"{hashlib.sha256(f'{export_id}/{number}'.encode()).hexdigest()[:26]}.json.gz"
        (root / "data" / file_name).write_bytes(data)
        manifest_lines.append(
            json.dumps(
                {
                    "itemCount": len(part),
                    "md5Checksum": hashlib.md5(data).hexdigest(),
                    "etag": hashlib.md5(data).hexdigest(),
                    "dataFileS3Key": f"{base}/data/{file_name}",
                }
            )
        )
    files_text = "\n".join(manifest_lines) + "\n"
    (root / FILES).write_text(files_text, encoding="utf-8")
    (root / "manifest-files.checksum").write_text(hashlib.md5(files_text.encode()).hexdigest(), encoding="utf-8")
    stamp = format_time(export_time)
    summary = {
        "version": "2023-08-01",
        "exportArn": f"{table_arn}/export/{export_id}",
        "startTime": stamp,
        "endTime": stamp,
        "tableArn": table_arn,
        "tableId": digest[:36],
        "exportTime": stamp,
        "s3Bucket": "mila-exports",
        "s3Prefix": None,
        "s3SseAlgorithm": "AES256",
        "s3SseKmsKeyId": None,
        "manifestFilesS3Key": f"{base}/{FILES}",
        "billedSizeBytes": 0,
        "itemCount": len(items),
        "outputFormat": "DYNAMODB_JSON",
        "exportType": "FULL_EXPORT",
    }
    summary_text = json.dumps(summary)
    (root / SUMMARY).write_text(summary_text, encoding="utf-8")
    (root / "manifest-summary.checksum").write_text(hashlib.md5(summary_text.encode()).hexdigest(), encoding="utf-8")
    return root


def snapshot(lines: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Each source table as it stands after a scenario's writes: what an export of it would hold."""
    tables: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in SOURCE_TABLES}
    keys = {"partners": "partner_id", "jobs": "job_id", "ratings": "job_id"}
    for line in lines:
        if "put" in line:
            table, item = line["put"]["table"], line["put"]["item"]
            tables[table][item[keys[table]]] = item
        elif "delete" in line:
            table, key = line["delete"]["table"], line["delete"]["key"]
            tables[table].pop(key[keys[table]], None)
    return {table: list(items.values()) for table, items in tables.items()}
