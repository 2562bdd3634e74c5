"""The CLI: one line per error on stderr, exit 1, no traceback unless --debug."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from skeletonllm.cli import cli

REGISTRY = yaml.safe_load(open(__file__.rsplit("/tests/", 1)[0] + "/registry.yaml", encoding="utf-8"))


def test_plugins_json_lists_every_catalogued_component():
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {"name", "kind", "distribution", "version"} <= set(rows[0])
    listed = {(r["kind"], r["name"]) for r in rows}
    assert {(p["kind"], p["name"]) for p in REGISTRY["plugins"]} <= listed
    formats = [r for r in rows if r["kind"] == "format"]
    assert {"ntu_skeleton", "bvh", "coco_keypoints"} <= {r["name"] for r in formats}


@pytest.mark.parametrize("another_renderer", [False, True])
def test_plugins_table_ends_with_a_summary_line(another_renderer, monkeypatch):
    """The count follows the registry, so a third-party renderer installed beside the built-ins breaks nothing."""
    import types

    import skeletonllm.registry as registry_module
    from skeletonllm import hookimpl
    from skeletonllm.interfaces import Renderer
    from skeletonllm.registry import Registry

    registry = Registry()
    if another_renderer:

        class Extra(Renderer):
            name = "extra_renderer"
            summary = "installed by someone else"

            def forward(self, batch):
                raise NotImplementedError

        plugin = types.SimpleNamespace(register_renderers=hookimpl(lambda register: register(Extra)))
        plugin.register_renderers.__name__ = "register_renderers"
        registry.add_plugin(plugin, "extra", "extra-dist")
    monkeypatch.setattr(registry_module, "_REGISTRY", registry)
    installed = len(registry.names("renderer"))
    assert installed >= 5 + another_renderer
    result = CliRunner().invoke(cli, ["plugins", "--kind", "renderer"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1].startswith(f"{installed} components")


def test_unknown_plugin_is_one_line_with_a_suggestion(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    result = CliRunner().invoke(cli, ["info", "--format", "ntu_skeletn", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'ntu_skeleton'" in lines[0]
    assert "Traceback" not in result.output


def test_unreadable_files_are_one_line_errors_and_debug_shows_the_traceback(tmp_path):
    empty = tmp_path / "empty.skeleton"
    empty.write_text("")
    result = CliRunner().invoke(cli, ["info", str(empty)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {empty}: empty file"
    missing = tmp_path / "missing.bvh"
    result = CliRunner().invoke(cli, ["export", str(missing), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and f"{missing}: no such file" in result.stderr
    result = CliRunner().invoke(cli, ["--debug", "info", str(empty)])
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_garbage_is_not_recognised(tmp_path):
    path = tmp_path / "noise.dat"
    path.write_bytes(bytes(range(256)) * 4)
    result = CliRunner().invoke(cli, ["info", str(path)])
    assert result.exit_code == 1 and "not a recognised skeleton file" in result.stderr


def test_format_options_reach_the_plugin_and_are_validated(tmp_path):
    import numpy as np

    clip = tmp_path / "motion.npy"
    np.save(clip, np.zeros((5, 22, 3), np.float32))
    result = CliRunner().invoke(cli, ["info", "--json", "-O", "fps=50", str(clip)])
    if result.exit_code == 0:  # the humanml3d reader takes its frame rate as an option
        assert json.loads(result.stdout)[0]["fps"] == 50
    else:
        assert "humanml3d" in result.stderr and "fps" in result.stderr
    result = CliRunner().invoke(cli, ["info", "-O", "no_such_option=1", str(clip)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(  # the file is named: over many files, each has its own line
        f"error: {clip}: format 'humanml3d': no_such_option: Extra inputs are not permitted"
    )
    result = CliRunner().invoke(cli, ["info", "-O", "novalue", str(clip)])
    assert result.exit_code == 1 and "is not KEY=VALUE" in result.stderr


def test_info_table_rounds_the_frame_rate_and_json_keeps_it(tmp_path):
    bvh = tmp_path / "one.bvh"
    bvh.write_text(
        "HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Xposition Yposition Zposition\n"
        "  End Site\n  {\n    OFFSET 0 1 0\n  }\n}\nMOTION\nFrames: 2\nFrame Time: 0.0083333\n0 0 0\n1 0 0\n"
    )
    table = CliRunner().invoke(cli, ["info", str(bvh)])
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[1].split()[6] == "120"
    row = json.loads(CliRunner().invoke(cli, ["info", "--json", str(bvh)]).stdout)[0]
    assert row["fps"] == pytest.approx(1 / 0.0083333) and row["fps"] != 120


def test_export_names_strip_the_format_suffix_only(tmp_path):
    from skeletonllm.io import output_stem

    assert output_stem("a/clip.blab.csv", (".blab.csv", ".csv")) == "clip"
    assert output_stem("a/clip.blab.csv", (".csv",)) == "clip.blab"
    assert output_stem("a/CLIP.BVH", (".bvh",)) == "CLIP"
    assert output_stem("a/.bvh", (".bvh",)) == ".bvh"  # a dot file: nothing would be left of its name
    bvh = tmp_path / "walk.take2.bvh"
    bvh.write_text(
        "HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 3 Xposition Yposition Zposition\n"
        "  End Site\n  {\n    OFFSET 0 1 0\n  }\n}\nMOTION\nFrames: 2\nFrame Time: 0.0333333\n0 0 0\n1 0 0\n"
    )
    result = CliRunner().invoke(cli, ["export", str(bvh), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["walk.take2.npz"]
