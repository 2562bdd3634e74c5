"""The kit's backbone contract on every registered backbone (the tiny presets and clip_align)."""

from __future__ import annotations

from pathlib import Path

from skeletonllm.testing import BackboneContract


class TestEveryBackbone(BackboneContract):
    def options(self, name: str, folder: Path) -> dict | None:
        return {"image_size": 32} if name == "clip_align" else {}  # its encoder's own input size, kept small
