"""A byte-level BPE tokenizer built in code for the tiny presets (no hub, no files needed).

Real checkpoints bring their own tokenizer. The tiny presets train one in
milliseconds with the ``tokenizers`` library on the project's own prompt
templates and class names, so a randomly initialised model sees the same
kind of token sequences (chat markers, one image placeholder per frame) as a
real one. Saved with ``save_pretrained`` it reloads with ``AutoTokenizer``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

from skeletonllm.tasks import template_corpus

PAD = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"


@lru_cache(maxsize=1)
def ntu120_class_names() -> tuple[str, ...]:
    """NTU RGB+D 120 action names (package data, transcribed from the dataset README)."""
    text = resources.files("skeletonllm_hf").joinpath("data/ntu120_classes.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["classes"])


def build_bpe_tokenizer(
    special_tokens: list[str], class_names: list[str] | tuple[str, ...] = (), vocab_size: int = 1024
) -> PreTrainedTokenizerFast:
    """Train a byte-level BPE on the prompt templates + class names; specials come first in the vocabulary.

    Training is deterministic, so the result is cached per argument set: every tiny
    backbone built in one process shares one (read-only) tokenizer instead of
    spending a second retraining it.
    """
    return _train(tuple(special_tokens), tuple(class_names), vocab_size)


@lru_cache(maxsize=8)
def _train(special_tokens: tuple[str, ...], class_names: tuple[str, ...], vocab_size: int) -> PreTrainedTokenizerFast:
    names = list(dict.fromkeys([*ntu120_class_names(), *class_names]))
    corpus = template_corpus(names)
    specials = list(dict.fromkeys([PAD, IM_START, IM_END, *special_tokens]))
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(corpus, trainer=trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token=PAD, eos_token=IM_END, bos_token=None, unk_token=None)
    tok.add_special_tokens({"additional_special_tokens": [t for t in specials if t not in (PAD, IM_END)]})
    return tok
