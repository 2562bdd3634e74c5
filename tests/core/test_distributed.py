"""Two CPU processes under torchrun train the same weights as one process with the same global batch.

``python -m torch.distributed.run --standalone --nproc_per_node 2`` starts two
Gloo ranks running ``skeletonllm train`` on the toy spec with a per-rank
batch of 3; the test process itself trains the same spec with a batch of 6. Each
step's global batch, frame offsets and prompt choices are the same in both
(they follow the sample's position in the global batch, not the rank), so
the weights differ only by floating-point summation order: DDP averages two
3-sample means where the single process takes one 6-sample mean. Tolerance:
1e-5 absolute on every weight and optimiser moment, after 34 AdamW steps.

A torchrun job killed in the middle of a step and relaunched resumes from
rank 0's checkpoint and ends bitwise equal to an uninterrupted torchrun job.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file
from toy_components import toy_registry
from toy_specs import WORKER, toy_spec_data, write_toy_spec

from skeletonllm.checkpoint import MANIFEST, TENSORS
from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.training import Trainer

TOLERANCE = 1e-5


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def _torchrun(spec, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    return subprocess.run(
        [*command, str(WORKER), str(spec), *extra], capture_output=True, text=True, env=_env(), timeout=300
    )


def _result(run_dir):
    return load_file(str(run_dir / "last" / TENSORS)), json.loads((run_dir / "last" / MANIFEST).read_text())


@pytest.mark.slow
def test_two_torchrun_ranks_match_one_process_and_resume(tmp_path):
    Trainer(Pipeline(validate_spec(toy_spec_data(tmp_path / "one"), toy_registry())), show_progress=False).fit()
    optim = {"lr": 0.1, "batch_size": 3, "save_every": 3, "seed": 3}
    ranks = write_toy_spec(tmp_path / "two.yaml", tmp_path / "two", optim=optim)
    done = _torchrun(ranks)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("refine: 30 steps") == 1  # rank 0 alone reports

    (one, one_manifest), (two, two_manifest) = _result(tmp_path / "one"), _result(tmp_path / "two")
    assert two_manifest["world_size"] == 2 and one_manifest["world_size"] == 1
    assert one.keys() == two.keys() and any(k.startswith("renderer.") for k in one)
    for key, value in one.items():
        assert torch.allclose(two[key], value, rtol=0, atol=TOLERANCE), (key, (two[key] - value).abs().max())
    for a, b in zip(one_manifest["history"], two_manifest["history"], strict=True):
        assert a["losses"] == pytest.approx(b["losses"], abs=TOLERANCE)  # rank 0 logs the global mean loss

    resumed_spec = write_toy_spec(tmp_path / "three.yaml", tmp_path / "three", optim=optim)
    killed = _torchrun(resumed_spec, "--die", "step:20")  # both ranks die entering step 20
    assert killed.returncode != 0 and (tmp_path / "three" / "last").exists()
    done = _torchrun(resumed_spec)
    assert done.returncode == 0, done.stderr[-3000:]
    three, three_manifest = _result(tmp_path / "three")
    for key, value in two.items():
        assert torch.equal(three[key], value), key
    assert three_manifest["history"] == two_manifest["history"]
