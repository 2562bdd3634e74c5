"""Per dataset: the official protocol the reference classifier trains on, and a peer's published figure.

Each published figure names the method, the paper and where in it the number is, for the
same protocol (same split, same classes); where several streams or an ensemble gave the
headline number, that is said too, because our network is a single small model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Protocol:
    """Which splits train and test (several pairs = folds, averaged), and the peer's figure."""

    folds: tuple[tuple[str, str], ...]
    describe: str
    published: dict[str, Any] | None
    persons: int = 1
    yaw: float = 45.0  # degrees of random turn about the vertical in training (0 for 2D images)
    extra_options: dict[str, Any] = field(default_factory=dict)

    def options(self, root: Path) -> dict[str, Any]:
        return {"root": str(root), **self.extra_options}


PROTOCOLS: dict[str, Protocol] = {
    "nw_ucla": Protocol(
        folds=(("xview/train", "xview/test"),),
        describe="cross-view: views 1, 2 train, view 3 tests",
        published={
            "method": "CTR-GCN",
            "accuracy": 96.5,
            "source": "Chen et al., ICCV 2021, Table 7 (NW-UCLA, 4-stream ensemble; joint stream alone "
            "94.5 in their ablations is not reported for NW-UCLA)",
        },
        yaw=60.0,
    ),
}
