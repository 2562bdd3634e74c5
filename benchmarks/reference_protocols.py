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
    note: str = ""  # why there is no published figure, or how the peer's protocol differs
    folder: str = ""  # the data root's sub-folder, when not named like the plugin

    def options(self, root: Path) -> dict[str, Any]:
        return {"root": str(root), **self.extra_options}


PROTOCOLS: dict[str, Protocol] = {
    "nw_ucla": Protocol(
        folds=(("xview/train", "xview/test"),),
        describe="cross-view: views 1, 2 train, view 3 tests",
        published={
            "method": "CTR-GCN",
            "accuracy": 96.5,
            "source": "Chen et al., ICCV 2021, comparison with the state of the art on NW-UCLA "
            "(four streams ensembled: joint, bone, joint motion, bone motion)",
        },
        yaw=60.0,
    ),
    "msr_action3d": Protocol(
        folds=(("xsub/train", "xsub/test"),),
        describe="cross-subject: subjects 1, 3, 5, 7, 9 train, all 20 actions",
        published={
            "method": "Moving Pose",
            "accuracy": 91.7,
            "source": "Zanfir, Leordeanu, Sminchisescu, ICCV 2013, MSR Action3D with the protocol of "
            "Wang et al. CVPR 2012 (skeleton only; Wang et al.'s Actionlet Ensemble, which adds depth, 88.2)",
        },
        yaw=30.0,
    ),
    "msrc12": Protocol(
        folds=(("xsub/train", "xsub/test"),),
        describe="cross-person: odd persons train (this project's split; MSRC-12 ships none)",
        published=None,
        note="no figure on this split: MSRC-12 ships no train/test split, and papers each use their own",
        yaw=30.0,
    ),
    "sbu": Protocol(
        folds=tuple((f"fold{k}/train", f"fold{k}/test") for k in range(1, 6)),
        describe="the official 5-fold cross-validation (mean over folds)",
        published={
            "method": "ST-LSTM + Trust Gate",
            "accuracy": 93.3,
            "source": "Liu, Shahroudy, Xu, Wang, ECCV 2016, SBU Interaction results (5-fold cross-validation)",
        },
        persons=2,
        yaw=30.0,
    ),
    "hdm05": Protocol(
        folds=(("xsub/train", "xsub/test"),),
        describe="the given train/test folders (actors bd, bk, dg train; mm, tr test), 11 classes",
        published=None,
        note="no figure found for this subset and split (the JointLearning-HDM05 repository that defines it "
        "reports none); HDM05 papers mostly use the 65-class or other subsets",
        yaw=180.0,  # optical mocap: the performer faces any way
    ),
    "penn_action": Protocol(
        folds=(("default/train", "default/test"),),
        describe="the official train flag, 15 actions, 13 joints in 2D",
        published=None,
        note="no skeleton-only figure on ground-truth joints with the official split could be confirmed "
        "with the search tool (published pose-based results use estimated poses, most with RGB as well)",
        yaw=0.0,
    ),
    "bandai": Protocol(
        folds=(("takes/train", "takes/test"),),
        describe="set 2, 10 contents, this project's seeded take-level split (no published split)",
        published=None,
        note="no published content-recognition figure for Bandai-Namco set 2",
        folder="bandai_namco",
        yaw=180.0,
    ),
}
