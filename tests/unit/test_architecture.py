"""The architecture holds (issue 20): the layer package's folders are its layers, dependencies
point one way (platform -> adapters -> use cases -> rules -> domain), the rule core and the
domain touch no AWS, and nothing that runs on Lambda imports the local tools. The contracts are
import-linter's, in pyproject.toml; these tests run them, and show that they bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "mila_standing" / "mila_standing"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{root / 'layers' / 'mila_standing'}{os.pathsep}{root / 'tools'}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def copy_of_the_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sources import-linter reads, copied, so a test may add a wrong import to them."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copy(ROOT / "pyproject.toml", root)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "layers", root / "layers", ignore=ignore)
    shutil.copytree(ROOT / "tools", root / "tools", ignore=ignore)
    return root


def test_every_layer_folder_has_a_docstring_saying_what_it_is():
    folders = sorted(p for p in LAYER.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert [p.name for p in folders] == ["adapters", "domain", "platform", "rules", "usecases"]
    for folder in folders:
        init = (folder / "__init__.py").read_text(encoding="utf-8")
        assert init.lstrip().startswith('"""') and len(init.split('"""')[1].split()) >= 20, folder.name


def test_no_module_of_the_layer_is_over_400_lines():
    too_long = {
        str(p.relative_to(LAYER)): n
        for p in LAYER.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not too_long


def test_the_import_contracts_are_kept():
    answer = _lint(ROOT)
    assert answer.returncode == 0, answer.stdout[-3000:] + answer.stderr[-2000:]
    assert "0 broken" in answer.stdout


@pytest.mark.parametrize(
    "module, line, contract",
    [
        ("rules/windows.py", "from ..usecases import ports", "platform -> adapters -> use cases"),  # upwards
        ("domain/standing.py", "import boto3", "touch no AWS"),
        ("usecases/ops.py", "from ..platform import runtime", "platform -> adapters -> use cases"),
        ("adapters/memory.py", "import mila_replay.engine", "never imports the local tools"),
    ],
)
def test_an_import_against_the_direction_breaks_a_contract(copy_of_the_sources, module, line, contract):
    target = copy_of_the_sources / "layers" / "mila_standing" / "mila_standing" / module
    original = target.read_text(encoding="utf-8")
    try:
        target.write_text(
            original.replace(
                "from __future__ import annotations\n", f"from __future__ import annotations\n\n{line}  # noqa\n", 1
            ),
            encoding="utf-8",
        )
        answer = _lint(copy_of_the_sources)
    finally:
        target.write_text(original, encoding="utf-8")
    assert answer.returncode != 0
    broken = [part for part in answer.stdout.split("\n\n") if "BROKEN" in part]
    assert any(contract in part.replace("\n", "") for part in broken), answer.stdout[-2000:]
