"""The Neural Feature Modulator: motion-aware colour and opacity per Gaussian.

Per Gaussian and frame it sees where the Gaussian is and how fast it moves
(joint positions and velocities aggregated through the LBS weights), runs an
optional small recurrent net over the frames (GRU with hidden size 10 by
default; ``rnn``/``lstm``, or ``mlp`` for none, for the ablation), and a 2-layer MLP turns
[appearance feature, temporal state] into RGB and opacity residuals plus a
saliency gate. The base RGBA comes from the appearance feature alone. The
modulated values are ``sigmoid(logit(base) + gate * residual)``; the last MLP
layer starts tiny (std 1e-3, not zero, so gradients reach the earlier layers
from the first step), so an untrained NFM returns almost the base RGBA.
"""

from __future__ import annotations

import torch
from torch import nn

MOTION_DIM = 6  # position (3) + velocity (3)


def motion_inputs(weights: torch.Tensor, joints: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(B,M,F,N,6): LBS-weighted joint positions and their frame-to-frame velocity.

    Velocity is zero at the first frame and wherever either frame is missing,
    so a person entering the scene does not look like a jump.
    """
    pos = torch.einsum("nv,bmfvc->bmfnc", weights, joints)
    present = torch.einsum("nv,bmfv->bmfn", weights, mask.to(joints.dtype)) > 0.999
    vel = torch.zeros_like(pos)
    both = (present[:, :, 1:] & present[:, :, :-1]).unsqueeze(-1)
    vel[:, :, 1:] = torch.where(both, pos[:, :, 1:] - pos[:, :, :-1], torch.zeros_like(pos[:, :, 1:]))
    return torch.cat([pos, vel], dim=-1)


class NeuralFeatureModulator(nn.Module):
    """features (B,M,N,D) + motion (B,M,F,N,6) -> colour (B,M,F,N,3), opacity (B,M,F,N)."""

    def __init__(
        self,
        feature_dim: int,
        temporal: str = "gru",
        hidden: int = 10,
        mlp_hidden: int = 32,
        base_opacity: float = 0.9,
    ) -> None:
        super().__init__()
        self.temporal_kind = temporal
        self.base_head = nn.Linear(feature_dim, 4)
        nn.init.zeros_(self.base_head.bias)
        with torch.no_grad():
            self.base_head.bias[3] = torch.logit(torch.tensor(base_opacity))
        recurrent = {"gru": nn.GRU, "rnn": nn.RNN, "lstm": nn.LSTM}
        if temporal in recurrent:
            self.temporal = recurrent[temporal](MOTION_DIM, hidden, num_layers=1, batch_first=True)
            state_dim = hidden
        elif temporal == "mlp":
            self.temporal = None
            state_dim = MOTION_DIM
        else:
            raise ValueError(f"unknown NFM temporal model {temporal!r}; expected gru, rnn, lstm or mlp")
        self.mlp = nn.Sequential(nn.Linear(feature_dim + state_dim, mlp_hidden), nn.SiLU(), nn.Linear(mlp_hidden, 5))
        nn.init.normal_(self.mlp[2].weight, std=1e-3)
        nn.init.zeros_(self.mlp[2].bias)

    def forward(self, features: torch.Tensor, motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, m, f, n, _ = motion.shape
        base = self.base_head(features)  # (B,M,N,4)
        if self.temporal is None:
            state = motion
        else:
            seq = motion.permute(0, 1, 3, 2, 4).reshape(b * m * n, f, MOTION_DIM)
            out, _ = self.temporal(seq)
            state = out.reshape(b, m, n, f, -1).permute(0, 1, 3, 2, 4)
        feats = features.unsqueeze(2).expand(b, m, f, n, features.shape[-1])
        mod = self.mlp(torch.cat([feats, state], dim=-1))  # (B,M,F,N,5)
        gate = torch.sigmoid(mod[..., 4:5])
        logits = base.unsqueeze(2) + gate * mod[..., :4]
        colour = torch.sigmoid(logits[..., :3])
        opacity = torch.sigmoid(logits[..., 3])
        return colour, opacity


class StaticAppearance(nn.Module):
    """The renderer without an NFM (the paper's 'w/o NFM'): colour and opacity from the appearance feature alone.

    The same linear head the NFM uses for its base RGBA, so the two variants
    start from the same picture; there is no motion input, no temporal model
    and no modulation, and the values are repeated over the frames.
    """

    def __init__(self, feature_dim: int, base_opacity: float = 0.9) -> None:
        super().__init__()
        self.head = nn.Linear(feature_dim, 4)
        nn.init.zeros_(self.head.bias)
        with torch.no_grad():
            self.head.bias[3] = torch.logit(torch.tensor(base_opacity))

    def forward(self, features: torch.Tensor, frames: int) -> tuple[torch.Tensor, torch.Tensor]:
        """features (B,M,N,D) -> colour (B,M,F,N,3), opacity (B,M,F,N)."""
        rgba = torch.sigmoid(self.head(features)).unsqueeze(2)
        b, m, _, n, _ = rgba.shape
        rgba = rgba.expand(b, m, frames, n, 4)
        return rgba[..., :3], rgba[..., 3]
