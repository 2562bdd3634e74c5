"""The paper's prompt templates (MQA, YES/NO, rationale, caption) and their answers.

The wording lives in ``data/prompt_templates.yaml`` so it can be read and
changed without touching code; this module only fills the fields. Stages
build ``(prompt, target)`` pairs from these functions and the backbone wraps
the prompt in its family's chat template with one image placeholder per
frame, so nothing here depends on the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from skeletonllm.errors import SkeletonLLMError

_KEYS = ("mqa", "yes_no", "rationale", "caption", "option_line", "label_answer", "yes_answer", "no_answer")


@lru_cache(maxsize=1)
def templates() -> dict[str, str]:
    """The template file, parsed once with ``yaml.safe_load`` and checked for every key."""
    text = resources.files("skeletonllm_hf").joinpath("data/prompt_templates.yaml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    missing = [k for k in _KEYS if not isinstance(data, dict) or not isinstance(data.get(k), str)]
    if missing:
        raise SkeletonLLMError(f"skeletonllm_hf/data/prompt_templates.yaml: missing or non-text keys {missing}")
    return {k: data[k] for k in _KEYS}


def _options_block(options: list[str]) -> str:
    if not options:
        raise SkeletonLLMError("a multiple-choice prompt needs at least one candidate class name, got none")
    line = templates()["option_line"]
    return "\n".join(line.format(name=name) for name in options)


def mqa_prompt(options: list[str]) -> str:
    """Multiple-choice question over ``options`` (warm-up and recognition)."""
    return templates()["mqa"].format(options=_options_block(options))


def yes_no_prompt(class_name: str) -> str:
    """Binary question "is the action ``class_name``?" (Disc-FT hard negatives)."""
    return templates()["yes_no"].format(class_name=class_name)


def rationale_prompt(options: list[str]) -> str:
    """Multiple-choice question that asks for a causal rationale before the label (CR-Distill)."""
    return templates()["rationale"].format(options=_options_block(options))


def caption_prompt() -> str:
    """Free-text motion description (HumanML3D-style captioning)."""
    return templates()["caption"]


def label_answer(label: str) -> str:
    """The target line the parsers read back: ``Label: <action>``."""
    return templates()["label_answer"].format(label=label)


def yes_no_answer(is_match: bool) -> str:
    """``YES`` or ``NO`` as the YES/NO prompt asks."""
    return templates()["yes_answer" if is_match else "no_answer"]


def rationale_answer(rationale: str, label: str) -> str:
    """A rationale followed by the final label line, the CR-Distill target shape."""
    return f"{rationale.strip()}\n{label_answer(label)}"


def prompt_corpus(class_names: list[str]) -> list[str]:
    """Every prompt and answer text for ``class_names``: the training text of tiny tokenizers."""
    texts = [caption_prompt(), yes_no_answer(True), yes_no_answer(False)]
    if class_names:
        texts += [mqa_prompt(class_names), rationale_prompt(class_names)]
    for name in class_names:
        texts += [yes_no_prompt(name), label_answer(name)]
    return texts


def _pattern(template: str, field: str) -> re.Pattern[str]:
    """The template as a regex whose one group captures ``field`` (so parsing follows the data file)."""
    escaped = re.escape(template).replace(re.escape("{" + field + "}"), "(.+?)")
    return re.compile(escaped, re.MULTILINE)


def options_in_prompt(prompt: str) -> list[str]:
    """The candidate class names listed in an MQA or rationale prompt (empty if none)."""
    line = re.compile("^" + _pattern(templates()["option_line"], "name").pattern + "$", re.MULTILINE)
    return [m.group(1).strip() for m in line.finditer(prompt)]


def class_in_yes_no_prompt(prompt: str) -> str | None:
    """The class a YES/NO prompt asks about, or ``None`` if ``prompt`` is not one."""
    match = _pattern(templates()["yes_no"], "class_name").search(prompt)
    return match.group(1) if match else None
