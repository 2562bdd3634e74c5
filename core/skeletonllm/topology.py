"""Skeleton topology: the only place a joint count is allowed to live.

Every format plugin declares one; renderers and models derive everything
(Gaussians, bone lists, colours) from it, so a new skeleton needs no change
anywhere else in the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import SkeletonDataError


@dataclass(frozen=True)
class Topology:
    """Joint names, bones and dimensionality of a skeleton layout.

    ``edges`` are undirected bones as ``(a, b)`` joint indices. ``parents``
    (optional) is a kinematic tree with ``-1`` for roots; formats with a
    hierarchy (BVH, SMPL) provide it, graph-only formats (COCO) need not.
    ``source`` says where the layout comes from, so numbers can be traced.

    ``up_axis`` is the file's vertical direction: ``"y"``, ``"z"``, ``"x"`` or
    one of them negated. Readers set it because only they know it (NTU and
    HumanML3D are y-up, AMASS is z-up, BVH is sniffed per file); renderers
    turn every clip so that it points up on screen (``up_rotation``). Left
    empty it takes the old implicit convention: ``"y"`` for 3D, ``"-y"``
    (image rows grow downwards) for 2D, so existing code is unchanged.
    """

    name: str
    joint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    dims: int = 3
    parents: tuple[int, ...] | None = None
    source: str = ""
    groups: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)
    up_axis: str = ""

    def __post_init__(self) -> None:
        if not self.up_axis:
            object.__setattr__(self, "up_axis", "y" if self.dims == 3 else "-y")
        object.__setattr__(self, "joint_names", tuple(self.joint_names))
        object.__setattr__(self, "edges", tuple((int(a), int(b)) for a, b in self.edges))
        if self.parents is not None:
            object.__setattr__(self, "parents", tuple(int(p) for p in self.parents))
        v = len(self.joint_names)
        if v == 0:
            raise SkeletonDataError("a topology needs at least one joint", field="joint_names")
        if len(set(self.joint_names)) != v:
            dupes = sorted({n for n in self.joint_names if self.joint_names.count(n) > 1})
            raise SkeletonDataError(f"duplicate joint names {dupes}", field="joint_names")
        if self.dims not in (2, 3):
            raise SkeletonDataError(f"dims must be 2 or 3, got {self.dims}", field="dims")
        for i, (a, b) in enumerate(self.edges):
            if not (0 <= a < v and 0 <= b < v) or a == b:
                raise SkeletonDataError(
                    f"edge {i} = ({a}, {b}) is not a bone between two of the {v} joints",
                    field="edges",
                )
        if self.parents is not None:
            if len(self.parents) != v:
                raise SkeletonDataError(
                    f"parents has {len(self.parents)} entries, expected one per joint ({v})",
                    field="parents",
                )
            for j, p in enumerate(self.parents):
                if not (-1 <= p < v) or p == j:
                    raise SkeletonDataError(f"joint {j} has invalid parent {p}", field="parents")
        allowed = UP_AXES if self.dims == 3 else tuple(a for a in UP_AXES if a.lstrip("-") in "xy")
        if self.up_axis not in allowed:
            raise SkeletonDataError(
                f"up_axis {self.up_axis!r} is not one of {', '.join(allowed)} for a {self.dims}D topology",
                field="up_axis",
            )
        for group, joints in self.groups.items():
            if any(not 0 <= j < v for j in joints):
                raise SkeletonDataError(f"group {group!r} names a joint outside 0..{v - 1}", field="groups")

    @property
    def num_joints(self) -> int:
        return len(self.joint_names)

    @property
    def num_edges(self) -> int:
        return len(self.edges)

    def index(self, joint_name: str) -> int:
        """Index of a joint by name (clear error listing the names if absent)."""
        try:
            return self.joint_names.index(joint_name)
        except ValueError:
            raise SkeletonDataError(
                f"topology {self.name!r} has no joint {joint_name!r}; joints: {', '.join(self.joint_names)}"
            ) from None

    def up_rotation(self) -> tuple[tuple[float, float, float], ...]:
        """3x3 rotation (row-major, a proper rotation: never a mirror) taking this file's axes to y-up.

        Applied to ``(x, y, z)`` (2D points lifted with ``z = 0``) it leaves a
        y-up file alone and turns the others so that ``up_axis`` becomes +y;
        the handedness of the file is kept, so left stays left.
        """
        return _UP_ROTATIONS[self.up_axis]

    @classmethod
    def from_parents(
        cls,
        name: str,
        joint_names: list[str] | tuple[str, ...],
        parents: list[int] | tuple[int, ...],
        dims: int = 3,
        source: str = "",
        groups: dict[str, tuple[int, ...]] | None = None,
        up_axis: str = "",
    ) -> Topology:
        """Build from a kinematic tree: one bone per (parent, child) pair."""
        edges = tuple((p, j) for j, p in enumerate(parents) if p >= 0)
        return cls(name, tuple(joint_names), edges, dims, tuple(parents), source, dict(groups or {}), up_axis)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "joint_names": list(self.joint_names),
            "edges": [list(e) for e in self.edges],
            "dims": self.dims,
            "parents": list(self.parents) if self.parents is not None else None,
            "source": self.source,
            "up_axis": self.up_axis,
        }


#: the vertical directions a file may declare
UP_AXES = ("y", "z", "x", "-y", "-z", "-x")

# rotations taking each up axis to +y; each row says where the new x, y, z come from
_UP_ROTATIONS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "y": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "-y": ((1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, -1.0)),  # half-turn about x
    "z": ((1.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, -1.0, 0.0)),  # quarter-turn about x
    "-z": ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
    "x": ((0.0, -1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),  # quarter-turn about z
    "-x": ((0.0, 1.0, 0.0), (-1.0, 0.0, 0.0), (0.0, 0.0, 1.0)),
}
