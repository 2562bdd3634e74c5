"""The page's plumbing without a browser: the sample menu, file choice, error text and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from skeletonllm.app.model import ModelSession
from skeletonllm.app.ui import AppState, list_samples, parse_renderer_options, resolve_source, shown_error
from skeletonllm.cli import cli
from skeletonllm.cli.app_cmd import is_loopback
from skeletonllm.errors import SkeletonDataError, SkeletonLLMError

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


def test_the_page_builds_with_every_renderer_and_format():
    gr = pytest.importorskip("gradio")
    blocks, theme = __import__("skeletonllm.app.ui", fromlist=["build_blocks"]).build_blocks(
        AppState(session=ModelSession(None))
    )
    assert isinstance(blocks, gr.Blocks) and isinstance(theme, gr.themes.Base)
    fonts = [*theme._font, *theme._font_mono]
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in fonts)  # nothing fetched from Google
    # the model answers one question at a time in its own queue, so looking at files stays responsive
    events = [(fn.name, fn.concurrency_id, fn.concurrency_limit) for fn in blocks.fns.values() if fn.queue]
    assert sorted({e for e in events if e[0] == "handler"}) == [("handler", "model", 1)]
    assert {e[1] for e in events if e[0] == "on_look"} == {"look"}
    assert len([e for e in events if e[0] == "handler"]) == 3  # recognise, caption, question


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

    from skeletonllm.app.ui import serve

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
    state = AppState(session=ModelSession(spec, registry=toy_registry(), untrained=True).start())
    port = free_port()
    serve(state, "127.0.0.1", port, 10, block=False)
    try:
        client = client_mod.Client(f"http://127.0.0.1:{port}/", verbose=False)
        upload = client_mod.handle_file(str(clip))
        ask = client.submit(upload, None, "auto", 0, 0, 0, "left, right", "", 8, api_name="/handler")
        assert entered.wait(120), "the question never reached the model"
        look = client.predict(upload, None, "auto", 0, 0, 0, 2, 32, ["stick"], "", api_name="/on_look")
        assert look[0] == "" and look[1]["data"][0][1] == "ntu_skeleton"
        assert not ask.done()  # the Look came back while the model was still busy
        release.set()
        error, _prompt, output, parsed, *_ = ask.result(timeout=60)
        assert error == "" and parsed in ("left", "right") and output.startswith("Label: ")
    finally:
        release.set()
        gr.close_all()
