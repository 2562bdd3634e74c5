"""What ``zero_shot_real.py`` runs: the rows (protocols on real datasets) and the methods, as pipeline specs.

Every method is a spec of registered components (nothing here trains or scores by
itself): the pipeline trains it on the row's seen classes and evaluates it on the
row's test clips, so all methods see the same clips, splits and candidates.

Rows:

- protocol 1, *unseen actions*: one dataset, its class split (NW-UCLA's published
  8/2 and 5/5 from the PURLS supplement; the seeded splits recorded for MSR Action3D,
  Bandai set 2 and SBU), trained on the seen classes of the protocol's train part,
  tested on its test part (ZSL: the unseen classes as candidates; GZSL: all classes);
- protocol 2, *unseen datasets*: trained on the train parts of every other real dataset
  plus SynthAct (a ``mixture``), tested on the held-out dataset's test part with its own
  class names as the candidates. A held-out class whose name also names a training
  class (e.g. MSRC-12's "throw" for NW-UCLA) counts as seen.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

#: dataset key -> (dataset section without root, folder under --data-root (None: generated), train split, test split)
DATASETS: dict[str, tuple[dict, str | None, str, str]] = {
    "nw_ucla": ({"name": "nw_ucla"}, "nw_ucla", "xview/train", "xview/test"),
    "msr_action3d": ({"name": "msr_action3d"}, "msr_action3d", "xsub/train", "xsub/test"),
    "msrc12": ({"name": "msrc12"}, "msrc12", "xsub/train", "xsub/test"),
    "sbu": ({"name": "sbu"}, "sbu", "fold1/train", "fold1/test"),
    "hdm05": ({"name": "hdm05"}, "hdm05", "xsub/train", "xsub/test"),
    "penn_action": ({"name": "penn_action"}, "penn_action", "default/train", "default/test"),
    "bandai2": ({"name": "bandai", "set": 2}, "bandai_namco", "takes/train", "takes/test"),
}
#: SynthAct joins every protocol-2 training mixture (one topology: Kinect v2)
SYNTHACT = {"name": "synthetic", "topology": "kinect_v2", "samples_per_class": 16}


@dataclass(frozen=True)
class Row:
    key: str
    protocol: int  # 1: unseen actions within a dataset; 2: an unseen dataset
    dataset: str  # the dataset tested on
    class_split: str | None = None  # protocol 1 only

    @property
    def title(self) -> str:
        if self.protocol == 1:
            return f"{self.dataset} {self.class_split}"
        return f"all others + SynthAct -> {self.dataset}"


ROWS: dict[str, Row] = {
    r.key: r
    for r in (
        Row("nw_ucla_8_2", 1, "nw_ucla", "8/2"),
        Row("nw_ucla_5_5", 1, "nw_ucla", "5/5"),
        Row("msr_15_5", 1, "msr_action3d", "15/5"),
        Row("bandai2_8_2", 1, "bandai2", "8/2"),
        Row("sbu_6_2", 1, "sbu", "6/2"),
        *(Row(f"to_{d}", 2, d) for d in DATASETS),
    )
}
#: the rows run first (the issue's budget): NW-UCLA 8/2, and NW-UCLA and MSR Action3D as the unseen datasets
FIRST = ["nw_ucla_8_2", "to_nw_ucla", "to_msr_action3d"]


@dataclass
class Method:
    """How one method is built and trained: spec sections merged into the row's spec."""

    name: str
    summary: str
    backbone: dict
    renderer: dict = field(default_factory=lambda: {"name": "stick", "frames": 32, "size": 16})
    stages: list[dict] = field(default_factory=list)
    optim: dict = field(default_factory=dict)
    eval: dict = field(default_factory=dict)
    deterministic: bool = False  # no training: one seed is the whole story
    needs: str | None = None  # a backbone option that must exist (a component not yet on this branch)


def _refine(steps: int, groups: list[str]) -> list[dict]:
    return [{"name": "refine", "max_steps": steps, "num_choices": None, "train": groups}]


