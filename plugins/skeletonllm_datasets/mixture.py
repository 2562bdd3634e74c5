"""``mixture``: several datasets as one, each part keeping its own split protocol and performers.

Pretraining a vision tower on every format, and leave-one-dataset-out zero-shot,
both need several datasets in one spec's ``data:``. Each part names a registered
dataset with its options and which of its own splits make the mixture's train and
test parts:

```yaml
data:
  name: mixture
  classes: merged            # one label per class name across parts; 'separate' keeps parts apart
  parts:
    - {data: {name: nw_ucla, root: /work/data/nw_ucla}, train: xview/train, test: xview/test}
    - {data: {name: synthetic, topology: smpl22}, train: xsub/train, test: xsub/test, label: synth_smpl}
split: {train: mixed/train, test: mixed/test}
```

Splits: ``mixed/<part>`` (every part's own train or test split), ``without_<label>/train``
(every other part's train split) with ``without_<label>/test`` (that part's test split),
and ``only_<label>/<part>``. Labels: ``merged`` gives one class per normalised name
(so "sit down" of two datasets is one class), ``separate`` gives each part its own
classes, named ``<label>: <name>`` where two parts share a name. Performers stay
distinct: a sample's ``subject`` becomes ``<label>:<subject>``, its ``dataset`` the
part's label, its id ``<label>/<id>``. The parts' own seen/unseen class splits are
not carried over (their labels are another space); the mixture defines none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import ClassDescription, Dataset, Sample
from skeletonllm.tasks import normalise

from .splitting import filter_classes, parse_split


class MixturePart(PluginOptions):
    data: dict[str, Any] = Field(description="a dataset section: its name and options")
    train: str = Field(description="the part's own split that joins the mixture's train part, e.g. xsub/train")
    test: str = Field(description="the part's own split that joins the mixture's test part")
    label: str | None = Field(None, description="the part's name in ids, subjects and splits; default: data.name")

    @field_validator("data")
    @classmethod
    def _named(cls, v: dict[str, Any]) -> dict[str, Any]:
        """The part's own options are checked now, with the spec, not when the data is first read."""
        if not isinstance(v.get("name"), str):
            raise ValueError("a part's data needs a 'name' (a registered dataset)")
        from skeletonllm.registry import get_registry

        try:
            get_registry().options("dataset", v["name"], {k: x for k, x in v.items() if k != "name"})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<options>'}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"dataset {v['name']!r}: {problems}") from None
        except SkeletonLLMError as exc:  # an unknown dataset name
            raise ValueError(str(exc)) from None
        return v

    @property
    def name(self) -> str:
        return self.label or str(self.data["name"])


class MixtureOptions(PluginOptions):
    parts: list[MixturePart] = Field(min_length=1)
    classes: Literal["merged", "separate"] = "merged"

    @model_validator(mode="after")
    def _unique(self) -> MixtureOptions:
        names = [p.name for p in self.parts]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"parts {doubled} appear twice; give each a distinct 'label'")
        bad = [n for n in names if "/" in n or not n]
        if bad:
            raise ValueError(f"part labels {bad} must be non-empty and without '/'")
        return self


class MixtureDataset(Dataset):
    name: ClassVar[str] = "mixture"
    summary: ClassVar[str] = "Several datasets as one: each part's own splits, performers kept distinct"
    Options: ClassVar[type[PluginOptions]] = MixtureOptions

    @cached_property
    def parts(self) -> dict[str, Dataset]:
        from skeletonllm.registry import get_registry

        registry = get_registry()
        built = {}
        for part in self.options.parts:
            options = {k: v for k, v in part.data.items() if k != "name"}
            built[part.name] = registry.create("dataset", part.data["name"], options)
        return built

    @cached_property
    def _labels(self) -> tuple[list[str], dict[tuple[str, int], int]]:
        """The mixture's class names and ``(part, part label) -> mixture label``."""
        names: list[str] = []
        where: dict[tuple[str, int], int] = {}
        merged = self.options.classes == "merged"
        counts: dict[str, int] = {}
        for dataset in self.parts.values():
            for c in dataset.class_names:
                counts[normalise(c)] = counts.get(normalise(c), 0) + 1
        seen: dict[str, int] = {}
        for part, dataset in self.parts.items():
            for index, class_name in enumerate(dataset.class_names):
                key = normalise(class_name)
                if merged and key in seen:
                    where[(part, index)] = seen[key]
                    continue
                shown = class_name if merged or counts[key] == 1 else f"{part}: {class_name}"
                where[(part, index)] = len(names)
                seen.setdefault(key, len(names))
                names.append(shown)
        return names, where

    @property
    def class_names(self) -> list[str]:
        return list(self._labels[0])

    def class_descriptions(self) -> dict[str, ClassDescription]:
        """Each class described by the part it comes from (merged: the first part that names it)."""
        names, where = self._labels
        own = {part: dataset.class_descriptions() for part, dataset in self.parts.items()}
        out: dict[str, ClassDescription] = {}
        for (part, index), label in where.items():
            entry = own[part].get(self.parts[part].class_names[index])
            if entry is not None and names[label] not in out:
                out[names[label]] = replace(entry, name=names[label])
        return out

    def protocols(self) -> list[str]:
        labels = list(self.parts)
        return ["mixed", *(f"without_{p}" for p in labels), *(f"only_{p}" for p in labels)]

    def _part_samples(self, part: str, split_part: str) -> Iterator[Sample]:
        config = next(p for p in self.options.parts if p.name == part)
        own_split = config.train if split_part == "train" else config.test
        where = self._labels[1]
        for sample in self.parts[part].samples(own_split):
            meta = {**sample.meta, "dataset": part}
            if "subject" in sample.meta:
                meta["subject"] = f"{part}:{sample.meta['subject']}"
            yield replace(sample, id=f"{part}/{sample.id}", label=where[(part, sample.label)], meta=meta)

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), {}, parts=("train", "test"))
        head, part = request.head, request.part
        if head == "mixed":
            chosen = [(p, part) for p in self.parts]
        elif head.startswith("without_"):
            held = head[len("without_") :]
            chosen = [(held, "test")] if part == "test" else [(p, "train") for p in self.parts if p != held]
        elif head.startswith("only_"):
            chosen = [(head[len("only_") :], part)]
        else:  # pragma: no cover - parse_split refuses it
            raise SkeletonDataError(f"mixture: unknown protocol {head!r}", field="split")
        return filter_classes((s for p, which in chosen for s in self._part_samples(p, which)), classes)
