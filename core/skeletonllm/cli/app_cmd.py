"""``skeletonllm app [SPEC]``: the local web page (gradio is imported only when the command runs)."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import time
from pathlib import Path

import click

from ..errors import SkeletonLLMError

#: the environment variable tests and docs use for the shared sample files; the default sample folder
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
@click.option("--checkpoint", type=click.Path(file_okay=False, exists=True), default=None, help="Trained checkpoint.")
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
    help=f"Folder of skeleton files offered in the 'pick a sample' menu (default: ${SAMPLES_ENV} when set).",
)
@click.option("--teacher", default=None, help="Teacher plugin for the rationale (default: kinematic, else template).")
@click.option("--device", default=None, help="Device for the model (default: cuda when available, else cpu).")
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1, 100_000), help="Upload limit.")
@click.option("--untrained", is_flag=True, help="Use the untrained model when there is no checkpoint (as infer).")
@click.option("--allow-spec-mismatch", "allow_mismatch", is_flag=True, help="Accept a checkpoint of another spec.")
def app(
    spec: str | None,
    checkpoint: str | None,
    host: str,
    port: int,
    samples: str | None,
    teacher: str | None,
    device: str | None,
    max_upload_mb: int,
    untrained: bool,
    allow_mismatch: bool,
) -> None:
    """Start a local web page: look at any skeleton file, and ask SPEC's model about it."""
    # what can be checked in milliseconds fails before gradio is imported or a model built
    if checkpoint and not spec:
        raise SkeletonLLMError("--checkpoint needs the SPEC it was trained with")
    from ..app.model import ModelSession, pick_teacher_name

    pick_teacher_name(teacher)  # an unknown name fails now, not at the first question
    if spec:
        from ..spec import load_spec

        load_spec(spec)  # a typo in the YAML is reported here with its path, not later on the page
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: it reads this at import
    try:
        import gradio  # noqa: F401 - only to fail early with the install hint
    except ImportError:
        raise SkeletonLLMError("the app needs gradio: pip install 'skeletonllm[app]'") from None
    from ..app.ui import AppState, serve

    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: other machines can reach this page and upload files", err=True)
    folder = samples or os.environ.get(SAMPLES_ENV)
    state = AppState(
        session=ModelSession(spec, checkpoint, device, untrained=untrained, allow_mismatch=allow_mismatch).start(),
        samples_dir=Path(folder) if folder and Path(folder).is_dir() else None,
        teacher_name=teacher,
    )
    port = port or free_port(host)
    started = time.perf_counter()
    serve(state, host, port, max_upload_mb, block=False)
    click.echo(f"serving http://{host}:{port} (started in {time.perf_counter() - started:.1f} s; Ctrl+C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(state.out_dir, ignore_errors=True)  # the GIFs this session wrote
    click.echo(f"stopped after {state.looks} looks and {state.questions} questions")
