"""The pipeline spec: one YAML file describes a whole experiment.

Validation happens in two passes, both before anything heavy is built:
the structure (sections, optimiser numbers) by pydantic, then each
component's options by the ``Options`` model *its plugin* declares, looked up
in the live registry. Every problem is reported with its YAML path, e.g.
``stages[2].epochs: Input should be greater than or equal to 0 (stage 'disc_ft')``.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import SpecError, UnknownPluginError
from .registry import Registry, get_registry


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
        default_factory=list, description="default: the task's own metric (accuracy, captioning or motion_qa)"
    )
    max_new_tokens: int = Field(32, ge=1)
    limit: int | None = Field(None, ge=1)


#: eval.task -> the metric used when ``eval.metrics`` names none
DEFAULT_METRICS = {"recognition": "accuracy", "caption": "captioning", "qa": "motion_qa"}


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

    @model_validator(mode="after")
    def _default_metrics(self) -> PipelineSpec:
        if not self.eval.metrics:
            self.eval.metrics = [ComponentSpec(name=DEFAULT_METRICS[self.eval.task])]
        return self

    def digest(self) -> str:
        """Stable hash of the spec, stored in checkpoint manifests."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


#: spec section -> plugin kind
SECTION_KINDS = {"data": "dataset", "renderer": "renderer", "backbone": "backbone", "teacher": "teacher"}


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
    """A spec whose every component is known to exist and whose options are typed."""

    def __init__(self, spec: PipelineSpec, options: dict[str, Any], registry: Registry) -> None:
        self.spec = spec
        self.options = options  # YAML path -> validated Options instance
        self.registry = registry

    def build(self, section: str, index: int | None = None) -> Any:
        """Instantiate the component at ``section`` (or ``section[index]``)."""
        path = section if index is None else f"{section}[{index}]"
        comp = self.spec
        for part in section.split("."):
            comp = getattr(comp, part)
        if index is not None:
            comp = comp[index]
        kind = SECTION_KINDS.get(section, {"stages": "stage", "eval.data": "dataset"}.get(section, "metric"))
        return self.registry.create(kind, comp.name, self.options[path])


def validate_spec(data: Any, registry: Registry | None = None, source: str | None = None) -> ValidatedSpec:
    """Validate a parsed spec; raises SpecError listing *every* problem."""
    registry = registry or get_registry()
    try:
        spec = PipelineSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_pydantic_problems(exc), source) from None
    problems: list[str] = []
    options: dict[str, Any] = {}
    components: list[tuple[str, str, ComponentSpec]] = []
    for section, kind in SECTION_KINDS.items():
        comp = getattr(spec, section)
        if comp is not None:
            components.append((section, kind, comp))
    components += [(f"stages[{i}]", "stage", c) for i, c in enumerate(spec.stages)]
    components += [(f"eval.metrics[{i}]", "metric", c) for i, c in enumerate(spec.eval.metrics)]
    if spec.eval.data is not None:
        components.append(("eval.data", "dataset", spec.eval.data))
    for path, kind, comp in components:
        try:
            cls = registry.get(kind, comp.name)
        except UnknownPluginError as exc:
            problems.append(f"{path}.name: {exc}")
            continue
        try:
            options[path] = cls.Options.model_validate(comp.options)
        except ValidationError as exc:
            problems += _pydantic_problems(exc, path, f"{kind} {comp.name!r}")
    if problems:
        raise SpecError(problems, source)
    return ValidatedSpec(spec, options, registry)


def load_spec(path: str | Path, registry: Registry | None = None) -> ValidatedSpec:
    """Read YAML with ``safe_load`` (never ``load``) and validate it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError([f"cannot read spec: {exc.strerror}"], str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{where}invalid YAML: {getattr(exc, 'problem', exc)}"], str(path)) from None
    if not isinstance(data, dict):
        raise SpecError(["<root>: a spec must be a mapping with data/renderer/backbone sections"], str(path))
    return validate_spec(data, registry, str(path))
