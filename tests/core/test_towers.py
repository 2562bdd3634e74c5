"""The tower cache: identity, save, find and load, and the one-line hint when there is none."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from toy_components import ToyBackbone as _Toy

from skeletonllm.errors import CheckpointError
from skeletonllm.towers import (
    TowerNotFound,
    find_tower,
    load_tower,
    renderer_key,
    save_tower,
    tower_folder,
    tower_identity,
)


class ToyBackbone(_Toy):
    """The toy backbone with a vision tower (a linear 'encoder') to pretrain."""

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.eye = nn.Linear(3, 4)

    def parameter_groups(self):
        return {**super().parameter_groups(), "vision": list(self.eye.parameters())}


def _vision(backbone) -> list[torch.Tensor]:
    return [p.detach().clone() for p in backbone.parameter_groups()["vision"]]


def test_identity_depends_on_the_tower_only():
    a, b = ToyBackbone(), ToyBackbone()
    assert tower_identity(a) == tower_identity(b)
    assert tower_identity(a).startswith(f"{a.name}-vision-")


def test_renderer_key_ignores_the_frame_count():
    one = {"name": "draction", "options": {"frames": 4, "size": 112}}
    assert renderer_key(one) == renderer_key({"name": "draction", "options": {"frames": 12, "size": 112}})
    assert renderer_key(one) != renderer_key({"name": "draction", "options": {"frames": 4, "size": 56}})


def test_save_then_pretrained_loads_it(tmp_path):
    trained, fresh = ToyBackbone(), ToyBackbone()
    with torch.no_grad():
        for p in trained.parameter_groups()["vision"]:
            p.add_(1.0)
    record = {"name": "draction", "options": {"size": 56}}
    folder = tower_folder(trained, record, root=tmp_path)
    save_tower(folder, trained, {"renderer": record})
    manifest = load_tower(fresh, "pretrained", root=tmp_path, quiet=True)
    assert manifest["renderer"] == record and manifest["loaded_from"] == str(folder)
    for got, want in zip(_vision(fresh), _vision(trained)):
        assert torch.equal(got, want)


def test_no_tower_says_how_to_make_one(tmp_path):
    with pytest.raises(TowerNotFound, match="skeletonllm pretrain-vision") as info:
        find_tower(ToyBackbone(), "pretrained", root=tmp_path)
    assert "\n" not in str(info.value)


def test_two_renderers_must_be_chosen_between(tmp_path):
    backbone = ToyBackbone()
    for size in (56, 112):
        save_tower(tower_folder(backbone, {"name": "draction", "options": {"size": size}}, tmp_path), backbone, {})
    with pytest.raises(TowerNotFound, match="name one with vision_init"):
        find_tower(backbone, "pretrained", root=tmp_path)


def test_a_training_checkpoint_is_not_a_tower(tmp_path):
    from skeletonllm.checkpoint import save_checkpoint

    backbone = ToyBackbone()
    save_checkpoint(tmp_path / "run", backbone.trainable_state(["vision"]), {"stage": 0})
    with pytest.raises(CheckpointError, match="not a vision tower"):
        load_tower(backbone, str(tmp_path / "run"), quiet=True)


def test_a_tower_that_cannot_be_verified_is_refused_with_how_to_remake_it(tmp_path):
    """A spec's vision_init has no --allow-unverified, so the error says how to make a tower that verifies."""
    import json

    from skeletonllm.checkpoint import INTEGRITY, MANIFEST

    trained, fresh = ToyBackbone(), ToyBackbone()
    folder = tower_folder(trained, {"name": "draction", "options": {"size": 56}}, root=tmp_path)
    save_tower(folder, trained, {"renderer": {"name": "draction"}})
    manifest = json.loads((folder / MANIFEST).read_text())
    del manifest[INTEGRITY]  # as a tower from before the record covered the manifest, or an edited one
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(
        CheckpointError, match=r"integrity cannot be verified .* make it again with skeletonllm pretrain-vision"
    ):
        load_tower(fresh, "pretrained", root=tmp_path, quiet=True)
