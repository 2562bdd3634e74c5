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

    @classmethod
    def validate_options(cls, options: PluginOptions, check_files: bool = True) -> list[str]:
        """Problems only this plugin can see in its validated options, before anything is built.

        Called by ``validate_spec`` (``spec_plan.check_components``); each line is
        ``option: what is wrong``, e.g. an image size the model cannot take or a model
        folder without weights. ``check_files=False``: do not look at this machine's files.
        """
        return []
