"""Issue 23, sizes from options: refused before anything is allocated, with the estimate; long work shows progress."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_reliability_spec import base
from toy_components import toy_registry
from toy_specs import toy_spec_data

from skeletonllm.cli import cli
from skeletonllm.errors import OptionsError, SpecError
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    from format_fixtures import ntu_text

    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(ntu_text([1, 1, 1]), encoding="ascii")
    return path


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli, list(args))


def test_synth_ten_million_frames_is_refused_with_the_estimate(tmp_path: Path) -> None:
    result = run("synth", "--format", "ntu_skeleton", "--n", "1", "--frames", "10000000", "-o", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "frames 10,000,000 is more than 10,000" in result.output and "GiB" in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-f", "100000"], "rendering 100,000 frames of 448x448 px would take about"),
        (["-f", "2000", "-s", "4096"], "rendering 2,000 frames of 4096x4096 px would take about"),
        (["-R", "nfm_hidden=100000000"], "nfm_hidden: Input should be less than or equal to 1024"),
        (["-R", "feature_dim=100000000"], "feature_dim: Input should be less than or equal to 1024"),
        (["-R", "lbs_logit_scale=1e300"], "lbs_logit_scale: Input should be less than or equal to 1000"),
    ],
)
def test_render_sizes_are_refused_before_allocating(clip: Path, tmp_path: Path, args, expected) -> None:  # noqa: ANN001
    result = run("render", str(clip), *args, "-o", str(tmp_path / "x.gif"))
    assert result.exit_code == 1 and expected in result.output, result.output
    assert not (tmp_path / "x.gif").exists()


def test_lora_rank_has_an_upper_bound() -> None:
    with pytest.raises(OptionsError, match="lora.r"):
        get_registry().create("backbone", "qwen2_5_vl", {"preset": "tiny", "lora": {"r": 10**6}})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["optim"].update(batch_size=1024), r"optim\.batch_size: 1024 is far too large \(at most 256\)"),
        (lambda s: s["optim"].update(seed=2**64), r"optim\.seed: .* is far too large"),
        (lambda s: s["optim"].update(lr=1e12), r"optim\.lr: 1e\+12 is far too large \(at most 1\)"),
        (
            lambda s: s["optim"].update(weight_decay=1e30),
            r"optim\.weight_decay: 1e\+30 is far too large \(at most 10\)",
        ),
        (
            lambda s: s["optim"].update(lr=0.5, weight_decay=5),
            r"optim\.lr: 0\.5 x optim\.weight_decay 5 is 2\.5; AdamW would scale every weight by -1\.5",
        ),
        (lambda s: s["stages"][0].update(lr=1e12), r"stages\[0\]\.lr: 1e\+12 is far too large \(at most 1\)"),
        (lambda s: s["data"].update(samples_per_class=1_000_000), r"data\.samples_per_class: .*less than or equal"),
        (lambda s: s["data"].update(frames=100_000), r"data\.frames: .*less than or equal to 10000"),
        (
            lambda s: s.update(renderer={"name": "draction", "frames": 4, "size": 56, "lbs_logit_scale": 1e300}),
            r"renderer\.lbs_logit_scale: Input should be less than or equal to 1000",
        ),
        (
            lambda s: s["backbone"].update(lora={"r": 10**6}),
            r"backbone\.lora\.r: Input should be less than or equal to 1024",
        ),
    ],
)
def test_spec_numbers_that_blow_up_are_refused(tmp_path: Path, change, expected) -> None:  # noqa: ANN001
    spec = copy.deepcopy(base(tmp_path))
    change(spec)
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    assert any(__import__("re").search(expected, p) for p in info.value.problems), info.value.problems


def test_gradient_accumulation_shows_progress_inside_a_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from skeletonllm import progress as progress_module
    from skeletonllm.pipeline import Pipeline
    from skeletonllm.training import Trainer

    bars = []
    real = progress_module.progress_bar

    def recording(total: int, desc: str = "", unit: str = "it"):  # noqa: ANN202
        bar = real(total, desc, unit)
        bars.append(bar)
        return bar

    monkeypatch.setattr(progress_module, "progress_bar", recording)
    data = toy_spec_data(tmp_path / "run", stages=[{"name": "refine", "max_steps": 2}])
    data["optim"].update(batch_size=2, grad_accum=4)
    pipeline = Pipeline(validate_spec(data, toy_registry()))
    Trainer(pipeline, show_progress=True).fit()
    (bar,) = bars
    assert bar.total == 2 * 4 and bar.n == 8 and bar.unit == "batch"
