"""The pinhole camera and the turn of any file's axes into the camera's.

Skeleton formats disagree on units (metres, pixels), origin (camera, pelvis,
image corner) and the direction of "up". ``camera_axes`` settles the last:
the topology's ``up_axis`` is turned to the image's up, and the result is in
OpenCV camera axes (x right, y down, z forward). Where the camera stands and
how large the figure is (units, origin, travel) is ``framing.py``'s job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from skeletonllm.normalise import viewer_rotation
from skeletonllm.topology import Topology


@dataclass(frozen=True)
class PinholeCamera:
    """Square-pixel pinhole with the principal point at the image centre; world-to-camera is identity."""

    width: int
    height: int
    fov_degrees: float = 60.0

    @property
    def fx(self) -> float:
        return 0.5 * self.width / math.tan(math.radians(self.fov_degrees) / 2)

    @property
    def fy(self) -> float:
        return 0.5 * self.height / math.tan(math.radians(self.fov_degrees) / 2)

    @property
    def cx(self) -> float:
        return 0.5 * self.width

    @property
    def cy(self) -> float:
        return 0.5 * self.height

    def intrinsics(self, device: torch.device | str = "cpu") -> torch.Tensor:
        """The 3x3 matrix K (what gsplat takes)."""
        return torch.tensor(
            [[self.fx, 0.0, self.cx], [0.0, self.fy, self.cy], [0.0, 0.0, 1.0]], dtype=torch.float32, device=device
        )

    def subject_distance(self, fill: float) -> float:
        """Depth at which a figure of half-extent 1 fills ``fill`` of the narrower half-field of view."""
        return 1.0 / (fill * math.tan(math.radians(self.fov_degrees) / 2))


def axes_rotation(
    topology: Topology, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The 3x3 rotation from the file's axes to camera axes (x right, y down, z away from the viewer).

    The core's viewing frame (``skeletonllm.normalise.viewer_rotation``: up axis to +y, 3D read
    in the Kinect convention), with y flipped for a camera whose image rows grow downwards: the
    same convention every renderer shares, so DrAction and the baselines agree on left and up.
    """
    flip = torch.diag(torch.tensor([1.0, -1.0, 1.0], dtype=dtype, device=device))
    return flip @ viewer_rotation(topology, dtype, device)


def camera_axes(positions: torch.Tensor, topology: Topology) -> torch.Tensor:
    """``(..., C)`` file coordinates -> ``(..., 3)`` in camera axes (see ``axes_rotation``)."""
    if positions.shape[-1] == 2:
        positions = torch.cat([positions, torch.zeros_like(positions[..., :1])], dim=-1)
    return positions @ axes_rotation(topology, positions.dtype, positions.device).T
