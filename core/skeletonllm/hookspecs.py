"""The extension points. A plugin implements any of these with ``@hookimpl``.

Callback style (as in simonw/llm): each hook receives a ``register`` function
and calls it once per class it provides, so one plugin module can provide
many components and the registry knows exactly which plugin gave which.

``register`` takes the component class itself, or its import path
``"package.module:Class"``: then the module holding the class (and whatever it
imports, torch or transformers) is imported only when the component is first
used, and the class's ``name``, ``summary`` and ``default_for`` are read from
its source (:mod:`skeletonllm.declarations`), so ``skeletonllm plugins`` lists
it without importing anything and they are written once, in the class. The
built-in plugins all register this way. The kind of each hook is in
:mod:`skeletonllm.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pluggy

PROJECT = "skeletonllm"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class LazyComponent:
    """A component imported from ``target`` (``"package.module:ClassName"``) on first use.

    ``register(LazyComponent(target))`` is ``register(target)``: name and summary are read
    from the class's source. Giving ``name`` (and ``summary``) states them here instead, for a
    class whose name is not a literal; the registry checks they agree with the class, and its
    interface and ``Options`` model, when it imports it.
    """

    target: str
    name: str = ""
    summary: str = ""

    def load(self) -> type:
        module, _, attr = self.target.partition(":")
        if not module or not attr:
            raise ValueError(f"target {self.target!r} is not 'package.module:ClassName'")
        return getattr(import_module(module), attr)


Register = Callable[[type | str | LazyComponent], None]


@hookspec
def register_formats(register: Register) -> None:
    """Register SkeletonFormat subclasses (file readers, and writers when they override ``write``)."""


@hookspec
def register_datasets(register: Register) -> None:
    """Register Dataset subclasses (benchmarks and their split protocols)."""


@hookspec
def register_renderers(register: Register) -> None:
    """Register Renderer subclasses (skeleton batch -> frames)."""


@hookspec
def register_backbones(register: Register) -> None:
    """Register Backbone subclasses (multimodal LLMs)."""


@hookspec
def register_stages(register: Register) -> None:
    """Register Stage subclasses (training phases)."""


@hookspec
def register_teachers(register: Register) -> None:
    """Register Teacher subclasses (rationale sources for CR-Distill)."""


@hookspec
def register_metrics(register: Register) -> None:
    """Register Metric subclasses (evaluation)."""


@hookspec
def register_questions(register: Register) -> None:
    """Register Question subclasses (kinds of question a QA stage asks about a clip's motion)."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands to the ``skeletonllm`` group with ``cli.add_command(command)``.

    Called for ``skeletonllm --help``: define commands in a module that imports only
    click, and import heavy modules inside the command's function body.
    """