JOINT_OPTIM = {"lr": 1e-3, "batch_size": 32, "warmup_steps": 20, "save_every": 10_000}
SMOL = {"name": "internvl3", "preset": "smol", "trainable": ["vision", "projector", "lora"]}
DRACTION = {"name": "draction", "frames": 4, "size": 56}
SMOL_OPTIM = {"lr": 1e-3, "batch_size": 4, "warmup_steps": 5, "save_every": 10_000}
#: the pretrained tower (``skeletonllm pretrain-vision`` / ``benchmarks/vision_pretrain.py --save-towers``):
#: the smol preset's own size, frozen; ``{tower}`` becomes ``--tower`` with the run's seed filled in
TOWER = {"tower_size": "mini", "vision_init": "{tower}"}

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "describe_match",
            "kinematic teacher's words vs class descriptions (MiniLM), no training",
            {"name": "describe_match"},
            eval={"question": "multiple_choice"},
            deterministic=True,
        ),
        Method(
            "text_prior",
            "align_descriptions with the clip replaced by one learned vector (cannot see the motion)",
            {"name": "skeleton_align", "blind": True, "text": ["name", "whole", "parts"]},
            stages=_refine(200, ["vision", "projector"]),
            optim=JOINT_OPTIM,
        ),
        Method(
            "align_names",
            "joint encoder aligned to MiniLM class-name embeddings",
            {"name": "skeleton_align", "text": ["name"]},
            stages=_refine(200, ["vision", "projector"]),
            optim=JOINT_OPTIM,
        ),
        Method(
            "align_descriptions",
            "joint encoder aligned to MiniLM embeddings of names, descriptions and part sentences",
            {"name": "skeleton_align", "text": ["name", "whole", "parts"]},
            stages=_refine(200, ["vision", "projector"]),
            optim=JOINT_OPTIM,
        ),
        Method(
            "clip_align",
            "random-init ViT-tiny on DrAction frames aligned to MiniLM names (lr 1e-4: 1e-3 collapses)",
            {"name": "clip_align", "frames": 4, "image_size": 64},
            renderer={**DRACTION, "size": 64},  # the spec checks the renderer draws the size the encoder reads
            stages=_refine(150, ["vision", "projector"]),
            optim={"lr": 1e-4, "batch_size": 16, "warmup_steps": 10, "save_every": 10_000},
        ),
        Method(
            "skeletonllm_smol",
            "DrAction + InternVL3 smol (random vision tower), refinement only",
            {**SMOL, "frames": 4, "image_size": 56},
            renderer=DRACTION,
            stages=_refine(48, ["vision", "projector", "lora"]),
            optim=SMOL_OPTIM,
            eval={"max_new_tokens": 12},
        ),
        Method(
            "skeletonllm_smol_tower",
            "DrAction + InternVL3 smol from the pretrained vision tower, refinement",
            {**SMOL, "frames": 4, "image_size": 56, **TOWER},
            renderer=DRACTION,
            stages=_refine(48, ["projector", "lora"]),
            optim=SMOL_OPTIM,
            eval={"max_new_tokens": 12},
            needs="vision_init",
        ),
        Method(
            "skeletonllm_smol_tower_cr",
            "as above with CR-Distill (kinematic teacher) before refinement",
            {**SMOL, "frames": 4, "image_size": 56, **TOWER},
            renderer=DRACTION,
            stages=[{"name": "cr_distill", "max_steps": 48, "num_choices": None}, *_refine(48, ["projector", "lora"])],
            optim=SMOL_OPTIM,
            eval={"max_new_tokens": 12},
            needs="vision_init",
        ),
        Method(
            "skeletonllm_smol_tower_rationale",
            "CR-Distill only, answering with the generated rationale then the label",
            {**SMOL, "frames": 4, "image_size": 56, **TOWER},
            renderer=DRACTION,
            stages=[{"name": "cr_distill", "max_steps": 96, "num_choices": None}],
            optim=SMOL_OPTIM,
            eval={"max_new_tokens": 200},
            needs="vision_init",
        ),
    )
}
#: methods that are ready on a CPU in minutes; the smol rows cost hours each (docs/zero_shot.md)
CHEAP = ["describe_match", "text_prior", "align_names", "align_descriptions", "clip_align"]


def dataset_section(key: str, data_root: Path) -> dict:
    """The dataset's spec section, its ``root`` under ``data_root`` (none for a generated dataset)."""
    section, folder, _, _ = DATASETS[key]
    return {**section, "root": str(data_root / folder)} if folder else dict(section)


def build_spec(
    row: Row, method: Method, seed: int, data_root: Path, out: Path, candidates: str, tower: str = "pretrained"
) -> dict:
    """The pipeline spec of one (row, method, seed); ``candidates`` is ``unseen`` or ``all`` (protocol 1).

    ``tower`` is the pretrained vision tower of the tower methods: ``pretrained`` (the cache) or a
    folder, where ``{seed}`` is the run's seed (one tower per seed).
    """
    _, _, train, test = DATASETS[row.dataset]
    backbone = copy.deepcopy(method.backbone)
    if backbone.get("vision_init") == "{tower}":
        backbone["vision_init"] = tower.format(seed=seed)
    spec: dict = {
        "renderer": copy.deepcopy(method.renderer),
        "backbone": {**backbone, "seed": seed},
        "stages": copy.deepcopy(method.stages),
        "optim": {**copy.deepcopy(method.optim), "seed": seed},
        "eval": {**copy.deepcopy(method.eval), "candidates": candidates},
        "output_dir": str(out),
    }
    if row.protocol == 1:
        spec["data"] = dataset_section(row.dataset, data_root)
        spec["split"] = {"train": train, "test": test, "class_split": row.class_split}
    else:
        parts = [
            {"data": dataset_section(key, data_root), "train": DATASETS[key][2], "test": DATASETS[key][3], "label": key}
            for key in DATASETS
            if key != row.dataset
        ]
        parts.append({"data": dict(SYNTHACT), "train": "xsub/train", "test": "xsub/test", "label": "synthact"})
        spec["data"] = {"name": "mixture", "parts": parts}
        spec["split"] = {"train": "mixed/train", "test": "mixed/test"}
        spec["eval"] = {**spec["eval"], "candidates": "all", "data": dataset_section(row.dataset, data_root)}
        spec["eval"]["split"] = test
    if not method.stages:
        spec["optim"].setdefault("save_every", 10_000)
    return spec
