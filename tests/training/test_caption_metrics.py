"""Captioning scores checked against values computed by hand on a few sentences."""

from __future__ import annotations

import math

import pytest
import torch

from skeletonllm.errors import SkeletonLLMError
from skeletonllm_training import caption_metrics as cm

# Two clips: the second has two references of different lengths.
HYPS = ["A person walks forward and stops.", "Someone jumps up high!"]
REFS = [
    ["a person walks forward then stops"],
    ["someone jumps up very high", "a person jumps in place now"],
]


def test_tokenize_lowercases_drops_punctuation_and_splits_possessives():
    assert cm.tokenize("The man's arm, raised!") == "the man 's arm raised"
    assert cm.tokenize("  Walks 2.5 steps.  ") == "walks 2.5 steps"


def test_corpus_bleu4_with_brevity_penalty_matches_hand_computation():
    # clip 1 vs its reference: 1-grams 5/6 (and != then), 2-grams 3/5, 3-grams 2/4, 4-grams 1/3.
    # clip 2 "someone jumps up high": 1-grams 4/4, 2-grams 2/3 ("up high" is in neither reference),
    #   3-grams 1/2, 4-grams 0/1. Clipped counts are summed over the corpus:
    p = [9 / 10, 5 / 8, 3 / 6, 1 / 4]
    # hypothesis length 6 + 4 = 10; closest reference lengths 6 and 5 (not 6) = 11 -> BP = exp(1 - 11/10)
    bp = math.exp(1 - 11 / 10)
    expected = bp * math.prod(p) ** (1 / 4)
    scores = cm.bleu(HYPS, REFS)
    assert scores[3] == pytest.approx(expected, rel=1e-6)
    assert scores[0] == pytest.approx(bp * 9 / 10, rel=1e-6)
    assert expected == pytest.approx(0.46594, abs=1e-5)


def test_rouge_l_is_the_lcs_f_measure_with_beta_1_2_against_the_best_reference():
    beta2 = 1.2**2
    # clip 1: LCS "a person walks forward stops" = 5 of 6 and 6 tokens -> P = R = F = 5/6
    clip1 = 5 / 6
    # clip 2: LCS 4 with the first reference (P 4/4, R 4/5), 1 with the second (P 1/4, R 1/6);
    # pycocoevalcap takes the max precision and the max recall separately.
    p, r = 1.0, 4 / 5
    clip2 = (1 + beta2) * p * r / (r + beta2 * p)
    assert cm.rouge_l(HYPS, REFS) == pytest.approx((clip1 + clip2) / 2, rel=1e-9)
    assert (clip1 + clip2) / 2 == pytest.approx(0.852381, abs=1e-6)


def test_cider_d_on_a_tiny_corpus_matches_hand_computation():
    # Corpus of two clips; idf = log(#clips) - log(df), df counted over each clip's references.
    # "a", "man", "a man" occur in both clips' references -> idf 0, so they weigh nothing.
    hyps = ["a man walks", "a man runs"]
    refs = [["a man walks slowly"], ["a man jumps"]]
    # Clip 1, with L = log 2 the idf of every n-gram seen in one clip only:
    #   1-grams: hyp {walks: L} vs ref {walks: L, slowly: L} -> cosine (clipped) L*L / (L * L*sqrt2) = 1/sqrt2
    #   2-grams: hyp {man walks: L} vs ref {man walks, walks slowly} -> 1/sqrt2; 3-grams likewise -> 1/sqrt2
    #   4-grams: the hypothesis has none -> 0 (still counted in the mean over n = 1..4)
    #   length penalty on the bigram counts 2 vs 3: exp(-(1**2) / (2 * 6**2)); times 10
    clip1 = 10 * (3 / math.sqrt(2)) / 4 * math.exp(-1 / 72)
    # Clip 2: "runs" and "man runs" appear in no reference; the only shared n-grams have idf 0 -> 0
    clip2 = 0.0
    assert cm.cider_d(hyps, refs) == pytest.approx((clip1 + clip2) / 2, rel=1e-9)
    assert (clip1 + clip2) / 2 == pytest.approx(2.615077, abs=1e-6)


def test_cider_d_gives_ten_to_captions_identical_to_their_reference():
    # each n-gram order has cosine 1 (shared n-grams like "a" weigh 0 on both sides), no length penalty, x10
    hyps = ["a man walks in a circle", "someone throws a ball hard"]
    assert cm.cider_d(hyps, [[h] for h in hyps]) == pytest.approx(10.0)
    # a one-clip corpus gives every n-gram idf log(1/1) = 0: CIDEr-D cannot score a single clip
    assert cm.cider_d(hyps[:1], [hyps[:1]]) == 0.0


def test_greedy_matching_precision_recall_f1_by_hand():
    hyp = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    ref = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.8, 0.6]])
    # similarities: hyp0 -> (1, .6, .8), hyp1 -> (0, .8, .6)
    # precision: best per hypothesis token (1 + .8) / 2; recall: best per reference token (1 + .8 + .8) / 3
    p, r, f = cm.greedy_match_f1(hyp, ref)
    assert p == pytest.approx(0.9)
    assert r == pytest.approx(2.6 / 3)
    assert f == pytest.approx(2 * 0.9 * (2.6 / 3) / (0.9 + 2.6 / 3))
    assert cm.greedy_match_f1(torch.zeros(0, 2), ref) == (0.0, 0.0, 0.0)


class _FakeEncoder:
    """Each word is a fixed one-hot vector: BERTScore becomes word-overlap F1."""

    vocab = ["a", "man", "walks", "runs", "jumps", "woman"]

    def tokens(self, texts):
        eye = torch.eye(len(self.vocab))
        return [torch.stack([eye[self.vocab.index(w)] for w in t.split()]) for t in texts]


def test_bertscore_takes_the_best_reference_and_averages_over_clips():
    hyps = ["a man walks", "a woman"]
    refs = [["a man runs", "a man walks"], ["a man jumps"]]
    # clip 1: the second reference matches exactly -> 1. clip 2: P = (1 + 0)/2, R = (1 + 0 + 0)/3 -> F = 0.4
    assert cm.bertscore_f1(hyps, refs, _FakeEncoder()) == pytest.approx((1.0 + 0.4) / 2)


def test_bertscore_with_the_local_minilm_orders_captions_sensibly():
    refs = [["a person waves the right hand above the head"]]
    same = cm.bertscore_f1(["a person waves the right hand above the head"], refs)
    close = cm.bertscore_f1(["someone is waving a hand over the head"], refs)
    unrelated = cm.bertscore_f1(["the quarterly report shows rising interest rates"], refs)
    assert same == pytest.approx(1.0, abs=1e-5)
    assert close > unrelated + 0.1


def test_bad_inputs_name_the_problem():
    with pytest.raises(SkeletonLLMError, match="2 hypotheses but 1 reference"):
        cm.bleu(["a", "b"], [["a"]])
    with pytest.raises(SkeletonLLMError, match="caption 0: expected a non-empty list"):
        cm.cider_d(["a"], ["a man walks"])
    with pytest.raises(SkeletonLLMError, match="no captions"):
        cm.rouge_l([], [])
