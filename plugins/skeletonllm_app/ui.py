"""The gradio page: Look (info table, every renderer's animation, speed plot) and Ask (model and teacher).

Only this module imports gradio. Every handler turns a SkeletonLLMError into
the message shown on the page (an unexpected exception into its type and
message, the traceback going to the server log), so a bad file never shows
a traceback to the user.
"""

from __future__ import annotations

import logging
import os
import tempfile
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from skeletonllm.errors import SkeletonLLMError

from .clip import INFO_COLUMNS, Clip, info_rows, read_clip
from .model import ModelSession, parse_candidates, pick_teacher_name, teacher_rationale
from .pictures import RendererCache, renderer_names, speed_figure, unused_options

log = logging.getLogger("skeletonllm.app")

#: files listed in the "pick a sample" menu, at most
MAX_SAMPLES = 300
#: documentation and code next to sample files, never skeleton data
SKIP_SUFFIXES = {".md", ".py", ".yaml", ".yml"}


@dataclass
class AppState:
    """What the page's handlers share: the model session, built renderers, output folder and counters."""

    session: ModelSession
    samples_dir: Path | None = None
    teacher_name: str | None = None
    out_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="skeletonllm-app-")))
    renderers: RendererCache = field(default_factory=RendererCache)
    looks: int = 0
    questions: int = 0
    _teacher: Any = None

    def teacher(self) -> Any:
        if self._teacher is None:
            from skeletonllm.registry import get_registry

            self._teacher = get_registry().create("teacher", pick_teacher_name(self.teacher_name))
        return self._teacher


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
            if name.startswith(".") or Path(name).suffix.lower() in SKIP_SUFFIXES:
                continue
            found.append(str((Path(root) / name).relative_to(folder)))
            if len(found) >= limit:
                return found
    return found


def resolve_source(
    upload: str | None, picked: str | None, samples_dir: Path | None, samples: list[str]
) -> tuple[str, str]:
    """``(path, name)`` of the file to show: the upload, else the picked sample (only one of ``samples``)."""
    if upload:
        return upload, Path(upload).name
    if picked and samples_dir is not None:
        if picked not in samples:
            raise SkeletonLLMError(f"{picked!r} is not one of the listed samples")
        return str(samples_dir / picked), picked
    raise SkeletonLLMError("upload a skeleton file or pick a sample first")


@lru_cache(maxsize=8)
def _cached_clip(path: str, mtime: float, name: str, fmt: str, index: int, start: int, end: int) -> Clip:
    return read_clip(path, name=name, fmt=fmt or None, index=index, start=start, end=end or None)


