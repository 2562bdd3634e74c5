"""Hard negatives for Disc-FT by *motion*: classes whose skeletons move alike.

The paper pairs each class with the classes a model is likely to confuse it
with. Name similarity pairs "clapping" with "cheer up" because of letters;
what a model confuses is motion. Sources, best first:

- ``motion``: per-class kinematic profiles averaged over the seen training
  clips (which body parts move and how far, the main direction, speed,
  repetitions, lowering, take-off, contacts, a partner), compared after
  standardising each feature over the classes;
- ``file``: a ranked neighbour file (YAML or JSON, class -> most similar
  classes, the shape of the paper's GPT-4o ranking);
- ``confusion``: a confusion matrix of an earlier evaluation;
- ``names``: character-trigram similarity of class names, also the fallback
  for any class the chosen source says nothing about.

:func:`build_negatives` is the one entry point (Disc-FT calls it from ``prepare``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import Field, model_validator

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions
from skeletonllm.tasks import ClipContext

from .kinematics import MotionFacts, analyse
from .negatives import confusion_similarity, mine_hard_negatives, name_similarity

#: profile features; arms and legs are folded into the more and the less moving one, so a class
#: performed with either hand (SynthAct mirrors one-sided actions) has one profile
FEATURES = (
    "head",
    "torso",
    "arm_major",
    "arm_minor",
    "leg_major",
    "leg_minor",
    "axis_up",
    "axis_side",
    "axis_forward",
    "speed",
    "repetitions",
    "lowering",
    "airborne",
    "hands_meet",
    "hand_near_head",
    "travel",
    "partner",
)
#: the moving body parts decide most: their features count double
_WEIGHTS = np.array([2.0] * 6 + [1.0] * (len(FEATURES) - 6))


class NegativeMiningOptions(PluginOptions):
    """Disc-FT's hard-negative options; ``DiscFTOptions`` can inherit these fields as they are."""

    top_k: int = Field(3, ge=1, description="hard negatives kept per class")
    mining: Literal["motion", "file", "confusion", "names"] = Field(
        "names", description="where class similarity comes from; names also fill in what the others lack"
    )
    neighbours: str | None = Field(
        None, description="YAML/JSON file: class name -> most similar class names, best first (mining='file')"
    )
    confusion: list[list[float]] | None = Field(None, description="C x C confusion counts when mining='confusion'")
    profile_clips: int = Field(
        20, ge=1, description="training clips per class averaged into its motion profile (mining='motion')"
    )

    @model_validator(mode="after")
    def _source_given(self) -> NegativeMiningOptions:
        if self.mining == "file" and not self.neighbours:
            raise ValueError("mining='file' needs 'neighbours': the path of a class -> neighbours file")
        if self.mining == "confusion" and self.confusion is None:
            raise ValueError("mining='confusion' needs a 'confusion' matrix")
        return self


def motion_profile(facts: MotionFacts) -> np.ndarray:
    """One clip's feature vector (see :data:`FEATURES`)."""
    person = facts.main
    amount = {p.part: p.amount for p in person.parts}
    arms = sorted((amount.get("left_arm", 0.0), amount.get("right_arm", 0.0)), reverse=True)
    legs = sorted((amount.get("left_leg", 0.0), amount.get("right_leg", 0.0)), reverse=True)
    axis = person.main.axis
    return np.array(
        [
            amount.get("head", 0.0),
            amount.get("torso", 0.0),
            *arms,
            *legs,
            float(axis == "up"),
            float(axis == "left"),
            float(axis == "forward"),
            np.log1p(person.main.speed),
            np.log(person.main.repetitions),
            person.lowering,
            person.airborne,
            float(person.hands_meet > 0),
            float(person.hand_near_head is not None),
            float(np.hypot(*person.travel.values())) if person.travel else 0.0,
            float(len(facts.persons) >= 2),
        ]
    )


def class_profiles(clips: Iterable[ClipContext], num_classes: int, per_class: int = 20) -> np.ndarray:
    """``(C, F)`` mean profile per class over at most ``per_class`` clips; NaN rows for classes without clips.

    A class stops costing analysis time once it has ``per_class`` profiles, and
    the stream is left unread once every seen class has them (clips load lazily).
    """
    sums = np.zeros((num_classes, len(FEATURES)))
    counts = np.zeros(num_classes, dtype=int)
    wanted: set[int] | None = None
    for clip in clips:
        if wanted is None:
            wanted = set(clip.seen)
        if counts[clip.label] >= per_class:
            continue
        if clip.sequence is None:
            raise SkeletonLLMError(f"motion negatives: clip {clip.sample_id!r} came without its skeleton sequence")
        sums[clip.label] += motion_profile(analyse(clip.sequence))
        counts[clip.label] += 1
        if all(counts[c] >= per_class for c in wanted):
            break  # every seen class is full: the rest of the stream is never loaded
    profiles = sums / np.maximum(counts, 1)[:, None]
    profiles[counts == 0] = np.nan
    return profiles


