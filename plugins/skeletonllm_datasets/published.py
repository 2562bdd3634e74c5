"""Base class for benchmarks whose classes, protocols and class splits ship as data files."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from skeletonllm.interfaces.dataset import ClassDescription, ClassSplit, Dataset

from .descriptions import describe_classes
from .protocol_data import benchmark


class PublishedBenchmark(Dataset):
    """Class names, sample protocols and seen/unseen splits come from ``data/<benchmark_name>``.

    Keeping them as data (each entry citing its source) means a reader checks numbers
    against the publication by reading one YAML file, not code.
    """

    benchmark_name: ClassVar[str]
    #: the file in ``data/descriptions`` holding this benchmark's class descriptions (default: the name of
    #: the benchmark file actually read, e.g. ``bandai1`` for Bandai set 1)
    descriptions_name: ClassVar[str | None] = None

    @cached_property
    def _data(self):
        return benchmark(self.benchmark_name)

    @property
    def class_names(self) -> list[str]:
        return list(self._data.class_names)

    def protocols(self) -> list[str]:
        return list(self._data.protocols)

    def protocol_description(self, protocol: str) -> str:
        return str(self._data.protocols.get(protocol, {}).get("meaning", ""))

    def class_splits(self) -> dict[str, ClassSplit]:
        return dict(self._data.class_splits)

    def class_descriptions(self) -> dict[str, ClassDescription]:
        return describe_classes(self.descriptions_name or self._data.name, self.class_names)
