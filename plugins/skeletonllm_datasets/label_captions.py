"""Caption references and label facts made from a real dataset's labels, by rules written as data.

Real recordings come with labels, not sentences: Bandai-Namco names a content and a style
("walk-turn-left", "exhausted"), SBU an interaction, MSRC-12 a gesture. The files
``data/captions_<benchmark>.yaml`` turn a label into three reference sentences and the facts
the label fixes (the hand, the turn, the style, whether two people come closer), so the
caption stage, the caption metrics and the label questions of Motion QA run on real clips
the way they run on SynthAct: ``Sample.text`` is the first sentence, ``meta['references']``
all three and ``meta['facts']`` the facts. The YAML files say why each sentence may state
what it states (what was measured on the complete sets).

Each class has three phrasings with the slots ``{who}`` (the person), ``{how}`` (the style's
manner) and ``{times}`` (a count of repetitions, where the dataset knows it). Phrasing k takes
the style's k-th ``who`` and ``how`` (a dataset without styles: ``persons``), so a (class,
style) pair always reads the same three sentences, and the number of distinct references
grows with the number of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from skeletonllm.errors import SkeletonDataError

from .protocol_data import benchmark, data_text

PHRASINGS = 3
_COUNTS = {1: " once", 2: " twice"}
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_DEFAULT_PERSONS = ("a person", "someone", "the person")


@dataclass(frozen=True)
class LabelCaptions:
    """A clip's three reference sentences and the facts its label fixes."""

    references: tuple[str, ...]
    facts: dict[str, Any] = field(default_factory=dict)


def times(count: int | None) -> str:
    """`` once``, `` twice``, `` three times``; empty when the count is unknown."""
    if not count:
        return ""
    return _COUNTS.get(count, f" {_NUMBERS[count] if count < len(_NUMBERS) else count} times")


class CaptionRules:
    """The caption rules of one benchmark (``data/captions_<name>.yaml``), checked against its class list."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.source = f"skeletonllm_datasets/data/captions_{name}.yaml"
        try:
            doc = yaml.safe_load(data_text(f"captions_{name}.yaml"))
        except FileNotFoundError:
            raise SkeletonDataError(f"no caption rules for {name!r}", source=self.source) from None
        self.classes: dict[str, dict[str, Any]] = doc.get("classes") or {}
        self.styles: dict[str, dict[str, list[str]]] = doc.get("styles") or {}
        self.persons = tuple(doc.get("persons") or _DEFAULT_PERSONS)
        self._check(benchmark(name))

    def _check(self, data) -> None:  # noqa: ANN001 - a BenchmarkData
        missing = [c for c in data.class_names if c not in self.classes]
        extra = [c for c in self.classes if c not in data.class_names]
        if missing or extra:
            raise SkeletonDataError(
                f"caption rules do not match the class list: missing {missing}, unknown {extra}",
                source=self.source,
                field="classes",
            )
        for name, entry in self.classes.items():
            if len(entry.get("phrasings") or ()) != PHRASINGS:
                raise SkeletonDataError(f"class {name!r} needs {PHRASINGS} phrasings", source=self.source)
        styles = [s["name"] for s in data.raw.get("styles") or ()]
        if styles and sorted(styles) != sorted(self.styles):
            raise SkeletonDataError(
                f"caption rules name styles {sorted(self.styles)}, the dataset has {sorted(styles)}",
                source=self.source,
                field="styles",
            )
        for name, entry in self.styles.items():
            if len(entry.get("who") or ()) != PHRASINGS or len(entry.get("how") or ()) != PHRASINGS:
                raise SkeletonDataError(f"style {name!r} needs {PHRASINGS} 'who' and 'how'", source=self.source)

    def captions(self, class_name: str, style: str | None = None, count: int | None = None) -> LabelCaptions:
        """The three references and the facts of a clip of ``class_name`` (in ``style``, ``count`` repetitions)."""
        entry = self.classes.get(class_name)
        if entry is None:
            raise SkeletonDataError(f"no caption rule for class {class_name!r}", source=self.source)
        if style is not None and style not in self.styles:
            raise SkeletonDataError(f"no caption rule for style {style!r}", source=self.source, field="styles")
        words = self.styles[style] if style is not None else {"who": self.persons, "how": ("",) * PHRASINGS}
        sentences = []
        for k, phrasing in enumerate(entry["phrasings"]):
            text = phrasing.format(who=words["who"][k], how=words["how"][k], times=times(count))
            text = " ".join(text.split())
            sentences.append(text[0].upper() + text[1:] + ".")
        facts = dict(entry.get("facts") or {})
        if style is not None:
            facts["style"] = style
            facts["styles"] = tuple(self.styles)
        if count:
            facts["instances"] = int(count)
        return LabelCaptions(tuple(sentences), facts)


@cache
def caption_rules(name: str) -> CaptionRules:
    """The parsed, checked caption rules of benchmark ``name`` (e.g. ``bandai2``, ``sbu``, ``msrc12``)."""
    return CaptionRules(name)


def caption_meta(name: str, class_name: str, style: str | None = None, count: int | None = None) -> dict[str, Any]:
    """``{'references': ..., 'facts': ...}`` for a sample's ``meta`` (the first reference is its ``text``)."""
    made = caption_rules(name).captions(class_name, style, count)
    return {"references": made.references, "facts": made.facts}


__all__ = ["CaptionRules", "LabelCaptions", "caption_meta", "caption_rules", "times"]
