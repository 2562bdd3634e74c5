"""Issue 23, the second campaign's findings about CLI options, exports and plugins: each reproducer,
now a clear error or the right behaviour.

- ``-O fps=nan|inf|0|-30|1e-300`` and ``render --fps inf`` are refused; ``info --json`` is strict JSON;
- ``export`` never writes two inputs to one name;
- a plugin that prints at import, a reader that calls ``sys.exit(0)``, a format returning a NaN
  frame rate or NaN positions, a third-party entry point named like a built-in one, a sniffer that
  never returns and a plugin that hangs at import are each handled and named.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from format_fixtures import coco_doc, humanml3d_bytes, ntu_text, pyskl_bytes, write

import skeletonllm.registry as registry_module
from skeletonllm import SkeletonSequence, Topology, hookimpl, plugin_guard
from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import SkeletonFormat
from skeletonllm.interfaces.base import NoOptions
from skeletonllm.registry import Registry


def strict_json(text: str):
    """``json.loads`` that refuses NaN and Infinity, as every other JSON reader does."""

    def refuse(constant: str):
        raise AssertionError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# --- frame rates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fps", ["nan", "inf", "-inf", "0", "-30", "1e-300", ".nan"])
def test_a_frame_rate_that_is_not_one_is_refused(tmp_path: Path, fps: str) -> None:
    clip = write(tmp_path / "ann.pkl", pyskl_bytes())
    result = CliRunner().invoke(cli, ["info", "--json", "-O", f"fps={fps}", str(clip)])
    assert result.exit_code == 1, result.output
    assert "field 'fps'" in result.stderr and "frame rate" in result.stderr and "Traceback" not in result.output
    strict_json(result.stdout)  # [] : the refused file is not listed, and what is printed is JSON
    result = CliRunner().invoke(cli, ["export", "-O", f"fps={fps}", str(clip), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and not list((tmp_path / "out").glob("*.npz"))


def test_a_real_frame_rate_option_still_works(tmp_path: Path) -> None:
    clip = write(tmp_path / "ann.pkl", pyskl_bytes())
    result = CliRunner().invoke(cli, ["info", "--json", "-O", "fps=25", str(clip)])
    assert result.exit_code == 0 and strict_json(result.stdout)[0]["fps"] == 25


@pytest.mark.parametrize("fps", ["inf", "nan", "0", "-4", "1e9"])
def test_render_refuses_a_gif_rate_that_is_not_one(tmp_path: Path, fps: str) -> None:
    clip = write(tmp_path / "S001C001P001R001A001.skeleton", ntu_text([1, 1, 1]))
    result = CliRunner().invoke(cli, ["render", str(clip), "-r", "stick", "--fps", fps, "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 2 and "--fps" in result.output and not (tmp_path / "a.gif").exists()


# --- what a plugin's reader returns is checked -----------------------------------------------------

DOT = Topology("dot2", ("a", "b"), ((0, 1),), dims=3)


def _registry_with(read) -> Registry:
    class Returns(SkeletonFormat):
        name = "returns_whatever"
        summary = "test format"
        Options = NoOptions
        suffixes = (".whatever",)

        def sniff(self, path, head):
            return 1.0 if head.startswith(b"WHATEVER") else 0.0

        def read(self, path):
            return read(path)

    plugin = types.SimpleNamespace(register_formats=hookimpl(lambda register: register(Returns)))
    plugin.register_formats.__name__ = "register_formats"
    reg = Registry(load_entry_points=False)
    reg.add_plugin(plugin, "whatever", "some-dist")
    return reg


def test_a_nan_frame_rate_from_a_plugin_is_not_believed(tmp_path: Path, monkeypatch) -> None:
    def nan_later(path):
        seq = SkeletonSequence(np.ones((1, 3, 2, 3), np.float32), DOT, fps=30.0)
        seq.fps = float("nan")  # set after the sequence validated itself
        return [seq]

    monkeypatch.setattr(registry_module, "_REGISTRY", _registry_with(nan_later))
    clip = write(tmp_path / "c.whatever", "WHATEVER\n")
    result = CliRunner().invoke(cli, ["info", "--json", str(clip)])
    assert result.exit_code == 1 and strict_json(result.stdout) == []
    assert "format 'returns_whatever' (plugin 'whatever' from distribution 'some-dist')" in result.stderr
    assert "frame rate nan" in result.stderr
    with pytest.raises(SkeletonDataError, match="field 'fps': frame rate nan"):
        SkeletonSequence(np.ones((1, 3, 2, 3), np.float32), DOT, fps=float("nan"))


def test_nan_positions_from_a_plugin_become_missing_joints(tmp_path: Path, monkeypatch) -> None:
    def nan_positions(path):
        seq = SkeletonSequence(np.ones((1, 3, 2, 3), np.float32), DOT, fps=30.0)
        seq.positions[0, 1] = np.nan  # written into after construction
        return [seq]

    monkeypatch.setattr(registry_module, "_REGISTRY", _registry_with(nan_positions))
    from skeletonllm.io import read_sequences

    (seq,) = read_sequences(write(tmp_path / "c.whatever", "WHATEVER\n"))
    assert np.isfinite(seq.positions).all() and not seq.mask[0, 1].any() and seq.mask[0, [0, 2]].all()


def test_a_reader_that_exits_is_an_error_not_an_empty_success(tmp_path: Path, monkeypatch) -> None:
    def exits(path):
        raise SystemExit(0)

    monkeypatch.setattr(registry_module, "_REGISTRY", _registry_with(exits))
    clip = write(tmp_path / "c.whatever", "WHATEVER\n")
    result = CliRunner().invoke(cli, ["info", "--json", str(clip)])
    assert result.exit_code == 1, result.output
    assert "(plugin 'whatever' from distribution 'some-dist') failed: SystemExit: 0" in result.stderr


def test_info_json_writes_no_nan_even_for_values_it_did_not_check(tmp_path: Path, monkeypatch) -> None:
    import skeletonllm.cli.info_cmd as info_cmd

    real = info_cmd.sequence_summary
    monkeypatch.setattr(info_cmd, "sequence_summary", lambda *a: {**real(*a), "duration": float("inf")})
    clip = write(tmp_path / "S001C001P001R001A001.skeleton", ntu_text([1, 1]))
    result = CliRunner().invoke(cli, ["info", "--json", str(clip)])
    assert result.exit_code == 0 and strict_json(result.stdout)[0]["duration"] is None


# --- export names ----------------------------------------------------------------------------------


def test_export_never_writes_two_inputs_to_one_name(tmp_path: Path) -> None:
    first = write((tmp_path / "a").mkdir() or tmp_path / "a" / "clip.npy", humanml3d_bytes(seed=1))
    second = write((tmp_path / "b").mkdir() or tmp_path / "b" / "clip.npy", humanml3d_bytes(seed=2))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(first), str(second), "-o", str(out)])
    assert result.exit_code == 1 and "wrote 1 .npz file" in result.stdout
    assert f"error: {second}: would be exported to {out / 'clip.npz'}, which {first} was just exported to" in (
        result.stderr
    )
    assert np.allclose(np.load(out / "clip.npz")["positions"][0], np.load(first))  # the first one kept its name


def test_a_container_files_numbered_names_do_not_collide_with_another_input(tmp_path: Path) -> None:
    persons = write(tmp_path / "x.json", coco_doc())  # several sequences: x_0000.npz, x_0001.npz, ...
    lone = write(tmp_path / "x_0001.npy", humanml3d_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(lone), str(persons), "-o", str(out)])
    assert result.exit_code == 1 and "x_0001.npz" in result.stderr and str(persons) in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["x_0001.npz"]  # nothing of x.json half-written
    assert np.load(out / "x_0001.npz")["positions"].shape[2] == 22  # still the lone HumanML3D clip


# --- third-party plugins ---------------------------------------------------------------------------

FORMAT = """
import sys, time
from typing import ClassVar
from skeletonllm import hookimpl
from skeletonllm.interfaces import SkeletonFormat
from skeletonllm.interfaces.base import NoOptions

