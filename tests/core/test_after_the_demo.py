"""Issue 23, the path after the demo: the spec it ran is saved, and the commands it prints work as printed.

The demo's own flow (save the spec, train, evaluate, print the next commands) runs here on the toy
components at a tiny budget, from a relative output folder as ``make demo`` uses; the printed
``infer`` and ``evaluate`` lines are then run verbatim, and the printed ``app`` spec is loaded by
the app's model session under the same checkpoint rule.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from toy_components import toy_registry

import skeletonllm.registry as registry_module
from skeletonllm.checkpoint import INTEGRITY, manifest_sha256
from skeletonllm.checkpoint_checks import accept_checkpoint
from skeletonllm.cli import cli, demo_cmd
from skeletonllm.errors import CheckpointError
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer

TOY = {
    "data": {"name": "toy_data", "per_class": 4},
    "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
    "backbone": "toy_backbone",
    "stages": [{"name": "warmup", "max_steps": 2, "num_choices": 2}, {"name": "refine", "max_steps": 4}],
    "optim": {"lr": 0.1, "batch_size": 4, "save_every": 100, "seed": 3},
}


@pytest.fixture
def toys(monkeypatch):
    monkeypatch.setattr(registry_module, "_REGISTRY", toy_registry())


def run_printed(line: str):
    """Run one printed ``skeletonllm ...`` line as the user would type it (in-process)."""
    words = shlex.split(line)
    assert Path(words[0]).name == "skeletonllm", line
    return CliRunner().invoke(cli, words[1:])


def test_the_demo_saves_its_spec_and_the_printed_commands_work_verbatim(tmp_path, monkeypatch, toys, capsys):
    monkeypatch.chdir(tmp_path)  # a fresh clone: every path below is relative to it, as make demo's are
    out = Path("out/demo")
    clip = out / "synth" / "clip.toy"
    clip.parent.mkdir(parents=True)
    clip.write_text(json.dumps({"toy_xy": [1.0, 0.0]}))
    data = {**TOY, "output_dir": str(out / "run")}
    spec_file, summary = demo_cmd.train_tiny(out, clip, data)
    demo_cmd.finish(out, spec_file, summary, clip)
    printed = capsys.readouterr().out
    # the end-of-demo line: accuracy with its interval and chance, not a bare number
    assert re.search(
        r"demo finished: held-out accuracy [01]\.\d{3}, 95 % interval \[[01]\.\d{3}, [01]\.\d{3}\], "
        r"chance 0\.250, 16 test clips; outputs in out/demo",
        printed,
    ), printed
    assert spec_file == out / "run" / "spec.yaml" and yaml.safe_load(spec_file.read_text()) == data
    commands = [line.strip() for line in printed.splitlines() if line.startswith("  skeletonllm ")]
    assert [c.split()[1] for c in commands] == ["infer", "evaluate", "app"], printed
    for line in commands[:2]:
        result = run_printed(line)
        assert result.exit_code == 0, (line, result.output)
        assert "error" not in result.output and "warning" not in result.output, result.output
    assert "clip.toy\tLabel: " in run_printed(commands[0]).stdout
    from skeletonllm_app.model import ModelSession  # the app is a plugin; the demo prints its command

    app_spec = shlex.split(commands[2])[2]
    session = ModelSession(app_spec, registry=registry_module._REGISTRY).start()
    session.pipeline(timeout=60)  # the app finds the demo's checkpoint by the same rule, without a word
    assert session.checkpoint == out / "run" / "last" and session.notes == ()


def test_the_end_line_reads_the_first_figure_with_an_interval_and_a_chance_level():
    """The headline comes from the metrics' results, whatever the figure is called; none without both parts."""
    from skeletonllm.interfaces.metric import MetricResult
    from skeletonllm.stats import wilson_interval

    shown = wilson_interval(9, 12)
    results = {
        "words": MetricResult(values={"bleu": 0.2}),
        "choice": MetricResult(
            values={"hits": 0.75, "share": shown.value},
            intervals={"hits": wilson_interval(3, 4), "share": shown},
            chance={"share": 0.25},
        ),
    }
    assert demo_cmd.headline(results) == (
        f"share 0.750, 95 % interval [{shown.low:.3f}, {shown.high:.3f}], chance 0.250, 12 test clips"
    )
    assert demo_cmd.headline({"words": results["words"]}) is None
    assert demo_cmd.headline({}) is None


