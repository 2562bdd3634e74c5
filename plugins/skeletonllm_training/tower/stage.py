"""Stage ``vision_pretrain``: teach the backbone's vision tower to read rendered poses before anything else.

It opens any spec: the spec's data (seen classes of its training split; labels are
never used), renderer and backbone. The tower is saved to the tower cache
(``skeletonllm.towers``), keyed by its architecture and the renderer's settings, so
a later spec starts from it with ``vision_init: pretrained`` and this stage itself
loads it instead of training again when the recipe is the same.

```yaml
stages:
  - {name: vision_pretrain, max_steps: 600}   # then the usual stages
```
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import ClassVar

from pydantic import Field

from skeletonllm.errors import CheckpointError, SkeletonLLMError
from skeletonllm.interfaces import Stage, StageOptions
from skeletonllm.tasks import ClipContext, TaskExample

from .pretrain import CachedBatches, LiveBatches, Recipe, build_heads, evaluate, pretrain
from .rendered import cached_render_set, render_set


class VisionPretrainOptions(StageOptions):
    max_steps: int | None = Field(600, ge=1, description="optimiser steps of the tower and heads")
    lr: float | None = Field(1e-3, gt=0, description="peak learning rate (the spec's optim.lr is for the MLLM)")
    batch_clips: int = Field(8, ge=1, description="clips per step")
    frames: int | None = Field(None, ge=2, description="frames per clip; default: the renderer's")
    variants: int = Field(1, ge=1, description="renders of each training clip at different segment offsets")
    hidden: int = Field(256, ge=0, description="hidden width of the prediction heads; 0: linear heads")
    warmup: int = Field(30, ge=0)
    motion_weight: float = Field(4.0, ge=0)
    pose_weight: float = Field(1.0, ge=0)
    fact_weight: float = Field(0.5, ge=0)
    train_renderer: bool = Field(
        False, description="the renderer learns too (frames drawn at every step, not cached); saved with the run"
    )
    validation: str | None = Field(None, description="held-out split for the figures; default: the spec's test split")
    validation_limit: int | None = Field(200, ge=1, description="at most this many held-out clips")
    cache: bool = Field(True, description="load the cached tower when the recipe matches, and save the result there")
    render_cache: bool = Field(True, description="keep the rendered clips on disk for the next run")


class VisionPretrainStage(Stage):
    """Landmarks, their motion and the clip's kinematic facts, predicted from the tower's tokens."""

    name = "vision_pretrain"
    summary = "Vision pretraining: the tower learns landmarks, motion and kinematic facts from renders (no labels)"
    Options = VisionPretrainOptions
    trainable: ClassVar[tuple[str, ...]] = ("vision",)
    trains_itself: ClassVar[bool] = True

    def __init__(self, options: VisionPretrainOptions | None = None) -> None:
        super().__init__(options)
        #: False: train even when the cache holds a tower of the same recipe (``pretrain-vision --force``)
        self.reuse = True
        #: the tower manifest of the last :meth:`fit` (what ``pretrain-vision -o`` writes beside the tensors)
        self.manifest: dict | None = None

    @property
    def groups(self) -> tuple[str, ...]:
        if self.options.train:
            return tuple(self.options.train)
        return ("vision", "renderer") if self.options.train_renderer else ("vision",)

    def examples(self, clip: ClipContext, rng) -> list[TaskExample]:
        raise SkeletonLLMError("vision_pretrain trains the tower with heads of its own; it asks no questions")

    def recipe(self, seed: int) -> Recipe:
        o = self.options
        return Recipe(
            steps=int(o.max_steps or 600), batch_clips=o.batch_clips, lr=float(o.lr or 1e-3), warmup=o.warmup,
            hidden=o.hidden, motion_weight=o.motion_weight, pose_weight=o.pose_weight, fact_weight=o.fact_weight,
            seed=seed,
        )  # fmt: skip

    def recipe_key(self, pipeline) -> str:
        """What makes two pretrainings the same: data, split, renderer, the stage's options and the seed."""
        spec = pipeline.spec
        record = {
            "data": spec.record("data"), "renderer": spec.record("renderer"), "split": pipeline.cfg.split.train,
            "classes": pipeline.seen, "options": self.options.model_dump(mode="json"), "seed": pipeline.cfg.optim.seed,
        }  # fmt: skip
        return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def fit(self, pipeline, show_progress: bool = True) -> dict:
        from skeletonllm.towers import load_tower, save_tower, tower_folder

        folder = tower_folder(pipeline.backbone, pipeline.spec.record("renderer"))
        key = self.recipe_key(pipeline)
        if self.reuse and self.options.cache and not self.options.train_renderer and folder.exists():
            own = {k: v.clone() for k, v in pipeline.backbone.trainable_state(["vision"]).items()}
            try:
                manifest = load_tower(pipeline.backbone, str(folder), quiet=True)
            except CheckpointError as exc:
                print(f"vision_pretrain: cached tower unusable ({exc}); training again", file=sys.stderr)
            else:
                if manifest.get("recipe") == key:
                    self.manifest = manifest
                    print(f"vision_pretrain: loaded the cached tower {folder} (same recipe)", file=sys.stderr)
                    return {"losses": [], "tower": str(folder), "cached": True}
                pipeline.backbone.load_trainable(own)  # train from the spec's own initialisation, not the old tower
                print(
                    f"vision_pretrain: {folder} was made by another recipe; training and replacing it", file=sys.stderr
                )
        result, figures = self.train(pipeline, show_progress)
        record = {"losses": result.losses, "seconds": result.seconds, "peak_rss_mib": result.peak_rss_mib}
        record["validation"] = figures
        self.manifest = {
            "recipe": key,
            "renderer": pipeline.spec.record("renderer"),
            "data": pipeline.spec.record("data"),
        }
        self.manifest["training"] = {k: v for k, v in record.items() if k != "losses"}
        self.manifest["training"]["loss_first_last"] = [result.losses[0], result.losses[-1]]
        if self.options.cache and not self.options.train_renderer:
            save_tower(folder, pipeline.backbone, self.manifest)
            record["tower"] = str(folder)
        return record

    def train(self, pipeline, show_progress: bool = True):
        """Pretrain ``pipeline.backbone``'s tower on the spec's training clips; returns the result and held-out figures."""
        from skeletonllm.progress import progress

        o = self.options
        frames = o.frames or pipeline.renderer.options.frames
        recipe = self.recipe(pipeline.cfg.optim.seed)
        renderer, record = pipeline.renderer.eval(), pipeline.spec.record("renderer")
        show = (lambda items: progress(items, desc="rendering", unit="batch")) if show_progress else None
        group = pipeline.spec.record("data")["name"]
        data = pipeline.spec.record("data")

        def render(samples, split, **kw):
            if o.render_cache:
                return cached_render_set(renderer, record, {**data, "split": split}, samples, frames, **kw)
            return render_set(renderer, samples, frames, **kw)

        samples = pipeline.train_samples()
        train_split = pipeline.cfg.split.train
        train = render(samples, train_split, group=group, variants=o.variants, seed=recipe.seed, show=show)
        split = o.validation or pipeline.cfg.split.test
        held_out = list(pipeline.dataset.samples(split, classes=set(pipeline.seen)))[: o.validation_limit]
        heads = build_heads(pipeline.backbone, frames, recipe, train.images([0]))
        if o.train_renderer:
            batches = LiveBatches(pipeline.renderer.train(), samples, frames, o.batch_clips, recipe.seed)
            result = pretrain(pipeline.backbone, heads, batches, recipe, pipeline.renderer, show_progress)
            pipeline.renderer.eval()
            valid = render_set(renderer, held_out, frames, group=group, show=show) if held_out else None
        else:
            valid = render(held_out, split, group=group, show=show) if held_out else None
            result = pretrain(pipeline.backbone, heads, CachedBatches(train, o.batch_clips, recipe.seed), recipe,
                              show_progress=show_progress)  # fmt: skip
        figures = evaluate(pipeline.backbone, heads, valid, train) if valid is not None else {}
        return result, figures
