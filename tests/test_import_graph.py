"""The package's import graph, read from the source (ast, nothing executed): no cycles, and no module
importing from a later stage than its own.

The stage order, lowest first. A module may import from its own unit and from earlier layers; units that
share a layer may import each other as long as no cycle forms. Every import counts, at module level or
inside a function (a deferred import still ties the modules together).

 0  version, errors, data, cache, contrast    plain values, the model cache directory; no mtqa imports
 1  textio                                    reading and decoding input files
 2  languages                                 per-language data and functions
 3  segment, glossary, formats, terms         segments; glossary and string files; term matching
 4  align                                     segments → beads (aligners, the sentence encoder)
 5  score                                     beads → model scores
 6  checks                                    beads, glossary and scores → findings
 7  signature                                 versions of the code and settings that made a report
 8  pipeline                                  the stage functions every entry point composes
 9  config, metrics, baseline                 the config file; reference metrics; baselines of findings
10  l10n                                      localisation files through the same stages
11  report                                    renderers of reports and scans
12  commands                                  the click commands
13  cli, __main__, mtqa (package root)        entry points and the public API
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mtqa"

LAYERS: list[tuple[str, ...]] = [
    ("version", "errors", "data", "cache", "contrast"),
    ("textio",),
    ("languages",),
    ("segment", "glossary", "formats", "terms"),
    ("align",),
    ("score",),
    ("checks",),
    ("signature",),
    ("pipeline",),
    ("config", "metrics", "baseline"),
    ("l10n", "batch"),
    ("report",),
    ("commands",),
    ("cli", "__main__", ""),  # "": the package root, mtqa/__init__.py
]
LAYER_OF = {unit: index for index, units in enumerate(LAYERS) for unit in units}


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module → the mtqa modules it imports (``from mtqa.x import y`` names module ``mtqa.x.y`` when that
    is a module, else ``mtqa.x``)."""
    known = modules(package)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(resolve(a.name) for a in node.names if a.name.split(".")[0] == "mtqa")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] != "mtqa":
                    continue
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in known else resolve(node.module))
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{module}: relative import; mtqa uses absolute imports")
        targets.discard(module)
        targets.discard(None)
        graph[module] = {t for t in targets if t is not None}
    return graph


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def registry_edge(source: str, target: str) -> bool:
    """A package's ``__init__`` loading its own submodules (so that they register themselves) is how a
    registry fills; the submodules importing the package back is not a cycle in any sense that matters."""
    return target.startswith(source + ".")


def against_the_order(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        for target in targets
        if LAYER_OF.get(unit(target), 0) > LAYER_OF.get(unit(source), 0)
    )


def cycles(graph: dict[str, set[str]]) -> list[str]:
    graph = {m: {t for t in targets if not registry_edge(m, t)} for m, targets in graph.items()}
    found = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                found.append(" → ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in modules() if unit(m) not in LAYER_OF)
    assert not unplaced, f"place these modules in LAYERS of {__file__}: {unplaced}"


def test_no_import_against_the_stage_order():
    wrong = against_the_order(import_graph())
    assert not wrong, "imports against the stage order:\n" + "\n".join(wrong)


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_checks_find_a_planted_cycle_and_a_backward_import(tmp_path):
    """On a toy package: a deferred import inside a function (as the old cli ↔ commands.scan cycle was)
    closes a cycle, and a check importing the pipeline goes against the order; a registry package loading
    its own submodules is neither."""
    package = tmp_path / "mtqa"
    (package / "checks").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("def main():\n    from mtqa.commands import run\n")
    (package / "commands.py").write_text("from mtqa.cli import main\n")
    (package / "checks" / "__init__.py").write_text("import mtqa.checks.one\n")
    (package / "checks" / "one.py").write_text("from mtqa.checks import register\nimport mtqa.pipeline\n")
    (package / "pipeline.py").write_text("from mtqa.checks import register\n")
    graph = import_graph(package)
    assert cycles(graph) == ["mtqa.cli → mtqa.commands → mtqa.cli"]
    assert against_the_order(graph) == [
        "mtqa.checks.one imports mtqa.pipeline",
        "mtqa.commands imports mtqa.cli",
    ]