def test_the_printed_program_is_the_one_the_user_started(monkeypatch):
    monkeypatch.setattr("sys.argv", [".venv/bin/skeletonllm", "demo"])
    assert demo_cmd.next_commands(Path("out/demo/run/spec.yaml"), Path("out/demo/synth/a b.skeleton")) == [
        ".venv/bin/skeletonllm infer out/demo/run/spec.yaml 'out/demo/synth/a b.skeleton'",
        ".venv/bin/skeletonllm evaluate out/demo/run/spec.yaml",
        ".venv/bin/skeletonllm app out/demo/run/spec.yaml",
    ]
    monkeypatch.setattr("sys.argv", ["/usr/bin/pytest"])
    assert demo_cmd.next_commands(Path("s.yaml"), None)[0] == "skeletonllm evaluate s.yaml"


def test_the_output_folder_is_not_part_of_a_specs_identity(tmp_path, toys):
    first = validate_spec({**TOY, "output_dir": str(tmp_path / "a")})
    moved = validate_spec({**TOY, "output_dir": str(tmp_path / "b")})
    assert first.spec.digest() == moved.spec.digest()
    assert validate_spec(
        {**TOY, "output_dir": str(tmp_path / "a"), "optim": {**TOY["optim"], "lr": 0.05}}
    ).spec.digest() != (first.spec.digest())
    Trainer(Pipeline(first), show_progress=False).fit()
    accepted = accept_checkpoint("b.yaml", moved.spec, tmp_path / "a" / "last")
    assert accepted.path == tmp_path / "a" / "last" and accepted.notes == ()


def test_a_checkpoint_hashed_with_its_output_folder_still_matches(tmp_path, toys):
    """Checkpoints written before the rule carry the old hash (output folder included)."""
    spec = validate_spec({**TOY, "output_dir": str(tmp_path / "run")})
    Trainer(Pipeline(spec), show_progress=False).fit()
    manifest_file = tmp_path / "run" / "last" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["spec"] = spec.spec.digests()[-1]
    record = manifest.pop(INTEGRITY)  # rehashed, as it was written then (the manifest hash covers "spec")
    manifest[INTEGRITY] = {**record, "manifest_sha256": manifest_sha256(manifest)}
    manifest_file.write_text(json.dumps(manifest))
    assert accept_checkpoint("s.yaml", spec.spec).notes == ()
    moved = validate_spec({**TOY, "output_dir": str(tmp_path / "elsewhere")})
    with pytest.raises(CheckpointError, match="another spec"):  # the old hash knew the old folder only
        accept_checkpoint("s.yaml", moved.spec, tmp_path / "run" / "last")


def test_the_demo_names_the_action_and_offers_a_held_out_clip(tmp_path, monkeypatch, capsys):
    """The demo wrote "NTU action A001" without its name; the clip it offers to infer is one the model never saw."""
    monkeypatch.setattr(cli, "_plugins_loaded", False)  # `synth` loads plugin commands: leave no trace for others
    real_run = demo_cmd._run
    monkeypatch.setattr(demo_cmd, "_run", lambda args: "" if args[0] == "render" else real_run(args))
    clip = demo_cmd.render_gallery(tmp_path, ["hand waving", "jump up"])
    printed = capsys.readouterr().out
    assert clip.name == "S001C001P004R001A023.skeleton"  # performer 4: SynthAct's xsub holds out every fourth
    assert "NTU action A023 (hand waving)" in printed and "never trains on" in printed
