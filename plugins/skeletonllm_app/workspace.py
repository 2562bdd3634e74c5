"""The one folder the app writes to, removed when it stops, and the rule for what its server may serve.

Uploads can be restricted datasets, so nothing the page handled may outlive it:
the renders (GIFs, the model's view, legends) and gradio's own copies of every
upload all go under one private temporary folder, and that folder is deleted on
Ctrl+C, on SIGTERM and at interpreter exit. Gradio is pointed at it through
``GRADIO_TEMP_DIR`` (uploads and the files it copies for the browser) and
``GRADIO_EXAMPLES_CACHE``.

The server serves files from this folder only. Gradio's file route also fetches
public ``http(s)`` URLs on a caller's behalf; :class:`LocalFilesOnly` refuses
those, so the page never reaches outside the machine for anyone.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

#: the environment variables gradio reads for where it copies files
GRADIO_DIRS = {"GRADIO_TEMP_DIR": "uploads", "GRADIO_EXAMPLES_CACHE": "examples"}

_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|\\\\)")


class Workspace:
    """A private temporary folder (mode 0700) with ``renders/``, ``uploads/`` and ``examples/``."""

    def __init__(self, parent: str | Path | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="skeletonllm-app-", dir=parent)).resolve()
        self.renders = self.root / "renders"
        self.uploads = self.root / "uploads"
        self.examples = self.root / "examples"
        for folder in (self.renders, self.uploads, self.examples):
            folder.mkdir(mode=0o700)

    def contains(self, path: str | Path) -> bool:
        """Whether ``path`` (links resolved) lies inside this workspace."""
        return Path(os.path.realpath(path)).is_relative_to(self.root)

    def point_gradio_here(self) -> None:
        """Make gradio copy uploads and served files into this workspace (read by gradio when the page starts)."""
        for variable, sub in GRADIO_DIRS.items():
            os.environ[variable] = str(self.root / sub)

    def remove(self) -> None:
        """Delete everything the app wrote; safe to call twice."""
        shutil.rmtree(self.root, ignore_errors=True)

    def remove_at_exit(self) -> None:
        """Delete the workspace at interpreter exit and turn SIGTERM into a normal exit that does the same."""
        atexit.register(self.remove)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    sys.exit(128 + signum)  # unwinds through ``finally`` blocks and atexit, unlike the default action


def is_remote_target(path: str) -> bool:
    """Whether a ``file=`` route's target is a URL (or a network path) rather than a local file."""
    return bool(_SCHEME.match(path))


class LocalFilesOnly:
    """ASGI middleware: ``/file=<URL>`` is refused with 403 instead of being fetched from the internet."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            _, found, target = unquote(scope.get("path", "")).partition("/file=")
            if found and is_remote_target(target):
                body = b"only files this app created are served"
                headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 403, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