def load(path: str, name: str, fmt: str, index: Any, start: Any, end: Any) -> Clip:
    """The clip, read once per (file, format, window): Look and Ask on the same file do not re-parse it."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0  # read_clip reports the missing file with its name
    fmt = "" if fmt in (None, "", "auto") else fmt
    return _cached_clip(path, mtime, name, fmt, int(index or 0), int(start or 0), int(end or 0))


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


def look(state: AppState, source: tuple[str, str], view: dict[str, Any], progress: Callable[..., Any]) -> tuple:
    """``(note, clip, [(gif, caption)], speed figure)`` for the file ``source`` as ``view`` asks.

    ``view`` holds the page's controls: fmt, index, start, end, frames, size, renderers, options.
    """
    progress(0.05, desc="reading")
    clip = load(*source, view["fmt"], view["index"], view["start"], view["end"])
    frames, size = int(view["frames"]), int(view["size"])
    names = [n for n in renderer_names() if n in (view["renderers"] or [])]
    options = parse_renderer_options(view.get("options"))
    progress(0.2, desc=f"rendering with {len(names)} renderers")
    rendered = state.renderers.render_gifs(clip, names, frames, size, state.out_dir, options=options)
    progress(0.9, desc="plotting speeds")
    figure = speed_figure(clip, frames)
    state.looks += 1
    gallery = [(str(r.path), r.caption) for r in rendered if r.path is not None]
    notes = [f"{r.caption}" for r in rendered if r.path is None]
    unused = unused_options(names, options)
    if unused:
        notes.append(f"no chosen renderer has the option(s) {', '.join(unused)}")
    note = ("Note: " + "; ".join(notes)) if notes else ""
    return note, clip, gallery, figure


def build_blocks(state: AppState) -> Any:
    """The page, wired to ``state``; launched by :func:`serve`."""
    import gradio as gr

    from skeletonllm.imaging import write_gif
    from skeletonllm.registry import get_registry

    samples = list_samples(state.samples_dir)
    renderers = renderer_names()
    formats = ["auto", *get_registry().names("format")]

    def guarded(work: Callable[[], tuple], outputs: int) -> tuple:
        """``work()``'s outputs, or the error text and ``outputs`` empty values."""
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - every failure becomes page text, never a traceback
            return (shown_error(exc), *([None] * outputs))

    def on_look(upload, picked, fmt, index, start, end, frames, size, chosen, options, progress=gr.Progress()):  # noqa: B008
        def work() -> tuple:
            source = resolve_source(upload, picked, state.samples_dir, samples)
            view = {"fmt": fmt, "index": index, "start": start, "end": end, "frames": frames, "size": size,
                    "renderers": chosen, "options": options}  # fmt: skip
            note, clip, gallery, figure = look(state, source, view, progress)
            return note, info_rows(clip), gallery, figure

        return guarded(work, 3)

    def ask(kind, upload, picked, fmt, index, start, end, candidates, question, max_tokens, progress) -> tuple:
        def work() -> tuple:
            source = resolve_source(upload, picked, state.samples_dir, samples)
            progress(0.05, desc="reading")
            clip = load(*source, fmt, index, start, end)
            names = parse_candidates(candidates or "")
            progress(0.15, desc="rendering and answering (the first question waits for the model to load)")
            answer = state.session.ask(clip.sequence, kind, names, question, int(max_tokens))
            progress(0.85, desc="the teacher's rationale")
            rationale = teacher_rationale(state.teacher(), clip.sequence, clip.name, names)
            seen = write_gif(answer.frames, state.out_dir / f"model-{uuid.uuid4().hex[:8]}.gif")
            state.questions += 1
            parsed = "-" if answer.parsed is None else answer.parsed
            timing = f"{answer.kind}: answered in {answer.seconds:.1f} s"
            return "", answer.prompt, answer.output, parsed, rationale, str(seen), timing

        return guarded(work, 6)

    def ask_handler(kind: str) -> Callable[..., tuple]:
        def handler(upload, picked, fmt, index, start, end, candidates, question, max_tokens, progress=gr.Progress()):  # noqa: B008
            return ask(kind, upload, picked, fmt, index, start, end, candidates, question, max_tokens, progress)

        return handler

    theme = gr.themes.Default(
        font=[gr.themes.Font("system-ui"), gr.themes.Font("sans-serif")],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("monospace")],
    )
    with gr.Blocks(title="SkeletonLLM", analytics_enabled=False) as blocks:
        gr.Markdown("# SkeletonLLM\nLook at any skeleton file and ask the model about it. Nothing leaves this machine.")
        error = gr.Markdown(elem_id="app-error")
        with gr.Row():
            upload = gr.File(label="Upload a skeleton file (any registered format)", type="filepath", elem_id="upload")
            with gr.Column():
                picked = gr.Dropdown(samples, value=None, label="... or pick a sample", visible=bool(samples))
                fmt = gr.Dropdown(formats, value="auto", label="Format (auto: detected from the content)")
                index = gr.Number(0, precision=0, minimum=0, label="Sequence (of a file holding several)")
        with gr.Accordion("Rendering options", open=False):
            with gr.Row():
                frames = gr.Slider(1, 64, value=12, step=1, label="Frames sampled")
                size = gr.Slider(32, 512, value=160, step=16, label="Image size (px)")
                start = gr.Number(0, precision=0, minimum=0, label="From frame")
                end = gr.Number(0, precision=0, minimum=0, label="To frame (0: the last)")
            chosen = gr.CheckboxGroup(renderers, value=renderers, label="Renderers")
            renderer_options = gr.Textbox(
                label="Renderer options, KEY=VALUE, each given to the renderers that have it (e.g. fill=0.6)",
                placeholder="fill=0.6 fov_degrees=40",
            )
        look_button = gr.Button("Look", variant="primary")
        info = gr.Dataframe(headers=list(INFO_COLUMNS), label="info", interactive=False, elem_id="info")
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown("## Look", elem_id="look-title")
                gallery = gr.Gallery(label="Renderers (DrAction first)", columns=max(1, min(len(renderers), 3)),
                                     object_fit="contain", height="auto", elem_id="renders")  # fmt: skip
                plot = gr.Plot(label="Joint speeds", elem_id="speeds")
            with gr.Column(scale=2):
                gr.Markdown("## Ask the model", elem_id="ask-title")
                status = gr.Markdown(state.session.status(), elem_id="model-status")
                status_timer = gr.Timer(1.0, active=state.session.loading)
                candidates = gr.Textbox(label="Candidate class names (comma or line separated)", lines=2,
                                        placeholder="drink water, jump up, sit down", elem_id="candidates")  # fmt: skip
                question = gr.Textbox(label="Free question", lines=1, placeholder="Which hand moves more?")
                max_tokens = gr.Slider(4, 256, value=48, step=4, label="Max new tokens")
                with gr.Row():
                    ask_buttons = {
                        "recognition": gr.Button("Recognise", variant="primary", elem_id="ask-recognition"),
                        "caption": gr.Button("Caption", elem_id="ask-caption"),
                        "question": gr.Button("Ask the question", elem_id="ask-question"),
                    }
                timing = gr.Markdown(elem_id="ask-timing")
                prompt = gr.Textbox(label="Prompt (default wording)", lines=3, interactive=False)
                output = gr.Textbox(label="Model's full answer", lines=3, interactive=False, elem_id="answer")
                parsed = gr.Textbox(label="Parsed answer", interactive=False, elem_id="parsed")
                rationale = gr.Textbox(label="Offline teacher's rationale (not told the class)", lines=4,
                                       interactive=False, elem_id="rationale")  # fmt: skip
                seen = gr.Image(label="What the model saw", type="filepath", interactive=False, height=160,
                                elem_id="seen")  # fmt: skip

        view_inputs = [upload, picked, fmt, index, start, end, frames, size, chosen, renderer_options]
        look_outputs = [error, info, gallery, plot]
        look_event = {"fn": on_look, "inputs": view_inputs, "outputs": look_outputs, "concurrency_id": "look"}
        look_button.click(**look_event)
        upload.upload(**look_event)
        picked.input(**look_event)
        # the status line follows the background model build, then its timer stops
        status_timer.tick(lambda: (state.session.status(), gr.Timer(active=state.session.loading)),
                          None, [status, status_timer], queue=False, show_progress="hidden")  # fmt: skip
        blocks.load(state.session.status, None, status, queue=False, show_progress="hidden")
        ask_outputs = [error, prompt, output, parsed, rationale, seen, timing]
        for kind, button in ask_buttons.items():
            ask_inputs = [upload, picked, fmt, index, start, end, candidates, question, max_tokens]
            button.click(ask_handler(kind), ask_inputs, ask_outputs, concurrency_limit=1, concurrency_id="model")
    return blocks, theme


def serve(state: AppState, host: str, port: int, max_upload_mb: int, block: bool = True) -> Any:
    """Launch on ``host:port`` with analytics off, no share link, no SSR and an upload limit."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no version check or telemetry, whatever the shell says
    blocks, theme = build_blocks(state)
    blocks.queue(max_size=32, default_concurrency_limit=2)
    return blocks.launch(
        server_name=host,
        server_port=port,
        share=False,
        inbrowser=False,
        max_file_size=f"{int(max_upload_mb)}mb",
        theme=theme,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        show_error=False,
        footer_links=[],
        allowed_paths=[str(state.out_dir)],
        prevent_thread_lock=not block,
        quiet=True,
    )
