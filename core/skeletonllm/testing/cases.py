"""Small skeleton inputs for contract tests: any topology, 2D or 3D, one or two persons."""

from __future__ import annotations

import numpy as np

from ..registry import Registry, get_registry
from ..sequence import SkeletonSequence
from ..topology import Topology

#: a file-defined skeleton as a BVH reader would build it: no groups, parts only from names
BVH_LIKE = Topology.from_parents(
    name="bvh_like",
    joint_names=("Hips", "LeftUpLeg", "LeftLeg", "RightUpLeg", "RightLeg", "Spine", "Head", "LeftArm", "RightArm"),
    parents=(-1, 0, 1, 0, 3, 0, 5, 5, 5),
)


def kit_topologies(registry: Registry | None = None) -> dict[str, Topology]:
    """Every topology an installed format declares, plus a file-defined (BVH-like) one, by name.

    Renderers are checked on all of them: a renderer must draw any skeleton, not the one it was written for.
    """
    registry = registry or get_registry()
    found = {BVH_LIKE.name: BVH_LIKE}
    for info in registry.infos("format"):
        topology = getattr(info.cls, "topology", None)
        if isinstance(topology, Topology):
            found.setdefault(topology.name, topology)
    return dict(sorted(found.items()))


def moving_positions(topology: Topology, frames: int, seed: int = 0, shift: float = 0.0) -> np.ndarray:
    """``(frames, V, C)``: a random but smooth figure (joints spread over a body-sized box) that sways.

    2D layouts get pixel-like coordinates (y down, hundreds of units) and 3D
    ones metre-like coordinates (y up, a few metres deep), as real files do.
    """
    rng = np.random.default_rng(seed)
    v, c = topology.num_joints, topology.dims
    base = rng.uniform(-0.4, 0.4, (v, c)) * np.array([1.0, 2.0, 0.5][:c])
    t = np.arange(frames)[:, None, None] / max(frames - 1, 1)
    sway = 0.15 * np.sin(2 * np.pi * t + rng.uniform(0, 6, (1, v, 1)))
    pos = base[None] + sway
    pos[..., 0] += shift
    if c == 3:
        pos[..., 2] += 3.0
        return pos.astype(np.float32)
    return (pos * np.array([200.0, -200.0]) + np.array([320.0, 240.0])).astype(np.float32)


def sequence(topology: Topology, frames: int = 6, persons: int = 1, seed: int = 0) -> SkeletonSequence:
    """``persons`` moving figures side by side."""
    pos = np.stack([moving_positions(topology, frames, seed + m, shift=1.2 * m) for m in range(persons)])
    return SkeletonSequence(pos, topology, fps=30.0, meta={"source": f"test:{topology.name}"})


def batch_of(topology: Topology, frames: int = 4, persons: int = 1, seed: int = 0):  # noqa: ANN201 - SkeletonBatch
    """A one-clip batch with every frame of :func:`sequence` (imports torch)."""
    from ..batch import SkeletonBatch

    return SkeletonBatch.from_sequences([sequence(topology, frames, persons, seed)], frames=None)


def occupancy(frame, threshold: float = 0.1):  # noqa: ANN001, ANN201 - torch tensors
    """``(H, W)`` bool: pixels that differ from the frame's top-left (background) colour."""
    corner = frame[:, :1, :1]
    return (frame - corner).abs().amax(0) > threshold


#: class names of the kit's clips; the last is unseen (held out of training)
KIT_CLASSES = ("wave one hand", "jump up", "kick something", "sit down", "clap")
KIT_SEEN = (0, 1, 2, 3)
KIT_UNSEEN = 4


def rich_topology(dims: int = 3, registry: Registry | None = None) -> Topology:
    """The installed ``dims``-D topology with the most joints (the kit's BVH-like one when none is installed)."""
    found = [t for t in kit_topologies(registry).values() if t.dims == dims]
    return max(found, key=lambda t: (t.num_joints, bool(t.groups), t.name))


def turned_up(seq: SkeletonSequence, up_axis: str = "z") -> SkeletonSequence:
    """The same motion written in axes whose vertical is ``up_axis`` (a z-up file of a y-up clip).

    ``Topology.up_rotation`` of the new topology turns it back exactly (its entries are 0 and 1),
    so a component that honours the up axis sees the very same motion.
    """
    import dataclasses

    topology = dataclasses.replace(seq.topology, up_axis=up_axis)
    # row vectors: y-up = old @ R_old.T, and new = y-up @ R_new (R_new.T inverts the new file's turn)
    rotation = np.asarray(seq.topology.up_rotation(), dtype=np.float64).T @ np.asarray(topology.up_rotation())
    positions = (seq.positions.astype(np.float64) @ rotation).astype(np.float32)
    positions[~seq.mask] = 0.0
    return SkeletonSequence(positions, topology, fps=seq.fps, mask=seq.mask.copy(), meta=dict(seq.meta))


def clip_context(
    label: int,
    seed: int = 0,
    frames: int = 16,
    topology: Topology | None = None,
    sequence_of: SkeletonSequence | None = None,
):  # noqa: ANN201 - a ClipContext
    """A training clip of ``KIT_CLASSES[label]`` with its loaded sequence, text and references."""
    from ..tasks import ClipContext

    seq = sequence_of if sequence_of is not None else sequence(topology or rich_topology(), frames, seed=seed)
    return ClipContext(
        sample_id=f"kit_{label}_{seed}",
        label=label,
        class_names=KIT_CLASSES,
        seen=KIT_SEEN,
        text="a person moves their arms and legs",
        references=("a person moves their arms and legs", "someone moves"),
        sequence=seq,
        meta={},
    )
