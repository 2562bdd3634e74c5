"""The app's own folder: private, deleted at exit and on SIGTERM; the server refuses to fetch URLs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from skeletonllm_app.workspace import LocalFilesOnly, Workspace, is_remote_target


def test_the_workspace_is_private_and_knows_what_is_inside(tmp_path):
    ws = Workspace(tmp_path)
    assert oct(ws.root.stat().st_mode & 0o777) == "0o700"
    inside = ws.uploads / "abc" / "walk.bvh"
    inside.parent.mkdir()
    inside.write_text("x")
    assert ws.contains(inside)
    assert not ws.contains(tmp_path / "elsewhere.bvh")
    assert not ws.contains(ws.uploads / ".." / ".." / "elsewhere.bvh")
    link = ws.uploads / "link.bvh"
    link.symlink_to("/etc/hostname")
    assert not ws.contains(link)  # a link inside pointing outside is outside
    ws.remove()
    ws.remove()  # twice is fine
    assert not ws.root.exists()


def test_gradio_is_pointed_into_the_workspace(tmp_path, monkeypatch):
    ws = Workspace(tmp_path)
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    monkeypatch.delenv("GRADIO_EXAMPLES_CACHE", raising=False)
    ws.point_gradio_here()
    assert os.environ["GRADIO_TEMP_DIR"] == str(ws.uploads)
    assert os.environ["GRADIO_EXAMPLES_CACHE"] == str(ws.examples)


@pytest.mark.parametrize("how", ["exit", "sigterm"])
def test_the_workspace_is_deleted_when_the_process_ends(tmp_path, how):
    code = (
        "import sys, time; from skeletonllm_app.workspace import Workspace;"
        f"ws = Workspace({str(tmp_path)!r}); ws.remove_at_exit(); (ws.uploads / 'secret.skeleton').write_text('x');"
        "print(ws.root, flush=True);" + ("time.sleep(60)" if how == "sigterm" else "sys.exit(0)")
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    root = process.stdout.readline().strip()
    assert root and os.path.isdir(root)
    if how == "sigterm":
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    assert not os.path.exists(root)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("target", "remote"),
    [("https://example.com/x.gif", True), ("http:/x", True), ("//host/x", True), ("file:///etc/passwd", True),
     ("/tmp/skeletonllm-app-1/renders/a.gif", False), ("relative/a.gif", False)],
)  # fmt: skip
def test_url_targets_are_told_apart_from_files(target, remote):
    assert is_remote_target(target) is remote


def _call(middleware: LocalFilesOnly, path: str) -> int:
    sent = []

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    asyncio.run(middleware({"type": "http", "path": path}, receive, send))
    return sent[0]["status"]


def test_the_file_route_never_fetches_a_url_for_a_caller():
    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    guard = LocalFilesOnly(inner)
    assert _call(guard, "/gradio_api/file=https://example.com/a.png") == 403
    assert _call(guard, "/gradio_api/file=https%3A//example.com/a.png") == 403
    assert _call(guard, "/file=http://169.254.169.254/latest") == 403
    assert _call(guard, "/gradio_api/file=/tmp/skeletonllm-app-x/renders/a.gif") == 200
    assert _call(guard, "/gradio_api/queue/join") == 200
