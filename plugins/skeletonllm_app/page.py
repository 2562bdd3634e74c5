"""What the page's handlers do, as plain functions: choose the file, look at it, ask about it.

No gradio here (``ui`` wires these to the page), so each step is tested without a
browser. Every file the page reads is an upload inside the app's workspace or a
listed sample; every file it writes goes to the workspace's ``renders`` folder.
"""

from __future__ import annotations

import logging
import os
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skeletonllm.errors import SkeletonLLMError

from .abilities import outside_candidates
from .cache import ClipCache
from .clip import Clip, read_clip
from .model import ModelSession, parse_candidates, pick_teacher_name, teacher_rationale
from .pictures import RendererCache, model_view, renderer_names, speed_figure, unused_options, write_legend
from .workspace import Workspace

log = logging.getLogger("skeletonllm.app")

#: files listed in the "pick a sample" menu, at most
MAX_SAMPLES = 300
#: documentation, code and labels next to sample files, never skeleton data
SKIP_SUFFIXES = {".md", ".py", ".yaml", ".yml"}
SKIP_NAMES = {"license", "licence", "readme"}
#: example files shown as one-click examples, at most (one per sample folder)
MAX_EXAMPLES = 10
#: the environment variable tests and docs use for the shared sample files
SAMPLES_ENV = "SKELETONLLM_SHARED_DATA"
#: free questions offered as one-click examples
EXAMPLE_QUESTIONS = (
    "Which hand moves more?",
    "Describe the motion.",
    "Which leg moves first?",
    "Does the person turn?",
)
#: candidate lists offered as one-click examples (the model's own classes are filled in when it loads)
EXAMPLE_CANDIDATES = ("walking, running, jumping, waving, sitting down", "drink water, jump up, sit down, hand waving")


@dataclass
class AppState:
    """What the page's handlers share: the model session, the workspace, built renderers, read clips, counters."""

    session: ModelSession
    samples_dir: Path | None = None
    teacher_name: str | None = None
    workspace: Workspace = field(default_factory=Workspace)
    renderers: RendererCache = field(default_factory=RendererCache)
    clips: ClipCache = field(default_factory=ClipCache)
    looks: int = 0
    questions: int = 0
    _teacher: Any = None

    @property
    def out_dir(self) -> Path:
        """Where the page writes its pictures (inside the workspace, deleted when the app stops)."""
        return self.workspace.renders

    def teacher(self) -> Any:
        if self._teacher is None:
            from skeletonllm.registry import get_registry

            self._teacher = get_registry().create("teacher", pick_teacher_name(self.teacher_name))
        return self._teacher


def default_samples_dir(given: str | Path | None = None) -> Path | None:
    """``given``, else ``$SKELETONLLM_SHARED_DATA``, else ``../shared/data`` beside this checkout, if it exists."""
    checkout = Path(__file__).resolve().parents[2]
    for folder in (given, os.environ.get(SAMPLES_ENV), checkout.parent / "shared" / "data"):
        if folder and Path(folder).is_dir():
            return Path(folder)
    return None


def _is_sample(name: str) -> bool:
    path = Path(name)
    return not name.startswith(".") and path.suffix.lower() not in SKIP_SUFFIXES and path.stem.lower() not in SKIP_NAMES


def list_samples(folder: Path | None, limit: int = MAX_SAMPLES) -> list[str]:
    """Files under ``folder`` (relative paths, in name order) a user may pick; documentation left out.

    Walks the folder lazily and stops at ``limit``, so pointing ``--samples`` at a
    whole dataset does not stall the start.
    """
    if folder is None or not folder.is_dir():
        return []
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(files):
            if not _is_sample(name):
                continue
            found.append(str((Path(root) / name).relative_to(folder)))
            if len(found) >= limit:
                return found
    return found


def example_samples(folder: Path | None, samples: list[str], limit: int = MAX_EXAMPLES) -> list[str]:
    """One listed sample per top-level folder whose content some format claims: a tour of the formats."""
    from skeletonllm.io import HEAD_BYTES
    from skeletonllm.registry import get_registry

    if folder is None:
        return []
    formats = [info.cls() for info in get_registry().infos("format")]
    chosen: dict[str, str] = {}
    for name in samples:
        group = Path(name).parts[0] if len(Path(name).parts) > 1 else name
        if group in chosen or len(chosen) >= limit:
            continue
        try:
            with open(folder / name, "rb") as fh:
                head = fh.read(HEAD_BYTES)
        except OSError:
            continue
        if head and any(_sniffs(fmt, folder / name, head) for fmt in formats):
            chosen[group] = name
    return list(chosen.values())


def _sniffs(fmt: Any, path: Path, head: bytes) -> bool:
    try:
        return float(fmt.sniff(path, head)) >= 0.5
    except Exception:  # noqa: BLE001 - a sniffer that crashes claims nothing
        return False


