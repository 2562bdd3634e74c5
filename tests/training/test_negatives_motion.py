"""Disc-FT hard negatives by motion, by a neighbour file, by confusion, with names as the fallback."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pydantic import ValidationError

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.tasks import ClipContext
from skeletonllm_datasets.synthetic import ACTIONS, generate
from skeletonllm_datasets.synthetic.actions import BY_NAME
from skeletonllm_training.motion_negatives import (
    NegativeMiningOptions,
    build_negatives,
    class_profiles,
)

SEEN = list(range(len(ACTIONS)))


def _generator_limbs(action: str) -> set[str]:
    """The limbs the generator itself bends by 30 degrees or more for ``action`` (its ground truth)."""
    motions = BY_NAME[action].fn(np.linspace(0.0, 1.0, 200), 1.0, np.random.default_rng(0))
    limbs = set()
    for motion in motions:
        for joint, angles in motion.angles.items():
            if np.abs(angles).max() >= 30:
                arm = any(k in joint for k in ("shoulder", "elbow", "wrist", "hand"))
                leg = any(k in joint for k in ("hip", "knee", "ankle"))
                limbs.add("arm" if arm else "leg" if leg else "head" if "neck" in joint else "torso")
    return limbs


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


@pytest.fixture(scope="module")
def clips() -> list[ClipContext]:
    return [
        ClipContext(f"{c}_{i}", c, ACTIONS, SEEN, sequence=generate(action, "kinect_v2", 100 + i))
        for c, action in enumerate(ACTIONS)
        for i in range(4)
    ]


def test_motion_negatives_share_the_moving_limbs_more_often_than_chance_and_than_names(clips):
    limbs = {c: _generator_limbs(a) for c, a in enumerate(ACTIONS)}
    chance = np.mean([_jaccard(limbs[c], limbs[o]) for c in SEEN for o in SEEN if o != c])

    def shared(mining: str) -> float:
        negatives = build_negatives(NegativeMiningOptions(mining=mining, top_k=3), clips, ACTIONS, SEEN)
        return float(np.mean([_jaccard(limbs[c], limbs[n]) for c in SEEN for n in negatives[c]]))

    motion, names = shared("motion"), shared("names")
    print(f"limbs shared with mined negatives: motion {motion:.2f}, names {names:.2f}, random pairs {chance:.2f}")
    assert motion > chance + 0.15, (motion, chance)
    assert motion > names, (motion, names)


def test_motion_mining_only_uses_and_returns_seen_classes(clips):
    seen = [c for c in SEEN if c % 3]
    negatives = build_negatives(NegativeMiningOptions(mining="motion", top_k=2), clips, ACTIONS, seen)
    assert set(negatives) == set(seen)
    assert all(set(n) <= set(seen) and c not in n and len(n) == 2 for c, n in negatives.items())
    profiles = class_profiles(clips, len(ACTIONS), per_class=2)
    assert not np.isnan(profiles).any()
    with pytest.raises(SkeletonLLMError, match="needs the training clips"):
        build_negatives(NegativeMiningOptions(mining="motion"), None, ACTIONS, SEEN)


def test_a_neighbour_file_ranks_first_and_names_fill_the_rest(tmp_path):
    names = ["clapping", "rub two hands together", "cheer up", "hand waving", "kicking something"]
    path = tmp_path / "neighbours.yaml"
    path.write_text("Clapping: [hand waving, kicking something]\n", encoding="utf-8")
    options = NegativeMiningOptions(mining="file", neighbours=str(path), top_k=3)
    negatives = build_negatives(options, None, names, range(5))
    assert negatives[0][:2] == [3, 4]  # the file's ranking, then the closest remaining by name
    assert negatives[1] == build_negatives(NegativeMiningOptions(top_k=3), None, names, range(5))[1]
    as_json = tmp_path / "neighbours.json"
    as_json.write_text(json.dumps({"cheer up": ["clapping"]}), encoding="utf-8")
    assert (
        build_negatives(NegativeMiningOptions(mining="file", neighbours=str(as_json)), None, names, range(5))[2][0] == 0
    )


def test_a_neighbour_file_with_an_unknown_class_names_it_and_the_close_matches(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text("clapping: [hand wavin]\n", encoding="utf-8")
    with pytest.raises(
        SkeletonLLMError, match=r"entry 'clapping': unknown class 'hand wavin'; did you mean 'hand waving'"
    ):
        build_negatives(
            NegativeMiningOptions(mining="file", neighbours=str(path)), None, ["clapping", "hand waving"], [0, 1]
        )


def test_confusion_mining_and_its_checks():
    confusion = [[8, 0, 2], [1, 9, 0], [3, 0, 7]]
    negatives = build_negatives(
        NegativeMiningOptions(mining="confusion", confusion=confusion, top_k=1), None, ["a", "b", "c"], [0, 1, 2]
    )
    assert negatives[0] == [2] and negatives[1] == [0]
    with pytest.raises(SkeletonLLMError, match="expected 4 x 4"):
        build_negatives(NegativeMiningOptions(mining="confusion", confusion=confusion), None, list("abcd"), [0, 1])
    with pytest.raises(ValidationError, match="needs 'neighbours'"):
        NegativeMiningOptions(mining="file")
    with pytest.raises(ValidationError, match="needs a 'confusion' matrix"):
        NegativeMiningOptions(mining="confusion")


def test_profiles_stop_reading_the_stream_once_every_seen_class_is_full(clips):
    taken = []

    def stream():
        for clip in clips:
            taken.append(clip.sample_id)
            yield clip

    class_profiles(stream(), len(ACTIONS), per_class=1)
    assert len(taken) < len(clips)
    assert {c.label for c in clips if c.sample_id in taken} == set(SEEN)
