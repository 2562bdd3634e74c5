"""DrAction: the composition of Gaussians, LBS, NFM, colour map, camera and rasteriser.

Built once, used for any topology: everything topology-shaped is derived at
forward time from ``batch.topology`` (and cached per topology), while the
learned parameters (appearance base and embedding, NFM, colour-map weight,
global scale) have shapes that do not depend on the joint count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces import Renderer
from skeletonllm.legend import ColourLegend
from skeletonllm.topology import Topology

from .appearance import AppearanceFeatures, gaussian_descriptors
from .camera import PinholeCamera, axes_rotation, camera_axes
from .colormap import DepthColourBlend, normalised_depth, travel_depth, triangular_colormap
from .framing import FramedClip, camera_distance, centre_and_scale
from .gaussians import GaussianTemplate, adaptive_scales, build_template, first_valid_frame
from .lbs import blend, joint_transforms, posed_covariance
from .nfm import NeuralFeatureModulator, StaticAppearance, motion_inputs
from .options import DrActionOptions
from .rasterize import GaussianScene, make_rasteriser
from .rasterize.base import EXTEND_MAX


class DrActionRenderer(Renderer):
    """Differentiable Gaussian-splatting renderer for any skeleton topology."""

    name: ClassVar[str] = "draction"
    summary: ClassVar[str] = "DrAction: differentiable Gaussian-splatting renderer for any topology"
    learnable: ClassVar[bool] = True
    Options: ClassVar[type[DrActionOptions]] = DrActionOptions
    #: what ``skeletonllm render`` draws with when no --renderer is given
    default_for: ClassVar[tuple[str, ...]] = ("render",)

    def __init__(self, options: DrActionOptions | None = None) -> None:
        super().__init__(options if options is not None else DrActionOptions())
        o: DrActionOptions = self.options
        self.appearance = AppearanceFeatures(o.feature_dim, o.feature_init_std)
        # exactly one of the two exists, so a 'w/o NFM' renderer has no NFM parameter at all
        self.nfm = (
            NeuralFeatureModulator(o.feature_dim, o.nfm, o.nfm_hidden, o.mlp_hidden, o.base_opacity)
            if o.nfm != "none"
            else None
        )
        self.static = StaticAppearance(o.feature_dim, o.base_opacity) if o.nfm == "none" else None
        self.colour_blend = DepthColourBlend(o.depth_colour_weight) if o.depth_colour else None
        self.log_scale = nn.Parameter(torch.zeros(()))
        self.camera = PinholeCamera(o.size, o.size, o.fov_degrees)
        self.rasteriser = make_rasteriser(o.backend, o.tile_size)
        self.register_buffer("background", torch.tensor(o.background, dtype=torch.float32), persistent=False)
        self._templates: dict[tuple[Topology, str], GaussianTemplate] = {}

    def colour_legend(self) -> ColourLegend | None:
        """The depth colour map as a key: near blue to far red, and what travel does to the hue.

        None when the map is off (``depth_colour: false``): the colours then come from the NFM alone.
        """
        if self.colour_blend is None:
            return None
        o: DrActionOptions = self.options
        stops = triangular_colormap(torch.linspace(0.0, 1.0, 9)).tolist()
        weight = float(self.colour_blend.weight.detach())
        return ColourLegend(
            title="DrAction colour = depth",
            colours=tuple(tuple(float(v) for v in s) for s in stops),
            low="near",
            high="far",
            note=(
                f"Each body part's depth from the figure's centre (the bar spans \u00b1{o.depth_range / 2:g} "
                "figure half-extents). The whole figure turns bluer as the performer comes towards the camera, "
                f"redder as they move away. Depth sets {weight:.0%} of each colour."
            ),
        )

    def template(self, topology: Topology, device: torch.device) -> GaussianTemplate:
        """Per-topology constants (indices, LBS logits and weights), built once per topology and device."""
        key = (topology, str(device))
        if key not in self._templates:
            o: DrActionOptions = self.options
            self._templates[key] = build_template(topology, o.lbs_logits, o.lbs_logit_scale).to(device)
        return self._templates[key]

    def _camera_scene(self, batch: SkeletonBatch) -> _CameraScene:
        """The clip in camera space, placed where the camera sees all of it (shared by ``forward`` and ``project``)."""
        o: DrActionOptions = self.options
        positions, mask = _checked_inputs(batch)
        positions = positions.to(self.log_scale.dtype)  # e.g. float64 input meets float32 parameters
        b, m, f, v, c = positions.shape
        tpl = self.template(batch.topology, positions.device)

        # the camera: file axes -> camera axes, centred and scaled, then moved back until it all fits
        framed = centre_and_scale(camera_axes(positions, batch.topology), mask, o.framing)
        canon_idx = first_valid_frame(mask)  # (B,M)
        gather_idx = canon_idx.reshape(b, m, 1, 1, 1).expand(b, m, 1, v, 3)
        canon_mask = torch.gather(mask, 2, gather_idx[..., 0]).squeeze(2)
        centred_canon = torch.gather(framed.scene, 2, gather_idx).squeeze(2)  # (B,M,V,3)
        scales = adaptive_scales(centred_canon, canon_mask, batch.topology, tpl, o.scale_base, o.scale_min, o.scale_max)
        scales = scales * torch.exp(self.log_scale)  # (B,M,N)
        pad = EXTEND_MAX * scales.detach().reshape(b, -1).amax(-1)  # the largest Gaussian's 3D footprint
        distance = camera_distance(framed.scene, mask, self.camera, o.fill, pad)  # (B,)
        shift = torch.stack([torch.zeros_like(distance), torch.zeros_like(distance), distance], -1)
        scene = torch.where(mask.unsqueeze(-1), framed.scene + shift.reshape(b, 1, 1, 1, 3), framed.scene)
        return _CameraScene(positions, mask, tpl, framed, scene, scales, distance, shift, canon_idx, gather_idx)

    def project(self, batch: SkeletonBatch) -> torch.Tensor:
        """``(B, M, F, V, 3)``: each joint's pixel ``(u, v)`` in the drawn frame and its camera depth (NaN if masked).

        The same camera and framing as :meth:`forward` (the rasteriser's ``means2d`` is
        ``fx * x / z + cx`` with pixel centres at ``i + 0.5``), so a joint projects onto the
        middle of the Gaussians drawn around it. Depth is in figure half-extents.
        """
        with torch.no_grad():
            cam = self._camera_scene(batch)
            x, y, z = cam.scene.unbind(-1)
            u = self.camera.fx * x / z + self.camera.cx
            v = self.camera.fy * y / z + self.camera.cy
            out = torch.stack([u, v, z], -1)
            return torch.where(cam.mask.unsqueeze(-1), out, torch.full_like(out, float("nan")))

    def forward(self, batch: SkeletonBatch) -> torch.Tensor:
        o: DrActionOptions = self.options
        cam = self._camera_scene(batch)
        positions, mask, tpl, framed, scene = cam.positions, cam.mask, cam.template, cam.framed, cam.scene
        scales, distance, shift, canon_idx, gather_idx = cam.scales, cam.distance, cam.shift, cam.canon_idx, cam.gather
        b, m, f, v, c = positions.shape
        weights = tpl.lbs_weights.to(positions.dtype)
        canon = torch.gather(scene, 2, gather_idx).squeeze(2)  # (B,M,V,3)
        canonical_means = torch.einsum("nv,bmvc->bmnc", weights, canon)

        orientations, axes = None, None
        if o.use_orientations and batch.orientations is not None and c == 3:
            orientations = batch.orientations.to(positions.dtype)
            axes = axes_rotation(batch.topology, positions.dtype, positions.device)
        rotations, translations = joint_transforms(scene, canon, orientations, canon_idx, axes)
        means, gauss_rot = blend(weights, rotations, translations, canonical_means)  # (B,M,F,N,3)
        n = tpl.num_gaussians
        covariances = posed_covariance(gauss_rot, scales.unsqueeze(2).unsqueeze(-1).expand(b, m, f, n, 3))

        features = self.appearance(gaussian_descriptors(tpl, canonical_means, scales))
        if self.nfm is not None:
            # positions relative to the figure (not the camera), so the distance the fit chose does not leak in
            colour, opacity = self.nfm(features, motion_inputs(weights, framed.scene, mask))
        else:
            colour, opacity = self.static(features, f)
        if self.colour_blend is not None:
            # depth relative to the figure, plus (squashed) the travel a follow camera took out of it
            depth = means[..., 2] - distance.reshape(b, 1, 1, 1)
            depth = depth + travel_depth(framed.travel[..., 2], o.depth_range).reshape(b, 1, f, 1)
            colour = self.colour_blend(colour, normalised_depth(depth, 0.0, o.depth_range))

        present = mask[..., tpl.joint_a] & mask[..., tpl.joint_b]  # (B,M,F,N)
        opacity = torch.where(present, opacity, torch.zeros_like(opacity))
        means = torch.where(present.unsqueeze(-1), means, shift.reshape(b, 1, 1, 1, 3))  # parked, invisible

        def per_image(x: torch.Tensor) -> torch.Tensor:  # (B,M,F,N,...) -> (B*F, M*N, ...)
            x = x.transpose(1, 2)
            return x.reshape(b * f, m * n, *x.shape[4:])

        gs = GaussianScene(per_image(means), per_image(covariances), per_image(colour), per_image(opacity))
        images = self.rasteriser(gs, self.camera, self.background)
        return images.reshape(b, f, 3, o.size, o.size).clamp(0.0, 1.0)


@dataclass
class _CameraScene:
    """What :meth:`DrActionRenderer._camera_scene` computes: checked inputs, framing and the placed scene."""

    positions: torch.Tensor
    mask: torch.Tensor
    template: GaussianTemplate
    framed: FramedClip
    scene: torch.Tensor  # (B,M,F,V,3) camera space, the camera distance added
    scales: torch.Tensor
    distance: torch.Tensor
    shift: torch.Tensor
    canon_idx: torch.Tensor
    gather: torch.Tensor


def _checked_inputs(batch: SkeletonBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """Positions with non-finite or masked joints zeroed, and the mask with them removed.

    ``torch.where`` (not multiplication) keeps a NaN out of the gradient too.
    """
    pos, mask = batch.positions, batch.mask
    if pos.dim() != 5:
        raise SkeletonDataError(f"batch positions must be (B, M, F, V, C), got shape {tuple(pos.shape)}")
    b, m, f, v, c = pos.shape
    if c not in (2, 3):
        raise SkeletonDataError(f"joint coordinates must be 2D or 3D, got {c} values", field="positions")
    if v != batch.topology.num_joints:
        raise SkeletonDataError(
            f"{v} joints but topology {batch.topology.name!r} has {batch.topology.num_joints}", field="positions"
        )
    if tuple(mask.shape) != (b, m, f, v):
        raise SkeletonDataError(f"mask shape {tuple(mask.shape)} != positions' {(b, m, f, v)}", field="mask")
    if b == 0 or m == 0 or f == 0:
        raise SkeletonDataError(f"nothing to render: batch has shape {tuple(pos.shape)}", field="positions")
    mask = mask.bool() & torch.isfinite(pos).all(-1)
    empty = (~mask.reshape(b, -1).any(-1)).nonzero().flatten().tolist()
    if empty:
        i = empty[0]
        source = batch.meta[i].get("source") if i < len(batch.meta) else None
        raise SkeletonDataError(
            f"clip {i} of the batch has no valid joint in any frame (empty or all NaN); nothing to render",
            source=source,
            field="positions",
        )
    pos = torch.where(mask.unsqueeze(-1), pos, torch.zeros_like(pos))
    return pos, mask
