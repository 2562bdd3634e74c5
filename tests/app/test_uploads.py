"""The running app against hostile requests: it serves only files it created and survives every bad upload.

One app process (no model) is started for the module; each bad file goes through the
real upload route and the Look handler, exactly as the page sends it. After the module
the app is stopped with SIGTERM and its temporary folder must be gone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from format_fixtures import ntu_text, write

pytestmark = pytest.mark.slow

#: Look's inputs after the file: format, sequence, from, to, frames, size, renderers, renderer options
VIEW = ["auto", 0, 0, 0, 2, 32, ["stick"], ""]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    pytest.importorskip("gradio")
    httpx = pytest.importorskip("httpx")
    from devtools_client import running_app

    work = tmp_path_factory.mktemp("uploads")
    samples = work / "samples"
    samples.mkdir()
    write(samples / "good.skeleton", ntu_text([1] * 12, seed=3))
    app_tmp = work / "app-tmp"
    with running_app(["--samples", str(samples), "--max-upload-mb", "8"], work, tmpdir=app_tmp) as (url, refused):
        (root,) = list(app_tmp.iterdir())
        with httpx.Client(base_url=url, timeout=60) as client:
            yield client, root, work
    assert refused.read_text() == "", refused.read_text()
    assert list(app_tmp.iterdir()) == [], "the app left files behind after SIGTERM"


def _upload(client, name: str, content: bytes) -> str:
    response = client.post("gradio_api/upload", files={"files": (name, content)})
    assert response.status_code == 200, response.text
    (path,) = response.json()
    return path


def _look(client, file_value) -> list:
    """Call the Look handler as the page does; the handler's outputs (or the server's error event)."""
    response = client.post("gradio_api/call/on_look", json={"data": [file_value, None, *VIEW]})
    assert response.status_code == 200, response.text
    event = response.json()["event_id"]
    text = client.get(f"gradio_api/call/on_look/{event}").text
    kind = [line for line in text.splitlines() if line.startswith("event:")][-1]
    data = [line for line in text.splitlines() if line.startswith("data:")][-1][5:]
    assert kind.strip() in ("event: complete", "event: error"), text
    return json.loads(data) if kind.strip() == "event: complete" else [f"server error: {data}"]


def _file(path: str, name: str) -> dict:
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


BAD_FILES = {
    "words.txt": b"hello world foo\nbar baz\n",
    "random.bin": os.urandom(64 * 1024),
    "empty.skeleton": b"",
    "zeros.npz": b"\0" * (6 * 1024 * 1024),  # large, under the 8 MB limit
    "cut.skeleton": ntu_text([1, 1, 1], seed=5)[:300].encode(),
    "fake.npz": b"PK\x03\x04" + os.urandom(2000),  # a zip header and garbage
    "pickle.pkl": b"\x80\x04\x95" + os.urandom(500),
    "not-json.json": b'{"skeletons": [[[1, 2',
    "nul\u00e9s \u2603 name;rm -rf.bvh": b"HIERARCHY\nROOT Hips\n{\n",
    "../../../../etc/passwd": b"root:x:0:0:root:/root:/bin/bash\n",
    "x" * 240 + ".bvh": b"MOTION\n",
}


@pytest.mark.parametrize("name", list(BAD_FILES), ids=[n[:24] for n in BAD_FILES])
def test_every_bad_upload_gets_one_clear_error_and_the_app_keeps_serving(app, name):
    client, root, _work = app
    path = _upload(client, name, BAD_FILES[name])
    assert Path(os.path.realpath(path)).is_relative_to(root), f"the upload landed outside the workspace: {path}"
    outputs = _look(client, _file(path, name))
    error = outputs[0]
    assert error.startswith("**Error:**"), error  # a reader's message, not an unexpected exception
    assert "Traceback" not in error and str(root) not in error
    assert "root:x:0:0" not in json.dumps(outputs)
    assert client.get("/").status_code == 200  # the server is still up


def test_a_good_sample_still_renders_after_the_bad_ones(app):
    client, _root, _work = app
    response = client.post("gradio_api/call/on_pick", json={"data": ["good.skeleton", *VIEW]})
    event = response.json()["event_id"]
    text = client.get(f"gradio_api/call/on_pick/{event}").text
    assert "event: complete" in text and "ntu_skeleton" in text, text[-500:]


def test_a_request_naming_a_server_path_is_never_read(app):
    client, root, work = app
    secret = work / "secret.skeleton"
    secret.write_text(ntu_text([1] * 5, seed=1))
    for target in ("/etc/passwd", str(secret), str(root / ".." / secret.name)):
        outputs = _look(client, _file(target, "innocent.skeleton"))
        text = json.dumps(outputs)
        assert "root:x:0:0" not in text and "ntu_skeleton" not in text, text[:300]


def test_a_link_in_the_upload_folder_to_a_server_file_is_not_followed(app):
    client, root, work = app
    secret = work / "linked.skeleton"
    secret.write_text(ntu_text([1] * 5, seed=2))
    link = root / "uploads" / "planted.skeleton"
    link.symlink_to(secret)
    outputs = _look(client, _file(str(link), "planted.skeleton"))
    assert "ntu_skeleton" not in json.dumps(outputs)


@pytest.mark.parametrize(
    "target",
    ["/etc/passwd", "/proc/self/environ", "{work}/app.log", "{work}/samples/good.skeleton", "{root}/../x",
     "{root}", "https://example.com/x.png", "http://127.0.0.1:1/x", "file:///etc/passwd", "//example.com/x"],
)  # fmt: skip
def test_the_file_route_serves_nothing_outside_the_apps_folders(app, target):
    client, root, work = app
    target = target.format(work=work, root=root)
    for prefix in ("gradio_api/file=", "file="):
        response = client.get(prefix + target)
        assert response.status_code in (403, 404), (prefix + target, response.status_code, response.text[:200])
        assert "root:x:0:0" not in response.text


def test_files_the_app_rendered_are_served(app):
    client, root, _work = app
    response = client.post("gradio_api/call/on_pick", json={"data": ["good.skeleton", *VIEW]})
    text = client.get(f"gradio_api/call/on_pick/{response.json()['event_id']}").text
    data = json.loads([line for line in text.splitlines() if line.startswith("data:")][-1][5:])
    gif = data[3][0]["image"]["path"]
    assert Path(gif).is_relative_to(root)
    served = client.get(f"gradio_api/file={gif}")
    assert served.status_code == 200 and served.content[:6] in (b"GIF87a", b"GIF89a")
