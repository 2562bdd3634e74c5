"""SkeletonLLM: universal skeleton understanding with rendered frames and multimodal LLMs.

The core is small on purpose: data types (:class:`Topology`,
:class:`SkeletonSequence`, :class:`SkeletonBatch`), one interface per plugin
kind (``skeletonllm.interfaces``), the plugin registry, the pipeline spec and
the CLI. Everything that reads, renders or learns is a plugin.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    CheckpointError,
    OptionsError,
    PluginError,
    SkeletonDataError,
    SkeletonLLMError,
    SpecError,
    UnknownPluginError,
)
from .hookspecs import LazyComponent, hookimpl
from .sequence import SkeletonSequence
from .topology import Topology

try:
    __version__ = version("skeletonllm")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "CheckpointError",
    "LazyComponent",
    "OptionsError",
    "PluginError",
    "SkeletonDataError",
    "SkeletonLLMError",
    "SkeletonSequence",
    "SpecError",
    "Topology",
    "UnknownPluginError",
    "hookimpl",
    "__version__",
]
