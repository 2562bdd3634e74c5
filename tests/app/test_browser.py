"""The page in a real headless Chromium: upload a file, see DrAction's animation, get the model's answer.

Skips with the reason when Chromium, gradio or websocket-client is missing
(``.ci/run`` installs Debian's ``chromium`` when it can). The screenshot goes
to ``$SKELETONLLM_APP_SCREENSHOT`` when set (how docs/images/app.png is made),
else next to the test's temporary files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from devtools_client import Browser, find_chromium, running_app
from format_fixtures import ntu_text, write

from conftest import shared_data_dir

pytestmark = pytest.mark.slow

#: a real sample when the shared data is there (else a generated NTU file of the same format)
SAMPLE = "ntu_rgbd_skeleton/S001C001P001R001A001.skeleton"

#: the tiny preset: a randomly initialised Qwen2.5-VL of the real architecture, on CPU in seconds
TINY_SPEC = {
    "data": {"name": "synthetic", "topology": "kinect_v2", "actions": ["hand waving", "jump up"],
             "samples_per_class": 2, "frames": 16},
    "renderer": {"name": "draction", "frames": 2, "size": 56},
    "backbone": {"name": "qwen2_5_vl", "preset": "tiny", "frames": 2, "image_size": 56},
    "stages": [{"name": "refine", "max_steps": 1, "num_choices": 2}],
    "split": {"train": "xsub/train", "test": "xsub/test"},
    "eval": {"max_new_tokens": 8},
}  # fmt: skip

#: the page's state as one JSON object, read by polling
PAGE_STATE = """JSON.stringify({
  error: (((document.querySelector('#app-error') || {}).innerText || '').match(/(unexpected )?error.*/is) || [''])[0],
  gifs: [...document.querySelectorAll('#renders img')].filter(i => i.complete && i.naturalWidth > 0)
          .map(i => i.src),
  answer: (document.querySelector('#answer textarea') || {}).value || '',
  parsed: (document.querySelector('#parsed textarea, #parsed input') || {}).value || '',
  rationale: (document.querySelector('#rationale textarea') || {}).value || '',
  rows: document.querySelectorAll('#info tbody tr').length,
  status: (document.querySelector('#model-status') || {}).innerText || '',
})"""


def _state(browser: Browser) -> dict:
    return json.loads(browser.evaluate(PAGE_STATE))


@pytest.fixture(scope="module")
def chromium() -> str:
    pytest.importorskip("gradio", reason="the app needs gradio: pip install 'skeletonllm[app]'")
    pytest.importorskip("websocket", reason="the browser test talks to Chromium with websocket-client")
    found = find_chromium()
    if found is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set SKELETONLLM_CHROMIUM)")
    return found


def _sample(tmp_path: Path) -> Path:
    real = shared_data_dir() / SAMPLE
    if real.exists():
        return real
    return write(tmp_path / "generated.skeleton", ntu_text([1] * 40, seed=7))


def test_upload_look_and_ask_in_a_real_browser(chromium, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump({**TINY_SPEC, "output_dir": str(tmp_path / "run")}))
    sample = _sample(tmp_path)
    with running_app([str(spec), "--untrained"], tmp_path) as (url, refused):  # random weights, on purpose
        browser = Browser(chromium, tmp_path / "profile")
        try:
            browser.open(url, "document.querySelector('#upload input[type=file]') !== null")
            browser.set_files("#upload input[type=file]", [sample])
            # the upload event renders with every renderer: wait for DrAction's GIF to load
            state = browser.wait_for(
                f"(() => {{ const s = {PAGE_STATE}; const o = JSON.parse(s);"
                " return (o.error || o.gifs.some(g => g.includes('-draction-'))) ? s : ''; })()",
                240,
                "the DrAction animation",
            )
            state = json.loads(state)
            assert not state["error"], state["error"]
            assert any("-draction-" in g and g.endswith(".gif") for g in state["gifs"]), state
            assert state["rows"] == 1
            # ask: candidates typed like a user would (an input event, which gradio listens to)
            browser.evaluate(
                "(() => { const t = document.querySelector('#candidates textarea');"
                " t.value = 'drink water, jump up, hand waving'; t.dispatchEvent(new Event('input')); })()"
            )
            browser.evaluate("document.querySelector('#ask-recognition').click()")
            state = json.loads(
                browser.wait_for(
                    f"(() => {{ const s = {PAGE_STATE}; const o = JSON.parse(s);"
                    " return (o.answer || o.error) ? s : ''; })()",
                    300,
                    "the model's answer",
                )
            )
            assert state["answer"], f"no answer; the page says {state['error']!r}"
            assert state["parsed"]  # a label or '-' when the untrained model gave no 'Label:' line
            assert state["rationale"].startswith(("Summary:", "Step 1"))  # kinematic or template teacher
            # the status line followed the background build without a reload
            browser.wait_for(f"JSON.parse({PAGE_STATE}).status.includes('backbone qwen2_5_vl')", 30, "the status")
            shot = Path(os.environ.get("SKELETONLLM_APP_SCREENSHOT") or tmp_path / "app.png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(shot)
            assert shot.stat().st_size > 10_000
            outside = [u for u in browser.requests if urlparse(u).scheme not in ("data", "blob")]
            outside = [u for u in outside if urlparse(u).hostname not in ("127.0.0.1", "localhost")]
            assert outside == [], f"the page requested outside hosts: {outside}"
        finally:
            browser.close()
        assert refused.read_text() == "", f"the app tried to reach outside: {refused.read_text()}"


def test_a_bad_file_shows_the_readers_error_not_a_traceback(chromium, tmp_path):
    bad = tmp_path / "broken.skeleton"
    bad.write_text("25\n1\nnot a skeleton at all\n")
    with running_app([], tmp_path) as (url, _refused):
        browser = Browser(chromium, tmp_path / "profile")
        try:
            browser.open(url, "document.querySelector('#upload input[type=file]') !== null")
            browser.set_files("#upload input[type=file]", [bad])
            text = browser.wait_for(f"JSON.parse({PAGE_STATE}).error", 120, "the error message")
        finally:
            browser.close()
    assert "broken.skeleton" in text and "Traceback" not in text
    assert "/gradio/" not in text  # the user's file name, not the server's temporary upload path