{at_import}

class {cls}(SkeletonFormat):
    name: ClassVar[str] = "{name}"
    summary: ClassVar[str] = "a third-party format"
    Options = NoOptions
    suffixes: ClassVar[tuple[str, ...]] = (".{name}",)

    def sniff(self, path, head):
        {sniff}

    def read(self, path):
        return []

@hookimpl
def register_formats(register):
    register({cls})
"""


def install(site: Path, dist: str, module: str, entry_point: str, at_import: str = "", sniff: str = "return 0.0"):
    """A package and its dist-info (entry point in group ``skeletonllm``) in ``site``."""
    name = module.removeprefix("zz_")
    code = FORMAT.format(cls="Third", name=name, at_import=at_import, sniff=sniff)
    (site / module).mkdir(parents=True)
    (site / module / "__init__.py").write_text(textwrap.dedent(code))
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[skeletonllm]\n{entry_point} = {module}\n")


@pytest.fixture()
def site(tmp_path: Path, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("SKELETONLLM_LOAD_PLUGINS", raising=False)
    monkeypatch.setattr(registry_module, "_REGISTRY", None)
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("zz_"):
            del sys.modules[name]
    registry_module.reset_registry()


def test_a_plugin_that_prints_at_import_does_not_corrupt_info_json(site: Path, tmp_path: Path) -> None:
    install(site, "noisy-dist", "zz_noisy", "zz_noisy", at_import="print('hello from a plugin')")
    clip = write(tmp_path / "S001C001P001R001A001.skeleton", ntu_text([1, 1]))
    result = CliRunner().invoke(cli, ["info", "--json", str(clip)])
    assert result.exit_code == 0, result.output
    assert strict_json(result.stdout)[0]["format"] == "ntu_skeleton"
    assert "hello from a plugin" in result.stderr  # not lost: on stderr


def test_an_entry_point_named_like_a_builtin_one_is_loaded_and_named(site: Path) -> None:
    install(site, "evil-formats", "zz_shadow", "formats")  # the built-in formats plugin's entry point name
    with pytest.warns(
        RuntimeWarning, match="plugin 'formats' from distribution 'evil-formats'.*'evil-formats:formats'"
    ):
        reg = Registry()
        names = reg.names("format")
    assert "shadow" in names and "ntu_skeleton" in names  # neither vanished


def test_a_sniffer_that_never_returns_is_named_and_skipped(site: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    install(site, "slow-sniff", "zz_stuck", "zz_stuck", sniff="time.sleep(3)\n        return 1.0")
    monkeypatch.setattr(plugin_guard, "SNIFF_TIMEOUT_S", 0.3)
    clip = write(tmp_path / "S001C001P001R001A001.skeleton", ntu_text([1, 1]))
    from skeletonllm.io import read_sequences

    started = time.perf_counter()
    (seq,) = read_sequences(clip)
    assert seq.meta["format"] == "ntu_skeleton" and time.perf_counter() - started < 2.5
    err = capsys.readouterr().err
    assert "gave up waiting for format 'stuck' (plugin 'zz_stuck' from distribution 'slow-sniff')" in err
    assert "SKELETONLLM_LOAD_PLUGINS=builtin" in err and "--no-plugins" in err


def test_a_plugin_that_hangs_at_import_is_named_and_can_be_left_out(site: Path, monkeypatch, capsys) -> None:
    install(site, "slow-import", "zz_hangs", "zz_hangs", at_import="time.sleep(1.0)")
    monkeypatch.setattr(plugin_guard, "WATCHDOG_S", 0.2)
    Registry()
    err = capsys.readouterr().err
    assert "still importing plugin 'zz_hangs' from distribution 'slow-import' after 0.2 s" in err
    assert "SKELETONLLM_LOAD_PLUGINS=builtin" in err
    del sys.modules["zz_hangs"]
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "")  # restored after the test: --no-plugins sets it
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["--no-plugins", "plugins"])
    assert result.exit_code == 0 and "ntu_skeleton" in result.stdout and "hangs" not in result.stdout
    assert "zz_hangs" not in sys.modules and time.perf_counter() - started < 5
    registry_module.reset_registry()
    monkeypatch.setenv("SKELETONLLM_LOAD_PLUGINS", "builtin")
    assert "hangs" not in Registry().names("format") and "zz_hangs" not in sys.modules
