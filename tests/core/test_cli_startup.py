"""The CLI starts light: ``--help`` and ``plugins`` import neither torch nor transformers.

Run in a fresh interpreter, since this test process has long imported torch. Timings
are in benchmarks/cli_startup.py, not here (a shared CI machine makes timed tests flaky).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from skeletonllm.cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("torch", "transformers", "timm", "peft") if m in sys.modules)
print(json.dumps(heavy), file=sys.stderr)
"""


def run_cli(*args: str) -> tuple[str, list[str]]:
    """stdout of ``skeletonllm ARGS`` in a new interpreter, and the heavy modules it imported."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_help_lists_builtin_and_plugin_commands_without_importing_torch():
    out, heavy = run_cli("--help")
    assert heavy == [], f"skeletonllm --help imported {heavy}"
    for command in ("info", "render", "train", "demo", "synth"):  # synth comes from the datasets plugin
        assert f"  {command} " in out


def test_plugins_lists_every_component_without_importing_torch():
    out, heavy = run_cli("plugins", "--json")
    assert heavy == [], f"skeletonllm plugins imported {heavy}"
    names = {(row["kind"], row["name"]) for row in json.loads(out)}
    assert {("renderer", "draction"), ("backbone", "qwen2_5_vl"), ("format", "ntu_skeleton")} <= names


def test_info_on_a_text_format_does_not_import_torch(tmp_path):
    pytest.importorskip("skeletonllm_formats")
    from render_cases import moving_positions

    from skeletonllm_formats.topologies import KINECT_V1

    path = tmp_path / "a01_s01_e00_v01.json"
    path.write_text(json.dumps({"file_name": path.stem, "skeletons": moving_positions(KINECT_V1, 5, 1).tolist()}))
    out, heavy = run_cli("info", str(path))
    assert heavy == [], f"skeletonllm info imported {heavy}"
    assert "nw_ucla" in out and "1 sequence in 1 file" in out  # issue 23: "1 sequences in 1 files"
