"""The kit's backbone contract on every registered backbone (the tiny presets and clip_align)."""

from __future__ import annotations

from pathlib import Path

from skeletonllm.registry import get_registry
from skeletonllm.testing import BackboneContract


def test_the_contract_reaches_every_built_in_backbone():
    """The contract is parametrised over the live registry; this names what it must at least cover."""
    built_in = {"internvl3", "qwen2_5_vl", "clip_align", "skeleton_align", "describe_match"}
    assert built_in <= set(get_registry().names("backbone"))


class TestEveryBackbone(BackboneContract):
    def options(self, name: str, folder: Path) -> dict | None:
        return {"image_size": 32} if name == "clip_align" else {}  # its encoder's own input size, kept small
