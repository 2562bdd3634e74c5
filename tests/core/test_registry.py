"""The registry: entry-point discovery, isolation of broken plugins, duplicates, close matches."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path

import pytest

from skeletonllm import PluginError, UnknownPluginError, hookimpl
from skeletonllm.interfaces import Metric, PluginOptions
from skeletonllm.registry import Registry


class CountOptions(PluginOptions):
    top: int = 1


class CountMetric(Metric):
    name = "count"
    summary = "Counts predictions"
    Options = CountOptions

    def reset(self) -> None:
        self.n = 0

    def update(self, predictions, targets) -> None:
        self.n += len(predictions)

    def compute(self) -> dict[str, float]:
        return {"n": float(self.n)}


def _plugin(*classes: type, hook: str = "register_metrics") -> types.SimpleNamespace:
    def impl(register):
        for cls in classes:
            register(cls)

    impl.__name__ = hook
    return types.SimpleNamespace(**{hook: hookimpl(impl)})


def test_plugin_registered_in_a_test_is_found_and_removed():
    reg = Registry(load_entry_points=False)
    reg.add_plugin(_plugin(CountMetric), "counting")
    try:
        metric = reg.create("metric", "count", {"top": 3})
        assert metric.options.top == 3
        metric.update(["a", "b"], ["a", "c"])
        assert metric.compute() == {"n": 2.0}
        assert reg.info("metric", "count").plugin == "counting"
    finally:
        reg.remove_plugin("counting")
    assert reg.names("metric") == []


def test_unknown_name_suggests_close_matches_and_other_kinds():
    reg = Registry(load_entry_points=False)
    reg.add_plugin(_plugin(CountMetric), "counting")
    with pytest.raises(UnknownPluginError, match="did you mean 'count'"):
        reg.get("metric", "cuont")
    with pytest.raises(UnknownPluginError, match="'count' is a metric, not a renderer"):
        reg.get("renderer", "count")
    with pytest.raises(UnknownPluginError, match="unknown plugin kind"):
        reg.get("widget", "count")


def test_options_reject_unknown_keys():
    reg = Registry(load_entry_points=False)
    reg.add_plugin(_plugin(CountMetric), "counting")
    with pytest.raises(Exception, match="tpo"):
        reg.create("metric", "count", {"tpo": 2})


def test_duplicate_names_are_rejected_naming_both_plugins():
    reg = Registry(load_entry_points=False)
    reg.add_plugin(_plugin(CountMetric), "first")
    with pytest.warns(RuntimeWarning, match="duplicate metric name 'count'.*'second'.*'first'"):
        reg.add_plugin(_plugin(CountMetric), "second")
    assert reg.info("metric", "count").plugin == "first"
    strict = Registry(load_entry_points=False, strict=True)
    strict.add_plugin(_plugin(CountMetric), "first")
    with pytest.raises(PluginError, match="duplicate"):
        strict.add_plugin(_plugin(CountMetric), "second")


def test_registration_of_the_wrong_kind_is_refused():
    reg = Registry(load_entry_points=False, strict=True)
    with pytest.raises(PluginError, match="not a SkeletonFormat subclass"):
        reg.add_plugin(_plugin(CountMetric, hook="register_formats"), "confused")


def _fake_distribution(root: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """Lay out an installed distribution (dist-info + modules) that importlib.metadata discovers."""
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"  # wheel naming: importlib dedups by this stem
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[skeletonllm]\n{lines}\n")
    for name, code in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(code))


GOOD_MODULE = """
from skeletonllm import hookimpl
from skeletonllm.interfaces import Metric

class Always(Metric):
    name = "always_one"
    summary = "Always one"
    def reset(self): pass
    def update(self, p, t): pass
    def compute(self): return {"one": 1.0}

@hookimpl
def register_metrics(register):
    register(Always)
