"""Class descriptions shipped as data: ``data/descriptions/<benchmark>.yaml``.

Each file gives, for every class of one benchmark, a sentence on the whole
movement and one per body part (``head``, ``torso``, ``left_arm``,
``right_arm``, ``left_leg``, ``right_leg``; ``arms`` / ``legs`` state one
sentence for both sides), and where the words came from: a file-level
``source`` that an entry may override with its own. Datasets expose them
through :meth:`skeletonllm.interfaces.Dataset.class_descriptions`, so an
alignment baseline, a prompt or describe-then-match reads the same words.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from skeletonllm.errors import SkeletonDataError
from skeletonllm.interfaces.dataset import BODY_PARTS, ClassDescription

#: shorthand keys -> the parts they stand for
_BOTH = {"arms": ("left_arm", "right_arm"), "legs": ("left_leg", "right_leg")}
_KEYS = {"name", "whole", "source", *BODY_PARTS, *_BOTH}


def description_files() -> list[str]:
    """The benchmark names that ship a description file."""
    folder = resources.files("skeletonllm_datasets").joinpath("data", "descriptions")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _sentence(value: Any, where: str, key: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SkeletonDataError(f"{where}: {key!r} must be a non-empty sentence", source=source, field=key)
    return " ".join(value.split())


def _entry(raw: Any, index: int, default_source: str, source: str) -> ClassDescription:
    if not isinstance(raw, dict) or "name" not in raw:
        raise SkeletonDataError(f"class entry {index} must be a mapping with a 'name'", source=source, field="classes")
    name = str(raw["name"])
    where = f"class {name!r}"
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SkeletonDataError(f"{where}: unknown keys {unknown}", source=source, field="classes")
    parts: dict[str, str] = {}
    for key, covers in _BOTH.items():
        if key in raw:
            clash = [p for p in covers if p in raw]
            if clash:
                raise SkeletonDataError(f"{where}: {key!r} and {clash} both given", source=source, field=key)
            for part in covers:
                parts[part] = _sentence(raw[key], where, key, source)
    for part in BODY_PARTS:
        if part in raw:
            parts[part] = _sentence(raw[part], where, part, source)
    missing = [p for p in BODY_PARTS if p not in parts]
    if missing:
        raise SkeletonDataError(f"{where}: no sentence for {missing}", source=source, field="classes")
    whole = _sentence(raw.get("whole"), where, "whole", source)
    origin = _sentence(raw.get("source", default_source), where, "source", source)
    return ClassDescription(name=name, whole=whole, parts={p: parts[p] for p in BODY_PARTS}, source=origin)


@cache
def load_descriptions(benchmark: str) -> dict[str, ClassDescription]:
    """Class name -> description of ``data/descriptions/<benchmark>.yaml``, checked entry by entry."""
    source = f"skeletonllm_datasets/data/descriptions/{benchmark}.yaml"
    try:
        text = resources.files("skeletonllm_datasets").joinpath("data", "descriptions", f"{benchmark}.yaml")
        doc = yaml.safe_load(text.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SkeletonDataError(f"no class descriptions ship for {benchmark!r}", source=source) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("classes"), list):
        raise SkeletonDataError("expected a mapping with a 'classes' list", source=source)
    default = doc.get("source", "")
    out: dict[str, ClassDescription] = {}
    for i, raw in enumerate(doc["classes"]):
        entry = _entry(raw, i, default, source)
        if entry.name in out:
            raise SkeletonDataError(f"class {entry.name!r} is described twice", source=source, field="classes")
        out[entry.name] = entry
    return out


def describe_classes(benchmark: str, class_names: list[str]) -> dict[str, ClassDescription]:
    """The descriptions of ``class_names`` from ``benchmark``'s file; every name must be there."""
    known = load_descriptions(benchmark)
    missing = [n for n in class_names if n not in known]
    if missing:
        raise SkeletonDataError(
            f"classes without a description: {missing}",
            source=f"skeletonllm_datasets/data/descriptions/{benchmark}.yaml",
        )
    return {n: known[n] for n in class_names}
