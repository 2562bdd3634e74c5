"""What a component class declares, read from its source without importing it.

A plugin registers ``register("package.module:Class")``; the class's ``name``,
``summary`` and ``default_for`` are then read here, from the literal assignments
in the class body (the docstring's first line stands in for a missing summary),
so they are written once, in the class, and ``skeletonllm plugins`` lists a
renderer without importing torch. When the source cannot be read this way (no
literal ``name``, a compiled module), the registry imports the class instead.
Reading parses the module with ``ast``; only the parent packages are imported.
:class:`PluginInfo` is the registry's record of one component: what it declares,
where it came from, and how to import it.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Declaration:
    """The registration facts of one class: ``default_for`` is None when the class body does not set it."""

    name: str
    summary: str
    default_for: tuple[str, ...] | None


def declared(target: str) -> Declaration | None:
    """The literal ``name``, ``summary`` and ``default_for`` of ``"package.module:Class"``, or None if unreadable."""
    module, _, attr = target.partition(":")
    if not module or not attr:
        raise ValueError(f"target {target!r} is not 'package.module:ClassName'")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == attr), None)
    if node is None:
        return None
    values = _literals(node)
    if not isinstance(values.get("name"), str) or not values["name"]:
        return None
    summary = values.get("summary")
    if not isinstance(summary, str) or not summary:
        summary = next(iter((ast.get_docstring(node) or "").strip().splitlines()), "")
    default_for = values.get("default_for")
    return Declaration(values["name"], summary, tuple(default_for) if default_for is not None else None)


def _literals(node: ast.ClassDef) -> dict[str, object]:
    """``name = "x"`` and ``name: ClassVar[str] = "x"`` assignments of the class body, evaluated as literals."""
    found: dict[str, object] = {}
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("name", "summary", "default_for"):
                try:
                    found[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError):
                    continue  # not a literal (a name, a call): the registry imports the class instead
    return found


@dataclass
class PluginInfo:
    """One registered component and where it came from.

    ``cls`` is imported on first access when the plugin registered a
    :class:`~skeletonllm.hookspecs.LazyComponent`; listing names and summaries never imports it.
    """

    name: str
    kind: str
    plugin: str
    distribution: str
    version: str
    entry_point: str
    summary: str
    _load: Callable[[], type] = field(repr=False, default=None)  # type: ignore[assignment]
    _cls: type | None = field(repr=False, default=None)
    _default_for: tuple[str, ...] | None = field(repr=False, default=None)

    @property
    def cls(self) -> type:
        if self._cls is None:
            self._cls = self._load()
        return self._cls

    @property
    def default_for(self) -> tuple[str, ...]:
        """What this component is the default for (read from its source when registered by name, else the class)."""
        if self._default_for is not None:
            return self._default_for
        return tuple(getattr(self.cls, "default_for", ()))

    @property
    def imported(self) -> bool:
        """Whether the class has been imported (always, for classes registered directly)."""
        return self._cls is not None
