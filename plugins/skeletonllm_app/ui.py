"""The gradio page: Look (info table, every renderer's animation, colour key, speed plot) and Ask.

Only this module imports gradio; the work is in :mod:`.page`. Every handler turns
a failure into text shown next to the control that caused it (Look errors under
the Look button, Ask errors under the Ask buttons), never a traceback. The Ask
controls follow the loaded model: the tasks its checkpoint was trained on are
the primary buttons, the others say they were not trained, and the classes it
knows are listed and filled in as candidates.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .clip import INFO_COLUMNS
from .page import (
    EXAMPLE_CANDIDATES,
    EXAMPLE_QUESTIONS,
    AppState,
    ask,
    example_samples,
    list_samples,
    look,
    resolve_source,
    shown_error,
)
from .pictures import renderer_names
from .workspace import LocalFilesOnly

#: button text per question kind, and what an untrained kind's button says instead
BUTTONS = {"recognition": "Recognise", "caption": "Caption", "question": "Ask the question"}
NOT_TRAINED = " (not trained)"


def build_blocks(state: AppState) -> Any:
    """The page, wired to ``state``; launched by :func:`serve`."""
    import gradio as gr

    from skeletonllm.registry import get_registry

    samples = list_samples(state.samples_dir)
    examples = example_samples(state.samples_dir, samples)
    renderers = renderer_names()
    formats = ["auto", *get_registry().names("format")]

    def source_of(upload: str | None, picked: str | None) -> tuple[str, str]:
        return resolve_source(upload, picked, state.samples_dir, samples, state.workspace)

    def on_look(upload, picked, fmt, index, start, end, frames, size, chosen, options, progress=gr.Progress()):  # noqa: B008
        view = {"fmt": fmt, "index": index, "start": start, "end": end, "frames": frames, "size": size,
                "renderers": chosen, "options": options}  # fmt: skip
        try:
            seen = look(state, source_of(upload, picked), view, progress)
        except Exception as exc:  # noqa: BLE001 - every failure becomes page text, never a traceback
            return shown_error(exc), None, None, gr.update(value=None, visible=False), None
        legends = gr.update(value=seen.legends[0] if seen.legends else None, visible=bool(seen.legends))
        return seen.note, [list(r) for r in seen.clip.rows], seen.gallery, legends, seen.figure

    def on_pick(picked, *view):
        """A sample picked (from the menu or an example): it replaces any upload, then Look runs on it."""
        if not picked:
            return (gr.skip(),) * (1 + len(look_outputs))
        return (None, *on_look(None, picked, *view))

    def ask_handler(kind: str) -> Callable[..., tuple]:
        def handler(upload, picked, fmt, index, start, end, candidates, question, max_tokens, progress=gr.Progress()):  # noqa: B008
            view = {"fmt": fmt, "index": index, "start": start, "end": end}
            try:
                done = ask(state, kind, source_of(upload, picked), view, candidates, question, max_tokens, progress)
            except Exception as exc:  # noqa: BLE001 - shown under the buttons, never a traceback
                return (shown_error(exc), *([None] * (len(ask_outputs) - 1)))
            return "", done.warning, done.prompt, done.output, done.parsed, done.rationale, done.seen, done.timing

        handler.__name__ = f"ask_{kind}"
        return handler

    def follow_model(candidates: str | None) -> tuple:
        """The status line and the Ask controls, once the background build is done."""
        abilities = state.session.abilities()
        status_text = state.session.status()
        timer = gr.Timer(active=state.session.loading)
        if abilities is None:
            return (status_text, timer, gr.skip(), gr.skip(), *(gr.skip() for _ in BUTTONS))
        names = ", ".join(abilities.classes)
        known = f"**Classes it knows ({len(abilities.classes)}):** {names}" if abilities.classes else ""
        filled = gr.update(value=names) if names and not (candidates or "").strip() else gr.skip()
        buttons = [
            gr.update(
                value=BUTTONS[kind] + ("" if abilities.can(kind) else NOT_TRAINED),
                variant="primary" if abilities.can(kind) else "secondary",
            )  # fmt: skip
            for kind in BUTTONS
        ]
        return (status_text, timer, known, filled, *buttons)

    theme = gr.themes.Default(
        font=[gr.themes.Font("system-ui"), gr.themes.Font("sans-serif")],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("monospace")],
    )
    with gr.Blocks(title="SkeletonLLM", analytics_enabled=False) as blocks:
        gr.Markdown("# SkeletonLLM\nLook at any skeleton file and ask the model about it. Nothing leaves this machine.")
        with gr.Row():
            upload = gr.File(label="Upload a skeleton file (any registered format)", type="filepath", elem_id="upload")
            with gr.Column():
                picked = gr.Dropdown(samples, value=None, label="... or pick a sample", visible=bool(samples),
                                     elem_id="picked")  # fmt: skip
                fmt = gr.Dropdown(formats, value="auto", label="Format (auto: detected from the content)")
                index = gr.Number(0, precision=0, minimum=0, label="Sequence (of a file holding several)")
        if examples:
            gr.Examples([[name] for name in examples], inputs=[picked], label="Example files (click one)",
                        examples_per_page=len(examples), elem_id="example-files")  # fmt: skip
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
        look_error = gr.Markdown(elem_id="look-error")
        info = gr.Dataframe(headers=list(INFO_COLUMNS), label="info", interactive=False, elem_id="info")
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown("## Look", elem_id="look-title")
                gallery = gr.Gallery(label=f"Renderers ({renderers[0] if renderers else 'none'} first)", columns=max(1, min(len(renderers), 3)),
                                     object_fit="contain", height="auto", elem_id="renders")  # fmt: skip
                legend = gr.Image(label="What the colours mean", type="filepath", interactive=False, visible=False,
                                  show_label=False, container=False, elem_id="legend")  # fmt: skip
                plot = gr.Plot(label="Joint speeds", elem_id="speeds")
            with gr.Column(scale=2):
                gr.Markdown("## Ask the model", elem_id="ask-title")
                status = gr.Markdown(state.session.status(), elem_id="model-status")
                known = gr.Markdown(elem_id="model-classes")
                status_timer = gr.Timer(1.0, active=state.session.loading)
                candidates = gr.Textbox(label="Candidate class names (comma or line separated)", lines=2,
                                        placeholder="drink water, jump up, sit down", elem_id="candidates")  # fmt: skip
                gr.Examples([[c] for c in EXAMPLE_CANDIDATES], inputs=[candidates], label="Example candidates")
                question = gr.Textbox(label="Free question", lines=1, placeholder="Which hand moves more?",
                                      elem_id="question")  # fmt: skip
                gr.Examples([[q] for q in EXAMPLE_QUESTIONS], inputs=[question], label="Example questions")
                max_tokens = gr.Slider(4, 256, value=48, step=4, label="Max new tokens")
                with gr.Row():
                    ask_buttons = {kind: gr.Button(text, variant="primary" if kind == "recognition" else "secondary",
                                                   elem_id=f"ask-{kind}") for kind, text in BUTTONS.items()}  # fmt: skip
                ask_error = gr.Markdown(elem_id="ask-error")
                ask_warning = gr.Markdown(elem_id="ask-warning")
                timing = gr.Markdown(elem_id="ask-timing")
                prompt = gr.Textbox(label="Prompt (default wording)", lines=3, interactive=False)
                output = gr.Textbox(label="Model's full answer", lines=3, interactive=False, elem_id="answer")
                parsed = gr.Textbox(label="Parsed answer", interactive=False, elem_id="parsed")
                rationale = gr.Textbox(label="Offline teacher's rationale (not told the class)", lines=4,
                                       interactive=False, elem_id="rationale")  # fmt: skip
                seen = gr.Image(label="What the model saw (each pixel enlarged, not smoothed)", type="filepath",
                                interactive=False, elem_id="seen")  # fmt: skip

        view_inputs = [fmt, index, start, end, frames, size, chosen, renderer_options]
        look_outputs = [look_error, info, gallery, legend, plot]
        ask_outputs = [ask_error, ask_warning, prompt, output, parsed, rationale, seen, timing]
        look_event = {"outputs": look_outputs, "concurrency_id": "look"}

        def cleared() -> tuple:
            return ("",) * 2 + (None,) * (len(ask_outputs) - 2)

        # a new file clears the previous file's answers at once (and the sample menu's pick), then renders
        upload.upload(lambda: (*cleared(), None), None, [*ask_outputs, picked], queue=False)
        upload.clear(cleared, None, ask_outputs, queue=False)
        upload.upload(on_look, [upload, picked, *view_inputs], **look_event)
        picked.change(lambda p: cleared() if p else (gr.skip(),) * len(ask_outputs), picked, ask_outputs,
                      queue=False)  # fmt: skip
        picked.change(on_pick, [picked, *view_inputs], [upload, *look_outputs], concurrency_id="look")
        look_button.click(on_look, [upload, picked, *view_inputs], **look_event)
        # the status line and the Ask controls follow the background model build, then the timer stops
        follow = {"fn": follow_model, "inputs": [candidates], "queue": False, "show_progress": "hidden",
                  "outputs": [status, status_timer, known, candidates, *ask_buttons.values()]}  # fmt: skip
        status_timer.tick(**follow)
        blocks.load(**follow)
        ask_inputs = [upload, picked, fmt, index, start, end, candidates, question, max_tokens]
        for kind, button in ask_buttons.items():
            button.click(ask_handler(kind), ask_inputs, ask_outputs, concurrency_limit=1, concurrency_id="model")
    return blocks, theme


def serve(state: AppState, host: str, port: int, max_upload_mb: int, block: bool = True) -> Any:
    """Launch on ``host:port``: analytics off, no share link, no SSR, an upload limit, files from the workspace only."""
    from starlette.middleware import Middleware

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no version check or telemetry, whatever the shell says
    state.workspace.point_gradio_here()  # uploads and served copies land in the folder deleted at exit
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
        allowed_paths=[str(state.workspace.renders)],
        app_kwargs={"middleware": [Middleware(LocalFilesOnly)]},
        prevent_thread_lock=not block,
        quiet=True,
    )
