"""What every component of every kind declares: name, summary, an Options model, a working registration.

:class:`KindContract` is the base of the per-kind contracts (backbone, stage, teacher, metric):
it parametrises over the registered names of one kind and builds each component with the
options a subclass gives (``options(name, folder)``), skipping, with the reason, a component
whose required options it was not given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from ..interfaces.base import PluginOptions
from ..kinds import KINDS, interface
from ..registry import Registry, get_registry


def component_names(kind: str, plugin: str | None = None, registry: Registry | None = None) -> list[str]:
    """Registered ``kind`` names, only those of the entry point ``plugin`` when given."""
    registry = registry or get_registry()
    return [i.name for i in registry.infos(kind) if plugin is None or i.plugin == plugin]


class KindContract:
    """Parametrises ``<kind>_name`` over the registry and builds components with :meth:`options`."""

    kind: ClassVar[str] = ""
    plugin: ClassVar[str | None] = None

    def options(self, name: str, folder: Path) -> dict[str, Any] | None:
        """Options to build ``name`` with in these tests (files may go under ``folder``); None skips it."""
        return {}

    def defaults(self, name: str) -> dict[str, Any]:
        """Options the kit itself sets, under :meth:`options` (e.g. what a backbone derives from the renderer)."""
        return {}

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if f"{self.kind}_name" in metafunc.fixturenames:
            metafunc.parametrize(f"{self.kind}_name", component_names(self.kind, self.plugin))

    def build(self, name: str, folder: Path, **extra: Any) -> Any:
        """The component ``name`` with :meth:`options` (plus ``extra``); skipped when it needs options not given."""
        options = self.options(name, folder)
        if options is None:
            pytest.skip(f"{type(self).__name__}.options() gives no options for {self.kind} {name!r}")
        cls = get_registry().get(self.kind, name)
        try:
            validated = cls.Options.model_validate({**self.defaults(name), **options, **extra})
        except ValidationError as exc:
            missing = [".".join(map(str, e["loc"])) for e in exc.errors() if e["type"] == "missing"]
            if missing:
                pytest.skip(
                    f"{self.kind} {name!r} needs {', '.join(missing)}: return them from {type(self).__name__}.options()"
                )
            raise
        return get_registry().create(self.kind, name, validated)


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
        assert not getattr(cls, "__abstractmethods__", None), f"{kind} {name!r} leaves abstract methods"
        for option, source in getattr(cls, "derived", {}).items():
            assert option in cls.Options.model_fields, f"{kind} {name!r} derives {option!r}, not one of its options"
            assert "." in source, f"{kind} {name!r}: derived source {source!r} is not 'section.option'"

    def test_default_options_validate(self, kind_and_name: tuple[str, str]) -> None:
        kind, name = kind_and_name
        cls = get_registry().get(kind, name)
        try:
            cls.Options()
        except Exception as exc:  # noqa: BLE001 - a required option is allowed, but must say which
            assert "required" in str(exc).lower(), f"{kind} {name!r}: default Options() fails: {exc}"
