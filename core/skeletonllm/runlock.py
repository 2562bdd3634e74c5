"""One writer per run folder: a lock file in ``output_dir`` naming the process that trains into it.

Two ``train`` commands writing one folder would overwrite each other's
checkpoints; the second is refused with a message naming the first (pid,
host, start time). A lock left by a process that died without releasing it
(SIGKILL, power loss) is *stale* when it names this host and a pid that is
no longer running: it is taken over with a notice. A lock from another host
cannot be checked and is never taken over; the message says how to remove it.

The lock is created atomically: its content is written to a private file
that is then hard-linked to the lock's name, which fails if the name exists,
so a reader never sees a half-written lock.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import SkeletonLLMError

LOCK_NAME = "train.lock"


class RunLockedError(SkeletonLLMError):
    """Another live process trains into this folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _describe(owner: dict[str, Any]) -> str:
    started = owner.get("started")
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)) if isinstance(started, (int, float)) else "?"
    return f"pid {owner.get('pid')} on {owner.get('host')}, started {when}"


class RunLock:
    """``with RunLock(output_dir): ...`` holds the folder for this process, or raises RunLockedError."""

    def __init__(self, directory: str | Path, notice: Callable[[str], None] | None = None) -> None:
        self.path = Path(directory) / LOCK_NAME
        self.notice = notice or (lambda text: print(text, file=sys.stderr))
        self.owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sweep()
        for _ in range(10):  # a concurrent take-over can make one attempt lose the race
            if self._create():
                return
            current = self._read()
            if current is None:
                continue  # released between our attempt and the read
            if current.get("host") != self.owner["host"]:
                raise RunLockedError(
                    f"{self.path.parent} is in use by {_describe(current)} (another host: cannot check it is "
                    f"alive); if that run is over, delete {self.path}"
                )
            pid = current.get("pid")
            if isinstance(pid, int) and _alive(pid):
                raise RunLockedError(
                    f"{self.path.parent} is in use by {_describe(current)}; wait for it to finish or train into "
                    "another output_dir"
                )
            self._take_over(current)
        raise RunLockedError(f"{self.path}: could not take the lock (other processes keep replacing it)")

    def _private(self, kind: str) -> Path:
        """A scratch file of this process next to the lock: ``.train.lock.<kind>.<host>.<pid>``."""
        return self.path.with_name(f".{LOCK_NAME}.{kind}.{self.owner['host']}.{self.owner['pid']}")

    def _sweep(self) -> None:
        """Remove scratch files that processes of this host left when they were killed."""
        for path in self.path.parent.glob(f".{LOCK_NAME}.*.{self.owner['host']}.*"):
            pid = path.name.rsplit(".", 1)[-1]
            if pid.isdigit() and int(pid) != self.owner["pid"] and not _alive(int(pid)):
                path.unlink(missing_ok=True)

    def _create(self) -> bool:
        private = self._private("new")
        private.write_text(json.dumps(self.owner), encoding="utf-8")
        try:
            os.link(private, self.path)
            return True
        except FileExistsError:
            return False
        finally:
            private.unlink(missing_ok=True)

    def _read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            owner = json.loads(text)
        except ValueError:
            owner = None
        if not isinstance(owner, dict):  # not written by us: never guess, refuse
            raise RunLockedError(f"{self.path} exists but is not a lock this program wrote; delete it to train here")
        return owner

    def _take_over(self, stale: dict[str, Any]) -> None:
        """Move the stale lock aside (only one taker's rename succeeds), then create ours."""
        aside = self._private("stale")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        moved = json.loads(aside.read_text(encoding="utf-8"))
        if moved != stale:  # another taker replaced it first: put its live lock back, look again
            os.replace(aside, self.path)
            return
        aside.unlink(missing_ok=True)
        self.notice(f"notice: took over the stale lock {self.path} of {_describe(stale)}, which is no longer running")

    def release(self) -> None:
        current = None
        try:
            current = self._read()
        except RunLockedError:
            return
        if (
            current is not None
            and current.get("pid") == self.owner["pid"]
            and current.get("host") == self.owner["host"]
        ):
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
