"""The page's plumbing without a browser: the sample menu, file choice, error text and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from skeletonllm.cli import cli
from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm_app.command import is_loopback
from skeletonllm_app.model import ModelSession
from skeletonllm_app.page import AppState, list_samples, parse_renderer_options, resolve_source, shown_error

REPO = Path(__file__).resolve().parents[2]


def test_the_sample_menu_lists_data_files_only(tmp_path):
    (tmp_path / "ntu").mkdir()
    (tmp_path / "ntu" / "a.skeleton").write_text("x")
    (tmp_path / "ntu" / "README.md").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "b.bvh").write_text("x")
    (tmp_path / "ntu" / "z.skeleton").write_text("x")
    assert list_samples(tmp_path) == ["b.bvh", "ntu/a.skeleton", "ntu/z.skeleton"]
    assert list_samples(tmp_path, limit=1) == ["b.bvh"]
    assert list_samples(None) == [] and list_samples(tmp_path / "absent") == []


def test_an_upload_wins_and_a_pick_must_come_from_the_menu(tmp_path):
    (tmp_path / "a.bvh").write_text("x")
    secret = tmp_path.parent / "secret.txt"
    menu = list_samples(tmp_path)
    upload = "/tmp/gradio/123/walk.bvh"
    assert resolve_source(upload, "a.bvh", tmp_path, menu) == (upload, "walk.bvh")
    assert resolve_source(None, "a.bvh", tmp_path, menu) == (str(tmp_path / "a.bvh"), "a.bvh")
    with pytest.raises(SkeletonLLMError, match="not one of the listed samples"):
        resolve_source(None, f"../{secret.name}", tmp_path, menu)
    with pytest.raises(SkeletonLLMError, match="upload a skeleton file or pick a sample"):
        resolve_source(None, None, tmp_path, menu)


def test_renderer_options_are_key_value_pairs_read_as_yaml_scalars():
    assert parse_renderer_options("fill=0.6, fov_degrees=40 nfm=none") == {
        "fill": 0.6,
        "fov_degrees": 40,
        "nfm": "none",
    }
    assert parse_renderer_options("") == parse_renderer_options(None) == {}
    with pytest.raises(SkeletonDataError, match="KEY=VALUE"):
        parse_renderer_options("fill")


def test_errors_on_the_page_are_one_message_never_a_traceback():
    text = shown_error(SkeletonDataError("bad joint count", source="walk.bvh", line=12))
    assert text == "**Error:** walk.bvh, line 12: bad joint count"
    text = shown_error(ZeroDivisionError("division by zero"))
    assert text == "**Unexpected error** (ZeroDivisionError): division by zero"
    assert "Traceback" not in text


def test_the_page_builds_with_every_renderer_and_format(tmp_path):
    gr = pytest.importorskip("gradio")
    from skeletonllm_app.workspace import Workspace

    blocks, theme = __import__("skeletonllm_app.ui", fromlist=["build_blocks"]).build_blocks(
        AppState(session=ModelSession(None), workspace=Workspace(tmp_path))
    )
    assert isinstance(blocks, gr.Blocks) and isinstance(theme, gr.themes.Base)
    fonts = [*theme._font, *theme._font_mono]
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in fonts)  # nothing fetched from Google
    # the model answers one question at a time in its own queue, so looking at files stays responsive
    events = [(fn.name, fn.concurrency_id, fn.concurrency_limit) for fn in blocks.fns.values() if fn.queue]
    asks = [e for e in events if e[0].startswith("ask_")]
    assert sorted(asks) == [("ask_caption", "model", 1), ("ask_question", "model", 1), ("ask_recognition", "model", 1)]
    assert {e[1] for e in events if e[0] in ("on_look", "on_pick")} == {"look"}


def test_help_lists_the_app_without_importing_gradio_or_torch():
    code = (
        "import sys; from click.testing import CliRunner; from skeletonllm.cli import cli;"
        "r = CliRunner().invoke(cli, ['app', '--help']); assert r.exit_code == 0, r.output;"
        "assert '--checkpoint' in r.output and '127.0.0.1' in r.output;"
        "print(sorted(m for m in ('gradio', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "gradio" not in out


def test_cheap_mistakes_fail_before_anything_starts(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["app", "--checkpoint", str(tmp_path)])
    assert result.exit_code == 1 and "--checkpoint needs the SPEC" in result.output
    result = runner.invoke(cli, ["app", "--teacher", "templat"])
    assert result.exit_code == 1 and "did you mean 'template'" in result.output
    spec = tmp_path / "typo.yaml"
    demo = REPO / "core" / "skeletonllm" / "specs" / "demo_tiny_qwen.yaml"
    spec.write_text(demo.read_text().replace("name: draction", "name: dracton"))
    result = runner.invoke(cli, ["app", str(spec)])
    assert result.exit_code == 1 and "renderer" in result.output and "dracton" in result.output


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("192.168.1.4", False), ("myhost", False)])  # fmt: skip
def test_only_loopback_hosts_count_as_private(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.slow
def test_uploads_over_the_limit_are_refused(tmp_path):
    pytest.importorskip("gradio")
    httpx = pytest.importorskip("httpx")
    from devtools_client import running_app

    with running_app(["--max-upload-mb", "1"], tmp_path) as (url, refused):
        small = httpx.post(f"{url}gradio_api/upload", files={"files": ("a.bvh", b"x" * 1000)}, timeout=30)
        big = httpx.post(f"{url}gradio_api/upload", files={"files": ("b.bvh", b"x" * 1_500_000)}, timeout=30)
    assert small.status_code == 200, small.text
    assert big.status_code == 413, (big.status_code, big.text)
    assert refused.read_text() == ""


@pytest.mark.slow
def test_looking_at_a_file_works_while_the_model_is_answering(tmp_path, monkeypatch):
    """The model's queue holds a question; a Look on another queue still comes back first."""
    gr = pytest.importorskip("gradio")
    client_mod = pytest.importorskip("gradio_client")
    import threading

    import toy_components
    import yaml
    from devtools_client import free_port
    from format_fixtures import ntu_text, write
    from toy_components import toy_registry

    from skeletonllm_app.ui import serve

    entered, release = threading.Event(), threading.Event()
    original = toy_components.ToyBackbone.generate

    def held_generate(self, frames, examples, max_new_tokens=32):
        entered.set()
        release.wait(60)  # the model is "busy" until the test has seen the Look come back
        return original(self, frames, examples, max_new_tokens)

    monkeypatch.setattr(toy_components.ToyBackbone, "generate", held_generate)
    spec = tmp_path / "toy.yaml"
    spec.write_text(yaml.safe_dump({
        "data": {"name": "toy_data", "per_class": 2}, "renderer": {"name": "toy_renderer", "frames": 3, "size": 8},
        "backbone": "toy_backbone", "stages": [{"name": "refine", "max_steps": 1}],
        "output_dir": str(tmp_path / "run"),
    }))  # fmt: skip
    clip = write(tmp_path / "c.skeleton", ntu_text([1] * 12, seed=8))
    from skeletonllm_app.workspace import Workspace

    state = AppState(
        session=ModelSession(spec, registry=toy_registry(), untrained=True).start(), workspace=Workspace(tmp_path)
    )
    for variable in ("GRADIO_TEMP_DIR", "GRADIO_EXAMPLES_CACHE"):  # serve() sets them; restored after the test
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    port = free_port()
    serve(state, "127.0.0.1", port, 10, block=False)
    try:
        client = client_mod.Client(f"http://127.0.0.1:{port}/", verbose=False)
        upload = client_mod.handle_file(str(clip))
        ask = client.submit(upload, None, "auto", 0, 0, 0, "left, right", "", 8, api_name="/ask_recognition")
        assert entered.wait(120), "the question never reached the model"
        look = client.predict(upload, None, "auto", 0, 0, 0, 2, 32, ["stick"], "", api_name="/on_look")
        assert look[0] == "" and look[1]["data"][0][1] == "ntu_skeleton"
        assert not ask.done()  # the Look came back while the model was still busy
        release.set()
        error, _warning, _prompt, output, parsed, *_ = ask.result(timeout=60)
        assert error == "" and parsed in ("left", "right") and output.startswith("Label: ")
    finally:
        release.set()
        gr.close_all()


