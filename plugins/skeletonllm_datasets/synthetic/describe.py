"""Per-clip descriptions of SynthAct clips, built from what was actually drawn for the clip.

A caption that only names the class ("a person waves") teaches nothing a
label does not; these sentences also say how fast, how wide, with which
side and how many times, because those vary from clip to clip. The facts
come from the clip's own random stream (:func:`~.generator.draw_clip`
and the action's style draws), replayed without generating the motion, so
describing a clip costs microseconds and always agrees with ``generate``.

Buckets split each drawn range into equal thirds: speed is drawn
log-uniformly in x0.5..x2, so "slow" is below 2^(-1/3) and "fast" above
2^(1/3); amplitude is uniform in 0.65..1.3. ``side`` is the performer's
own side of the active limb (actions are written right-handed and mirrored
at random); ``repetitions`` counts the cycles shown while the action is at
more than half strength.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml

from skeletonllm.errors import SkeletonDataError

from .actions import BY_NAME
from .generator import Performance, draw_clip

SLOW, FAST = 2.0 ** (-1 / 3), 2.0 ** (1 / 3)
SMALL, LARGE = 0.65 + 0.65 / 3, 0.65 + 2 * 0.65 / 3
_COUNTS = {1: "once", 2: "twice"}
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


@dataclass(frozen=True)
class ClipFacts:
    """What a description of one clip may state; kept in ``Sample.meta['facts']``."""

    action: str
    persons: int
    speed: float
    speed_bucket: str  # slow / normal / fast
    amplitude: float
    amplitude_bucket: str  # small / normal / large
    side: str | None  # left / right for one-sided actions, else None
    repetitions: int | None  # visible cycles of a repeated action, else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _bucket(value: float, low: float, high: float, names: tuple[str, str, str]) -> str:
    return names[0] if value < low else names[2] if value > high else names[1]


def clip_facts(action: str, seed: int, randomize: bool = True, subject: int | None = None) -> ClipFacts:
    """The facts of ``generate(action, _, seed, randomize=..., subject=...)``, replayed without making motion.

    ``subject`` matters: without one, the bodies are drawn from the clip's
    stream before the style, as ``generate`` does.
    """
    spec = BY_NAME.get(action)
    if spec is None:
        raise SkeletonDataError(f"unknown synthetic action {action!r}; actions: {', '.join(BY_NAME)}", field="action")
    rng, perf, _ = draw_clip(action, seed, randomize, subject)
    style_rng = rng if randomize else np.random.default_rng(0)
    # The style draws are scalars, so two frames replay them exactly as the full clip does.
    motions = spec.fn(np.linspace(0.0, 1.0, 2), perf.amplitude, style_rng)
    return _facts(action, perf, motions[0].repetitions)


def _facts(action: str, perf: Performance, repetitions: int | None) -> ClipFacts:
    spec = BY_NAME[action]
    return ClipFacts(
        action=action,
        persons=spec.persons,
        speed=round(perf.speed, 4),
        speed_bucket=_bucket(perf.speed, SLOW, FAST, ("slow", "normal", "fast")),
        amplitude=round(perf.amplitude, 4),
        amplitude_bucket=_bucket(perf.amplitude, SMALL, LARGE, ("small", "normal", "large")),
        side=("left" if perf.mirrored else "right") if spec.one_sided else None,
        repetitions=repetitions,
    )


@lru_cache(maxsize=1)
def _templates() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("descriptions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    missing = [a for a in BY_NAME if a not in data.get("actions", {})]
    if missing:
        raise SkeletonDataError(f"synthetic/descriptions.yaml: no templates for {missing}")
    return data


def _times(count: int) -> str:
    return _COUNTS.get(count, f"{_NUMBERS[count] if count < len(_NUMBERS) else count} times")


def _fill(template: str, facts: ClipFacts, words: dict[str, list[str]], rng: np.random.Generator) -> str:
    def pick(options: list[str]) -> str:
        return str(options[rng.integers(len(options))])

    speed = {"fast": pick(words["fast"]), "slow": pick(words["slow"])}.get(facts.speed_bucket, "")
    amp = {"large": pick(words["large"]), "small": pick(words["small"])}.get(facts.amplitude_bucket, "")
    reps = facts.repetitions
    slots = {
        "who": pick(words["who"]),
        "adv": speed,
        "amp": amp,
        "side": facts.side or "",
        "reps": _times(reps) if reps else "",
        "reps_count": (_NUMBERS[reps] if reps < len(_NUMBERS) else str(reps)) if reps else "several",
    }
    sentence = " ".join(template.format(**slots).split())
    sentence = sentence.replace(" ,", ",")
    return sentence[0].upper() + sentence[1:] + "."


def describe(facts: ClipFacts, seed: int) -> list[str]:
    """Three references for a clip, the templates in a clip-specific order (the first is ``Sample.text``)."""
    data = _templates()
    entry = data["actions"][facts.action]
    words = {k: entry.get(k, v) for k, v in data["defaults"].items()}
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(facts.action.encode()), 0xDE5C])
    order = rng.permutation(len(entry["templates"]))
    return [_fill(entry["templates"][i], facts, words, rng) for i in order]


__all__ = ["ClipFacts", "clip_facts", "describe"]
