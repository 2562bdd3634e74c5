"""DrAction's options: every hyper-parameter a spec may set, validated before anything is built."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from skeletonllm.interfaces import RendererOptions


class DrActionOptions(RendererOptions):
    """``frames``/``size`` as every renderer; the rest tune the Gaussians, NFM and rasteriser."""

    backend: Literal["torch", "gsplat", "dense"] = "torch"
    tile_size: int = Field(8, ge=4, le=64)
    nfm: Literal["gru", "rnn", "lstm", "mlp", "none"] = Field(
        "gru",
        description=(
            "Neural Feature Modulator: gru/rnn/lstm temporal model + MLP; mlp: the MLP without a temporal model; "
            "none: no NFM at all (static per-Gaussian colour and opacity from the appearance feature, the paper's "
            "'w/o NFM')"
        ),
    )
    nfm_hidden: int = Field(10, ge=1, le=1024)
    mlp_hidden: int = Field(32, ge=1, le=1024)
    feature_dim: int = Field(16, ge=1, le=1024)
    feature_init_std: float = Field(0.02, gt=0, le=10)
    scale_base: float = Field(
        0.1, gt=0, le=10, description="Gaussian scale of the longest bone, as a fraction of its length"
    )
    scale_min: float = Field(0.4, gt=0, le=10, description="lower clamp of bone length / longest bone")
    scale_max: float = Field(1.0, gt=0, le=10, description="upper clamp of bone length / longest bone")
    lbs_logits: Literal["log_linear", "linear"] = "log_linear"
    lbs_logit_scale: float = Field(10.0, gt=0, le=1000)
    depth_colour: bool = Field(True, description="blend the depth colour map in (false: the paper's 'w/o depth map')")
    depth_colour_weight: float = Field(0.9, gt=0, lt=1, description="initial weight of the depth colour map")
    depth_range: float = Field(2.0, gt=0, le=1000, description="depth window of the colour map, in figure half-extents")
    base_opacity: float = Field(0.9, gt=0, lt=1)
    background: tuple[float, float, float] = (0.0, 0.0, 0.0)
    fov_degrees: float = Field(60.0, gt=1, lt=179)
    fill: float = Field(0.85, gt=0, le=1, description="fraction of the half-field of view the figure fills")
    framing: Literal["fixed", "follow"] = Field(
        "follow",
        description=(
            "fixed: one camera for the whole clip, fitted in 3D (the paper's); follow: the camera tracks the "
            "performers' smoothed centroid so the figure keeps its size while travelling"
        ),
    )
    use_orientations: bool = True

    @model_validator(mode="after")
    def _clamps_ordered(self) -> DrActionOptions:
        if self.scale_min > self.scale_max:
            raise ValueError(f"scale_min ({self.scale_min}) must not exceed scale_max ({self.scale_max})")
        if any(not 0.0 <= c <= 1.0 for c in self.background):
            raise ValueError(f"background colour components must be in [0, 1], got {self.background}")
        return self
