"""Captioning scores as the captioning community computes them: BLEU@4, ROUGE-L and CIDEr-D.

All three come from ``pycocoevalcap`` (the MS-COCO caption evaluation code
that TM2T, MotionGPT and the HumanML3D captioning tables use), whose BLEU,
ROUGE-L and CIDEr scorers are pure Python. Its PTB tokenizer, however,
shells out to Java (Stanford CoreNLP), so captions are tokenised here
instead with :func:`tokenize`: lower case, punctuation dropped, a
possessive/contraction ``'s`` split off as its own token, as the PTB
tokenizer does. Scores are therefore comparable to published numbers up to
tokenisation details (e.g. ``don't`` is ``don 't`` here, ``do n't`` there).

Conventions kept from pycocoevalcap:

- BLEU@4 is *corpus* BLEU (clipped n-gram counts summed over all clips,
  brevity penalty from the summed hypothesis and closest reference lengths),
  not a mean of sentence BLEUs;
- ROUGE-L is the LCS F-measure with ``beta = 1.2`` against the best
  reference (max precision and max recall over the references), averaged;
- CIDEr is CIDEr-D (clipped tf-idf n-gram cosine, Gaussian length penalty
  ``sigma = 6``, times 10), with document frequencies taken from the
  references of the evaluated corpus itself. A corpus of one clip therefore
  scores 0 (every n-gram has idf ``log(1/1) = 0``).

BERTScore (Zhang et al., 2020) is computed here, with the local
all-MiniLM-L6-v2 encoder (last layer, no idf weighting, no baseline
rescaling): each hypothesis token is matched to its most similar reference
token (precision) and vice versa (recall), F1 is their harmonic mean, and
with several references the best F1 counts (as ``bert_score`` does). The
paper's figure uses a different, larger encoder (the ``bert_score`` default,
a RoBERTa-large layer), so these numbers are *not* comparable to it; the
output key says ``minilm`` for that reason.

All functions take a list of hypotheses and, per hypothesis, a list of
references (at least one each).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import torch

from skeletonllm.errors import SkeletonLLMError

_TOKEN = re.compile(r"'[a-z]+|[a-z0-9]+(?:[.][0-9]+)?")


def tokenize(text: str) -> str:
    """Lower-cased words joined by single spaces, punctuation removed (the scorers split on spaces)."""
    return " ".join(_TOKEN.findall(text.lower()))


def _check(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    if len(hypotheses) != len(references):
        raise SkeletonLLMError(f"{len(hypotheses)} hypotheses but {len(references)} reference lists")
    if not hypotheses:
        raise SkeletonLLMError("no captions to score")
    for i, refs in enumerate(references):
        if isinstance(refs, str) or not refs:
            raise SkeletonLLMError(f"caption {i}: expected a non-empty list of reference captions, got {refs!r}")


def _coco_inputs(
    hypotheses: Sequence[str], references: Sequence[Sequence[str]]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """pycocoevalcap's ``(gts, res)`` dicts, tokenised; an empty hypothesis stays empty."""
    _check(hypotheses, references)
    gts = {i: [tokenize(r) for r in refs] for i, refs in enumerate(references)}
    res = {i: [tokenize(h)] for i, h in enumerate(hypotheses)}
    return gts, res


def bleu(hypotheses: Sequence[str], references: Sequence[Sequence[str]], n: int = 4) -> list[float]:
    """Corpus BLEU@1..BLEU@n (pycocoevalcap, ``closest`` reference length for the brevity penalty)."""
    from pycocoevalcap.bleu.bleu import Bleu

    gts, res = _coco_inputs(hypotheses, references)
    score, _ = Bleu(n).compute_score(gts, res, verbose=0)
    return [float(s) for s in score]


def rouge_l(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> float:
    """Mean ROUGE-L F-measure (beta 1.2, best reference), pycocoevalcap's ``Rouge``."""
    from pycocoevalcap.rouge.rouge import Rouge

    gts, res = _coco_inputs(hypotheses, references)
    scores = [Rouge().calc_score(res[i], gts[i]) if res[i][0] else 0.0 for i in gts]
    return float(sum(scores) / len(scores))


def cider_d(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> float:
    """Corpus CIDEr-D (pycocoevalcap's ``Cider``: clipping, length penalty, x10)."""
    from pycocoevalcap.cider.cider import Cider

    gts, res = _coco_inputs(hypotheses, references)
    score, _ = Cider().compute_score(gts, res)
    return float(score)


def greedy_match_f1(hypothesis: torch.Tensor, reference: torch.Tensor) -> tuple[float, float, float]:
    """BERTScore's (precision, recall, F1) for two sets of unit token vectors ``(n, d)`` and ``(m, d)``."""
    if hypothesis.numel() == 0 or reference.numel() == 0:
        return 0.0, 0.0, 0.0
    similarity = hypothesis @ reference.T
    precision = float(similarity.max(dim=1).values.mean())
    recall = float(similarity.max(dim=0).values.mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


def bertscore_f1(hypotheses: Sequence[str], references: Sequence[Sequence[str]], encoder=None) -> float:
    """Mean BERTScore F1 with MiniLM token vectors (best reference per hypothesis).

    ``encoder`` is anything with ``tokens(texts) -> list[(n, d) unit tensors]``;
    by default the frozen MiniLM of :mod:`.minilm`.
    """
    _check(hypotheses, references)
    if encoder is None:
        from .minilm import load_minilm

        encoder = load_minilm()
    flat = [r for refs in references for r in refs]
    vectors = encoder.tokens(list(hypotheses) + flat)
    hyp_vectors, ref_vectors = vectors[: len(hypotheses)], iter(vectors[len(hypotheses) :])
    scores = []
    for hyp, refs in zip(hyp_vectors, references, strict=True):
        candidates = [next(ref_vectors) for _ in refs]
        scores.append(max(greedy_match_f1(hyp, ref)[2] for ref in candidates))
    return float(sum(scores) / len(scores))


__all__ = ["bertscore_f1", "bleu", "cider_d", "greedy_match_f1", "rouge_l", "tokenize"]
