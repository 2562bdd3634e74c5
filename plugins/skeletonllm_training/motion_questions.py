"""The paper's four Motion QA question kinds as registered ``Question`` components.

Each wraps its generator in :mod:`.motion_qa`; the clip's kinematic facts are
computed once per clip (:func:`motion_facts`) however many kinds ask about it.
A new kind is a ``Question`` subclass registered in ``plugin.py`` (or in any
plugin's ``register_questions``): the ``motion_qa`` stage's ``kinds`` option
names it, and its default asks every registered kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import numpy as np
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions, Question
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.tasks import ClipContext, TaskExample

from .kinematics import MotionFacts, analyse
from .motion_negatives import class_profiles, motion_profile, motion_similarity
from .motion_qa import causal, contrastive, fine_grained, temporal

_LAST: tuple[SkeletonSequence, MotionFacts] | None = None


def motion_facts(clip: ClipContext) -> MotionFacts:
    """The kinematic facts of ``clip``'s sequence; the last clip's are kept, as every kind asks about it in turn."""
    global _LAST
    if clip.sequence is None:
        raise SkeletonLLMError(f"motion_qa: clip {clip.sample_id!r} came without its skeleton sequence")
    if _LAST is None or _LAST[0] is not clip.sequence:
        _LAST = (clip.sequence, analyse(clip.sequence))
    return _LAST[1]


class TemporalQuestion(Question):
    name = "temporal"
    summary = "Motion QA: what happens first, what happens after something"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        return temporal(motion_facts(clip), rng)


class CausalQuestion(Question):
    name = "causal"
    summary = "Motion QA: why the body changes height, why the hands come close, why the body changes place"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        return causal(motion_facts(clip), rng)


class FineGrainedQuestion(Question):
    name = "fine_grained"
    summary = "Motion QA: which hand or leg, how many times, how fast compared with the usual performance"

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        synth = clip.sequence.meta.get("synth") if clip.sequence is not None else None
        return fine_grained(motion_facts(clip), rng, synth)


class ContrastiveOptions(PluginOptions):
    profile_clips: int = Field(20, ge=1, description="training clips per class averaged into its motion profile")


class ContrastiveQuestion(Question):
    """How this clip differs from a motion-near seen class's typical motion (needs :meth:`prepare`)."""

    name = "contrastive"
    summary = "Motion QA: how this clip differs from another class's typical motion"
    Options = ContrastiveOptions

    def __init__(self, options: ContrastiveOptions | None = None) -> None:
        super().__init__(options)
        self._profiles: np.ndarray | None = None

    def prepare(self, clips: Iterable[ClipContext]) -> None:
        clips = iter(clips)
        first = next(clips, None)
        if first is not None:
            self._profiles = class_profiles(chain([first], clips), len(first.class_names), self.options.profile_clips)

    def ask(self, clip: ClipContext, rng) -> TaskExample | None:
        profiles = self._profiles
        if profiles is None:
            return None
        known = [c for c in clip.seen if c != clip.label and not np.isnan(profiles[c]).any()]
        if not known:
            return None
        facts = motion_facts(clip)
        similarity = motion_similarity(profiles)
        row = similarity[clip.label] if not np.isnan(similarity[clip.label]).any() else np.zeros(len(profiles))
        nearest = sorted(known, key=lambda c: -row[c])[:3]
        other = int(nearest[int(rng.integers(len(nearest)))])
        spread = np.nanstd(profiles[list(clip.seen)], axis=0)
        return contrastive(facts, motion_profile(facts), profiles[other], clip.class_names[other], spread, rng)
