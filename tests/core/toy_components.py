"""Small but real components for testing the trainer without the heavy plugins.

The toy task: a one-joint skeleton stands at x = +1 (class "left"... "right")
and the toy renderer paints that position into pixels; the toy backbone is
a linear classifier on pooled pixels that answers ``Label: <name>``.
"""

from __future__ import annotations

import types

import numpy as np
import torch
from pydantic import Field
from torch import nn

from skeletonllm import SkeletonSequence, Topology, hookimpl
from skeletonllm.interfaces import Backbone, ClassSplit, Dataset, PluginOptions, Renderer, Sample, SkeletonFormat
from skeletonllm.registry import Registry

TOPO = Topology("dot", ("a", "b"), ((0, 1),), dims=3)
CLASSES = ["left", "right", "up", "down"]
OFFSETS = np.array([[-1, 0], [1, 0], [0, 1], [0, -1]], np.float32)


class ToyDataOptions(PluginOptions):
    per_class: int = Field(12, ge=1)


class ToyData(Dataset):
    name = "toy_data"
    summary = "toy"
    Options = ToyDataOptions

    @property
    def class_names(self) -> list[str]:
        return CLASSES

    def protocols(self) -> list[str]:
        return ["random"]

    def class_splits(self) -> dict[str, ClassSplit]:
        return {"3/1": ClassSplit("3/1", (0, 1, 2), (3,), "toy")}

    def samples(self, split, classes=None):
        rng = np.random.default_rng(0 if split == "train" else 1)
        for c in range(len(CLASSES)):
            if classes is not None and c not in classes:
                continue
            for i in range(self.options.per_class):
                pos = toy_clip(OFFSETS[c] + rng.normal(0, 0.3, 2))

                def load(pos=pos):
                    return SkeletonSequence(pos, TOPO, fps=30)

                yield Sample(f"{split}-{c}-{i}", c, load)


def toy_clip(xy) -> np.ndarray:
    pos = np.zeros((1, 5, 2, 3), np.float32)
    pos[..., 0, :2] = xy
    pos[..., 1, :2] = np.asarray(xy) + 0.1
    return pos


class ToyFormat(SkeletonFormat):
    """``{"toy_xy": [x, y]}`` files, so ``skeletonllm infer`` can be tested end to end."""

    name = "toy_format"
    summary = "toy"
    suffixes = (".toy",)

    def sniff(self, path, head):
        return 1.0 if b"toy_xy" in head else 0.0

    def read(self, path):
        import json

        return [SkeletonSequence(toy_clip(json.loads(open(path).read())["toy_xy"]), TOPO, fps=30)]


class ToyRenderer(Renderer):
    name = "toy_renderer"
    summary = "toy"
    learnable = True

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.gain = nn.Parameter(torch.tensor(0.5))

    def forward(self, batch):
        b = batch.positions.shape[0]
        f = batch.positions.shape[2]
        xy = batch.positions[:, 0, :, 0, :2]  # (B, F, 2)
        img = torch.zeros(b, f, 3, 4, 4)
        img[:, :, 0] = torch.sigmoid(self.gain * xy[..., 0])[..., None, None]
        img[:, :, 1] = torch.sigmoid(self.gain * xy[..., 1])[..., None, None]
        return img


class ToyBackbone(Backbone):
    name = "toy_backbone"
    summary = "toy"

    def __init__(self, options=None) -> None:
        super().__init__(options)
        torch.manual_seed(0)
        self.proj = nn.Linear(3, len(CLASSES))

    def parameter_groups(self):
        return {"vision": [], "projector": list(self.proj.parameters()), "llm": [], "lora": []}

    def _logits(self, frames):
        return self.proj(frames.mean(dim=(1, 3, 4)) * 8 - 4)

    def loss(self, frames, examples):
        idx = torch.tensor([CLASSES.index(ex.answer) for ex in examples])
        return nn.functional.cross_entropy(self._logits(frames), idx)

    def generate(self, frames, examples, max_new_tokens=32):
        out = []
        for logit, example in zip(self._logits(frames), examples):
            allowed = [i for i, c in enumerate(CLASSES) if c in example.candidates] or range(len(CLASSES))
            best = max(allowed, key=lambda i: logit[i].item())
            out.append(f"Label: {CLASSES[best]}")
        return out


def toy_registry() -> Registry:
    import skeletonllm_training.plugin as training

    plugin = types.SimpleNamespace(
        register_datasets=hookimpl(lambda register: register(ToyData)),
        register_renderers=hookimpl(lambda register: register(ToyRenderer)),
        register_backbones=hookimpl(lambda register: register(ToyBackbone)),
        register_formats=hookimpl(lambda register: register(ToyFormat)),
    )
    for name in ("register_datasets", "register_renderers", "register_backbones", "register_formats"):
        getattr(plugin, name).__name__ = name
    reg = Registry(load_entry_points=False)
    reg.add_plugin(plugin, "toys")
    reg.add_plugin(training, "training")
    return reg
