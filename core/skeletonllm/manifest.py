"""What a checkpoint manifest records about the components it was trained with, and how to rebuild them.

The manifest's ``components`` field maps a spec section to the component's
registered name and its *validated* options, dumped as JSON::

    "components": {"data": {"name": "synthetic", "options": {...}},
                   "renderer": {"name": "draction", "options": {"frames": 4, "size": 56, ...}},
                   "backbone": {"name": "qwen2_5_vl", "options": {...}}}

Every option is written, defaults included, so a checkpoint rebuilds what was
trained even after a plugin changes a default. The trainer writes records with
:func:`component_record`; ``skeletonllm render --checkpoint`` (and any other reader)
rebuilds with :func:`rebuild_component`. This module imports no torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import CheckpointError, OptionsError, UnknownPluginError
from .registry import Registry

#: the manifest field holding one record per spec section
COMPONENTS = "components"


def component_record(name: str, options: BaseModel | dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"name": name, "options": {...}}`` with the options as JSON (a validated model is dumped in full)."""
    if isinstance(options, BaseModel):
        options = options.model_dump(mode="json")
    return {"name": name, "options": dict(options or {})}


def component_from_manifest(manifest: dict[str, Any], section: str, source: str | Path) -> dict[str, Any] | None:
    """The record of ``section`` (``renderer``, ``backbone``, ``data``); None if the manifest predates records."""
    components = manifest.get(COMPONENTS)
    if components is None:
        return None
    record = components.get(section) if isinstance(components, dict) else None
    if record is None:
        return None
    if not (
        isinstance(record, dict) and isinstance(record.get("name"), str) and isinstance(record.get("options", {}), dict)
    ):
        raise CheckpointError(f"{source}: manifest {COMPONENTS}.{section} is not {{name: str, options: mapping}}")
    return {"name": record["name"], "options": dict(record.get("options", {}))}


def rebuild_component(
    registry: Registry,
    kind: str,
    record: dict[str, Any],
    overrides: dict[str, Any] | None = None,
    source: str | Path = "checkpoint",
) -> Any:
    """Instantiate the ``kind`` component a record describes, with ``overrides`` applied to its options.

    A component that is no longer installed, or recorded options its plugin no longer
    accepts, is a :class:`CheckpointError` naming the checkpoint.
    """
    name = record["name"]
    options = {**record.get("options", {}), **(overrides or {})}
    try:
        return registry.create(kind, name, options)
    except UnknownPluginError as exc:
        raise CheckpointError(f"{source}: trained with {kind} {name!r}, which is not installed ({exc})") from None
    except OptionsError as exc:
        raise CheckpointError(f"{source}: the recorded options of {kind} {name!r} do not validate: {exc}") from None
