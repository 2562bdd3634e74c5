"""Linear blend skinning: per-joint rigid transforms blended onto the Gaussians.

Each joint moves rigidly from the canonical frame to frame ``f``: with
orientations, ``x -> R_f R_c^T (x - p_c) + p_f``; without (2D poses and
position-only 3D formats), a pure translation ``x -> x - p_c + p_f``. A
Gaussian's mean is the LBS-weighted sum of its joints' transforms applied to
its canonical mean; its rotation is the weighted sum of rotation matrices
projected back onto SO(3) by SVD (with the reflection fixed), and its
covariance is ``R S S^T R^T``.
"""

from __future__ import annotations

import torch


def quaternion_to_matrix(quat: torch.Tensor) -> torch.Tensor:
    """wxyz quaternions (..., 4) -> rotation matrices (..., 3, 3); zero quaternions become identity."""
    norm = quat.norm(dim=-1, keepdim=True)
    ident = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=quat.dtype, device=quat.device)
    q = torch.where(norm > 1e-8, quat / norm.clamp_min(1e-8), ident)
    w, x, y, z = q.unbind(-1)
    rows = [
        1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
    ]  # fmt: skip
    return torch.stack(rows, -1).reshape(*quat.shape[:-1], 3, 3)


def project_to_so3(matrix: torch.Tensor) -> torch.Tensor:
    """Nearest rotation to each (..., 3, 3) matrix: ``U diag(1, 1, det(U V^T)) V^T``.

    A plain ``U V^T`` can be a reflection (det -1) when the blended matrix is
    far from a rotation; flipping the last singular direction fixes that.
    """
    u, _s, vh = torch.linalg.svd(matrix)
    det = torch.linalg.det(u @ vh)
    fix = torch.ones(*matrix.shape[:-2], 3, dtype=matrix.dtype, device=matrix.device)
    fix[..., 2] = torch.where(det < 0, -1.0, 1.0)
    return u @ torch.diag_embed(fix) @ vh


def joint_transforms(
    positions: torch.Tensor,
    canonical: torch.Tensor,
    orientations: torch.Tensor | None,
    canonical_index: torch.Tensor,
    axes: torch.Tensor | None = None,
) -> tuple[torch.Tensor | None, torch.Tensor]:
    """Rigid transform per joint and frame: rotation (..., F, V, 3, 3) or None, translation (..., F, V, 3).

    ``positions`` (B,M,F,V,3) camera space, ``canonical`` (B,M,V,3) the
    canonical pose, ``orientations`` (B,M,F,V,4) wxyz global rotations in
    the file's axes, ``axes`` (3, 3) the rotation from those to camera axes
    (None: already camera axes), ``canonical_index`` (B,M). Only the relative
    rotation ``R_f R_c^T`` is used, so turning every ``R`` by ``axes`` from the
    left gives it in camera axes. The rotation part is data, not a
    parameter, so it is computed without gradient (the SVD's gradient is
    undefined at the repeated singular values a pure rotation has).
    """
    if orientations is None:
        return None, positions - canonical.unsqueeze(2)
    with torch.no_grad():
        rot = quaternion_to_matrix(orientations)  # (B,M,F,V,3,3)
        if axes is not None:
            rot = axes.to(rot.dtype) @ rot
        idx = canonical_index.reshape(*canonical_index.shape, 1, 1, 1, 1).expand(-1, -1, 1, *rot.shape[3:])
        rot_c = torch.gather(rot, 2, idx)  # (B,M,1,V,3,3)
        rel = rot @ rot_c.transpose(-1, -2)
    moved = (rel @ canonical.unsqueeze(2).unsqueeze(-1)).squeeze(-1)
    return rel, positions - moved


def blend(
    weights: torch.Tensor, rotations: torch.Tensor | None, translations: torch.Tensor, canonical_means: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Posed means (B,M,F,N,3) and rotations (B,M,F,N,3,3) or None.

    ``weights`` (N,V); ``canonical_means`` (B,M,N,3). The mean is
    ``sum_j w_j (A_j x + b_j)``; the rotation ``SO3(sum_j w_j A_j)``.
    """
    t = torch.einsum("nv,bmfvc->bmfnc", weights, translations)
    if rotations is None:
        return canonical_means.unsqueeze(2) + t, None
    with torch.no_grad():
        blended = project_to_so3(torch.einsum("nv,bmfvij->bmfnij", weights, rotations))
    a = torch.einsum("nv,bmfvij->bmfnij", weights, rotations)
    rotated = (a @ canonical_means.unsqueeze(2).unsqueeze(-1)).squeeze(-1)
    return rotated + t, blended


def posed_covariance(rotations: torch.Tensor | None, scales: torch.Tensor) -> torch.Tensor:
    """``R S S^T R^T`` from rotations (..., 3, 3) (None = identity) and scales (..., 3)."""
    s = torch.diag_embed(scales)
    if rotations is None:
        return s @ s
    rs = rotations @ s
    return rs @ rs.transpose(-1, -2)
