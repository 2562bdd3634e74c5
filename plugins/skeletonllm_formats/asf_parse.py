"""Acclaim ASF skeleton text -> typed data, with line numbers in every error (AMC motion: amc_parse).

Grammar: M. Schafer, "Acclaim Skeleton File Definition V1.10" (1994/95). In both
files ``#`` starts a comment; commas and parentheses count as white space.
ASF keywords start with a colon: ``:units`` (``mass``, ``length`` multipliers and
``angle deg|rad``), ``:root`` (``order`` of the AMC root channels, ``axis`` order
of the orientation offset, ``position``, ``orientation``), ``:bonedata`` (one
``begin ... end`` block per bone: ``name``, ``direction`` in global space at rest,
``length``, ``axis ax ay az ORDER``, ``dof`` tokens, ``limits``), ``:hierarchy``
(``begin``, lines ``parent child child ...``, ``end``); other sections
(``:documentation``, ``:skin``) are skipped. An AMC file has optional header
keywords (``:FULLY-SPECIFIED``, ``:DEGREES`` or ``:RADIANS``), then per frame
its number alone on a line and one line per bone: name, then one value per dof
token in the ASF order (the root: one per ``order`` token).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skeletonllm.errors import SkeletonDataError

ROTATIONS = ("rx", "ry", "rz")
TRANSLATIONS = ("tx", "ty", "tz")
DOF_TOKENS = (*ROTATIONS, *TRANSLATIONS, "l")
_BONE_KEYS = ("id", "name", "direction", "length", "axis", "dof", "limits", "bodymass", "cofmass")


@dataclass
class AsfBone:
    name: str
    direction: np.ndarray  # unit vector, global frame at rest
    length: float
    axis: np.ndarray  # angles of the bone's local frame, in the file's angle unit
    axis_order: str  # e.g. "XYZ"
    dofs: list[str] = field(default_factory=list)
    parent: int = -1  # index into AsfSkeleton.bones, -1 for the root


@dataclass
class AsfSkeleton:
    """The skeleton; ``bones[0]`` is the root (name ``root``, dofs from ``:root order``)."""

    bones: list[AsfBone]
    length_unit: float = 1.0  # ``:units length``: file value = local unit (inch) x this
    angle_unit: str = "deg"
    root_position: np.ndarray = field(default_factory=lambda: np.zeros(3))
    name: str = ""


def strip_line(line: str) -> list[str]:
    """Tokens of one line: comment cut, commas and parentheses as white space."""
    line = line.split("#", 1)[0]
    return line.replace(",", " ").replace("(", " ").replace(")", " ").split()


def decode(raw: bytes, path: Path) -> str:
    """Text of an Acclaim file; comments may hold any 8-bit text (HDM05's hold Latin-1 paths)."""
    if b"\x00" in raw[:65536]:
        raise SkeletonDataError("holds NUL bytes: not an Acclaim text file", source=path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _number(token: str, path: Path, line: int, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise SkeletonDataError(
            f"{token[:40]!r} is not a number (expected {what})", source=path, line=line, field=what
        ) from None
    if not math.isfinite(value):
        raise SkeletonDataError(
            f"{token!r} is not a finite number (expected {what})", source=path, line=line, field=what
        )
    return value


def _numbers(tokens: list[str], count: int, path: Path, line: int, what: str) -> np.ndarray:
    if len(tokens) < count:
        raise SkeletonDataError(
            f"expected {count} numbers ({what}), got {len(tokens)}", source=path, line=line, field=what
        )
    return np.array([_number(t, path, line, what) for t in tokens[:count]])


def _order(token: str, path: Path, line: int, what: str) -> str:
    order = token.upper()
    if len(order) != 3 or set(order) != set("XYZ"):
        raise SkeletonDataError(f"{token[:40]!r} is not a rotation order like XYZ", source=path, line=line, field=what)
    return order


def _root_block(lines: list[tuple[int, list[str]]], path: Path) -> AsfBone:
    root = AsfBone("root", np.zeros(3), 0.0, np.zeros(3), "XYZ")
    position = np.zeros(3)
    for no, toks in lines:
        key = toks[0].lower()
        if key == "order":
            dofs = [t.lower() for t in toks[1:]]
            bad = [t for t in dofs if t not in ROTATIONS + TRANSLATIONS]
            if bad or len(set(dofs)) != len(dofs):
                raise SkeletonDataError(
                    f"root order {' '.join(toks[1:])[:60]!r}: expected distinct TX TY TZ RX RY RZ tokens",
                    source=path,
                    line=no,
                    field="order",
                )
            root.dofs = dofs
        elif key == "axis":
            root.axis_order = _order(toks[1] if len(toks) > 1 else "", path, no, "axis")
        elif key == "position":
            position = _numbers(toks[1:], 3, path, no, "position")
        elif key == "orientation":
            root.axis = _numbers(toks[1:], 3, path, no, "orientation")
    root.direction = position  # carried to the skeleton below
    return root


def _bone_block(lines: list[tuple[int, list[str]]], path: Path) -> AsfBone:
    first = lines[0][0] if lines else 0
    found: dict[str, tuple[int, list[str]]] = {}
    current = None
    for no, toks in lines:
        key = toks[0].lower()
        if key in _BONE_KEYS:
            found[key] = (no, toks[1:])
            current = key
        elif current != "limits":  # limits continue on the following lines as (lo hi) pairs
            raise SkeletonDataError(f"unknown bone keyword {toks[0][:40]!r}", source=path, line=no, field="bonedata")
    for key in ("name", "direction", "length"):
        if key not in found:
            raise SkeletonDataError(f"bone block without {key!r}", source=path, line=first, field=key)
    no, toks = found["name"]
    if len(toks) != 1:
        raise SkeletonDataError("expected one bone name", source=path, line=no, field="name")
    name = toks[0]
    direction = _numbers(found["direction"][1], 3, path, found["direction"][0], f"direction of {name}")
    norm = float(np.linalg.norm(direction))
    if norm < 1e-12:
        raise SkeletonDataError(
            f"bone {name} has a zero direction vector", source=path, line=found["direction"][0], field="direction"
        )
    length = float(_numbers(found["length"][1], 1, path, found["length"][0], f"length of {name}")[0])
    if length < 0:
        raise SkeletonDataError(
            f"bone {name} has a negative length {length:g}", source=path, line=found["length"][0], field="length"
        )
    axis, order = np.zeros(3), "XYZ"
    if "axis" in found:
        no, toks = found["axis"]
        axis = _numbers(toks, 3, path, no, f"axis of {name}")
        order = _order(toks[3] if len(toks) > 3 else "XYZ", path, no, f"axis of {name}")
    dofs: list[str] = []
    if "dof" in found:
        no, toks = found["dof"]
        dofs = [t.lower() for t in toks]
        bad = [t for t in dofs if t not in DOF_TOKENS]
        if bad or len(set(dofs)) != len(dofs):
            raise SkeletonDataError(
                f"dof {' '.join(toks)[:60]!r} of {name}: expected distinct tokens among rx ry rz tx ty tz l",
                source=path,
                line=no,
                field="dof",
            )
    return AsfBone(name, direction / norm, length, axis, order, dofs)


def parse_asf(path: Path, text: str) -> AsfSkeleton:
    """The skeleton of an ASF file; bones in file order after the root, parents from ``:hierarchy``."""
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for no, line in enumerate(text.splitlines(), 1):
        toks = strip_line(line)
        if not toks:
            continue
        if toks[0].startswith(":"):
            current = toks[0][1:].lower()
            if current in sections:
                raise SkeletonDataError(f"section :{current} appears twice", source=path, line=no, field=current)
            sections[current] = [(no, toks[1:])] if len(toks) > 1 else []
        elif current is not None:
            sections[current].append((no, toks))
    for need in ("root", "bonedata", "hierarchy"):
        if need not in sections:
            raise SkeletonDataError(f"no :{need} section (not an ASF skeleton, or truncated)", source=path, field=need)
    skeleton = AsfSkeleton(bones=[_root_block([x for x in sections["root"] if x[1]], path)])
    skeleton.root_position = skeleton.bones[0].direction
    skeleton.bones[0].direction = np.zeros(3)
    skeleton.name = " ".join(sections.get("name", [(0, [])])[0][1]) if sections.get("name") else ""
    for no, toks in sections.get("units", []):
        key = toks[0].lower()
        if key == "length":
            skeleton.length_unit = float(_numbers(toks[1:], 1, path, no, "units length")[0])
            if skeleton.length_unit <= 0:
                raise SkeletonDataError("units length must be positive", source=path, line=no, field="units")
        elif key == "angle":
            unit = toks[1].lower() if len(toks) > 1 else ""
            if unit not in ("deg", "rad"):
                raise SkeletonDataError(
                    f"angle unit {unit[:20]!r}: expected deg or rad", source=path, line=no, field="units"
                )
            skeleton.angle_unit = unit
    block: list[tuple[int, list[str]]] | None = None
    for no, toks in sections["bonedata"]:
        word = toks[0].lower()
        if word == "begin":
            if block is not None:
                raise SkeletonDataError(
                    "'begin' inside a bone block (missing 'end'?)", source=path, line=no, field="bonedata"
                )
            block = []
        elif word == "end":
            if block is None:
                raise SkeletonDataError("'end' without 'begin'", source=path, line=no, field="bonedata")
            skeleton.bones.append(_bone_block(block, path))
            block = None
        elif block is None:
            raise SkeletonDataError(
                f"{toks[0][:40]!r} outside a begin/end block", source=path, line=no, field="bonedata"
            )
        else:
            block.append((no, toks))
    if block is not None:
        raise SkeletonDataError("bone block not closed by 'end' (file truncated?)", source=path, field="bonedata")
    _link(skeleton, sections["hierarchy"], path)
    return skeleton


def _link(skeleton: AsfSkeleton, lines: list[tuple[int, list[str]]], path: Path) -> None:
    """Parents from ``:hierarchy`` (lines in any order); every bone must hang from the root exactly once."""
    index: dict[str, int] = {}
    for i, bone in enumerate(skeleton.bones):
        if bone.name in index:
            raise SkeletonDataError(f"two bones are named {bone.name!r}", source=path, field="name")
        index[bone.name] = i
    parent_of: dict[int, int] = {}
    for no, toks in lines:
        if toks[0].lower() in ("begin", "end"):
            continue
        for name in toks:
            if name not in index:
                raise SkeletonDataError(
                    f"hierarchy names {name[:40]!r}, which is not a bone", source=path, line=no, field="hierarchy"
                )
        parent = index[toks[0]]
        for child_name in toks[1:]:
            child = index[child_name]
            if child in parent_of or child == 0:
                raise SkeletonDataError(
                    f"hierarchy gives {child_name[:40]} a second parent", source=path, line=no, field="hierarchy"
                )
            parent_of[child] = parent
    for child, parent in parent_of.items():
        skeleton.bones[child].parent = parent
    loose = [b.name for i, b in enumerate(skeleton.bones) if i and i not in parent_of]
    if loose:
        raise SkeletonDataError(
            f"bones missing from :hierarchy: {', '.join(loose[:5])}", source=path, field="hierarchy"
        )
    reached = set(tree_order([b.parent for b in skeleton.bones]))
    cycle = [b.name for i, b in enumerate(skeleton.bones) if i not in reached]
    if cycle:
        raise SkeletonDataError(
            f"bones in a loop, not hanging from the root: {', '.join(cycle[:5])}", source=path, field="hierarchy"
        )


def tree_order(parents: list[int]) -> list[int]:
    """Indices reachable from the roots, every parent before its children (breadth first)."""
    children: dict[int, list[int]] = {}
    for j, p in enumerate(parents):
        children.setdefault(p, []).append(j)
    order = list(children.get(-1, []))
    for j in order:  # the list grows while it is walked
        order.extend(children.get(j, []))
    return order
