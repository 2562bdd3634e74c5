"""Rasterisers: one interface, interchangeable backends (``torch``, ``dense``, ``gsplat``)."""

from __future__ import annotations

from .base import GaussianScene, Rasteriser
from .dense import DenseRasteriser
from .gsplat_backend import GsplatRasteriser
from .tiles import TileRasteriser

BACKENDS: dict[str, type[Rasteriser]] = {
    "torch": TileRasteriser,
    "dense": DenseRasteriser,
    "gsplat": GsplatRasteriser,
}


def make_rasteriser(name: str, tile_size: int = 16) -> Rasteriser:
    """Build a backend by name; the gsplat one checks for CUDA here, not mid-forward."""
    if name == "torch":
        return TileRasteriser(tile_size=tile_size)
    if name not in BACKENDS:
        raise ValueError(f"unknown rasteriser backend {name!r}; choose one of {sorted(BACKENDS)}")
    return BACKENDS[name]()


__all__ = ["BACKENDS", "GaussianScene", "Rasteriser", "make_rasteriser"]
