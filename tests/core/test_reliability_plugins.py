"""Issue 13, plugins: a misbehaving third-party package is isolated and named; built-ins always win."""

from __future__ import annotations

import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from format_fixtures import ntu_text

import skeletonllm.registry as registry_module
from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences
from skeletonllm.registry import Registry

HEAD = "from skeletonllm import hookimpl\n"

FORMAT = """
from typing import ClassVar
from skeletonllm.interfaces import SkeletonFormat
from skeletonllm.interfaces.base import NoOptions

class {cls}(SkeletonFormat):
    name: ClassVar[str] = "{name}"
    summary: ClassVar[str] = "{summary}"
    Options = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = ("{suffix}",)
    topology = None

    def sniff(self, path, head):
        return 0.99 if head.startswith(b"{magic}") else 0.0

    def read(self, path):
        {body}

@hookimpl
def register_formats(register):
    register({cls})
"""

PACKAGES = {
    "exits": ("evil-exit", "zz_exit", "import sys\nsys.exit(3)\n"),
    "interrupts": ("evil-kbd", "zz_kbd", "raise KeyboardInterrupt\n"),
    "commands": (
        "evil-commands",
        "zz_commands",
        HEAD + "@hookimpl\ndef register_commands(cli):\n    raise RuntimeError('commands exploded')\n",
    ),
    "clash": (
        "evil-clash",
        "aaa_clash",  # sorts before every built-in entry point
        HEAD
        + FORMAT.format(
            cls="Fake", name="ntu_skeleton", summary="impostor", suffix=".skeleton", magic="IMPOSTOR", body="return []"
        ),  # fmt: skip
    ),
    "bare": (
        "evil-reader",
        "zz_bare",
        HEAD
        + FORMAT.format(
            cls="Bare",
            name="bare_reader",
            summary="raises",
            suffix=".bare",
            magic="BARE",
            body="raise ValueError('could not convert string to float')",
        ),  # fmt: skip
    ),
    "none": (
        "evil-none",
        "zz_none",
        HEAD
        + FORMAT.format(
            cls="Nothing", name="none_reader", summary="returns None", suffix=".none", magic="NONE", body="return None"
        ),  # fmt: skip
    ),
}


def install(site: Path, key: str) -> tuple[str, str]:
    """Write a package and its dist-info (entry point in group ``skeletonllm``) into ``site``."""
    dist, module, code = PACKAGES[key]
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text(textwrap.dedent(code))
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[skeletonllm]\n{module} = {module}\n")
    return dist, module


@pytest.fixture()
def site(tmp_path: Path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("SKELETONLLM_LOAD_PLUGINS", raising=False)
    monkeypatch.setattr(registry_module, "_REGISTRY", None)
    monkeypatch.setattr(cli, "_plugins_loaded", False)  # an earlier `skeletonllm app` (a plugin command) loaded them
    yield folder
    for name in [m for m in sys.modules if m.split(".")[0] in {v[1] for v in PACKAGES.values()}]:
        del sys.modules[name]
    registry_module.reset_registry()


def load(*keys: str, site: Path) -> tuple[Registry, list[str]]:
    for key in keys:
        install(site, key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg = Registry()
        _ = reg.problems  # registration hooks run on first lookup: run them here, inside the recording
    return reg, [str(w.message) for w in caught]


@pytest.mark.parametrize(("key", "what"), [("exits", "SystemExit: 3"), ("interrupts", "KeyboardInterrupt")])
def test_plugin_that_exits_or_interrupts_at_import_is_isolated(site: Path, key: str, what: str) -> None:
    reg, messages = load(key, site=site)
    dist = PACKAGES[key][0]
    assert any(f"distribution {dist!r} failed to load: {what}" in m for m in messages), messages
    assert "ntu_skeleton" in reg.names("format")  # the built-ins still loaded


@pytest.mark.parametrize("key", ["exits", "interrupts"])
def test_cli_still_works_with_a_plugin_that_exits(site: Path, key: str) -> None:
    install(site, key)
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0 and "ntu_skeleton" in result.output, result.output


def test_raising_register_commands_does_not_break_help(site: Path) -> None:
    install(site, "commands")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "render" in result.output, result.output
    assert any("'evil-commands' failed in register_commands: RuntimeError" in str(w.message) for w in caught)


def test_builtin_wins_a_name_clash_and_the_warning_names_the_third_party(site: Path) -> None:
    reg, messages = load("clash", site=site)
    info = reg.info("format", "ntu_skeleton")
    assert info.distribution == "skeletonllm" and info.summary != "impostor"
    clash = [m for m in messages if "duplicate format name 'ntu_skeleton'" in m]
    assert clash and all("evil-clash" in m for m in clash), messages


def test_builtin_wins_whatever_order_plugins_are_added() -> None:
    import types

    from skeletonllm import hookimpl
    from skeletonllm.interfaces import SkeletonFormat
    from skeletonllm.interfaces.base import NoOptions

    class Impostor(SkeletonFormat):
        name = "bvh"
        summary = "impostor"
        Options = NoOptions

        def sniff(self, path, head):
            return 1.0

        def read(self, path):
            return []

    plugin = types.SimpleNamespace(register_formats=hookimpl(lambda register: register(Impostor)))
    plugin.register_formats.__name__ = "register_formats"
    import skeletonllm_formats.plugin as builtin

    reg = Registry(load_entry_points=False)
    with pytest.warns(RuntimeWarning, match="'evil'.*the built-in format wins"):
        reg.add_plugin(plugin, "aaa", "evil")
        reg.add_plugin(builtin, "formats", "skeletonllm")
    assert reg.get("format", "bvh") is not Impostor


@pytest.mark.parametrize(
    ("key", "suffix", "magic", "fragment"),
    [
        ("bare", ".bare", b"BARE", "failed: ValueError: could not convert string to float"),
        ("none", ".none", b"NONE", "returned NoneType, expected a list of SkeletonSequence"),
    ],
)
def test_misbehaving_reader_error_names_its_plugin(
    site: Path, tmp_path: Path, key: str, suffix: str, magic: bytes, fragment: str
) -> None:
    dist, module = install(site, key)
    path = tmp_path / f"clip{suffix}"
    path.write_bytes(magic + b"\n1 2 3\n")
    with pytest.raises(SkeletonDataError, match=fragment) as info:
        read_sequences(path)
    assert f"plugin {module!r} from distribution {dist!r}" in str(info.value) and str(path) in str(info.value)
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 1 and dist in result.output and "Traceback" not in result.output


def test_builtin_reader_still_reads_after_a_clash(site: Path, tmp_path: Path) -> None:
    install(site, "clash")
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(ntu_text([1, 1]))
    (seq,) = read_sequences(path)
    assert seq.positions.shape[2] == 25 and np.isfinite(seq.positions).all()
