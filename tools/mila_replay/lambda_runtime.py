"""The Lambda runtime, in process: each function's handler loaded from its folder as Lambda loads
it, the context object it is given, and invocations whose unhandled error Lambda reports as a
function error. (Who invokes: the stream mappings, mappings.py; the nightly state machine,
night.py; a scenario's invoke lines, engine.py.)"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .aws import ACCOUNT, REGION
from .template import FunctionSpec


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:mila-{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/mila-{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "replay"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


class FunctionError(Exception):
    """The function raised: AWS counts the whole invocation as failed."""


@dataclass
class Functions:
    specs: dict[str, FunctionSpec]
    log: io.TextIOBase
    on_invoke: Callable[[str], None] = lambda name: None
    _handlers: dict[str, Callable[..., Any]] = field(default_factory=dict)
    invocations: int = 0
    _by_function: dict[str, int] = field(default_factory=dict)

    def handler(self, name: str) -> Callable[..., Any]:
        if name not in self._handlers:
            spec = self.specs[name]
            module_name, attr = spec.handler.rsplit(".", 1)
            path = spec.code_dir / f"{module_name}.py"
            loaded = importlib.util.spec_from_file_location(f"mila_function_{name}", path)
            if loaded is None or loaded.loader is None:
                raise RuntimeError(f"cannot load {path}")
            module = importlib.util.module_from_spec(loaded)
            sys.modules[loaded.name] = module
            loaded.loader.exec_module(module)
            self._handlers[name] = getattr(module, attr)
        return self._handlers[name]

    def invoke(self, name: str, event: Any) -> Any:
        self.invocations += 1
        self._by_function[name] = count = self._by_function.get(name, 0) + 1
        self.on_invoke(name)
        # A request id derived from the function's own count, not random: it reaches the tables
        # (the ops audit's caller.request_id), and a replay's tables are the same run to run
        # (--chaos only adds stream invocations, never console ones).
        request_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mila-replay/{name}/{count}"))
        with contextlib.redirect_stdout(self.log), contextlib.redirect_stderr(self.log):
            try:
                return self.handler(name)(event, LambdaContext(name, aws_request_id=request_id))
            except Exception as error:  # the Lambda runtime reports it as a function error
                print(
                    json.dumps(
                        {
                            "level": "ERROR",
                            "function": name,
                            "message": "unhandled error",
                            "error": f"{type(error).__name__}: {error}",
                        }
                    )
                )
                raise FunctionError(f"{type(error).__name__}: {error}") from error
