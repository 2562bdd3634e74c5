"""The pipeline spec: one YAML file describes a whole experiment.

Validation happens before anything heavy is built: the structure (sections,
optimiser numbers) by pydantic, each component's options by the ``Options``
model *its plugin* declares, looked up in the live registry, then checks across
sections (:data:`SPEC_CHECKS`). Every problem is reported with its YAML path, e.g.
``stages[2].epochs: Input should be greater than or equal to 0 (stage 'disc_ft')``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import SpecError, UnknownPluginError
from .kinds import KINDS
from .manifest import component_record
from .registry import Registry, get_registry, option_problems
from .spec_checks import spec_problems
from .spec_plan import plan_problems
from .yaml_safe import read_yaml_file


class ComponentSpec(BaseModel):
    """``{name: ..., **options}``; the options are checked against the plugin's own model."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # ``renderer: stick`` is shorthand for ``renderer: {name: stick}``.
        return {"name": value} if isinstance(value, str) else value

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class OptimSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lr: float = Field(5e-4, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_steps: int = Field(0, ge=0)
    warmup_ratio: float | None = Field(
        None,
        ge=0,
        le=1,
        description="warm-up as a share of each stage's steps (the paper: 0.03); overrides warmup_steps",
    )
    batch_size: int = Field(8, ge=1)
    grad_accum: int = Field(1, ge=1)
    max_grad_norm: float | None = Field(1.0, gt=0)
    save_every: int = Field(50, ge=1, description="optimizer steps between checkpoints")
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    seed: int = 0

    def warmup_for(self, total_steps: int) -> int:
        """Warm-up steps of a stage with ``total_steps`` optimiser steps."""
        if self.warmup_ratio is not None:
            return math.ceil(self.warmup_ratio * total_steps)
        return self.warmup_steps


class SplitSpec(BaseModel):
    """Which samples train and which evaluate, and the seen/unseen class split (zero-shot)."""

    model_config = ConfigDict(extra="forbid")
    train: str = "train"
    test: str = "test"
    class_split: str | None = Field(None, description="a name from the dataset's class_splits(), e.g. '55/5'")


class EvalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Literal["recognition", "caption", "qa"] = Field(
        "recognition", description="what the test set is asked: the label, a caption, or questions about the motion"
    )
    question: Literal["stage", "multiple_choice", "open_recognition", "rationale"] = Field(
        "stage",
        description="recognition question: the last recognition stage's (default), or a fixed kind, e.g. to ask "
        "a model trained only on captions to name actions",
    )
    data: ComponentSpec | None = Field(
        None, description="test on another dataset (cross-format transfer): its classes are the candidates"
    )
    split: str | None = Field(None, description="the test split of eval.data (default: split.test)")
    candidates: Literal["all", "seen", "unseen"] = Field(
        "all", description="class names offered at test time: all (GZSL), unseen (ZSL) or seen"
    )
    metrics: list[ComponentSpec] = Field(
        default_factory=list,
        description="default: the metric a plugin declares the default for eval.task (default_for), e.g. accuracy",
    )
    max_new_tokens: int = Field(32, ge=1)
    limit: int | None = Field(None, ge=1)


class PipelineSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    data: ComponentSpec
    renderer: ComponentSpec
    backbone: ComponentSpec
    stages: list[ComponentSpec] = Field(default_factory=list)
    teacher: ComponentSpec | None = None
    split: SplitSpec = Field(default_factory=SplitSpec)
    optim: OptimSpec = Field(default_factory=OptimSpec)
    eval: EvalSpec = Field(default_factory=EvalSpec)
    output_dir: str = "runs/default"

    @field_validator("output_dir")
    @classmethod
    def _expand_home(cls, value: str) -> str:
        """``~/runs/x`` means the home folder's, everywhere: checked, locked and written at the same place."""
        return os.path.expanduser(value)

    def digest(self) -> str:
        """Stable hash of what the spec trains, stored in checkpoint manifests.

        Left out: ``output_dir`` (where a run is written is not what it learned, so the same spec
        run into another folder, ``skeletonllm demo --out`` or a copied run, is the same spec) and
        ``eval`` (how a trained model is tested: another dataset such as your own ``folder`` of
        recordings, another split, other metrics; a checkpoint still belongs to the spec after it).
        """
        return _hash(self.model_dump(mode="json", exclude={"output_dir", "eval"}))

    def digests(self) -> tuple[str, ...]:
        """This digest, then those of older rules (``eval`` kept; everything kept), which old checkpoints carry."""
        return (
            self.digest(),
            _hash(self.model_dump(mode="json", exclude={"output_dir"})),
            _hash(self.model_dump(mode="json")),
        )


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _pydantic_problems(exc: ValidationError, prefix: str = "", plugin: str = "") -> list[str]:
    suffix = f" ({plugin})" if plugin else ""
    problems = []
    for err in exc.errors():
        loc = _loc(tuple(err["loc"]))
        path = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "<root>")
        problems.append(f"{path}: {err['msg']}{suffix}")
    return problems


