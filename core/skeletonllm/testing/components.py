"""What every component of every kind declares: name, summary, an Options model, a working registration."""

from __future__ import annotations

from typing import ClassVar

import pytest

from ..interfaces.base import PluginOptions
from ..kinds import KINDS, interface
from ..registry import Registry, get_registry


def component_names(kind: str, plugin: str | None = None, registry: Registry | None = None) -> list[str]:
    """Registered ``kind`` names, only those of the entry point ``plugin`` when given."""
    registry = registry or get_registry()
    return [i.name for i in registry.infos(kind) if plugin is None or i.plugin == plugin]


class ComponentContract:
    """Subclass in a test module; set ``plugin`` to test only one entry point's components."""

    plugin: ClassVar[str | None] = None
    kinds: ClassVar[tuple[str, ...]] = tuple(KINDS)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "kind_and_name" in metafunc.fixturenames:
            cases = [(k, n) for k in self.kinds for n in component_names(k, self.plugin)]
            metafunc.parametrize("kind_and_name", cases, ids=[f"{k}:{n}" for k, n in cases])

    def test_imports_and_declares_its_interface(self, kind_and_name: tuple[str, str]) -> None:
        kind, name = kind_and_name
        info = get_registry().info(kind, name)
        cls = info.cls  # a lazily registered component imports here, checked against its registration
        assert issubclass(cls, interface(kind)) and cls.name == name
        assert info.summary.strip(), f"{kind} {name!r} has no summary (set ``summary`` or a docstring)"
        assert issubclass(cls.Options, PluginOptions), "Options must subclass PluginOptions (unknown keys = errors)"
        assert cls.Options.model_config.get("extra") == "forbid"

    def test_default_options_validate(self, kind_and_name: tuple[str, str]) -> None:
        kind, name = kind_and_name
        cls = get_registry().get(kind, name)
        try:
            cls.Options()
        except Exception as exc:  # noqa: BLE001 - a required option is allowed, but must say which
            assert "required" in str(exc).lower(), f"{kind} {name!r}: default Options() fails: {exc}"
