"""The Ask tab's side of the app: a spec's model asked about one clip, and the offline teacher beside it.

The model is built in a background thread when the app starts, so the page
opens in seconds; the first question waits for it. Questions are typed
:class:`~skeletonllm.tasks.TaskExample` objects, phrased by the backbone and
read back with :func:`~skeletonllm.tasks.parse_answer`, exactly as evaluation does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.tasks import ClipContext, TaskExample, TaskKind, parse_answer, phrase

from .abilities import ASK_TASKS, Abilities, outside_candidates, taught_kinds

if TYPE_CHECKING:
    from skeletonllm.checkpoint_checks import AcceptedCheckpoint

#: what the page offers -> the evaluation task whose trained question it reuses
ASK_KINDS = ASK_TASKS

#: the purpose a teacher declares (``default_for``) to be the one the app asks when ``--teacher`` is not given:
#: it describes a clip it is not told the class of
DESCRIBE = "describe"


def parse_candidates(text: str) -> list[str]:
    """Class names typed by the user, one per line or separated by commas; blanks and repeats dropped."""
    names: list[str] = []
    for part in text.replace("\n", ",").split(","):
        name = part.strip()
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


@dataclass(frozen=True)
class Answer:
    """The model's full output for one question, the parsed answer and the prompt it was asked with.

    ``warning`` says when the answer cannot mean what was asked (a task the model was
    not trained for, a name outside the candidates); the page shows it beside the answer.
    """

    kind: str
    prompt: str
    output: str
    parsed: str | None
    seconds: float
    frames: Any = None  # (F, 3, H, W) what the model saw, for the page to show
    warning: str = ""


def make_example(kind: str, candidates: list[str] | None = None, question: str | None = None) -> TaskExample:
    """The plain question for ``kind`` when no stage of the spec trained one (``recognition`` needs candidates)."""
    if kind not in ASK_KINDS:
        raise SkeletonLLMError(f"unknown question kind {kind!r}; one of {', '.join(ASK_KINDS)}")
    if kind == "recognition":
        if not candidates:
            raise SkeletonLLMError("type at least one candidate class name (comma or line separated)")
        return TaskExample(TaskKind.MULTIPLE_CHOICE, candidates=tuple(candidates))
    if kind == "caption":
        return TaskExample(TaskKind.CAPTION)
    if not question or not question.strip():
        raise SkeletonLLMError("type a question about the motion")
    return TaskExample(TaskKind.QA, question=question.strip())


def pick_teacher_name(requested: str | None = None) -> str:
    """``requested`` if given (checked against the registry), else the teacher a plugin declares for DESCRIBE.

    The app names no teacher: the registry answers from the plugins' ``default_for``, so a
    third-party teacher that declares itself the describer is used when the built-ins are absent.
    """
    from skeletonllm.registry import get_registry

    registry = get_registry()
    if requested:
        registry.info("teacher", requested)  # unknown names answer with close matches
        return requested
    return registry.default("teacher", DESCRIBE)  # none declared: an error naming the installed teachers


def teacher_rationale(teacher: Any, sequence: SkeletonSequence, name: str, candidates: list[str]) -> str:
    """What the offline teacher sees in the clip, *not* told the class (``know_label=False``)."""
    names = tuple(candidates) or ("unknown",)
    clip = ClipContext(sample_id=name, label=0, class_names=names, seen=tuple(range(len(names))), sequence=sequence)
    return teacher.rationale(clip, know_label=False)


class ModelSession:
    """A spec's pipeline (and checkpoint), built once in the background and asked one question at a time."""

    def __init__(
        self,
        spec: str | Path | None,
        checkpoint: str | Path | None = None,
        device: str | None = None,
        registry: Any = None,
        untrained: bool = False,
        allow_mismatch: bool = False,
        accepted: AcceptedCheckpoint | None = None,
        allow_unverified: bool = False,
    ) -> None:
        """``untrained``, ``allow_mismatch`` and ``allow_unverified`` are the choices ``infer`` offers; ``accepted`` is the
        checkpoint rule's decision when the caller already took it (the ``app`` command does, so a
        refusal stops it before the page starts), else the session takes it while it builds."""
        self.registry = registry  # None: the process-wide one (tests pass their own)
        self.spec_path = Path(spec) if spec else None
        self.checkpoint = Path(checkpoint) if checkpoint else None
        if accepted is not None:
            self.checkpoint = accepted.path
        self.device = device
        self.untrained = untrained  # the same two choices as ``infer`` and ``evaluate``
        self.allow_mismatch = allow_mismatch
        self.allow_unverified = allow_unverified
        self.notes: tuple[str, ...] = ()  # what the checkpoint rule said (a mismatch allowed, a .old copy used)
        self.manifest: dict = {}  # the accepted checkpoint's manifest (its trained tasks), {} when untrained
        self.accepted = accepted
        self._pipeline: Any = None
        self._abilities: Abilities | None = None
        self._error: str | None = None
        self._ready = threading.Event()
        self._ask_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if self.spec_path is None:
            self._ready.set()

    def start(self) -> ModelSession:
        """Build the pipeline in a daemon thread; returns at once."""
        if self.spec_path is not None and self._thread is None:
            self._thread = threading.Thread(target=self._build, name="skeletonllm-app-model", daemon=True)
            self._thread.start()
        return self

    def _build(self) -> None:
        try:
            from skeletonllm.checkpoint_checks import accept_checkpoint
            from skeletonllm.pipeline import Pipeline
            from skeletonllm.spec import load_spec
            from skeletonllm.training import load_trained

            validated = load_spec(self.spec_path, self.registry)
            accepted = self.accepted or accept_checkpoint(
                self.spec_path,
                validated.spec,
                self.checkpoint,
                self.untrained,
                self.allow_mismatch,
                self.allow_unverified,
            )  # the rule infer and evaluate follow, with their words
            self.notes, self.manifest = accepted.notes, accepted.manifest
            pipeline = Pipeline(validated, device=self.device)
            if accepted.path is not None:
                load_trained(pipeline, accepted.path, accepted.unverified, warn=False)  # the notes say it
                self.checkpoint = accepted.path
            pipeline.renderer.eval()
            pipeline.backbone.eval()
            classes = tuple(pipeline.class_names[i] for i in pipeline.seen)
            trained = accepted.manifest if accepted.path is not None else None
            kinds, recorded = taught_kinds(pipeline.stages, trained, accepted.path or "checkpoint")
            self._abilities = Abilities(kinds, classes, checkpoint=trained is not None, recorded=recorded)
            self._pipeline = pipeline
        except SkeletonLLMError as exc:
            self._error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown on the page; the server must keep running
            self._error = f"could not build the model ({type(exc).__name__}: {exc})"
        finally:
            self._ready.set()

    @property
    def loading(self) -> bool:
        """Whether the background build is still running (the page polls its status until it is not)."""
        return not self._ready.is_set()

    def status(self) -> str:
        """One line for the page: which model, and whether it is ready."""
        if self.spec_path is None:
            return "No model: start the app with a spec (`skeletonllm app SPEC [--checkpoint DIR]`) to ask questions."
        short = "/".join(self.checkpoint.parts[-2:]) if self.checkpoint else ""  # the full path breaks the line
        what = f"`{self.spec_path.name}`" + (f" with checkpoint `.../{short}`" if self.checkpoint else "")
        if not self._ready.is_set():
            return f"Loading {what} ..."
        if self._error:
            return f"Model {what} failed to load: {self._error}"
        p = self._pipeline
        notes = "".join(f" {n}" for n in self.notes if self.checkpoint is not None)  # untrained: the summary says it
        return (
            f"Model {what}: renderer {p.renderer.name}, backbone {p.backbone.name}, on {p.device}.{notes}\n\n"
            f"{self._abilities.summary()}"
        )

    def abilities(self) -> Abilities | None:
        """What the loaded model was trained to do; None while loading, without a spec or after a failure."""
        return self._abilities if self._ready.is_set() else None

    def pipeline(self, timeout: float | None = None) -> Any:
        """The built pipeline, waiting for the background build; a clear error when there is none."""
        if self.spec_path is None:
            raise SkeletonLLMError(self.status())
        if not self._ready.wait(timeout):
            raise SkeletonLLMError("the model is still loading; try again in a moment")
        if self._error:
            raise SkeletonLLMError(self._error)
        return self._pipeline

    def question(self, kind: str, candidates: list[str], question: str | None) -> TaskExample:
        """The question the spec trained for ``kind`` (so the prompt matches training), else the plain one."""
        example = make_example(kind, candidates, question)  # validates the input first
        if kind == "question":
            return example
        try:
            _stage, trained = self.pipeline().test_question(ASK_KINDS[kind], candidates if candidates else None)
        except SkeletonLLMError:
            return example
        if kind == "recognition" and tuple(trained.candidates) != tuple(candidates):
            return example  # the spec asks open questions; the user asked to choose among their names
        return trained

    def ask(
        self, sequence: SkeletonSequence, kind: str, candidates: list[str], question: str | None, max_new_tokens: int
    ) -> Answer:
        """Render ``sequence`` as the model's renderer does at test time and generate its answer."""
        import torch

        example = self.question(kind, candidates, question)
        pipeline = self.pipeline()
        started = time.perf_counter()
        with self._ask_lock, torch.no_grad():
            frames = pipeline.render_sequences([sequence], train=False)
            output = pipeline.backbone.generate(frames, [example], max_new_tokens)[0]
        parsed = parse_answer(example, output)
        warnings = [self._abilities.warning(kind, candidates)] if self._abilities else []
        if kind == "recognition" and outside_candidates(parsed, candidates):
            warnings.append(f"{parsed!r} is not one of the candidates you gave: the model named another class.")
        return Answer(
            kind=kind,
            prompt=phrase(example),
            output=output,
            parsed=parsed,
            seconds=time.perf_counter() - started,
            frames=frames[0].detach().cpu(),
            warning=" ".join(w for w in warnings if w),
        )
