"""The tiny presets' tokenizer is built offline and reloads with AutoTokenizer."""

from __future__ import annotations

from transformers import AutoTokenizer

from skeletonllm.tasks import TaskExample, TaskKind, label_line, phrase
from skeletonllm_hf.tokenizer import build_bpe_tokenizer, ntu120_class_names

SPECIALS = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>"]


def test_class_list_is_ntu120():
    names = ntu120_class_names()
    assert len(names) == 120 and len(set(names)) == 120
    assert names[0] == "drink water" and names[59] == "walking apart from each other"


def test_save_and_reload_with_auto_tokenizer(tmp_path):
    tok = build_bpe_tokenizer(SPECIALS, ["zebra crossing dance"])
    text = f"<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>{phrase(TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=['jump up', 'yawn']))}<|im_end|>"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path, local_files_only=True)
    assert again(text, add_special_tokens=False)["input_ids"] == ids
    assert again.decode(ids) == text
    assert again.eos_token == "<|im_end|>" and again.pad_token == "<|endoftext|>"


def test_special_tokens_are_single_ids_and_class_names_compress():
    tok = build_bpe_tokenizer(SPECIALS)
    for special in [*SPECIALS, "<|im_start|>", "<|im_end|>"]:
        assert len(tok(special, add_special_tokens=False)["input_ids"]) == 1
    # BPE merged the training corpus: a class answer takes far fewer tokens than bytes.
    answer = label_line("put something inside pocket / take out something from pocket")
    assert len(tok(answer, add_special_tokens=False)["input_ids"]) < len(answer.encode()) / 3
    # ...and any text still encodes (byte level), round-tripping exactly.
    odd = "naïve 漢字 ✓"
    assert tok.decode(tok(odd, add_special_tokens=False)["input_ids"]) == odd
