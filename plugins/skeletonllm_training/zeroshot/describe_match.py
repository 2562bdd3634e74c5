"""``describe_match``: describe the clip in words, then pick the class whose description reads closest.

No learning at all: the kinematic teacher reads the joints (which parts move,
which way, how fast, how often, contacts, lowering, travel) and writes what it
sees; all-MiniLM-L6-v2 embeds that text and each candidate's description
(``Dataset.class_descriptions``); the most similar candidate wins. It is the
floor any trained model should clear on real data, and it shows whether the
descriptions and the teacher's vocabulary meet.

``match`` chooses the texts compared:

- ``rationale``: the teacher's whole rationale (without the label) against the
  description's whole paragraph (movement sentence and part sentences);
- ``parts``: part by part: one statement per body part written from the same
  facts ("The right arm moves up and down fast, ending upwards, about 3
  times." / "The left leg stays still.") against the description's sentence
  for that part, plus the teacher's summary line against the whole-movement
  sentence; the score is their mean;
- ``moving_parts`` (default): as ``parts``, each part's similarity weighted by
  how far that part moves relative to the most moving one (the summary keeps
  weight 1), so the parts that do the action decide rather than the many
  that stand still. The default was chosen on SynthAct (21-way, kinect_v2),
  never on the real datasets it is compared on.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from pydantic import Field
from torch import nn

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import BODY_PARTS, PluginOptions
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.tasks import ClipContext, TaskExample

from ..kinematic_teacher import _AXIS, _NET, KinematicTeacher, KinematicTeacherOptions, pace, part_words, summary
from ..kinematics import AIRBORNE, LOWERING, MotionFacts, analyse
from .scoring import JointScorer, clip_sequences, question


class DescribeMatchOptions(PluginOptions):
    match: Literal["rationale", "parts", "moving_parts"] = Field(
        "moving_parts",
        description="compare the teacher's rationale with the whole description, or part by part (moving_parts: "
        "each part weighted by how far it moves)",
    )
    class_names: list[str] = Field(default_factory=list, description="candidates when an example lists none")
    seed: int = 0


def part_statements(facts: MotionFacts) -> dict[str, str]:
    """One sentence per body part of the main performer, from the kinematic facts (see the module docstring)."""
    person = facts.main
    out = {}
    for part in BODY_PARTS:
        words = part_words(part)
        motion = person.part(part)
        if motion is None or part not in person.moving:
            out[part] = f"The {words} stays still."
            continue
        times = f", about {motion.repetitions} times" if motion.repetitions > 1 else ""
        out[part] = f"The {words} moves {_AXIS[motion.axis]} {pace(motion.speed)}, ending {_NET[motion.net]}{times}."
    if person.hands_meet:
        for arm in ("left_arm", "right_arm"):
            out[arm] += " The two hands come together in front of the body."
    if person.hand_near_head in ("left", "right", "both"):
        for side in ("left", "right"):
            if person.hand_near_head in (side, "both"):
                out[f"{side}_arm"] += f" The {side} hand comes close to the head."
    if person.lowering >= LOWERING:
        out["torso"] += f" The body lowers by {round(100 * person.lowering)}% of its height."
    travel = {k: v for k, v in person.travel.items() if abs(v) >= 0.15}
    for axis, value in travel.items():
        way = {"left": ("to its left", "to its right"), "forward": ("forwards", "backwards")}[axis][value < 0]
        out["left_leg"] += f" The body travels {way}."
        out["right_leg"] += f" The body travels {way}."
    if person.airborne >= AIRBORNE:
        out["left_leg"] += " The feet leave the ground."
        out["right_leg"] += " The feet leave the ground."
    if len(facts.persons) >= 2:
        out["torso"] += " A second person is there" + (" and they touch." if facts.touching else ".")
    return out


class DescribeMatchBackbone(JointScorer):
    """The kinematic teacher's words for the clip, matched to class descriptions with MiniLM (no training)."""

    name: ClassVar[str] = "describe_match"
    summary: ClassVar[str] = (
        "Describe-then-match: the kinematic teacher's text vs class descriptions (MiniLM, no training)"
    )
    Options = DescribeMatchOptions

    def __init__(self, options: DescribeMatchOptions | None = None) -> None:
        super().__init__(options)
        from ..minilm import load_minilm

        self.minilm = load_minilm()
        self.teacher = KinematicTeacher(KinematicTeacherOptions(summary_line=True))
        self._vectors: dict[str, torch.Tensor] = {}
        self.anchor = nn.Parameter(torch.zeros(()), requires_grad=False)  # a device marker; nothing trains

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"vision": [], "projector": [], "llm": [], "lora": []}

    def identity(self) -> str:
        return f"{self.name}/{self.options.match}/minilm-{self.minilm.dim}d"

    def loss(self, frames: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        raise NotImplementedError("describe_match does not learn: evaluate it without training stages")

    def _embed(self, texts: list[str]) -> torch.Tensor:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vec in zip(missing, self.minilm.sentences(missing)):
                self._vectors[text] = vec
        return torch.stack([self._vectors[t] for t in texts])

    def clip_texts(self, sequence: SkeletonSequence) -> tuple[list[str], torch.Tensor]:
        """The clip's texts, in the order of :meth:`class_texts`, and the weight of each comparison."""
        if self.options.match == "rationale":
            context = ClipContext(str(sequence.meta.get("source", "clip")), 0, ("",), (), sequence=sequence)
            return [self.teacher.rationale(context, know_label=False)], torch.ones(1)
        try:
            facts = analyse(sequence)
        except SkeletonLLMError:  # nobody present long enough to describe: every part is still
            still = [f"The {part_words(p)} stays still." for p in BODY_PARTS]
            return ["Nobody moves.", *still], torch.ones(1 + len(BODY_PARTS))
        statements = part_statements(facts)
        weights = torch.ones(1 + len(BODY_PARTS))
        if self.options.match == "moving_parts":  # a part counts as much as it moves, relative to the most moving
            person = facts.main
            top = max(person.main.amount, 1e-9)
            amounts = [(person.part(p).amount if person.part(p) else 0.0) / top for p in BODY_PARTS]
            weights[1:] = torch.tensor(amounts)
        return [summary(facts).removeprefix("Summary: ")] + [statements[p] for p in BODY_PARTS], weights

    def read(self, sequence: SkeletonSequence) -> torch.Tensor:
        """``(texts, D + 1)``: the clip's text embeddings, each row ending with its normalised weight."""
        texts, weights = self.clip_texts(sequence)
        return torch.cat([self._embed(texts), (weights / weights.sum())[:, None]], dim=1)

    def model_input(self, renderer, batch: SkeletonBatch) -> torch.Tensor:
        """``(B, texts, D + 1)``: what the teacher says about each clip, embedded (the renderer is not used)."""
        return torch.stack([self.read(s) for s in clip_sequences(batch)]).to(batch.positions.device)

    def class_texts(self, name: str) -> list[str]:
        entry = self.texts.entry(name)
        if self.options.match == "rationale":
            return [entry.text(parts=True)]
        return [entry.whole] + [entry.parts[p] for p in BODY_PARTS]

    def scores(self, inputs: torch.Tensor, examples: list[TaskExample]) -> list[tuple[str, list[str], torch.Tensor]]:
        """Cosine of each clip text with the candidate's matching text, weighted and summed.

        When an example carries the whole test clip (``meta['sequence']``, as the
        pipeline's evaluation passes it), the teacher reads that clip at its own frame
        rate instead of the frames sampled for the batch.
        """
        out = []
        for example, row in zip(examples, inputs, strict=True):
            kind, names = question(example, self.options.class_names, self.name)
            given = example.meta.get("sequence")
            clip = self.read(given) if isinstance(given, SkeletonSequence) else row.cpu()
            vectors, weights = clip[:, :-1], clip[:, -1]
            rows = [self._embed(self.class_texts(n)) for n in names]  # each (texts, D)
            out.append((kind, names, torch.stack([((r * vectors).sum(-1) * weights).sum() for r in rows])))
        return out
