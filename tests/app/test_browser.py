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
  lookError: (((document.querySelector('#look-error') || {}).innerText || '').match(/(unexpected )?error.*/is) || [''])[0],
  askError: (((document.querySelector('#ask-error') || {}).innerText || '').match(/(unexpected )?error.*/is) || [''])[0],
  warning: (document.querySelector('#ask-warning') || {}).innerText || '',
  gifs: [...document.querySelectorAll('#renders img')].filter(i => i.complete && i.naturalWidth > 0)
          .map(i => i.src),
  legend: [...document.querySelectorAll('#legend img')].filter(i => i.complete && i.naturalWidth > 0).length,
  seenWidth: Math.max(0, ...[...document.querySelectorAll('#seen img')].map(i => i.naturalWidth)),
  answer: (document.querySelector('#answer textarea') || {}).value || '',
  parsed: (document.querySelector('#parsed textarea, #parsed input') || {}).value || '',
  rationale: (document.querySelector('#rationale textarea') || {}).value || '',
  candidates: (document.querySelector('#candidates textarea') || {}).value || '',
  classes: (document.querySelector('#model-classes') || {}).innerText || '',
  buttons: Object.fromEntries([...document.querySelectorAll('[id^=ask-] , button[id^=ask-]')]
             .filter(b => b.tagName === 'BUTTON').map(b => [b.id, b.innerText.trim()])),
  rows: document.querySelectorAll('#info tbody tr').length,
  info: (document.querySelector('#info') || {}).innerText || '',
  status: (document.querySelector('#model-status') || {}).innerText || '',
})"""


def _state(browser: Browser) -> dict:
    return json.loads(browser.evaluate(PAGE_STATE))


def _until(browser: Browser, condition: str, timeout: float, what: str) -> dict:
    """Poll the page state until the JavaScript ``condition`` on it (``o``) holds; the state then."""
    found = browser.wait_for(
        f"(() => {{ const s = {PAGE_STATE}; const o = JSON.parse(s); return ({condition}) ? s : ''; }})()",
        timeout,
        what,
    )
    return json.loads(found)


def _type(browser: Browser, selector: str, text: str) -> None:
    """Type into a textbox as a user would (an input event, which gradio listens to)."""
    browser.evaluate(
        f"(() => {{ const t = document.querySelector({json.dumps(selector)});"
        f" t.value = {json.dumps(text)}; t.dispatchEvent(new Event('input')); }})()"
    )


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


def _trained_spec(tmp_path: Path) -> Path:
    """The tiny spec, trained for one refine step: a checkpoint that knows recognition and nothing else."""
    from skeletonllm.pipeline import Pipeline
    from skeletonllm.spec import load_spec
    from skeletonllm.training import Trainer

    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump({**TINY_SPEC, "output_dir": str(tmp_path / "run")}))
    Trainer(Pipeline(load_spec(spec)), show_progress=False).fit()
    return spec


def test_upload_look_and_ask_in_a_real_browser(chromium, tmp_path):
    spec = _trained_spec(tmp_path)
    sample = _sample(tmp_path)
    samples = tmp_path / "samples"
    (samples / "ntu").mkdir(parents=True)
    write(samples / "ntu" / "second.skeleton", ntu_text([1] * 20, seed=9))
    app_tmp = tmp_path / "app-tmp"
    with running_app([str(spec), "--samples", str(samples)], tmp_path, tmpdir=app_tmp) as (url, refused):
        browser = Browser(chromium, tmp_path / "profile")
        try:
            browser.open(url, "document.querySelector('#upload input[type=file]') !== null")
            # the Ask controls follow the checkpoint: recognition only, its two classes listed and filled in
            state = _until(browser, "o.classes.includes('jump up')", 240, "the model's classes")
            assert "Trained to name the action among candidates, on 2 classes" in state["status"]
            assert state["candidates"] == "hand waving, jump up"
            assert state["buttons"]["ask-recognition"] == "Recognise"
            assert state["buttons"]["ask-caption"] == "Caption (not trained)"
            assert state["buttons"]["ask-question"] == "Ask the question (not trained)"
            browser.set_files("#upload input[type=file]", [sample])
            # the upload event renders with every renderer: wait for DrAction's GIF and its colour key
            state = _until(browser, "o.lookError || (o.gifs.some(g => g.includes('-draction-')) && o.legend)",
                           240, "the DrAction animation")  # fmt: skip
            assert not state["lookError"], state["lookError"]
            assert any("-draction-" in g and g.endswith(".gif") for g in state["gifs"]), state
            assert state["rows"] == 1
            browser.evaluate("document.querySelector('#ask-recognition').click()")
            state = _until(browser, "(o.answer && o.seenWidth > 0) || o.askError", 300, "the answer and the view")
            assert state["answer"], f"no answer; the page says {state['askError']!r}"
            assert state["parsed"]  # a label or '-' when the one-step model gave no 'Label:' line
            assert state["rationale"].startswith(("Summary:", "Step 1"))  # kinematic or template teacher
            assert state["seenWidth"] >= 224  # 56-px frames enlarged, not a thumbnail
            label = state["parsed"].split("\u26a0")[0].strip()
            assert ("not one of your candidates" in state["parsed"]) == (label not in ("-", "hand waving", "jump up"))
            # a free question to a recognition-only model: the answer is flagged as a forced choice
            _type(browser, "#question textarea, #question input", "Describe the motion.")
            browser.evaluate("document.querySelector('#ask-question').click()")
            state = _until(browser, "o.warning.includes('forced choice') || o.askError", 300, "the warning")
            assert "forced choice among hand waving, jump up" in state["warning"], state
            shot = Path(os.environ.get("SKELETONLLM_APP_SCREENSHOT") or tmp_path / "app.png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(shot)
            assert shot.stat().st_size > 10_000
            # an example file, one click: it replaces the upload and clears the previous file's answers
            browser.evaluate(
                "[...document.querySelectorAll('#example-files button, #example-files td, #example-files span')]"
                ".find(e => e.innerText.trim() === 'ntu/second.skeleton').click()"
            )
            state = _until(browser, "o.info.includes('ntu/second.skeleton')", 120, "the example file's info")
            assert not state["answer"] and not state["warning"] and not state["parsed"], state
            # a new upload clears the answers about the example
            browser.evaluate("document.querySelector('#ask-recognition').click()")
            _until(browser, "o.answer", 300, "an answer about the example")
            browser.set_files("#upload input[type=file]", [sample])
            state = _until(browser, "!o.answer && !o.warning && !o.parsed", 60, "the old answers to clear")
            outside = [u for u in browser.requests if urlparse(u).scheme not in ("data", "blob")]
            outside = [u for u in outside if urlparse(u).hostname not in ("127.0.0.1", "localhost")]
            assert outside == [], f"the page requested outside hosts: {outside}"
        finally:
            browser.close()
        assert refused.read_text() == "", f"the app tried to reach outside: {refused.read_text()}"
    # the app stopped (SIGTERM): its workspace, with gradio's copies of both uploads, is gone
    assert sorted(p.name for p in app_tmp.iterdir()) == [], list(app_tmp.rglob("*"))[:10]


def test_a_bad_file_shows_the_readers_error_next_to_the_look_button(chromium, tmp_path):
    bad = tmp_path / "broken.skeleton"
    bad.write_text("25\n1\nnot a skeleton at all\n")
    with running_app([], tmp_path) as (url, _refused):
        browser = Browser(chromium, tmp_path / "profile")
        try:
            browser.open(url, "document.querySelector('#upload input[type=file]') !== null")
            browser.set_files("#upload input[type=file]", [bad])
            text = _until(browser, "o.lookError", 120, "the error message")["lookError"]
            # the error sits right under the Look button, not at the top of the page
            gap = browser.evaluate(
                "document.querySelector('#look-error').getBoundingClientRect().top"
                " - [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Look')"
                ".getBoundingClientRect().bottom"
            )
            # asking without a model: the message shows under the Ask buttons
            browser.evaluate("document.querySelector('#ask-recognition').click()")
            ask_error = _until(browser, "o.askError", 60, "the Ask error")["askError"]
        finally:
            browser.close()
    assert "broken.skeleton" in text and "Traceback" not in text
    assert "/gradio/" not in text and "uploads" not in text  # the user's file name, not the server's copy
    assert 0 <= gap < 80
    assert "start the app with a spec" in ask_error
