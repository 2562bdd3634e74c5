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
    """

    name: str
    joint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    dims: int = 3
    parents: tuple[int, ...] | None = None
    source: str = ""
    groups: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
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

    @classmethod
    def from_parents(
        cls,
        name: str,
        joint_names: list[str] | tuple[str, ...],
        parents: list[int] | tuple[int, ...],
        dims: int = 3,
        source: str = "",
        groups: dict[str, tuple[int, ...]] | None = None,
    ) -> Topology:
        """Build from a kinematic tree: one bone per (parent, child) pair."""
        edges = tuple((p, j) for j, p in enumerate(parents) if p >= 0)
        return cls(name, tuple(joint_names), edges, dims, tuple(parents), source, dict(groups or {}))

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "joint_names": list(self.joint_names),
            "edges": [list(e) for e in self.edges],
            "dims": self.dims,
            "parents": list(self.parents) if self.parents is not None else None,
            "source": self.source,
        }