def resolve_source(
    upload: str | None,
    picked: str | None,
    samples_dir: Path | None,
    samples: list[str],
    workspace: Workspace | None = None,
) -> tuple[str, str]:
    """``(path, name)`` of the file to show: the upload, else the picked sample (only one of ``samples``).

    An upload must be a file this app received (inside ``workspace``, links resolved):
    the page never reads a path a request merely names.
    """
    if upload:
        if workspace is not None and not workspace.contains(upload):
            raise SkeletonLLMError(f"{Path(upload).name!r} is not a file this page received; upload it again")
        return upload, Path(upload).name
    if picked and samples_dir is not None:
        if picked not in samples:
            raise SkeletonLLMError(f"{picked!r} is not one of the listed samples")
        return str(samples_dir / picked), picked
    raise SkeletonLLMError("upload a skeleton file or pick a sample first")


def load(state: AppState, path: str, name: str, fmt: Any, index: Any, start: Any, end: Any) -> Clip:
    """The clip, read once per (file, format, window) while it fits the cache: Look and Ask share the read."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0  # read_clip reports the missing file with its name
    fmt = None if fmt in (None, "", "auto") else str(fmt)
    index, start, end = int(index or 0), int(start or 0), int(end or 0)
    key = (path, mtime, name, fmt, index, start, end)
    return state.clips.get(key, lambda: read_clip(path, name=name, fmt=fmt, index=index, start=start, end=end or None))


def shown_error(exc: BaseException) -> str:
    """The page's error text: the reader's own message for errors a user can act on, else type and message."""
    if isinstance(exc, SkeletonLLMError):
        return f"**Error:** {exc}"
    log.error("unexpected error in the app:\n%s", "".join(traceback.format_exception(exc)))
    return f"**Unexpected error** ({type(exc).__name__}): {exc}"


def parse_renderer_options(text: str | None) -> dict[str, Any]:
    """``"fill=0.6, fov_degrees=40"`` -> ``{"fill": 0.6, "fov_degrees": 40}`` (values read as YAML scalars)."""
    from skeletonllm.io import parse_options

    return parse_options((text or "").replace(",", " ").split())


@dataclass(frozen=True)
class Look:
    """What the Look half shows for one file: a note, the clip, the GIFs, the colour keys and the speed plot."""

    note: str
    clip: Clip
    gallery: list[tuple[str, str]]
    legends: list[str]
    figure: Any


def look(state: AppState, source: tuple[str, str], view: dict[str, Any], progress: Callable[..., Any]) -> Look:
    """The file ``source`` as ``view`` asks: fmt, index, start, end, frames, size, renderers, options."""
    progress(0.05, desc="reading")
    clip = load(state, *source, view["fmt"], view["index"], view["start"], view["end"])
    frames, size = int(view["frames"]), int(view["size"])
    names = [n for n in renderer_names() if n in (view["renderers"] or [])]
    options = parse_renderer_options(view.get("options"))
    progress(0.2, desc=f"rendering with {len(names)} renderers")
    rendered = state.renderers.render_gifs(clip, names, frames, size, state.out_dir, options=options)
    progress(0.9, desc="plotting speeds")
    figure = speed_figure(clip, frames)
    state.looks += 1
    gallery = [(str(r.path), r.caption) for r in rendered if r.path is not None]
    legends = [str(write_legend(r.legend, state.out_dir, r.renderer)) for r in rendered if r.legend is not None]
    notes = [f"{r.caption}" for r in rendered if r.path is None]
    unused = unused_options(names, options)
    if unused:
        notes.append(f"no chosen renderer has the option(s) {', '.join(unused)}")
    return Look(("Note: " + "; ".join(notes)) if notes else "", clip, gallery, legends, figure)


@dataclass(frozen=True)
class Asked:
    """What the Ask half shows after one question."""

    prompt: str
    output: str
    parsed: str
    rationale: str
    seen: str
    timing: str
    warning: str


def ask(
    state: AppState,
    kind: str,
    source: tuple[str, str],
    view: dict[str, Any],
    candidates_text: str | None,
    question: str | None,
    max_tokens: int,
    progress: Callable[..., Any],
) -> Asked:
    """Ask the session's model ``kind`` about the file, beside the offline teacher's rationale."""
    if state.session.spec_path is None:
        raise SkeletonLLMError(state.session.status())  # before reading: the file is not the problem
    progress(0.05, desc="reading")
    clip = load(state, *source, view["fmt"], view["index"], view["start"], view["end"])
    names = parse_candidates(candidates_text or "")
    progress(0.15, desc="rendering and answering (the first question waits for the model to load)")
    answer = state.session.ask(clip.sequence, kind, names, question, int(max_tokens))
    progress(0.85, desc="the teacher's rationale")
    rationale = teacher_rationale(state.teacher(), clip.sequence, clip.name, names)
    legend = state.session.pipeline().renderer.colour_legend()
    seen = model_view(answer.frames, state.out_dir / f"model-{uuid.uuid4().hex[:8]}.png", legend)
    state.questions += 1
    parsed = "-" if answer.parsed is None else answer.parsed
    if kind == "recognition" and outside_candidates(answer.parsed, names):
        parsed = f"{parsed}   \u26a0 not one of your candidates"
    timing = f"{answer.kind}: answered in {answer.seconds:.1f} s"
    warning = f"\u26a0 {answer.warning}" if answer.warning else ""
    return Asked(answer.prompt, answer.output, parsed, rationale, str(seen), timing, warning)
