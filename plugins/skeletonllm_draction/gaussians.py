"""Canonical Gaussians for any topology: one per joint plus ten along every bone.

Everything here is derived from the ``Topology`` alone (or, for scales, from
the clip's own first valid frame), so the renderer needs no per-format table:
a skeleton never seen before gets its Gaussians the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from skeletonllm.topology import Topology

GAUSSIANS_PER_BONE = 10
JOINT, BONE = 0, 1
NEG_LOGIT = -1e4  # "minus infinity" that keeps softmax (and its gradient) finite


@dataclass
class GaussianTemplate:
    """Per-topology constants (cached by the renderer, keyed by topology).

    ``kind`` (N,) JOINT/BONE; ``joint_a``/``joint_b`` (N,) the joints a
    Gaussian hangs on (equal for joint Gaussians); ``t`` (N,) interpolation
    parameter along the bone (0 for joints); ``lbs_logits`` (N,V);
    ``lbs_weights`` (N,V) their softmax. Order: V joint Gaussians, then 10 per
    edge in edge order, so the count is V + 10 E.
    """

    kind: torch.Tensor
    joint_a: torch.Tensor
    joint_b: torch.Tensor
    t: torch.Tensor
    lbs_logits: torch.Tensor
    lbs_weights: torch.Tensor

    @property
    def num_gaussians(self) -> int:
        return int(self.kind.shape[0])

    def to(self, device: torch.device | str) -> GaussianTemplate:
        return GaussianTemplate(*(getattr(self, f).to(device) for f in self.__dataclass_fields__))


def interpolation_steps(per_bone: int = GAUSSIANS_PER_BONE) -> torch.Tensor:
    """Uniform interior points of a bone: t = 1/(k+1) ... k/(k+1) (the ends are the joints)."""
    return torch.arange(1, per_bone + 1, dtype=torch.float32) / (per_bone + 1)


def lbs_logits(
    v: int, joint_a: torch.Tensor, joint_b: torch.Tensor, t: torch.Tensor, kind: torch.Tensor, mode: str, scale: float
) -> torch.Tensor:
    """Fixed skinning logits (N, V).

    A joint Gaussian: ``scale`` on its own joint, minus infinity elsewhere
    (one-hot after softmax). A bone Gaussian at ``t`` from a to b: mode
    ``linear`` puts ``scale*(1-t)`` and ``scale*t`` (the paper's form; larger
    ``scale`` sharpens towards the nearer joint); mode ``log_linear`` puts
    ``log(1-t)`` and ``log(t)``, whose softmax is exactly (1-t, t), so bone
    Gaussians stay on the bone however it turns even without orientations.
    """
    n = joint_a.shape[0]
    logits = torch.full((n, v), NEG_LOGIT)
    rows = torch.arange(n)
    is_joint = kind == JOINT
    logits[rows[is_joint], joint_a[is_joint]] = scale
    bone = ~is_joint
    tb = t[bone]
    if mode == "linear":
        la, lb = scale * (1 - tb), scale * tb
    elif mode == "log_linear":
        la, lb = torch.log1p(-tb), torch.log(tb)
    else:
        raise ValueError(f"unknown LBS logit mode {mode!r}; expected 'linear' or 'log_linear'")
    logits[rows[bone], joint_a[bone]] = la
    logits[rows[bone], joint_b[bone]] = lb
    return logits


def build_template(topology: Topology, mode: str = "log_linear", scale: float = 10.0) -> GaussianTemplate:
    """Gaussians of a topology: V joints, then 10 per bone."""
    v = topology.num_joints
    steps = interpolation_steps()
    edges = torch.tensor(topology.edges, dtype=torch.long).reshape(-1, 2)
    e = edges.shape[0]
    joints = torch.arange(v)
    joint_a = torch.cat([joints, edges[:, 0].repeat_interleave(GAUSSIANS_PER_BONE)])
    joint_b = torch.cat([joints, edges[:, 1].repeat_interleave(GAUSSIANS_PER_BONE)])
    t = torch.cat([torch.zeros(v), steps.repeat(e)])
    kind = torch.cat([torch.full((v,), JOINT), torch.full((e * GAUSSIANS_PER_BONE,), BONE)]).long()
    logits = lbs_logits(v, joint_a, joint_b, t, kind, mode, scale)
    return GaussianTemplate(kind, joint_a, joint_b, t, logits, torch.softmax(logits, dim=-1))


def first_valid_frame(mask: torch.Tensor) -> torch.Tensor:
    """``mask`` (B,M,F,V) -> (B,M) index of the first frame with the most valid joints.

    "First valid frame" is read as the first complete pose; when no frame is
    complete (a joint never tracked) the first frame with the best coverage.
    """
    counts = mask.sum(-1)  # (B,M,F)
    best = counts.amax(-1, keepdim=True)
    f = mask.shape[2]
    ranks = torch.arange(f, device=mask.device).expand_as(counts)
    return torch.where(counts == best, ranks, torch.full_like(ranks, f)).amin(-1).clamp_max(f - 1)


def adaptive_scales(
    canonical_joints: torch.Tensor,
    canonical_mask: torch.Tensor,
    topology: Topology,
    template: GaussianTemplate,
    base: float,
    min_ratio: float,
    max_ratio: float,
) -> torch.Tensor:
    """Isotropic scale per Gaussian (..., N) from the canonical pose's bone lengths.

    A bone Gaussian takes its bone's length, a joint Gaussian the median length
    of the bones at it; both are divided by the longest bone and clamped to
    ``[min_ratio, max_ratio]``, then multiplied by ``base`` times the longest
    bone, so thick and thin skeletons alike get Gaussians proportional to
    their own size. Bones with an untracked end take the median known length.
    """
    edges = torch.tensor(topology.edges, dtype=torch.long, device=canonical_joints.device).reshape(-1, 2)
    lead = canonical_joints.shape[:-2]
    v = topology.num_joints
    if edges.shape[0] == 0:
        longest = torch.ones(lead, device=canonical_joints.device)
        return (base * max_ratio * longest).unsqueeze(-1).expand(*lead, template.num_gaussians).clone()
    pa, pb = canonical_joints[..., edges[:, 0], :], canonical_joints[..., edges[:, 1], :]
    length = (pa - pb).norm(dim=-1).detach()  # (..., E)
    known = canonical_mask[..., edges[:, 0]] & canonical_mask[..., edges[:, 1]] & (length > 0)
    nan = torch.full_like(length, float("nan"))
    med = torch.nanquantile(torch.where(known, length, nan), 0.5, dim=-1, keepdim=True).nan_to_num(1.0)
    length = torch.where(known, length, med)
    longest = length.amax(-1, keepdim=True).clamp_min(1e-6)
    ratio = (length / longest).clamp(min_ratio, max_ratio)  # (..., E)
    # joint ratio: median over incident bones (NaN-padded incidence table)
    incidence = torch.zeros(v, edges.shape[0], dtype=torch.bool, device=length.device)
    cols = torch.arange(edges.shape[0], device=length.device)
    incidence[edges[:, 0], cols] = True
    incidence[edges[:, 1], cols] = True
    per_joint = torch.where(incidence, ratio.unsqueeze(-2), torch.full_like(ratio.unsqueeze(-2), float("nan")))
    joint_ratio = torch.nanquantile(per_joint, 0.5, dim=-1).nan_to_num(
        max_ratio
    )  # (1+0.5)/2, not the lower  # (..., V)
    bone_ratio = ratio.repeat_interleave(GAUSSIANS_PER_BONE, dim=-1)
    return base * longest * torch.cat([joint_ratio, bone_ratio], dim=-1)
