"""The one table of plugin kinds: hook, interface and spec section of each.

Everything that needs to know the kinds (the registry, the spec validator, the
``skeletonllm.interfaces`` lazy exports, the conformance kit) reads this table,
so adding a kind is one row here plus its hookspec and interface module.
Importing this module imports nothing heavy: interfaces are named by module and
class and imported only when :func:`interface` is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Kind:
    """One kind of component.

    ``section`` is where a spec names components of this kind (``None``: never in a spec);
    ``many`` means that section is a list (``stages[0]``, ``eval.metrics[1]``);
    ``also`` names further sections of the same kind (``eval.data``: a second dataset to test on).
    """

    name: str
    hook: str
    module: str
    interface: str
    section: str | None = None
    many: bool = False
    also: tuple[str, ...] = ()

    @property
    def sections(self) -> tuple[str, ...]:
        return ((self.section,) if self.section else ()) + self.also


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("format", "register_formats", "format", "SkeletonFormat"),
        Kind("dataset", "register_datasets", "dataset", "Dataset", section="data", also=("eval.data",)),
        Kind("renderer", "register_renderers", "renderer", "Renderer", section="renderer"),
        Kind("backbone", "register_backbones", "backbone", "Backbone", section="backbone"),
        Kind("teacher", "register_teachers", "teacher", "Teacher", section="teacher"),
        Kind("stage", "register_stages", "stage", "Stage", section="stages", many=True),
        Kind("metric", "register_metrics", "metric", "Metric", section="eval.metrics", many=True),
        Kind("question", "register_questions", "question", "Question"),  # named by a stage's ``kinds``
    )
}


def interface(kind: str) -> type:
    """The abstract base class every component of ``kind`` must subclass."""
    row = KINDS[kind]
    return getattr(import_module(f"skeletonllm.interfaces.{row.module}"), row.interface)


def kind_of_section(section: str) -> Kind:
    """The kind a spec section (``renderer``, ``stages``, ``eval.metrics``) holds."""
    for row in KINDS.values():
        if section in row.sections:
            return row
    raise KeyError(section)
