"""No import cycle anywhere in the layer's package, the production tools or the emulator, and the
direction between them kept (issue 20 item 3): the emulator may import the production tools and
the layer, the production tools the layer, the layer neither.

The graph is read from the sources with ``ast``, so an import inside a function counts as much as
one at the top of a module (a cycle hidden in a function is still a cycle: it only bites later).
``from package import name`` is an edge to ``package.name`` when that is a module, else to the
package itself; relative imports are resolved against the importing module's package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "mila_standing": ROOT / "layers" / "mila_standing" / "mila_standing",
    "mila_admin": ROOT / "tools" / "mila_admin",
    "mila_replay": ROOT / "tools" / "mila_replay",
}
# What a package may never import, in any module, at any depth of a function.
FORBIDDEN = {
    "mila_standing": ("mila_admin", "mila_replay", "moto"),
    "mila_admin": ("mila_replay", "moto"),
}

Modules = dict[str, tuple[Path, bool]]
Graph = dict[str, set[str]]


def find_modules(packages: dict[str, Path]) -> Modules:
    """Module name -> (its file, whether it is a package's ``__init__``)."""
    found: Modules = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def imports_of(name: str, path: Path, is_package: bool, known: Modules) -> set[str]:
    """Every module an import statement in the file names: ours resolved to a module of ``known``,
    anything else (boto3, moto) by its name as written."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, is_package, node.module, node.level)
            names |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return names


def _absolute(name: str, is_package: bool, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    package = name if is_package else name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{module}" if module else package


def import_graph(modules: Modules) -> Graph:
    """Module -> the modules of ``modules`` it imports."""
    return {
        name: {n for n in imports_of(name, path, is_package, modules) if n in modules}
        for name, (path, is_package) in modules.items()
    }


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (``a, b, …, a``) for every group of modules that import each other, round or not
    (Tarjan's strongly connected components, then a shortest way round each)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while not group or module not in group:
                group.add(stack.pop())
            if len(group) > 1 or module in graph[module]:
                found.append(_way_round(graph, min(group), group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def _way_round(graph: Graph, start: str, group: set[str]) -> list[str]:
    """The shortest path from ``start`` back to itself inside ``group`` (breadth first)."""
    paths = [[start]]
    while paths:
        path = paths.pop(0)
        for imported in sorted(graph[path[-1]] & group):
            if imported == start:
                return [*path, start]
            if imported not in path:
                paths.append([*path, imported])
    raise AssertionError(f"no way round {start}")


def test_no_module_of_the_layer_the_production_tools_or_the_emulator_is_part_of_an_import_cycle():
    found = cycles(import_graph(find_modules(PACKAGES)))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_layer_imports_no_tools_and_the_production_tools_no_emulator_nor_moto():
    modules = find_modules(PACKAGES)
    wrong = [
        f"{name} imports {imported}"
        for name, (path, is_package) in modules.items()
        for imported in sorted(imports_of(name, path, is_package, modules))
        if any(imported.partition(".")[0] == banned for banned in FORBIDDEN.get(name.partition(".")[0], ()))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_cycle_through_a_relative_import_inside_a_function(tmp_path):
    """The test bites: delivery.py and aws.py were such a pair (aws imported delivery inside a function)."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "delivery.py").write_text("from .sub.aws import EmbeddedAws\n")
    (package / "sub" / "aws.py").write_text("def keys_match():\n    from ..delivery import matches\n")
    (package / "other.py").write_text("from pkg import delivery\nimport pkg.sub.aws\n")
    graph = import_graph(find_modules({"pkg": package}))
    assert graph["pkg.other"] == {"pkg.delivery", "pkg.sub.aws"}
    assert cycles(graph) == [["pkg.delivery", "pkg.sub.aws", "pkg.delivery"]]
