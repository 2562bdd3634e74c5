"""The output contract every registered renderer keeps (DrAction and third-party ones included).

The contract lives in ``skeletonllm.testing`` (the kit a third-party package runs on its own
renderers) and is parametrised over the live registry, as timm's model tests are over
``list_models()``: a renderer registered tomorrow is tested without a new line of test code.
"""

from __future__ import annotations

from skeletonllm.registry import get_registry
from skeletonllm.testing import ComponentContract, RendererContract, kit_topologies


def test_every_baseline_is_registered():
    assert {"stick", "projection2d", "velocity3d", "jtm"} <= set(get_registry().names("renderer"))


def test_renderers_are_checked_on_every_installed_topology():
    assert {"kinect_v2", "kinect_v1", "smpl22", "coco17", "bvh_like"} <= set(kit_topologies())


class TestEveryRenderer(RendererContract):
    # DrAction's default follow camera tracks the group, so a second person moves it by design;
    # tests/draction/test_framing.py checks that one person's absence leaves the camera alone
    absence_options = {"draction": {"framing": "fixed"}}


class TestEveryComponent(ComponentContract):
    pass
