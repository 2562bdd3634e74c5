"""Guards around running third-party plugin code: it may print, hang, or never answer.

* A plugin that prints while it is imported or registers would corrupt a command's
  output (``info --json``): :func:`stdout_to_stderr` sends its prints to stderr.
* A plugin that loops at import, or a sniffer that never returns, would leave even
  ``skeletonllm --help`` hanging without a word: :func:`watchdog` names it on stderr
  after a few seconds and says how to start with third-party plugins off
  (``SKELETONLLM_LOAD_PLUGINS=builtin`` or ``skeletonllm --no-plugins``).
* A sniffer gets a 4 KiB head and must answer at once: :func:`call_with_timeout` gives a
  third-party one a few seconds, after which its answer is taken as "not mine".
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: seconds of silence before the watchdog names the plugin that is still running
WATCHDOG_S = 5.0
#: seconds a third-party sniffer may take before it is skipped
SNIFF_TIMEOUT_S = 5.0
#: how to start without third-party plugins, said whenever one hangs
PLUGINS_OFF = "start with SKELETONLLM_LOAD_PLUGINS=builtin (or skeletonllm --no-plugins) to load only the built-ins"


def _say(message: str) -> None:
    try:
        print(f"skeletonllm: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr closed or absent: nothing to tell
        pass


@contextlib.contextmanager
def watchdog(doing: str, after: float | None = None) -> Iterator[None]:
    """If the block runs longer than ``after`` seconds, say on stderr what is still running (once)."""
    timer = threading.Timer(
        WATCHDOG_S if after is None else after,
        _say,
        args=(f"still {doing} after {WATCHDOG_S if after is None else after:g} s; if it hangs, {PLUGINS_OFF}",),
    )
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Whatever plugin code prints goes to stderr, so a command's stdout stays its own (JSON stays JSON)."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def call_with_timeout(function: Callable[[], T], seconds: float, doing: str, default: T) -> T:
    """``function()`` in a daemon thread; ``default`` (and a note on stderr) if it has not returned in ``seconds``.

    The thread cannot be stopped, only abandoned: it keeps running in the background (a daemon,
    so it never keeps the process alive). Exceptions propagate as if called directly.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=run, name="skeletonllm-plugin-call", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _say(f"gave up {doing} after {seconds:g} s (it never returned); {PLUGINS_OFF}")
        return default
    if "error" in box:
        raise box["error"]
    return box["value"]
