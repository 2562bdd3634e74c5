"""``skeletonllm app [SPEC]``: the local web page (gradio is imported only when the command runs)."""

from __future__ import annotations

import ipaddress
import os
import socket
import time

import click

from skeletonllm.errors import SkeletonLLMError

#: the environment variable tests and docs use for the shared sample files (the page's default sample folder)
SAMPLES_ENV = "SKELETONLLM_SHARED_DATA"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (``--port 0``)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--checkpoint", type=click.Path(file_okay=False, exists=True), default=None, help="Default: output_dir/last."
)
@click.option("--untrained", is_flag=True, help="Use the untrained model when the spec has no checkpoint.")
@click.option(
    "--allow-spec-mismatch", "allow_mismatch", is_flag=True, help="Accept a checkpoint written by another spec."
)
@click.option(
    "--allow-unverified",
    "allow_unverified",
    is_flag=True,
    help="Accept a checkpoint whose manifest has no integrity record (weights and configuration unverifiable).",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: only this machine)."
)
@click.option(
    "--port", default=7860, show_default=True, type=click.IntRange(0, 65535), help="Port; 0 picks a free one."
)
@click.option(
    "--samples",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help=f"Folder of skeleton files offered as samples and examples (default: ${SAMPLES_ENV}, else ../shared/data).",
)
@click.option(
    "--teacher",
    default=None,
    help="Teacher plugin for the rationale (default: the one a plugin declares default_for describe; kinematic).",
)
@click.option("--device", default=None, help="Device for the model (default: cuda when available, else cpu).")
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1, 100_000), help="Upload limit.")
def app(
    spec: str | None,
    checkpoint: str | None,
    untrained: bool,
    allow_mismatch: bool,
    allow_unverified: bool,
    host: str,
    port: int,
    samples: str | None,
    teacher: str | None,
    device: str | None,
    max_upload_mb: int,
) -> None:
    """Start a local web page: look at any skeleton file, and ask SPEC's model about it."""
    # what can be checked in seconds fails before gradio is imported or a model built
    if checkpoint and not spec:
        raise SkeletonLLMError("--checkpoint needs the SPEC it was trained with")
    from .model import ModelSession, pick_teacher_name
    from .workspace import Workspace

    pick_teacher_name(teacher)  # an unknown name fails now, not at the first question
    accepted = None
    if spec:
        from skeletonllm.checkpoint_checks import accept_checkpoint
        from skeletonllm.spec import load_spec

        validated = load_spec(spec)  # a typo in the YAML is reported here with its path, not later on the page
        # the one rule infer and evaluate follow: a refusal stops the command before the page starts
        accepted = accept_checkpoint(spec, validated.spec, checkpoint, untrained, allow_mismatch, allow_unverified)
        for note in accepted.notes:
            click.echo(note, err=True)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: it reads this at import
    workspace = Workspace()
    workspace.remove_at_exit()  # also on SIGTERM: uploads may be restricted data
    workspace.point_gradio_here()  # before the import too: gradio reads its folders then
    try:
        import gradio  # noqa: F401 - only to fail early with the install hint
    except ImportError:
        workspace.remove()
        raise SkeletonLLMError("the app needs gradio: pip install 'skeletonllm[app]'") from None
    from .page import AppState, default_samples_dir
    from .ui import serve

    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: other machines can reach this page and upload files", err=True)
    state = AppState(
        session=ModelSession(spec, device=device, accepted=accepted).start(),
        samples_dir=default_samples_dir(samples),
        teacher_name=teacher,
        workspace=workspace,
    )
    port = port or free_port(host)
    started = time.perf_counter()
    try:
        serve(state, host, port, max_upload_mb, block=False)
        click.echo(f"serving http://{host}:{port} (started in {time.perf_counter() - started:.1f} s; Ctrl+C stops)")
        click.echo(f"uploads and renders: {workspace.root} (deleted when the app stops)", err=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        workspace.remove()
    click.echo(f"stopped after {state.looks} looks and {state.questions} questions; {workspace.root} deleted")
