"""One registration style: built-ins register import paths; names and summaries live once, in the class."""

from __future__ import annotations

import importlib
import sys
import textwrap
import types

import pytest
from test_core_imports import plugin_packages  # the entry points pyproject declares

from skeletonllm import LazyComponent, hookimpl
from skeletonllm.declarations import declared
from skeletonllm.kinds import KINDS
from skeletonllm.registry import Registry


def test_name_summary_and_default_for_are_read_from_the_source():
    found = declared("skeletonllm_draction.renderer:DrActionRenderer")
    assert found.name == "draction" and found.summary.startswith("DrAction:") and found.default_for == ("render",)
    stick = declared("skeletonllm_renderers.stick:StickRenderer")
    assert stick.name == "stick" and stick.default_for is None  # not set in the body: the class decides
    assert declared("skeletonllm_renderers.stick:NoSuchClass") is None
    with pytest.raises(ValueError, match="not 'package.module:ClassName'"):
        declared("no_colon")


def test_a_missing_summary_falls_back_to_the_docstring_and_a_computed_name_to_an_import(tmp_path, monkeypatch):
    (tmp_path / "declared_demo.py").write_text(
        textwrap.dedent(
            '''
            from skeletonllm.interfaces import Metric, MetricResult

            class Plain(Metric):
                """Counts nothing, on purpose."""
                name = "plain"
                def reset(self): ...
                def update(self, predictions): ...
                def compute(self): return MetricResult()

            class Computed(Plain):
                name = "comp" + "uted"
            '''
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert declared("declared_demo:Plain").summary == "Counts nothing, on purpose."
    assert declared("declared_demo:Computed") is None  # not a literal
    registry = Registry(load_entry_points=False)
    plugin = types.SimpleNamespace(
        register_metrics=hookimpl(
            lambda register: [register("declared_demo:Plain"), register("declared_demo:Computed")]
        )
    )
    plugin.register_metrics.__name__ = "register_metrics"
    registry.add_plugin(plugin, "demo")
    assert registry.names("metric") == ["computed", "plain"]
    assert not registry.info("metric", "plain").imported and registry.info("metric", "computed").imported
    sys.modules.pop("declared_demo", None)


def test_every_built_in_plugin_registers_import_paths_only():
    """The one style: ``register("package.module:Class")``; no class imported in a hook, no name written twice."""
    for package in sorted(plugin_packages()):
        module = importlib.import_module(f"{package}.plugin")
        for kind in KINDS.values():
            hook = getattr(module, kind.hook, None)
            if hook is None:
                continue
            given = []
            hook(register=given.append)
            assert given and all(isinstance(g, str) and ":" in g for g in given), (package, kind.name, given)
        assert "LazyComponent" not in vars(module), f"{package}.plugin still writes names in a LazyComponent"


def test_every_built_in_plugin_adds_its_commands_the_same_way():
    """Commands follow the one style too: the entry-point module holds no command and no component;
    ``register_commands`` imports its click-only command module inside the hook (registry.yaml's
    ``commands:`` catalogues what each adds, tests/core/test_catalogue.py)."""
    import click

    from skeletonllm.interfaces.base import Component

    adders = []
    for package in sorted(plugin_packages()):
        module = importlib.import_module(f"{package}.plugin")
        held = [
            name
            for name, value in vars(module).items()
            if isinstance(value, click.Command) or (isinstance(value, type) and issubclass(value, Component))
        ]
        assert not held, f"{package}.plugin holds {held} at import: import them inside the hook"
        if hasattr(module, "register_commands"):
            group = click.Group()
            module.register_commands(cli=group)
            assert group.commands, f"{package}.plugin's register_commands adds no command"
            adders.append(package)
    assert {"skeletonllm_app", "skeletonllm_datasets", "skeletonllm_training"} <= set(adders)


def test_the_registry_lists_every_built_in_without_importing_it():
    registry = Registry()
    infos = registry.infos()
    assert len(infos) > 30 and not any(info.imported for info in infos if info.distribution == "skeletonllm")
    assert registry.get("renderer", "stick").name == "stick"  # imported on first use, checked against its source


def test_a_lazy_registration_that_states_another_name_is_refused():
    registry = Registry(load_entry_points=False)
    wrong = LazyComponent("skeletonllm_renderers.stick:StickRenderer", name="sticky", summary="")
    plugin = types.SimpleNamespace(register_renderers=hookimpl(lambda register: register(wrong)))
    plugin.register_renderers.__name__ = "register_renderers"
    registry.add_plugin(plugin, "wrong")
    with pytest.raises(Exception, match="is named 'stick'"):
        registry.get("renderer", "sticky")