def test_an_upload_must_be_a_file_the_page_received(tmp_path):
    """A request naming a server path, or a link planted in the upload folder, is refused, never read."""
    from skeletonllm_app.workspace import Workspace

    ws = Workspace(tmp_path)
    received = ws.uploads / "3f9a" / "walk.bvh"
    received.parent.mkdir()
    received.write_text("x")
    assert resolve_source(str(received), None, None, [], ws) == (str(received), "walk.bvh")
    for outside in ("/etc/passwd", str(ws.uploads / ".." / ".." / "secret.bvh")):
        with pytest.raises(SkeletonLLMError, match="not a file this page received"):
            resolve_source(outside, None, None, [], ws)
    link = ws.uploads / "3f9a" / "innocent.bvh"
    link.symlink_to("/etc/passwd")
    with pytest.raises(SkeletonLLMError, match="'innocent.bvh' is not a file this page received"):
        resolve_source(str(link), None, None, [], ws)


def test_example_files_are_one_readable_file_per_folder(tmp_path):
    from format_fixtures import ntu_text, write

    from skeletonllm_app.page import example_samples

    (tmp_path / "ntu").mkdir()
    (tmp_path / "docs").mkdir()
    write(tmp_path / "ntu" / "a.skeleton", ntu_text([1] * 3, seed=1))
    write(tmp_path / "ntu" / "b.skeleton", ntu_text([1] * 3, seed=2))
    (tmp_path / "docs" / "notes.txt").write_text("not a skeleton")
    (tmp_path / "LICENSE").write_text("licence text")
    samples = list_samples(tmp_path)
    assert "LICENSE" not in samples
    assert example_samples(tmp_path, samples) == ["ntu/a.skeleton"]
    assert example_samples(None, []) == []