def motion_similarity(profiles: np.ndarray) -> np.ndarray:
    """``(C, C)`` similarity in (0, 1]: a Gaussian of the weighted distance between standardised profiles.

    Rows of classes without a profile are NaN (the caller fills them from names).
    """
    known = ~np.isnan(profiles).any(axis=1)
    out = np.full((len(profiles), len(profiles)), np.nan)
    if known.sum() < 2:
        return out
    rows = profiles[known]
    spread = rows.std(axis=0)
    scaled = (rows - rows.mean(axis=0)) / np.where(spread > 1e-9, spread, 1.0) * _WEIGHTS
    dist = np.linalg.norm(scaled[:, None] - scaled[None], axis=-1)
    scale = np.median(dist[np.triu_indices(len(rows), 1)]) or 1.0
    idx = np.flatnonzero(known)
    out[np.ix_(idx, idx)] = np.exp(-((dist / scale) ** 2))
    return out


def read_neighbours(path: str | Path, class_names: Sequence[str]) -> dict[int, list[int]]:
    """A ranked neighbour file (YAML or JSON mapping class -> [classes, best first]) as class ids.

    Names match case-insensitively; an unknown name is an error with the close matches.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SkeletonLLMError(f"{path}: cannot read the neighbour file: {exc}") from None
    if not isinstance(data, dict):
        raise SkeletonLLMError(f"{path}: expected a mapping of class name -> list of class names")
    lookup = {name.lower().strip(): i for i, name in enumerate(class_names)}

    def resolve(name: object, where: str) -> int:
        key = str(name).lower().strip()
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise SkeletonLLMError(f"{path}: {where}: unknown class {name!r}{hint}")
        return lookup[key]

    out: dict[int, list[int]] = {}
    for name, ranked in data.items():
        if not isinstance(ranked, list):
            raise SkeletonLLMError(
                f"{path}: entry {name!r}: expected a list of class names, got {type(ranked).__name__}"
            )
        cls = resolve(name, "key")
        out[cls] = [n for n in (resolve(r, f"entry {name!r}") for r in ranked) if n != cls]
    return out


def neighbour_similarity(neighbours: dict[int, list[int]], num_classes: int) -> np.ndarray:
    """Rank r in a class's list becomes similarity 1 / (1 + r); rows the file lacks are NaN."""
    out = np.full((num_classes, num_classes), np.nan)
    for cls, ranked in neighbours.items():
        out[cls] = 0.0
        for rank, other in enumerate(ranked):
            out[cls, other] = max(out[cls, other], 1.0 / (1.0 + rank))
    return out


def with_name_fallback(similarity: np.ndarray, class_names: Sequence[str]) -> np.ndarray:
    """Fill NaN entries (classes a source says nothing about) and break ties, from name similarity.

    The name term is scaled below any real difference of the source, so it only
    orders classes the source ranks equally (e.g. beyond a neighbour list's end).
    """
    names = name_similarity(list(class_names))
    out = np.where(np.isnan(similarity), names, similarity + 1e-3 * names)
    return out


def build_negatives(
    options: NegativeMiningOptions,
    clips: Iterable[ClipContext] | None,
    class_names: Sequence[str],
    seen: Sequence[int],
) -> dict[int, list[int]]:
    """Each seen class's ``top_k`` hard negatives among the other seen classes, from ``options.mining``."""
    mining, n = options.mining, len(class_names)
    if mining == "motion":
        if clips is None:
            raise SkeletonLLMError("mining='motion' needs the training clips (call from the stage's prepare)")
        seen_set = set(seen)
        own = (c for c in clips if c.label in seen_set)
        similarity = motion_similarity(class_profiles(own, n, options.profile_clips))
    elif mining == "file":
        similarity = neighbour_similarity(read_neighbours(options.neighbours or "", class_names), n)
    elif mining == "confusion":
        similarity = confusion_similarity(np.asarray(options.confusion, dtype=np.float64))
        if similarity.shape != (n, n):
            raise SkeletonLLMError(f"the confusion matrix is {similarity.shape}, expected {n} x {n} classes")
    else:
        similarity = np.full((n, n), np.nan)
    return mine_hard_negatives(with_name_fallback(similarity, class_names), list(seen), options.top_k)
