"""The backbone contract: named parameter groups, a finite loss that reaches the pixels, one answer per question.

Each backbone is built as a spec would build it for a renderer drawing ``FRAMES`` frames of
``SIZE`` pixels (its ``derived`` options filled from there) and checked on a small batch:

- ``parameter_groups`` names only known groups, each parameter once, all of them the module's;
  ``set_trainable`` unfreezes exactly the named groups and refuses an unknown one;
- ``loss`` is a finite scalar whose gradient reaches the frames (so a renderer can learn),
  and refuses examples with nothing to learn (no target, no answer), no examples, and a
  frame batch of another size;
- ``generate`` answers each example with one string, and nothing for no examples;
- ``trainable_state`` round-trips through ``load_trainable``; ``identity`` names the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..errors import SkeletonLLMError, UnknownGroupError
from ..interfaces.backbone import PARAMETER_GROUPS
from ..registry import get_registry
from ..tasks import TaskExample, TaskKind, label_line
from .cases import KIT_CLASSES
from .components import KindContract

FRAMES = 2
SIZE = 56

#: what the kit's renderer states, for options a backbone derives from ``renderer.<option>``
RENDERER = {"frames": FRAMES, "size": SIZE}


def renderer_fed(name: str) -> dict[str, Any]:
    """Every option backbone ``name`` derives from the renderer, filled as a spec fills them."""
    cls = get_registry().get("backbone", name)
    filled = {}
    for option, source in getattr(cls, "derived", {}).items():
        section, _, field = source.rpartition(".")
        if section == "renderer" and field in RENDERER:
            filled[option] = RENDERER[field]
    return filled


def kit_frames(batch: int, requires_grad: bool = False) -> Any:
    """``(batch, FRAMES, 3, SIZE, SIZE)`` frames in [0, 1], different per clip."""
    import torch

    generator = torch.Generator().manual_seed(0)
    frames = torch.rand(batch, FRAMES, 3, SIZE, SIZE, generator=generator)
    return frames.requires_grad_(requires_grad)


def kit_examples(n: int, targets: bool = True) -> list[TaskExample]:
    names = KIT_CLASSES[:4]
    return [
        TaskExample(
            TaskKind.MULTIPLE_CHOICE,
            target=label_line(names[i % 4]) if targets else "",
            answer=names[i % 4],
            candidates=names,
        )
        for i in range(n)
    ]


def kit_unlearnable(n: int) -> list[TaskExample]:
    """Questions with nothing to learn: no target text and no expected answer."""
    return [TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=KIT_CLASSES[:4]) for _ in range(n)]


def check_parameter_groups(backbone: Any) -> None:
    groups = backbone.parameter_groups()
    assert set(groups) <= set(PARAMETER_GROUPS), f"unknown groups {sorted(set(groups) - set(PARAMETER_GROUPS))}"
    own = {id(p) for p in backbone.parameters()}
    seen: set[int] = set()
    for group, params in groups.items():
        ids = {id(p) for p in params}
        assert ids <= own, f"group {group!r} holds parameters that are not the backbone's"
        assert not ids & seen, f"group {group!r} shares parameters with another group"
        seen |= ids
    for group in [g for g, params in groups.items() if params]:
        backbone.set_trainable([group])
        trainable = {id(p) for p in backbone.parameters() if p.requires_grad}
        assert trainable == {id(p) for p in groups[group]}, f"set_trainable([{group!r}]) unfroze other parameters"
        assert backbone.trainable_groups() == [group]
    with pytest.raises(UnknownGroupError):
        backbone.set_trainable(["no_such_group"])


def check_loss(backbone: Any) -> None:
    import torch

    frames = kit_frames(2, requires_grad=True)
    loss = backbone.loss(frames, kit_examples(2))
    assert isinstance(loss, torch.Tensor) and loss.dim() == 0 and torch.isfinite(loss), f"loss is {loss!r}"
    loss.backward()
    assert frames.grad is not None and torch.isfinite(frames.grad).all(), "no finite gradient reached the frames"
    assert frames.grad.abs().sum() > 0, "the loss does not depend on the frames: a renderer could not learn"
    for bad, what in (
        (lambda: backbone.loss(kit_frames(2), kit_unlearnable(2)), "examples with neither target nor answer"),
        (lambda: backbone.loss(kit_frames(0), []), "no examples"),
        (lambda: backbone.loss(kit_frames(3), kit_examples(2)), "3 clips of frames for 2 examples"),
    ):
        with pytest.raises(SkeletonLLMError):
            bad()
            raise AssertionError(f"loss accepted {what}")


def check_generate(backbone: Any) -> None:
    import torch

    with torch.no_grad():
        answers = backbone.generate(kit_frames(3), kit_examples(3, targets=False), max_new_tokens=4)
        assert isinstance(answers, list) and len(answers) == 3 and all(isinstance(a, str) for a in answers)
        try:
            nothing = backbone.generate(kit_frames(0), [], max_new_tokens=4)
        except SkeletonLLMError:
            nothing = []
        assert nothing == [], "no examples must give no answers"


def check_checkpoint_round_trip(make: Any) -> None:
    import torch

    source = make()
    groups = [g for g, params in source.parameter_groups().items() if params]
    state = source.trainable_state(groups)
    assert state, "a backbone must have tensors to save"
    target = make()
    with torch.no_grad():
        for param in target.parameters():
            param.add_(1.0)
    assert target.load_trainable(state, "kit") == len(state)
    for key, value in target.trainable_state(groups).items():
        torch.testing.assert_close(value, state[key], rtol=0, atol=0)
    assert isinstance(source.identity(), str) and source.identity().strip()


class BackboneContract(KindContract):
    """Subclass in a test module; set ``plugin``; override :meth:`options` for backbones with required options."""

    kind: ClassVar[str] = "backbone"

    def defaults(self, name: str) -> dict[str, Any]:
        return renderer_fed(name)

    def build(self, name: str, folder: Path, **extra: Any) -> Any:
        import torch

        torch.manual_seed(0)  # two builds start alike (the checkpoint round trip compares them)
        return super().build(name, folder, **extra)

    def test_parameter_groups_and_set_trainable(self, backbone_name: str, tmp_path: Path) -> None:
        check_parameter_groups(self.build(backbone_name, tmp_path))

    def test_loss_reaches_the_frames_and_refuses_bad_batches(self, backbone_name: str, tmp_path: Path) -> None:
        check_loss(_reading_frames(self.build(backbone_name, tmp_path)))

    def test_generate_answers_every_example(self, backbone_name: str, tmp_path: Path) -> None:
        check_generate(_reading_frames(self.build(backbone_name, tmp_path)).eval())

    def test_checkpoint_tensors_round_trip(self, backbone_name: str, tmp_path: Path) -> None:
        backbone = self.build(backbone_name, tmp_path)
        if not any(params for params in backbone.parameter_groups().values()):
            pytest.skip(f"backbone {backbone_name!r} has no parameter groups: it does not learn, nothing to save")
        check_checkpoint_round_trip(lambda: self.build(backbone_name, tmp_path))


def _reading_frames(backbone: Any) -> Any:
    """``backbone``, or a skip when it reads the skeleton batch (``reads``) instead of the kit's frames."""
    if getattr(backbone, "reads", "frames") != "frames":
        pytest.skip(
            f"backbone {backbone.name!r} reads the skeleton batch through model_input, not frames; "
            "the kit's frame checks do not apply (its own tests check its loss and answers)"
        )
    return backbone
