"""The core's layout holds: no import circle, and each package imports only what sits below it.

The shared vocabulary (models, text, links, errors, arxiv_ids) imports no package; formats and
library do not import each other or search; nothing in the core imports the UI. Imports inside
functions count too: a lazy import is still a dependency, and a circle through one breaks when the
order changes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import readlist.core

CORE = Path(readlist.core.__file__).parent
VOCABULARY = {"models", "text", "links", "errors", "arxiv_ids"}
#: package -> the packages it may import (besides the vocabulary and itself).
ALLOWED = {
    "formats": set(),
    "library": set(),
    "search": {"library"},
    "sources": {"formats"},
    "sync": {"library"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_imports() -> dict[str, set[str]]:
    """Each core module -> the core modules it imports (a `from pkg import sub` names pkg.sub)."""
    paths = sorted(CORE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules else node.module)
        graph[module_name(path)] = {m for m in found if m in modules}
    return graph


def part_of(module: str) -> str:
    """`readlist.core.library.storage` -> "library"; `readlist.core.models` -> "models"."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else ""


def test_the_core_has_its_packages() -> None:
    parts = {part_of(m) for m in core_imports()}
    assert {"formats", "library", "search"} <= parts
    assert parts >= VOCABULARY


def test_no_import_circle_in_the_core() -> None:
    graph = core_imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circle = [*path[path.index(module) :], module]
            raise AssertionError("import circle: " + " -> ".join(circle))
        if module in done:
            return
        for target in sorted(graph[module]):
            # A submodule importing its own package's __init__ is Python's normal order.
            if not module.startswith(target + "."):
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_each_package_imports_only_what_sits_below_it() -> None:
    wrong = []
    for module, targets in core_imports().items():
        part = part_of(module)
        for target in targets:
            other = part_of(target)
            if other in ("", part) or other in VOCABULARY:
                if part in VOCABULARY and other not in VOCABULARY | {""}:
                    wrong.append(f"{module} -> {target}")
                continue
            if other not in ALLOWED.get(part, set()):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports across the layers: " + ", ".join(sorted(wrong))
