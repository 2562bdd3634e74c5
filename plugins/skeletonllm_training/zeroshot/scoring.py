"""What the joint-reading zero-shot backbones share: candidates, answers, clip sequences, class texts.

``skeleton_align`` and ``describe_match`` read the skeleton batch instead of frames
(``Backbone.reads = "skeleton"``: their ``model_input`` turns each clip into their own
tensor) and score the candidate class names of each typed example. Both answer in the project's answer format (``Label: <best>``,
``YES``/``NO``, ``Answer: <option>``), so the stages, parsers, metrics and report
of the MLLM pipeline apply unchanged, and both expose ``candidate_scores`` so a
benchmark can show how much the clip moves the scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

import torch

from skeletonllm.batch import SkeletonBatch
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Backbone, ClassDescription
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.tasks import TaskExample, TaskKind, choice_line, label_line, yes_no_line
from skeletonllm.tasks import normalise as normalise_text

#: the class texts a backbone may embed for a class: its name, the whole-movement sentence, the part sentences
TextKind = Literal["name", "whole", "parts"]


def clip_sequences(batch: SkeletonBatch) -> list[SkeletonSequence]:
    """One sequence per clip of ``batch`` (the sampled frames; padded persons stay masked)."""
    positions = batch.positions.detach().cpu().numpy()
    mask = batch.mask.detach().cpu().numpy()
    out = []
    for i in range(batch.batch_size):
        meta = batch.meta[i] if i < len(batch.meta) else {}
        out.append(SkeletonSequence(positions[i], batch.topology, mask=mask[i], meta=dict(meta)))
    return out


def question(example: TaskExample, fallback: list[str], owner: str) -> tuple[str, list[str]]:
    """``('yes_no', [class])`` or ``('choice', candidates)``: the questions a scorer can answer."""
    if example.kind is TaskKind.YES_NO:
        return "yes_no", [str(example.subject)]
    if example.kind is TaskKind.CAPTION or (example.kind is TaskKind.QA and not example.candidates):
        raise SkeletonLLMError(
            f"{owner} scores candidates and cannot write free text: it cannot answer a {example.kind.value} example"
        )
    candidates = list(example.candidates) or list(fallback)
    if not candidates:
        raise SkeletonLLMError(f"{owner} needs candidates: this {example.kind.value} example lists none")
    return "choice", candidates


def answer(example: TaskExample, kind: str, names: list[str], scores: torch.Tensor, yes_bias: float = 0.0) -> str:
    """The answer line for one example from its candidates' scores."""
    if kind == "yes_no":
        return yes_no_line(bool(float(scores[0]) + yes_bias > 0))
    best = names[int(scores.argmax())]
    return choice_line(best) if example.kind is TaskKind.QA else label_line(best)


def answer_index(example: TaskExample, names: list[str]) -> int:
    """Position of the example's expected answer among ``names`` (a clear error if absent)."""
    lowered = [normalise_text(n) for n in names]
    wanted = normalise_text(example.answer or "")
    if wanted not in lowered:
        raise SkeletonLLMError(f"answer {example.answer!r} is not among the example's candidates {names}")
    return lowered.index(wanted)


class ClassTexts:
    """The texts of a class by name, from the descriptions the pipeline handed over."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.descriptions: dict[str, ClassDescription] = {}

    def update(self, descriptions: Mapping[str, ClassDescription]) -> None:
        self.descriptions.update({normalise_text(k): v for k, v in descriptions.items()})

    def entry(self, name: str, kind: str = "description") -> ClassDescription:
        """The description of class ``name``; a clear error when no dataset of the spec describes it."""
        found = self.descriptions.get(normalise_text(name))
        if found is None:
            raise SkeletonLLMError(
                f"{self.owner}: no description of class {name!r} (needed for its {kind!r} text); the spec's "
                f"datasets describe {len(self.descriptions)} classes (Dataset.class_descriptions)"
            )
        return found

    def get(self, name: str, kind: str) -> str:
        """Class ``name``'s text of ``kind``: the name itself, its whole-movement sentence, or its part sentences."""
        if kind == "name":
            return name
        entry = self.entry(name, kind)
        if kind == "whole":
            return entry.whole
        return entry.text(parts=True).removeprefix(entry.whole).strip()


class JointScorer(Backbone):
    """Base of the joint-reading scorers: candidate handling and the answer format."""

    reads: ClassVar[Literal["frames", "skeleton"]] = "skeleton"

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.texts = ClassTexts(self.name)

    def describe_classes(self, descriptions: Mapping[str, ClassDescription]) -> None:
        self.texts.update(descriptions)

    def model_input(self, renderer, batch: SkeletonBatch) -> torch.Tensor:
        """This backbone's reading of the joints, one row per clip (subclasses)."""
        raise NotImplementedError

    def scores(self, inputs: torch.Tensor, examples: list[TaskExample]) -> list[tuple[str, list[str], torch.Tensor]]:
        """Per example: its question kind, candidate names and one score per candidate (subclasses)."""
        raise NotImplementedError

    @torch.no_grad()
    def candidate_scores(self, inputs: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        """``(B, K)``: each clip scored against its example's candidates (higher = more likely)."""
        _check_count(inputs, examples)
        return torch.stack([row[2].float().cpu() for row in self.scores(inputs, examples)])

    @torch.no_grad()
    def generate(self, frames: torch.Tensor, examples: list[TaskExample], max_new_tokens: int = 32) -> list[str]:
        _check_count(frames, examples)
        rows = self.scores(frames, examples)
        return [answer(ex, kind, names, s, self.yes_bias()) for ex, (kind, names, s) in zip(examples, rows)]

    def yes_bias(self) -> float:
        return 0.0


def _check_count(inputs: torch.Tensor, examples: list[TaskExample]) -> None:
    if not isinstance(inputs, torch.Tensor):
        raise SkeletonLLMError(
            f"expected this backbone's model_input (a tensor, one row per clip), got {type(inputs).__name__}: "
            "build inputs with backbone.model_input(renderer, batch), as the pipeline does"
        )
    if inputs.shape[0] != len(examples):
        raise SkeletonLLMError(f"{inputs.shape[0]} clips for {len(examples)} examples: one clip per example")
