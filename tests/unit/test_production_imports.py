"""What runs against real AWS imports no moto (issue 20 item 1): every module of the layer's
package (what Lambda runs) and of the production tools (redrive, migrate, import and export's
format, the mila-standing command line itself), each imported in a fresh interpreter of its own,
leaves moto and the emulator (mila_replay) out of ``sys.modules``. And the operator's commands
run where moto cannot be imported at all, while the emulator's say in one line what is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mila_admin.cli import EMULATOR_COMMANDS, OPERATOR_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "mila_standing"
TOOLS = ROOT / "tools"
# What a production module may not bring along, by top-level name.
EMULATOR = ("moto", "mila_replay")
LOADED = (  # prints which of them the interpreter has loaded (a None entry blocks a module, NO_MOTO)
    "import json, sys; print(json.dumps(sorted({"
    f"m.partition('.')[0] for m, loaded in sys.modules.items() if loaded is not None}} & {set(EMULATOR)!r})))"
)
NO_MOTO = "import sys; sys.modules['moto'] = None; "  # any `import moto` now fails
NEED_MOTO = ("replay", "whatif")  # of the emulator's commands; generate and export run without it


def _modules(folder: Path, package: str) -> list[str]:
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = [package, *path.relative_to(folder).with_suffix("").parts]
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


PRODUCTION = _modules(LAYER / "mila_standing", "mila_standing") + _modules(TOOLS / "mila_admin", "mila_admin")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter with this tree's sources first on its path (not an installed copy)."""
    path = os.pathsep.join([str(LAYER), str(TOOLS), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "AWS_DEFAULT_REGION": "eu-central-1"}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def _loaded_after_import(module: str) -> list[str]:
    done = _python(f"import importlib, sys; importlib.import_module(sys.argv[1]); {LOADED}", module)
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"
    return list(json.loads(done.stdout))


def test_the_listing_holds_the_production_commands_and_every_layer_folder():
    assert set(NEED_MOTO) <= set(EMULATOR_COMMANDS)
    for module in ("mila_admin.cli", "mila_admin.redrive", "mila_admin.migrate", "mila_admin.importing"):
        assert module in PRODUCTION
    assert "mila_admin.export" in PRODUCTION and "mila_standing.adapters.dynamodb.store" in PRODUCTION
    assert {m.split(".")[1] for m in PRODUCTION if m.startswith("mila_standing.")} >= {
        "domain",
        "rules",
        "usecases",
        "adapters",
        "platform",
    }


def test_no_production_module_imports_moto_or_the_emulator_each_in_a_fresh_interpreter():
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        loaded = dict(zip(PRODUCTION, pool.map(_loaded_after_import, PRODUCTION), strict=True))
    wrong = {module: found for module, found in loaded.items() if found}
    assert not wrong, "\n".join(f"import {module} loads {', '.join(found)}" for module, found in wrong.items())


@pytest.mark.parametrize("command", sorted(OPERATOR_COMMANDS))
def test_the_operators_commands_run_where_moto_cannot_be_imported(command):
    done = _python(
        f"{NO_MOTO}from mila_admin.cli import main\n"
        "try:\n    main([sys.argv[1], '--help'])\nexcept SystemExit as end:\n    assert end.code == 0, end.code\n"
        f"{LOADED}",
        command,
    )
    assert done.returncode == 0, done.stderr
    assert f"mila-standing {command}" in done.stdout  # its own usage line: the command's arguments loaded
    assert json.loads(done.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("command", NEED_MOTO)
def test_without_moto_the_emulators_commands_say_in_one_line_what_to_install(command):
    done = _python(f"{NO_MOTO}from mila_admin.cli import main; sys.exit(main(sys.argv[1:]))", command, "x")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "needs moto" in done.stderr and "[replay]" in done.stderr
