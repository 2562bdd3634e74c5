"""What ``skeletonllm validate`` can tell about a Hugging Face backbone's options without loading it.

Each check here used to pass validation and fail after the model was built
(or silently misbehave): a Qwen2.5-VL frame side that is not a multiple of
patch x merge (28), LoRA ``target_modules`` that match no projection of the
language model (peft fails at build), a system prompt longer than
``max_length`` on its own (every step fails), and a ``path`` that is a file or
a folder without weights. Lines are ``option: what is wrong``.
"""

from __future__ import annotations

import re
from pathlib import Path

from .options import DEFAULT_LORA_TARGETS, HFBackboneOptions

#: a token never spans two words or a word and punctuation in the byte-level BPE tokenizers of
#: Qwen2 and InternVL, so the number of words and punctuation runs is a lower bound on the tokens
_PRE_TOKENS = re.compile(r"\w+|[^\w\s]+")


def prompt_tokens_at_least(text: str) -> int:
    """A lower bound on the tokens of ``text`` under any byte-level BPE tokenizer (no tokenizer needed)."""
    return sum(1 for _ in _PRE_TOKENS.finditer(text))


def lora_problems(opts: HFBackboneOptions) -> list[str]:
    if not opts.lora.enabled:
        return []
    problems = []
    for i, target in enumerate(opts.lora.target_modules):
        try:
            pattern = re.compile(target)
        except re.error as exc:
            problems.append(f"lora.target_modules[{i}]: {target!r} is not a valid pattern ({exc})")
            continue
        if not any(pattern.fullmatch(name) for name in DEFAULT_LORA_TARGETS):
            problems.append(
                f"lora.target_modules[{i}]: {target!r} matches no projection of the language model "
                f"(it has {', '.join(DEFAULT_LORA_TARGETS)})"
            )
    return problems


def path_problems(path: str | None, model_type: str) -> list[str]:
    if path is None:
        return []
    folder = Path(path).expanduser()
    if not folder.exists():
        return []  # the spec's generic path check reports it
    if not folder.is_dir():
        return [f"path: {path} is a file; expected a checkpoint folder holding config.json and *.safetensors"]
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    if not any(folder.glob("*.safetensors")):
        missing.append("*.safetensors weights")
    if missing:
        return [f"path: {path} holds no {' and no '.join(missing)}; expected a local {model_type!r} checkpoint folder"]
    return []


def backbone_problems(opts: HFBackboneOptions, model_type: str, image_multiple: int, check_files: bool) -> list[str]:
    problems = lora_problems(opts)
    if opts.image_size is not None and image_multiple > 1 and opts.image_size % image_multiple:
        below = max(image_multiple, opts.image_size // image_multiple * image_multiple)
        problems.append(
            f"image_size: {opts.image_size} is not a multiple of {image_multiple} (patch x merge of {model_type}); "
            f"use e.g. {below} or {below + image_multiple}"
        )
    if opts.system_prompt:
        tokens = prompt_tokens_at_least(opts.system_prompt)
        if tokens >= opts.max_length:
            problems.append(
                f"system_prompt: at least {tokens:,} tokens ({len(opts.system_prompt):,} characters), more than "
                f"max_length {opts.max_length:,} on its own; every prompt would be refused"
            )
    if check_files:
        problems += path_problems(opts.path, model_type)
    return problems
