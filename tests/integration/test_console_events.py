"""Every console event shipped under functions/*/events/ runs against its handler on moto."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVENTS = sorted(ROOT.glob("functions/*/events/*.json"))


def test_every_function_ships_console_events():
    functions = {p.name for p in (ROOT / "functions").iterdir() if (p / "app.py").exists()}
    with_events = {p.parent.parent.name for p in EVENTS}
    assert functions <= with_events


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_console_event_is_answered_without_an_unhandled_error(path, tmp_path, monkeypatch):
    """R7.3 / R12: ops and the console get an answer, never a crash."""
    from mila_replay.aws import EmbeddedAws
    from mila_replay.template import Template
    from mila_standing import runtime

    aws = EmbeddedAws(Template()).start()
    try:
        for spec in Template().functions(aws.refs):
            for key, value in spec.environment.items():
                monkeypatch.setenv(key, value)
        monkeypatch.delenv("POLICY_FILE", raising=False)
        runtime.reset()
        spec = importlib.util.spec_from_file_location(f"console_{path.parent.parent.name}",
                                                      path.parent.parent / "app.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        from mila_replay.delivery import LambdaContext

        answer = module.lambda_handler(json.loads(path.read_text()), LambdaContext(path.parent.parent.name))
        assert isinstance(answer, dict)
        json.dumps(answer)  # a console shows JSON
    finally:
        aws.stop()
        runtime.reset()
