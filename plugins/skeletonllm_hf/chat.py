"""Token sequences for (frames, prompt, answer) with prompt masking, built id by id.

The image placeholder runs are inserted as token ids rather than text so a
12-frame prompt does not push thousands of placeholder strings through the
tokenizer, and so the multimodal token types (needed for Qwen2.5-VL's 3-D
rotary positions) come out exactly aligned with the ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:  # transformers is imported only when a backbone is built
    from transformers import PreTrainedTokenizerBase

from skeletonllm.errors import SkeletonLLMError

IGNORE = -100


@dataclass(frozen=True)
class ImageRun:
    """``count`` copies of the image placeholder token: one frame's visual tokens."""

    count: int


Piece = str | ImageRun


@dataclass
class Encoded:
    ids: list[int]
    labels: list[int]
    is_image: list[int]


def encode_pieces(tokenizer: PreTrainedTokenizerBase, pieces: list[Piece], image_token_id: int) -> Encoded:
    """Concatenate text pieces (tokenised without added specials) and image runs; nothing is scored."""
    ids: list[int] = []
    is_image: list[int] = []
    for piece in pieces:
        if isinstance(piece, ImageRun):
            ids += [image_token_id] * piece.count
            is_image += [1] * piece.count
        elif piece:
            part = tokenizer(piece, add_special_tokens=False)["input_ids"]
            ids += part
            is_image += [0] * len(part)
    return Encoded(ids, [IGNORE] * len(ids), is_image)


def append_scored(
    tokenizer: PreTrainedTokenizerBase, encoded: Encoded, answer: str, end_token: str, label_line_only: bool
) -> Encoded:
    """Append the answer + end token; its tokens are the only ones scored.

    With ``label_line_only`` the text before the last ``Label:`` is appended
    but masked, so only the final label line (and the end token) carries loss.
    An answer without ``Label:`` is scored whole.
    """
    cut = answer.rfind("Label:") if label_line_only else -1
    masked, scored = (answer[:cut], answer[cut:]) if cut > 0 else ("", answer)
    ids, labels, is_image = list(encoded.ids), list(encoded.labels), list(encoded.is_image)
    if masked:
        part = tokenizer(masked, add_special_tokens=False)["input_ids"]
        ids += part
        labels += [IGNORE] * len(part)
        is_image += [0] * len(part)
    part = tokenizer(scored + end_token, add_special_tokens=False)["input_ids"]
    ids += part
    labels += part
    is_image += [0] * len(part)
    return Encoded(ids, labels, is_image)


def collate(items: list[Encoded], pad_id: int, left: bool, max_length: int) -> dict[str, torch.Tensor]:
    """Pad to a batch: right padding for training, left padding for generation."""
    longest = max(len(e.ids) for e in items)
    if longest > max_length:
        raise SkeletonLLMError(
            f"a prompt+answer is {longest} tokens, over backbone max_length {max_length}; "
            "use fewer frames, a smaller image_size or raise max_length"
        )
    out = {
        k: torch.full((len(items), longest), v, dtype=torch.long)
        for k, v in (("input_ids", pad_id), ("labels", IGNORE), ("attention_mask", 0), ("mm_token_type_ids", 0))
    }
    for row, e in enumerate(items):
        n = len(e.ids)
        span = slice(longest - n, longest) if left else slice(0, n)
        out["input_ids"][row, span] = torch.tensor(e.ids)
        out["labels"][row, span] = torch.tensor(e.labels)
        out["attention_mask"][row, span] = 1
        out["mm_token_type_ids"][row, span] = torch.tensor(e.is_image)
    return out


def templated_pieces(tokenizer: PreTrainedTokenizerBase, system: str | None, user: list[Piece]) -> list[Piece]:
    """The tokenizer's own chat template around ``user`` (text and image runs), ready for the answer.

    A pretrained chat model answers best in the layout it was tuned on, so the
    template is rendered with a marker as the user turn and ``user`` is spliced in
    at the marker (image runs cannot pass through a Jinja template as text).
    """
    marker = "\x00USER\x00"
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": marker})
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if text.count(marker) != 1:
        raise SkeletonLLMError("the tokenizer's chat template does not place the user turn exactly once")
    before, after = text.split(marker)
    return [before, *user, after]


def sequence_log_likelihoods(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """``(N,)`` sums of ``log p(label)`` over the scored positions (labels != IGNORE); logits already aligned."""
    scored = labels != IGNORE
    logp = logits.float().log_softmax(-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (logp * scored).sum(-1)
