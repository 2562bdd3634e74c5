"""Every registered format plugin, including third-party ones, meets the same contract.

The contract lives in ``skeletonllm.testing`` (the kit a third-party package runs on its
own formats); here it runs over every installed format, with a synthetic sample file for
each built-in one.
"""

from __future__ import annotations

from pathlib import Path

from format_fixtures import make_all

from skeletonllm.registry import get_registry
from skeletonllm.testing import FormatContract


def test_registry_has_the_builtin_formats() -> None:
    expected = {"ntu_skeleton", "pku_mmd", "nw_ucla", "humanml3d", "coco_keypoints", "pyskl_pickle", "bvh", "amass", "asf_amc",
                "penn_action"}  # fmt: skip
    assert expected <= set(get_registry().names("format"))


class TestEveryFormat(FormatContract):
    def samples(self, folder: Path) -> dict[str, Path]:
        return make_all(folder)