class ValidatedSpec:
    """A spec whose every component is known to exist and whose options are typed.

    Every component section, whatever its kind, is built the same way:
    ``build("data")``, ``build("teacher")``, ``build("stages", 2)`` or ``build("eval.metrics[0]")``.
    """

    def __init__(
        self,
        spec: PipelineSpec,
        options: dict[str, Any],
        registry: Registry,
        names: dict[str, tuple[str, str]],
        derived: dict[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.options = options  # YAML path -> validated Options instance
        self.names = names  # YAML path -> (kind, registered name)
        self.registry = registry
        self.derived = derived or {}  # "backbone.frames" -> "renderer.frames": options filled from elsewhere

    def paths(self, section: str) -> list[str]:
        """The component paths of ``section``: ``["renderer"]``, ``["stages[0]", "stages[1]"]``, or []."""
        return [p for p in self.names if p == section or (p.startswith(section + "[") and p.endswith("]"))]

    def _path(self, section: str, index: int | None) -> str:
        path = section if index is None else f"{section}[{index}]"
        if path not in self.names:
            named = ", ".join(self.names)
            raise SpecError([f"{path}: the spec names no component there (it names {named})"])
        return path

    def build(self, section: str, index: int | None = None) -> Any:
        """Instantiate the component at ``section`` (or ``section[index]``) with its validated options."""
        path = self._path(section, index)
        kind, name = self.names[path]
        return self.registry.create(kind, name, self.options[path])

    def record(self, section: str, index: int | None = None) -> dict[str, Any]:
        """The checkpoint-manifest record (name and every option) of one component."""
        path = self._path(section, index)
        return component_record(self.names[path][1], self.options[path])

    def records(self) -> dict[str, dict[str, Any]]:
        """Records of the single-component sections (data, renderer, backbone, teacher), for the manifest."""
        return {p: self.record(p) for p in self.names if "[" not in p}


def _raw_components(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """``(YAML path, kind, raw value)`` of every component a parsed spec names, in the table's order.

    Read from the raw mapping, not the parsed model, so components are checked even when
    another section is missing or malformed: every problem is reported in one pass.
    """
    found: list[tuple[str, str, Any]] = []
    for kind in KINDS.values():
        for section in kind.sections:
            head, _, rest = section.partition(".")
            raw = data.get(head)
            if rest:
                if raw is None:
                    raw = {}
                raw = raw.get(rest) if isinstance(raw, dict) else None
            if kind.many and isinstance(raw, list):
                found += [(f"{section}[{i}]", kind.name, item) for i, item in enumerate(raw)]
            elif not kind.many and raw is not None:
                found.append((section, kind.name, raw))
    return found


def _check_components(
    data: dict[str, Any], registry: Registry, problems: list[str], conflicts: list[str], derived: dict[str, str]
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """Validate every named component against the registry and its Options model.

    Options a component declares as ``derived`` from another section (a backbone's frames
    from ``renderer.frames``, its seed from ``optim.seed``) are filled in from there first;
    a value stated in both places that differs goes to ``conflicts`` (reported with the
    cross-section checks, so every other problem is still found).
    """
    options: dict[str, Any] = {}
    names: dict[str, tuple[str, str]] = {}
    for path, kind, raw in _raw_components(data):
        try:
            comp = ComponentSpec.model_validate(raw)
        except ValidationError:
            continue  # malformed section: the structural pass reports it
        try:
            cls = registry.get(kind, comp.name)
        except UnknownPluginError as exc:
            problems.append(f"{path}.name: {exc}")
            continue
        values = comp.options
        for option, source in getattr(cls, "derived", {}).items():
            found, value = _section_value(source, data, options)
            if not found:
                continue
            if option in values and values[option] != value:
                conflicts.append(
                    f"{path}.{option}: {values[option]!r} differs from {source}: {value!r}; {path}.{option} follows "
                    f"{source}, so state it once there (remove {path}.{option})"
                )
            if option not in values:
                values[option] = value
                derived[f"{path}.{option}"] = source
        try:
            options[path] = cls.Options.model_validate(values)
            names[path] = (kind, comp.name)
        except ValidationError as exc:
            suffix = f" ({kind} {comp.name!r})"
            problems += [f"{path}.{loc}: {msg}{suffix}" for loc, msg in option_problems(exc, cls.Options)]
    return options, names


def _with_default_metric(data: Any, registry: Registry, problems: list[str]) -> Any:
    """``data`` with ``eval.metrics`` set to the metric a plugin declares the default for ``eval.task``, if unset."""
    if not isinstance(data, dict):
        return data
    section = data.get("eval")
    section = section if isinstance(section, dict) else {} if section is None else None
    if section is None or section.get("metrics"):
        return data  # a malformed eval section is reported by the structural pass
    task = section.get("task", EvalSpec.model_fields["task"].default)
    if task not in get_args(EvalSpec.model_fields["task"].annotation):
        return data  # an unknown task is reported by the structural pass
    try:
        metric = registry.default("metric", task)
    except UnknownPluginError as exc:
        problems.append(f"eval.metrics: {exc}")
        return data
    return {**data, "eval": {**section, "metrics": [{"name": metric}]}}


#: the structural sections a component may derive an option from, with their models' defaults
_PLAIN_SECTIONS: dict[str, type[BaseModel]] = {"optim": OptimSpec, "split": SplitSpec, "eval": EvalSpec}


def _section_value(source: str, data: dict[str, Any], options: dict[str, Any]) -> tuple[bool, Any]:
    """``(found, value)`` of ``"section.option"``: a validated component's option, or a plain section's."""
    section, _, option = source.rpartition(".")
    if section in options:
        return hasattr(options[section], option), getattr(options[section], option, None)
    model = _PLAIN_SECTIONS.get(section)
    if model is None or option not in model.model_fields:
        return False, None
    raw = data.get(section)
    if isinstance(raw, dict) and option in raw:
        return True, raw[option]
    return True, model.model_fields[option].get_default(call_default_factory=True)


#: Checks that need the whole, individually valid spec (relations between sections, files).
#: Each takes the spec and whether to look at the file system, and returns a list of problems;
#: validate_spec runs them all and reports everything together. ``spec_checks.spec_problems``
#: holds the built-in ones (cross-section consistency, bounds, data roots, model folders).
SPEC_CHECKS: list[Callable[[ValidatedSpec, bool], list[str]]] = [spec_problems, plan_problems]


def validate_spec(
    data: Any, registry: Registry | None = None, source: str | None = None, check_files: bool = True
) -> ValidatedSpec:
    """Validate a parsed spec; raises SpecError listing *every* problem.

    Three passes, all run before reporting: the structure (sections, optimiser numbers),
    each component against the registry and its Options model (even when the structure
    failed), then, on a spec that passed both, every check in :data:`SPEC_CHECKS` (the
    file-system ones only when ``check_files``: example specs name folders of other machines).
    """
    registry = registry or get_registry()
    problems: list[str] = []
    data = _with_default_metric(data, registry, problems)
    conflicts: list[str] = []
    derived: dict[str, str] = {}
    try:
        spec = PipelineSpec.model_validate(data)
    except ValidationError as exc:
        spec = None
        problems += _pydantic_problems(exc)
    raw = data if isinstance(data, dict) else {}
    options, names = _check_components(raw, registry, problems, conflicts, derived)
    if spec is None or problems:
        raise SpecError(problems + conflicts, source)
    validated = ValidatedSpec(spec, options, registry, names, derived)
    problems += conflicts
    for check in SPEC_CHECKS:
        problems += check(validated, check_files)
    if problems:
        raise SpecError(problems, source)
    return validated


def load_spec(path: str | Path, registry: Registry | None = None, check_files: bool = True) -> ValidatedSpec:
    """Read YAML with a strict ``SafeLoader`` subclass (never ``yaml.load``) and validate it."""
    path = Path(path)
    data = read_yaml_file(path)  # strict: encodings, duplicate keys, nesting (yaml_safe.py)
    if not isinstance(data, dict):
        raise SpecError(["<root>: a spec must be a mapping with data/renderer/backbone sections"], str(path))
    return validate_spec(data, registry, str(path), check_files)
