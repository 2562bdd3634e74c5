"""What every plugin component has in common: a name, a summary and typed options.

A component class declares ``name``, ``summary`` and an ``Options`` pydantic
model (``extra="forbid"``). The registry validates a spec section against
``Options`` *before* anything heavy is built, so a typo in a YAML key fails
in milliseconds with the field's path, not after weights have loaded.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class PluginOptions(BaseModel):
    """Base for every options model: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=False, protected_namespaces=())


class NoOptions(PluginOptions):
    """For components without settings."""


class Component:
    """Mixin for registrable classes; the kind a class belongs to is the interface it subclasses."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Options: ClassVar[type[PluginOptions]] = NoOptions
    #: options a spec fills from another section when this component's section leaves them out,
    #: ``option -> "section.option"``, so a value is stated once: a backbone reads the frames the
    #: renderer draws (``{"frames": "renderer.frames", "image_size": "renderer.size"}``) and
    #: initialises from the spec's one seed (``{"seed": "optim.seed"}``). Stating the option
    #: anyway is accepted when it agrees and refused, naming both places, when it differs.
    derived: ClassVar[dict[str, str]] = {}
    #: what this component is the default for, so the core names no plugin: a metric lists the
    #: ``eval.task`` values it scores when a spec names no metric (``("recognition",)``), a
    #: renderer ``("render",)`` for ``skeletonllm render`` without ``--renderer``. The registry
    #: answers ``default(kind, purpose)`` from these declarations (a built-in wins a tie).
    default_for: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def validate_options(cls, options: PluginOptions, check_files: bool = True) -> list[str]:
        """Problems only this plugin can see in its validated options, before anything is built.

        Called by ``validate_spec`` (``spec_plan.check_components``); each line is
        ``option: what is wrong``, e.g. an image size the model cannot take or a model
        folder without weights. ``check_files=False``: do not look at this machine's files.
        """
        return []
