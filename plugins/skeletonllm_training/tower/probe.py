"""A linear probe on frozen features: does what a tower outputs carry the action?

The probe is a softmax regression (L2, L-BFGS, standardised features) from a clip's
features to its class, fitted on training clips and scored on held-out ones. The
features are the same function of any tower's tokens (each frame pooled to a
``grid x grid`` map, frames concatenated in time order), so a random tower, a
pretrained one and the raw pixels (pooled the same way) are compared on equal terms.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .heads import pooled_tokens
from .rendered import RenderedSet

#: the probe's pooled map per frame: 4 x 4 cells, the grid of tokens the language model gets after pixel
#: shuffle at 112 px (at 56 px the tower has 4 x 4 patches, so these are its tokens as they are)
PROBE_GRID = 4


@torch.no_grad()
def tower_features(backbone, data: RenderedSet, grid: int = PROBE_GRID, batch: int = 16) -> np.ndarray:
    """``(N, F * grid * grid * D)``: each frame's tokens pooled to ``grid x grid``, frames concatenated."""
    backbone.eval()
    device = next(backbone.parameters()).device
    out = []
    for start in range(0, len(data), batch):
        idx = torch.arange(start, min(start + batch, len(data)))
        tokens = backbone.encode_frames(data.images(idx).to(device)).float()
        out.append(pooled_tokens(tokens, grid).flatten(1).cpu().numpy())
    return np.concatenate(out)


def pixel_features(data: RenderedSet, cells: int = 8) -> np.ndarray:
    """``(N, F * 3 * cells * cells)``: each frame average-pooled to ``cells x cells`` colour cells."""
    n, f = data.frames.shape[:2]
    out = []
    for start in range(0, n, 64):
        images = data.images(slice(start, start + 64)).flatten(0, 1)
        out.append(F.adaptive_avg_pool2d(images, cells).reshape(-1, f * 3 * cells * cells).numpy())
    return np.concatenate(out)


def softmax_probe(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    classes: int,
    weight_decay: float = 1e-3,
    steps: int = 300,
) -> np.ndarray:
    """Predicted classes of ``x_test`` from a softmax regression fitted on standardised ``x_train``."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    xt = torch.from_numpy((x_train - mean) / std).float()
    xs = torch.from_numpy((x_test - mean) / std).float()
    yt = torch.from_numpy(np.asarray(y_train)).long()
    w = torch.zeros(xt.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=steps, history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(xt @ w + b, yt) + weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return (xs @ w + b).argmax(1).numpy()


def probe_accuracy(x_train, y_train, x_test, y_test, weight_decay: float = 1e-3) -> float:
    """Held-out accuracy of :func:`softmax_probe` (labels re-indexed to the training classes)."""
    classes = sorted(set(np.asarray(y_train).tolist()))
    index = {c: i for i, c in enumerate(classes)}
    train = np.array([index[int(c)] for c in y_train])
    predicted = softmax_probe(x_train, train, x_test, len(classes), weight_decay)
    return float((np.array(classes)[predicted] == np.asarray(y_test)).mean())
