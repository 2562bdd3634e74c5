"""The core's promise, checked: no module under core/skeletonllm imports a plugin, and only the CLI imports the CLI."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core" / "skeletonllm"
MODULES = sorted(CORE.rglob("*.py"))


def plugin_packages() -> set[str]:
    """Top-level packages of the entry points the repository declares, e.g. ``skeletonllm_formats``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    targets = project["project"]["entry-points"]["skeletonllm"].values()
    return {t.split(":")[0].split(".")[0] for t in targets}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in ``path``, at any depth, relative ones resolved."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def test_the_walk_sees_every_core_module_and_resolves_relative_imports():
    assert len(MODULES) > 20
    names = dict((n, line) for line, n in imported_names(CORE / "cli" / "render_cmd.py"))
    assert "skeletonllm.rendering" in names and "skeletonllm.errors.SkeletonLLMError" in names
    assert {"skeletonllm_formats", "skeletonllm_draction", "skeletonllm_hf"} <= plugin_packages()


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(CORE)) for p in MODULES])
def test_core_module_imports_no_plugin_and_no_cli(path: Path):
    plugins = plugin_packages()
    inside_cli = module_name(path).startswith("skeletonllm.cli")
    bad = []
    for line, name in imported_names(path):
        top = name.split(".")[0]
        if top in plugins or top.startswith("skeletonllm_"):
            bad.append(f"line {line}: imports plugin package {name}")
        elif not inside_cli and (name == "skeletonllm.cli" or name.startswith("skeletonllm.cli.")):
            bad.append(f"line {line}: imports the CLI ({name}); move the shared code into a core module")
    assert not bad, f"{path.relative_to(ROOT)}: " + "; ".join(bad)


def core_import_graph() -> dict[str, set[str]]:
    """Core module -> the core modules it imports (at any depth of the file, function bodies included)."""
    modules = {module_name(p): p for p in MODULES}
    graph = {}
    for name, path in modules.items():
        deps = set()
        for _, imported in imported_names(path):
            while imported and imported not in modules:  # skeletonllm.errors.SpecError -> skeletonllm.errors
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                deps.add(imported)
        graph[name] = deps
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def test_no_two_core_modules_import_each_other():
    """E.g. checkpoint_checks and training did: the name of the last checkpoint now lives in checkpoint.py."""
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]  # the check can fail
    assert import_cycles(core_import_graph()) == []


#: web and UI frameworks live in plugins (the app is plugins/skeletonllm_app), never in the kernel
UI_FRAMEWORKS = ("gradio", "gradio_client", "fastapi", "uvicorn", "starlette")


def test_no_core_module_imports_a_web_framework():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in MODULES
        for line, name in imported_names(path)
        if name.split(".")[0] in UI_FRAMEWORKS
    ]
    assert found == [], f"the core imports a web framework (move it into plugins/skeletonllm_app): {found}"
    assert not (CORE / "app").exists() and not (CORE / "cli" / "app_cmd.py").exists()
