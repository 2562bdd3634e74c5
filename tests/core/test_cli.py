"""The CLI: one line per error on stderr, exit 1, no traceback unless --debug."""

from __future__ import annotations

import json

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


def test_plugins_table_ends_with_a_summary_line():
    result = CliRunner().invoke(cli, ["plugins", "--kind", "renderer"])
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1].startswith("5 components")


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
