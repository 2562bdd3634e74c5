"""A headless Chromium driven through its DevTools protocol, and the app started in a subprocess.

Just enough of the protocol for the browser test and the docs screenshot:
open a page, set a file input, run JavaScript, wait for a condition, take a
screenshot, and record every request the page makes. The browser resolves
no host name but loopback (``--host-resolver-rules``), and the app runs with
a ``sitecustomize`` that records and refuses any connection off this machine,
so "nothing leaves 127.0.0.1" is checked on both sides.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]

#: Debian's package installs /usr/bin/chromium; other systems name it differently
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-allow-origins=*",
    # every host name but loopback fails to resolve: a stray request cannot leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
)

#: loaded into the app's Python through PYTHONPATH: logs and refuses any connection off this machine
GUARD = """
import ipaddress, os, socket
_LOG = os.environ["SKELETONLLM_NET_LOG"]
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo

def _local(host):
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False

def _refuse(what):
    with open(_LOG, "a") as fh:
        fh.write(what + "\\n")
    raise OSError("network access outside 127.0.0.1 refused by the app test")

def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
        _refuse(f"connect {address!r}")
    return _connect(self, address)

def getaddrinfo(host, *args, **kwargs):
    if not _local(host if isinstance(host, str) else (host or b"").decode()):
        _refuse(f"resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect = connect
socket.getaddrinfo = getaddrinfo
"""


def find_chromium() -> str | None:
    explicit = os.environ.get("SKELETONLLM_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def running_app(
    args: list[str], workdir: Path, timeout: float = 180.0, tmpdir: Path | None = None
) -> Iterator[tuple[str, Path]]:
    """``skeletonllm app ARGS`` on a free loopback port -> (url, log of refused connections); stopped at the end.

    ``tmpdir`` becomes the app's ``TMPDIR`` (its workspace is made there), so a test can
    check that stopping the app (SIGTERM) leaves nothing behind.
    """
    guard_dir = workdir / "guard"
    guard_dir.mkdir(parents=True, exist_ok=True)
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    net_log = workdir / "refused.log"
    net_log.write_text("")
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(guard_dir), *filter(None, [env.get("PYTHONPATH")])])
    # analytics asked for on purpose: the app must turn them off itself (the guard logs any attempt)
    env.update(SKELETONLLM_NET_LOG=str(net_log), GRADIO_ANALYTICS_ENABLED="True", OMP_NUM_THREADS="1")
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.pop("GRADIO_TEMP_DIR", None)  # the app must choose its own folders
    if tmpdir is not None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    cmd = [sys.executable, "-c", "from skeletonllm.cli import main; main()", "app", *args, "--port", str(port)]
    log = (workdir / "app.log").open("w")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url, timeout, process)
        yield url, net_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Browser:
    """One headless Chromium with one page, spoken to over the DevTools WebSocket."""

    def __init__(self, chromium: str, profile: Path, width: int = 1400, height: int = 1800) -> None:
        import websocket  # websocket-client

        profile.mkdir(parents=True, exist_ok=True)
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a reused profile's stale port misleads the wait
        flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0"]
        flags.append(f"--window-size={width},{height}")
        self.process = subprocess.Popen(
            [chromium, *flags, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError(f"chromium did not open its DevTools port (exit code {self.process.poll()})")
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        wait_http(f"http://127.0.0.1:{port}/json/version", 30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self._ids = itertools.count(1)
        self.requests: list[str] = []
        self.failed: list[str] = []
        for domain in ("Page", "Runtime", "Network", "DOM"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _event(self, message: dict) -> None:
        method = message.get("method")
        if method == "Network.requestWillBeSent":
            self.requests.append(message["params"]["request"]["url"])
        elif method == "Network.loadingFailed":
            self.failed.append(message["params"].get("errorText", ""))

    def send(self, method: str, **params: Any) -> dict:
        ident = next(self._ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float, what: str) -> Any:
        """Poll ``expression`` until it is truthy; the error says what was awaited."""
        deadline = time.monotonic() + timeout
        problem = ""
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError as exc:  # e.g. no document yet while the page loads
                problem = f" (last: {exc})"
                value = None
            if value:
                return value
            time.sleep(0.5)
        raise TimeoutError(f"waited {timeout:.0f} s for {what}{problem}")

    def open(self, url: str, ready: str, timeout: float = 60) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(ready, timeout, f"{url} to show {ready!r}")

    def set_files(self, selector: str, files: list[Path]) -> None:
        root = self.send("DOM.getDocument", depth=-1, pierce=True)["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise RuntimeError(f"no element matches {selector!r}")
        self.send("DOM.setFileInputFiles", nodeId=node, files=[str(f) for f in files])

    def screenshot(self, path: Path, selector: str | None = None) -> Path:
        """A PNG of the whole page (or of the element ``selector``, e.g. the app's main column)."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if selector:
            box = self.evaluate(
                f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                " return [r.left + scrollX, r.top + scrollY, r.width, r.height]; })()"
            )
            params["clip"] = {"x": box[0], "y": box[1], "width": box[2], "height": box[3], "scale": 1}
        else:
            metrics = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
