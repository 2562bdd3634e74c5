"""SynthAct: the procedural benchmark built from ``generate`` (the ``synthetic`` dataset plugin).

Definition (deterministic for given options):

- classes: ``ACTIONS`` (21 actions named as in NTU RGB+D, confusable pairs included);
- sample ``i`` of class ``c``: ``generate(ACTIONS[c], topology, seed * 1_000_003 + c * 10_007 + i,
  subject=seed * 1_000 + s)`` with performer ``s = 1 + i % subjects``;
- protocol ``xsub``: performers with ``s % 4 == 0`` are the test set (4 of the default 16), so
  test bodies (height, proportions) never appear in training;
- text: a per-clip sentence from the drawn performance (speed, side, amplitude, repetitions;
  ``describe.py``), with three references in ``meta['references']`` and the facts in
  ``meta['facts']``;
- class splits ``16/5`` and ``11/10``: the unseen classes each have a confusable seen partner
  (rub hands vs clapping, salute vs waving, squat vs sit, step vs kick, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from pydantic import Field, field_validator

from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import ClassDescription, ClassSplit, Dataset, Sample

from ..descriptions import describe_classes
from ..splitting import allowed_classes, filter_classes, parse_split
from . import ACTIONS, TOPOLOGIES, generate
from .describe import clip_facts, describe
from .generator import MAX_FRAMES

UNSEEN_5 = ("rub two hands together", "salute", "squat down", "step forward", "handshaking")
UNSEEN_10 = UNSEEN_5 + (
    "hands up (both hands)",
    "hopping (one foot jumping)",
    "shake head",
    "drink water",
    "pushing other person",
)
SOURCE = "SkeletonLLM SynthAct definition (skeletonllm_datasets.synthetic.dataset, docs/datasets.md)"


def _class_split(unseen_names: tuple[str, ...]) -> ClassSplit:
    unseen = tuple(sorted(ACTIONS.index(n) for n in unseen_names))
    seen = tuple(i for i in range(len(ACTIONS)) if i not in unseen)
    return ClassSplit(f"{len(seen)}/{len(unseen)}", seen, unseen, SOURCE)


class SynthActOptions(PluginOptions):
    """How much SynthAct to make and in which skeleton layout."""

    topology: str = "kinect_v2"
    samples_per_class: int = Field(40, ge=1, le=10_000)
    subjects: int = Field(16, ge=4, le=10_000)
    seed: int = 0
    frames: int | None = Field(None, ge=2, le=MAX_FRAMES)
    randomize: bool = True
    actions: list[str] | None = Field(
        None, min_length=2, description="a subset of the actions (e.g. for quick demos); labels follow this order"
    )

    @field_validator("actions")
    @classmethod
    def _known_actions(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            unknown = [a for a in v if a not in ACTIONS]
            if unknown:
                raise ValueError(f"unknown actions {unknown}; SynthAct has: {', '.join(ACTIONS)}")
            if len(set(v)) != len(v):
                raise ValueError("actions are listed twice")
        return v

    @field_validator("topology")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in TOPOLOGIES:
            raise ValueError(f"unknown topology {v!r}; expected one of {', '.join(TOPOLOGIES)}")
        return v


def is_test_subject(subject: int) -> bool:
    """The xsub rule: every fourth performer is held out."""
    return subject % 4 == 0


class SynthActDataset(Dataset):
    name: ClassVar[str] = "synthetic"
    summary: ClassVar[str] = "SynthAct: procedural actions emitted in every topology"
    Options: ClassVar[type[PluginOptions]] = SynthActOptions

    @property
    def class_names(self) -> list[str]:
        return list(self.options.actions or ACTIONS)

    def protocols(self) -> list[str]:
        return ["xsub"]

    def class_descriptions(self) -> dict[str, ClassDescription]:
        return describe_classes("synthetic", self.class_names)

    def protocol_description(self, protocol: str) -> str:
        return "cross-subject: train and test performers (body shapes and styles) differ" if protocol == "xsub" else ""

    def class_splits(self) -> dict[str, ClassSplit]:
        if self.options.actions is not None:
            return {}  # the published SynthAct splits are defined on all actions
        splits = (_class_split(UNSEEN_5), _class_split(UNSEEN_10))
        return {s.name: s for s in splits}

    def all_samples(self) -> Iterator[Sample]:
        o = self.options
        for label, action in enumerate(self.class_names):
            c = ACTIONS.index(action)  # seeds follow the full list: a subset keeps the same clips
            for i in range(o.samples_per_class):
                subject = 1 + i % o.subjects
                seed = o.seed * 1_000_003 + c * 10_007 + i
                load = partial(
                    generate, action, o.topology, seed, frames=o.frames, randomize=o.randomize,
                    subject=o.seed * 1_000 + subject,
                )  # fmt: skip
                facts = clip_facts(action, seed, o.randomize, subject=o.seed * 1_000 + subject)
                references = describe(facts, seed)
                meta = {
                    "subject": subject, "seed": seed, "action": action,
                    "facts": facts.as_dict(), "references": references,
                }  # fmt: skip
                yield Sample(f"synthact_{c:02d}_{i:04d}", label, load, text=references[0], meta=meta)

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(self.all_samples(), wanted)
        test = request.part == "test"
        chosen = (s for s in self.all_samples() if is_test_subject(s.meta["subject"]) == test)
        return filter_classes(chosen, wanted)
