"""An offline teacher: step-by-step causal rationales built from motion descriptions.

The paper distils rationales written by a large teacher model. None can run
here, so this teacher writes the same *shape* of rationale (body parts ->
movement -> conclusion -> ``Label:``) from a per-class description: the
dataset's own text when it has one (SynthAct's generator, HumanML3D
captions), else a description inferred from the class name's key words.
A user with a real teacher's outputs points ``rationales:`` at a YAML file
mapping class name -> rationale text.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions, Teacher
from skeletonllm.tasks import ClipContext

# key word -> (body parts, kind of movement); first match wins, order matters.
_CUES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("other person", "each other", "handshak", "hug", "high-five"),
        "both people's arms and torsos",
        "an interaction between two people",
    ),
    (
        ("kick", "step", "hop", "jump", "walk", "run", "stagger", "fall"),
        "the legs and feet",
        "a movement of the lower body that shifts the body's support",
    ),
    (
        ("sit", "squat", "stand"),
        "the hips, knees and torso",
        "the body's height changing as the hips bend or straighten",
    ),
    (("head", "nod", "bow", "neck"), "the head and neck", "a movement centred on the head"),
    (("clap", "rub", "palms", "hands"), "both hands", "the two hands moving towards each other in front of the chest"),
    (
        ("wav", "salute", "point", "throw", "punch", "drink", "eat", "brush", "phone", "wipe", "fan"),
        "one arm and hand",
        "the hand travelling to a characteristic place and moving there",
    ),
)


def describe(class_name: str) -> tuple[str, str]:
    name = class_name.lower()
    for words, parts, movement in _CUES:
        if any(w in name for w in words):
            return parts, movement
    return "the whole body", "a sequence of poses specific to this action"


class TemplateTeacherOptions(PluginOptions):
    rationales: str | None = Field(None, description="YAML file: class name -> rationale text (from a real teacher)")


class TemplateTeacher(Teacher):
    name = "template"
    summary = "Rationales from per-class motion descriptions (offline teacher)"
    Options = TemplateTeacherOptions

    def __init__(self, options: TemplateTeacherOptions | None = None) -> None:
        super().__init__(options)
        self._given: dict[str, str] = {}
        if self.options.rationales:
            path = Path(self.options.rationales)
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise SkeletonLLMError(f"{path}: cannot read rationales: {exc}") from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise SkeletonLLMError(f"{path}: expected a mapping of class name -> rationale text")
            self._given = {str(k).lower().strip(): v for k, v in data.items()}

    def rationale(self, clip: ClipContext, *, know_label: bool = True) -> str:
        class_name = clip.class_name
        given = self._given.get(class_name.lower().strip()) if know_label else None
        if given is not None:
            return given.strip()
        parts, movement = describe(class_name) if know_label else ("the moving body parts", "")
        seen = clip.text.strip().rstrip(".") if clip.text else movement
        steps = [f"Step 1: the parts that move most are {parts}."]
        if seen:
            steps.append(f"Step 2: the motion shows {seen}.")
        if know_label:
            steps.append(
                f"Step {len(steps) + 1}: this pattern is characteristic of '{class_name}' and not of similar actions."
            )
        return "\n".join(steps)
