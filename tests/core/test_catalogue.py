"""registry.yaml is the catalogue of built-in plugins; it must equal what the registry discovers."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from skeletonllm.registry import ENTRY_POINT_GROUP, Registry

REPO = Path(__file__).resolve().parents[2]


def _catalogue() -> set[tuple[str, str, str, str]]:
    data = yaml.safe_load((REPO / "registry.yaml").read_text(encoding="utf-8"))
    return {(p["kind"], p["name"], p["entry_point"], p["summary"]) for p in data["plugins"]}


def _catalogued_commands() -> set[tuple[str, str, str]]:
    data = yaml.safe_load((REPO / "registry.yaml").read_text(encoding="utf-8"))
    return {(c["name"], c["entry_point"], c["summary"]) for c in data.get("commands", [])}


def test_registry_yaml_matches_the_discovered_built_in_plugins(monkeypatch):
    monkeypatch.delenv("SKELETONLLM_LOAD_PLUGINS", raising=False)
    reg = Registry()
    live = {
        (i.kind, i.name, i.entry_point.split(" = ")[0], i.summary)
        for i in reg.infos()
        if i.distribution == "skeletonllm"
    }
    catalogue = _catalogue()
    assert not reg.problems, reg.problems
    assert live - catalogue == set(), "registered but missing from registry.yaml"
    assert catalogue - live == set(), "in registry.yaml but not registered"


def test_catalogue_entry_points_are_declared_in_pyproject():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split(f"[project.entry-points.{ENTRY_POINT_GROUP}]", 1)[1].split("\n[", 1)[0]
    declared = set(re.findall(r"^(\w+)\s*=", section, re.MULTILINE))
    catalogued = {ep for _, _, ep, _ in _catalogue()} | {ep for _, ep, _ in _catalogued_commands()}
    assert catalogued == declared


def test_registry_yaml_lists_the_commands_built_in_plugins_add(monkeypatch):
    """Each built-in plugin's ``register_commands`` adds exactly the commands catalogued for its entry point."""
    import click

    monkeypatch.delenv("SKELETONLLM_LOAD_PLUGINS", raising=False)
    reg = Registry()
    live = set()
    for impl in reg.pm.hook.register_commands.get_hookimpls():
        group = click.Group()
        impl.function(cli=group)
        live |= {(name, impl.plugin_name, (cmd.help or "").splitlines()[0]) for name, cmd in group.commands.items()}
    assert live == _catalogued_commands()


def test_files_the_catalogue_and_docs_cite_exist():
    """registry.yaml and the architecture notes name tests and modules; each must be in the tree."""
    for doc in ("registry.yaml", "docs/architecture.md", "docs/plugins.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        cited = set(re.findall(r"(?<![\w/.-])((?:tests|core|plugins|benchmarks)/[\w/.-]+\.(?:py|yaml))\b", text))
        missing = sorted(p for p in cited if not (REPO / p).exists())
        assert not missing, f"{doc} cites files that do not exist: {missing}"
