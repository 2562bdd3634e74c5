"""The ``captioning`` metric: BLEU@4, ROUGE-L, CIDEr-D and BERTScore (MiniLM) of generated captions.

It reads typed predictions: each caption example carries its references
(``example.references``), so no prompt text is parsed. Predictions of
other task kinds are left to the metrics made for them, which lets one
evaluation hold a recognition metric and this one side by side.

The scores are corpus scores (see :mod:`.caption_metrics`), so they are
computed once in :meth:`compute`, over every caption seen since
:meth:`reset`. ``bertscore_f1_minilm`` uses the local all-MiniLM-L6-v2,
not the encoder of the paper's figure: compare it only with numbers made
the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Metric, MetricResult, PluginOptions, Table
from skeletonllm.tasks import Prediction, TaskKind, normalise

from . import caption_facts, caption_metrics
from .kinematics import MotionFacts, analyse

#: generated captions shown beside their references in the report
EXAMPLES = 5


class CaptioningOptions(PluginOptions):
    bertscore: bool = Field(True, description="also compute BERTScore F1 with the local MiniLM encoder")
    minilm_path: str | None = Field(None, description="all-MiniLM-L6-v2 folder; default: the installed package")


@dataclass(frozen=True)
class ScoredCaption:
    """One generated caption beside its references (what a report shows as an example)."""

    sample_id: str
    hypothesis: str
    references: tuple[str, ...]
    #: the clip's kinematic facts (None when the example carries no sequence to analyse)
    facts: MotionFacts | None = None


class CaptioningMetric(Metric):
    name = "captioning"
    tasks = ("caption",)
    summary = "BLEU@4, ROUGE-L, CIDEr-D and BERTScore (MiniLM) of generated captions"
    Options = CaptioningOptions
    default_for = ("caption",)

    def reset(self) -> None:
        self.captions: list[ScoredCaption] = []

    def update(self, predictions: list[Prediction]) -> None:
        for prediction in predictions:
            example = prediction.example
            if example.kind is not TaskKind.CAPTION:
                continue
            if not example.references:
                raise SkeletonLLMError(
                    f"captioning: sample {prediction.sample_id or '?'} has no reference captions "
                    "(the dataset must give each clip a text)"
                )
            sequence = example.meta.get("sequence")
            facts = None
            if sequence is not None:
                try:
                    facts = analyse(sequence)
                except SkeletonLLMError:  # no describable person: the caption's facts cannot be checked
                    facts = None
            self.captions.append(
                ScoredCaption(prediction.sample_id, prediction.output.strip(), example.references, facts)
            )

    def compute(self) -> MetricResult:
        if not self.captions:
            raise SkeletonLLMError("captioning: no caption predictions were scored (is the task a caption task?)")
        hypotheses = [c.hypothesis for c in self.captions]
        references = [list(c.references) for c in self.captions]
        values = {
            "bleu_4": caption_metrics.bleu(hypotheses, references)[3],
            "rouge_l": caption_metrics.rouge_l(hypotheses, references),
            "cider": caption_metrics.cider_d(hypotheses, references),
        }
        values["distinct_captions"] = float(len({normalise(h) for h in hypotheses}))
        notes = {
            "bleu_4": "pycocoevalcap corpus BLEU@4 on SkeletonLLM's Python tokenisation (not the Java PTB tokenizer)",
            "cider": "pycocoevalcap CIDEr-D; idf from this test set's references",
            "distinct_captions": "different generated captions (after normalising case and punctuation)",
            "": f"corpus scores over {len(self.captions)} captions; no intervals",
        }
        checked = [c for c in self.captions if c.facts is not None]
        if checked:
            found = caption_facts.agreement([caption_facts.check(c.hypothesis, c.facts) for c in checked])
            refs = [caption_facts.check(c.references[0], c.facts) for c in checked]
            found["fact_agreement_references"] = caption_facts.agreement(refs)["fact_agreement"]
            unstated = sorted(k for k, v in found.items() if math.isnan(v))  # no caption stated that fact
            values.update({k: v for k, v in found.items() if k not in unstated})
            if unstated:
                notes["facts_stated"] = f"no caption stated the facts behind {', '.join(unstated)}: not scored"
            notes["fact_agreement"] = (
                "share of captions stating a side, moving part or repetition count whose stated facts all agree "
                "with the clip's kinematic facts (repetitions within one); fact_agreement_references is the same "
                "check on each clip's first reference caption, the ceiling the measurement allows"
            )
        if self.options.bertscore:
            from .minilm import load_minilm

            encoder = load_minilm(self.options.minilm_path)
            values["bertscore_f1_minilm"] = caption_metrics.bertscore_f1(hypotheses, references, encoder)
            notes["bertscore_f1_minilm"] = (
                "BERTScore F1 with the local all-MiniLM-L6-v2 (last layer, no idf, no rescaling); "
                "the paper's figure uses a different encoder, so the numbers are not comparable"
            )
        examples = Table(
            "Example captions",
            ("clip", "generated", "references"),
            tuple((c.sample_id, c.hypothesis, " / ".join(c.references)) for c in self.captions[:EXAMPLES]),
        )
        return MetricResult(values=values, notes=notes, tables=[examples])