def test_asking_without_a_model_says_so_before_reading_the_file(tmp_path):
    from skeletonllm_app.page import ask
    from skeletonllm_app.workspace import Workspace

    state = AppState(session=ModelSession(None), workspace=Workspace(tmp_path))
    view = {"fmt": "auto", "index": 0, "start": 0, "end": 0}
    with pytest.raises(SkeletonLLMError, match="start the app with a spec"):
        ask(state, "recognition", ("/nonexistent", "x.bvh"), view, "a, b", None, 8, lambda *a, **k: None)


def test_the_app_refuses_an_untrained_spec_like_infer_does(tmp_path):
    """The same rule as infer/evaluate: no checkpoint needs --untrained; another spec's needs --allow-spec-mismatch."""
    demo = REPO / "core" / "skeletonllm" / "specs" / "demo_tiny_qwen.yaml"
    spec = tmp_path / "demo.yaml"
    spec.write_text(demo.read_text().replace("output_dir: runs/demo_tiny_qwen", f"output_dir: {tmp_path / 'run'}"))
    result = CliRunner().invoke(cli, ["app", str(spec)])
    assert result.exit_code == 1 and "was never trained" in result.output and "--untrained" in result.output
    evaluate = CliRunner().invoke(cli, ["evaluate", str(spec)])  # refused before a model is built
    error = [line for line in evaluate.output.splitlines() if line.startswith("error:")]
    assert evaluate.exit_code == 1 and error == result.output.splitlines()  # accept_checkpoint's words, verbatim
    nowhere = CliRunner().invoke(cli, ["app", str(spec), "--checkpoint", str(tmp_path)])
    assert nowhere.exit_code == 1 and f"{tmp_path}: no checkpoint here" in nowhere.output
