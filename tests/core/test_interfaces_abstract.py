"""Every class that declares an ``@abstractmethod`` is an abstract base (ABCMeta), so the declaration is enforced.

Found by walking the source with ``ast`` (core, built-in plugins and the third-party example), then
checking each class at run time: ``@abstractmethod`` on a plain class (or an ``nn.Module`` without
``ABCMeta``) documents a duty nobody enforces.
"""

from __future__ import annotations

import ast
import importlib
from abc import ABCMeta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"core": ROOT / "core", "plugins": ROOT / "plugins"}


def abstract_classes() -> list[tuple[str, str]]:
    """``(module, class)`` of every class whose body decorates a method with ``abstractmethod``."""
    found = []
    for base in SOURCES.values():
        for path in sorted(base.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            module = ".".join(path.relative_to(base).with_suffix("").parts).removesuffix(".__init__")
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                for item in node.body:
                    decorators = getattr(item, "decorator_list", [])
                    names = {d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "") for d in decorators}
                    if "abstractmethod" in names:
                        found.append((module, node.name))
                        break
    return found


CLASSES = abstract_classes()


def test_the_walk_finds_the_interfaces():
    found = set(CLASSES)
    assert {("skeletonllm.interfaces.backbone", "Backbone"), ("skeletonllm.interfaces.renderer", "Renderer")} <= found
    assert ("skeletonllm.interfaces.metric", "Metric") in found and len(found) >= 8


@pytest.mark.parametrize(("module", "name"), CLASSES, ids=[f"{m}.{n}" for m, n in CLASSES])
def test_a_class_with_abstract_methods_is_an_abc(module: str, name: str):
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, ABCMeta), f"{module}.{name} declares @abstractmethod but is not an ABC"
    assert getattr(cls, "__abstractmethods__", None), f"{module}.{name}: no abstract method is enforced"
