"""Issue 23, "validate says OK and train then fails": every such spec of the campaign is refused by ``validate``.

The first group needs only the spec (``validate_spec``, which every command runs); the second
needs the data, which the ``validate`` command lists and reads as ``train`` would.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from format_fixtures import ntu_text
from test_reliability_spec import base

from skeletonllm.cli import cli
from skeletonllm.errors import SpecError
from skeletonllm.spec import validate_spec

README = Path(__file__).resolve().parents[2] / "README.md"


def problems(tmp_path: Path, change) -> list[str]:  # noqa: ANN001
    spec = copy.deepcopy(base(tmp_path))
    change(spec, tmp_path)
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    return info.value.problems


def _ntu(folder: Path, performers: list[int], corrupt: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in performers:
        for action in (1, 2):
            text = ntu_text([1, 1, 1], seed=p * 10 + action)
            if corrupt == p and action == 1:
                text = text.replace("\r\n25\r\n", "\r\n24\r\n", 1)  # a lying joint count
            (folder / f"S001C001P{p:03d}R001A{action:03d}.skeleton").write_text(text, encoding="ascii")
    return folder


def _loop(t: Path) -> str:
    link = t / "loop"
    link.symlink_to(link)
    return str(link)


def _fifo(t: Path, name: str = "fifo") -> str:
    os.mkfifo(t / name)
    return str(t / name)


def _model_folder(t: Path) -> str:
    (t / "model").mkdir()
    (t / "model" / "README.md").write_text("no weights here")
    return str(t / "model")


def _file(t: Path, name: str = "afile", text: str = "x") -> str:
    (t / name).write_text(text)
    return str(t / name)


SPEC_CASES: dict[str, tuple[Any, str]] = {
    "no stages": (lambda s, t: s.update(stages=[]), r"eval\.task: no stage teaches the 'recognition' task"),
    "no recognition stage": (
        lambda s, t: s.update(stages=[{"name": "disc_ft", "max_steps": 1}]),
        r"eval\.task: no stage teaches the 'recognition' task at test time \(stages: 'disc_ft'\)",
    ),
    "caption without a caption stage": (
        lambda s, t: s.update(eval={"task": "caption"}),
        r"eval\.task: no stage teaches the 'caption' task .* add a stage that teaches it \('caption'\)",
    ),
    "qa without a motion_qa stage": (
        lambda s, t: s.update(eval={"task": "qa"}),
        r"eval\.task: no stage teaches the 'qa' task .* add a stage that teaches it \('motion_qa'\)",
    ),
    "metric of another task": (
        lambda s, t: s.update(eval={"metrics": ["captioning"]}),
        r"eval\.metrics\[0\]: metric 'captioning' scores caption answers, but eval\.task is 'recognition'",
    ),
    "data root is /": (lambda s, t: s.update(data={"name": "ntu60", "root": "/"}), r"data\.root: / is the file"),
    "data root is /proc/self": (
        lambda s, t: s.update(data={"name": "ntu60", "root": "/proc/self"}),
        r"data\.root: /proc/self is under /proc, a system folder",
    ),
    "data root is a symlink loop": (
        lambda s, t: s.update(data={"name": "ntu60", "root": _loop(t)}),
        r"data\.root: .*loop: symbolic link loop",
    ),
    "backbone path is a file": (
        lambda s, t: s["backbone"].update(preset=None, path=_file(t)),
        r"backbone\.path: .*afile is a file; expected a checkpoint folder",
    ),
    "backbone path holds no weights": (
        lambda s, t: s["backbone"].update(preset=None, path=_model_folder(t)),
        r"backbone\.path: .*model holds no config\.json and no \*\.safetensors weights",
    ),
    "teacher file is /dev/zero": (
        lambda s, t: s.update(teacher={"name": "file", "path": "/dev/zero"}),
        r"teacher\.path: /dev/zero is under /dev",
    ),
    "teacher file is a FIFO": (
        lambda s, t: s.update(teacher={"name": "file", "path": _fifo(t)}),
        r"teacher\.path: .*fifo: is a named pipe",
    ),
    "2 MiB system prompt": (
        lambda s, t: s["backbone"].update(system_prompt="move " * (2 * 1024**2 // 5)),
        r"backbone\.system_prompt: at least 419,430 tokens .* more than max_length 8,192",
    ),
    "image size not a multiple of 28": (
        lambda s, t: (s["backbone"].update(image_size=50), s["renderer"].update(size=50)),
        r"backbone\.image_size: 50 is not a multiple of 28 .* use e\.g\. 28 or 56",
    ),
    "image size taken from the renderer, not a multiple of 28": (
        lambda s, t: (s["backbone"].pop("image_size"), s["renderer"].update(size=50)),
        r"renderer\.size: 50 is not a multiple of 28 .* \(backbone\.image_size follows it\)",
    ),
    "LoRA target that matches nothing": (
        lambda s, t: s["backbone"].update(lora={"target_modules": ["q_proj", "attention.query"]}),
        r"backbone\.lora\.target_modules\[1\]: 'attention\.query' matches no projection",
    ),
}
for renderer in ("stick", "jtm", "projection2d", "velocity3d"):
    SPEC_CASES[f"warmup with {renderer}"] = (
        lambda s, t, r=renderer: (s["renderer"].update(name=r), s["stages"].insert(0, {"name": "warmup"})),
        rf"stages\[0\]: stage 'warmup' trains only the renderer, but renderer '{renderer}' has no parameters",
    )


@pytest.mark.parametrize("case", sorted(SPEC_CASES))
def test_spec_that_validated_but_could_not_train_is_refused(tmp_path: Path, case: str) -> None:
    change, pattern = SPEC_CASES[case]
    found = problems(tmp_path, change)
    assert any(re.search(pattern, p) for p in found), found


def test_readme_example_works_as_written_and_its_renderer_change_too() -> None:
    text = README.read_text(encoding="utf-8")
    example = yaml.safe_load(text.split("## One YAML file per experiment", 1)[1].split("```yaml", 1)[1].split("```")[0])
    validate_spec(example, check_files=False)
    assert "delete the `warmup` line" in text
    example["renderer"]["name"] = "stick"
    with pytest.raises(SpecError, match="stage 'warmup' trains only the renderer"):
        validate_spec(example, check_files=False)
    example["stages"] = [s for s in example["stages"] if s["name"] != "warmup"]  # as the README says
    validate_spec(example, check_files=False)


# -- what only reading the data shows (the validate command) -------------------------------------


def validate_cli(tmp_path: Path, change) -> Any:  # noqa: ANN001, ANN401
    spec = copy.deepcopy(base(tmp_path))
    change(spec, tmp_path)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return CliRunner().invoke(cli, ["validate", str(path)])


def _ntu_data(spec: dict, root: str) -> None:
    spec.update(data={"name": "ntu60", "root": root}, split={"train": "xsub/train", "test": "xsub/test"})


DATA_CASES: dict[str, tuple[Any, str]] = {
    "missing split section": (
        lambda s, t: s.pop("split"),
        r"split\.train: dataset 'synthetic' cannot list split 'train'",
    ),
    "data root is a text file": (
        lambda s, t: _ntu_data(s, _file(t, "notes.txt", "hello")),
        r"split\.train: dataset 'ntu60' cannot list split 'xsub/train':",
    ),
    "a corrupt file among the samples": (
        lambda s, t: _ntu_data(s, str(_ntu(t / "ntu", [1, 3], corrupt=1))),
        r"split\.train: 1 of 2 training clips cannot be read: S001C001P001R001A001: .*joint count 24",
    ),
    "a folder without the test split": (
        lambda s, t: _ntu_data(s, str(_ntu(t / "ntu", [1, 2]))),
        r"split\.test: split 'xsub/test' of dataset 'ntu60' has no samples",
    ),
    "teacher without the training clips": (
        lambda s, t: s.update(
            stages=[{"name": "cr_distill", "max_steps": 1}],
            teacher={"name": "file", "path": _file(t, "r.jsonl", json.dumps({"id": "x", "rationale": "y"}))},
        ),
        r"teacher: .*r\.jsonl: no rationale for \d+ clip\(s\): 'synthact_00_0000'",
    ),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_validate_reads_the_data_as_train_would(tmp_path: Path, case: str) -> None:
    change, pattern = DATA_CASES[case]
    result = validate_cli(tmp_path, change)
    assert result.exit_code == 1 and re.search(pattern, result.output), result.output
    assert "Traceback" not in result.output


def test_validate_of_a_good_spec_reads_its_data_and_says_ok(tmp_path: Path) -> None:
    result = validate_cli(tmp_path, lambda s, t: _ntu_data(s, str(_ntu(t / "ntu", [1, 3]))))
    assert result.exit_code == 0 and result.output.strip().endswith("OK"), result.output


def test_pku_mmd_label_file_that_is_a_fifo_is_skipped_not_waited_on(tmp_path: Path) -> None:
    from format_fixtures import pku_text

    from skeletonllm_datasets.pku_mmd import PkuMmdDataset

    (tmp_path / "Skeleton").mkdir()
    (tmp_path / "Label").mkdir()
    for video in ("0002-L", "0003-L"):
        (tmp_path / "Skeleton" / f"{video}.txt").write_text(pku_text(frames=12))
    (tmp_path / "Label" / "0002-L.txt").write_text("1,0,5,1\n")
    os.mkfifo(tmp_path / "Label" / "0003-L.txt")
    dataset = PkuMmdDataset(PkuMmdDataset.Options(root=tmp_path))
    assert [s.id for s in dataset.index] == ["0002-L_0_5"]  # before the fix: blocked forever
    assert any("0003-L.txt" in name and "named pipe" in why for name, why in dataset.report.skipped)