"""


@pytest.fixture
def fake_site(tmp_path, monkeypatch):
    _fake_distribution(
        tmp_path,
        "skeletonllm-fake-good",
        {"fake_good": "fake_good_mod"},
        {"fake_good_mod": GOOD_MODULE},
    )
    _fake_distribution(
        tmp_path,
        "skeletonllm-fake-broken",
        {"fake_broken": "fake_broken_mod"},
        {"fake_broken_mod": "raise ImportError('needs libfoo 9')\n"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for mod in ("fake_good_mod", "fake_broken_mod"):
        sys.modules.pop(mod, None)


def test_broken_plugin_is_isolated_and_named(fake_site, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "fake_good,skeletonllm-fake-broken")
    with pytest.warns(RuntimeWarning, match="'fake_broken' from distribution 'skeletonllm-fake-broken'.*libfoo 9"):
        reg = Registry()
    info = reg.info("metric", "always_one")
    assert info.distribution == "skeletonllm-fake-good"
    assert info.version == "0.1"
    assert any("libfoo" in p for p in reg.problems)


def test_load_plugins_env_restricts_what_loads(fake_site, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "fake_good")
    reg = Registry()
    assert reg.names("metric") == ["always_one"]
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "")
    assert Registry().infos() == []


def test_the_kinds_table_matches_the_hookspecs_and_interfaces():
    from skeletonllm import hookspecs
    from skeletonllm.kinds import KINDS, interface, kind_of_section

    hooks = {name for name in dir(hookspecs) if name.startswith("register_")}
    assert {k.hook for k in KINDS.values()} == hooks - {"register_commands"}
    for kind in KINDS:
        assert interface(kind).__name__ == KINDS[kind].interface
    assert kind_of_section("eval.metrics").name == "metric" and kind_of_section("data").name == "dataset"


LAZY_MODULE = """
from skeletonllm.interfaces import Metric

class Lazy(Metric):
    name = "lazy_metric"
    summary = "Imported on first use"
    def reset(self): pass
    def update(self, p, t): pass
    def compute(self): return {}

class Misnamed(Lazy):
    name = "other_name"
"""


def test_lazy_components_are_listed_without_import_and_checked_on_first_use(tmp_path, monkeypatch):
    from skeletonllm import LazyComponent

    (tmp_path / "lazy_metric_mod.py").write_text(LAZY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    plugin = types.SimpleNamespace(
        register_metrics=hookimpl(
            lambda register: [
                register(LazyComponent("lazy_metric_mod:Lazy", "lazy_metric", "Imported on first use")),
                register(LazyComponent("lazy_metric_mod:Misnamed", "misnamed", "")),
                register(LazyComponent("no_such_module_xyz:Thing", "missing", "never there")),
            ]
        )
    )
    plugin.register_metrics.__name__ = "register_metrics"
    reg = Registry(load_entry_points=False, strict=True)
    try:
        reg.add_plugin(plugin, "lazy")
        assert reg.names("metric") == ["lazy_metric", "misnamed", "missing"]
        assert reg.info("metric", "lazy_metric").summary == "Imported on first use"
        assert "lazy_metric_mod" not in sys.modules and not reg.info("metric", "lazy_metric").imported
        assert reg.create("metric", "lazy_metric").compute() == {}
        assert "lazy_metric_mod" in sys.modules
        with pytest.raises(PluginError, match="registered 'misnamed' lazily, but lazy_metric_mod:Misnamed is named"):
            reg.get("metric", "misnamed")
        with pytest.raises(PluginError, match="metric 'missing' from plugin 'lazy'.*No module named"):
            reg.get("metric", "missing")
    finally:
        sys.modules.pop("lazy_metric_mod", None)


def test_entry_point_hooks_run_on_first_lookup(fake_site, monkeypatch):
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "fake_good")
    reg = Registry()
    assert reg.pm.has_plugin("fake_good") and reg._uncollected == ["fake_good"]
    assert reg.names("metric") == ["always_one"] and reg._uncollected == []
