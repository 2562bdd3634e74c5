"""Base class for benchmarks whose classes, protocols and class splits ship as data files."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import ClassVar

from skeletonllm.interfaces.dataset import ClassDescription, ClassSplit, Dataset, Sample

from .descriptions import describe_classes
from .protocol_data import benchmark
from .splitting import allowed_classes, filter_classes, parse_split


class PublishedBenchmark(Dataset):
    """Class names, sample protocols and seen/unseen splits come from ``data/<benchmark_name>``.

    Keeping them as data (each entry citing its source) means a reader checks numbers
    against the publication by reading one YAML file, not code.
    """

    benchmark_name: ClassVar[str]
    #: the ``Sample.meta`` key whose values a protocol's ``train`` list names (subject, view,
    #: person); a dataset whose files carry the split themselves overrides ``in_training`` instead
    protocol_key: ClassVar[str | None] = None
    #: the file in ``data/descriptions`` holding this benchmark's class descriptions (default: the name of
    #: the benchmark file actually read, e.g. ``bandai1`` for Bandai set 1)
    descriptions_name: ClassVar[str | None] = None

    @cached_property
    def _data(self):
        return benchmark(self.benchmark_name)

    @property
    def class_names(self) -> list[str]:
        return list(self._data.class_names)

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        """``<protocol>/<train|test>`` by ``in_training``, or a seeded class split over every clip."""
        request = parse_split(split, self.name, self.protocols(), self.class_splits(), parts=("train", "test"))
        wanted = allowed_classes(request, classes)
        if request.class_split is not None:
            return filter_classes(iter(self.index), wanted)
        training = request.part == "train"
        return filter_classes((s for s in self.index if self.in_training(s, request.head) == training), wanted)

    def in_training(self, sample: Sample, protocol: str) -> bool:
        """Whether ``sample`` is a training clip of ``protocol``: its ``protocol_key`` is in the protocol's list."""
        if self.protocol_key is None:
            raise NotImplementedError(f"{type(self).__name__} sets neither protocol_key nor in_training")
        return sample.meta[self.protocol_key] in self._data.protocols[protocol]["train"]

    def protocols(self) -> list[str]:
        return list(self._data.protocols)

    def protocol_description(self, protocol: str) -> str:
        return str(self._data.protocols.get(protocol, {}).get("meaning", ""))

    def class_splits(self) -> dict[str, ClassSplit]:
        return dict(self._data.class_splits)

    def class_descriptions(self) -> dict[str, ClassDescription]:
        return describe_classes(self.descriptions_name or self._data.name, self.class_names)
