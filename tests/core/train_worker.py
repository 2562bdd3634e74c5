"""Run ``skeletonllm train SPEC`` on the toy components in a process of its own, optionally dying.

Used by the kill-and-resume and torchrun tests (not collected by pytest).
``--die WHAT:N`` sends this process SIGKILL at the N-th occurrence of WHAT:

- ``step``: entering an optimiser step;
- ``save_file``: in the middle of writing a checkpoint's tensors (half a file on disk);
- ``aside``: between the checkpoint's two renames (the previous one moved aside, the new
  one not yet in place).

Prints ``ready`` once everything is imported, so a caller can kill it at a random moment
of the training itself.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys


def die_at(what: str, count: int) -> None:
    import skeletonllm.checkpoint as checkpoint
    from skeletonllm.training import Trainer

    calls = {"n": 0}

    def hit() -> bool:
        calls["n"] += 1
        return calls["n"] == count

    def kill() -> None:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    if what == "step":
        real_step = Trainer._optimizer_step

        def step(self, *args, **kwargs):
            if hit():
                kill()
            return real_step(self, *args, **kwargs)

        Trainer._optimizer_step = step
    elif what == "save_file":
        real_save = checkpoint.save_file

        def save_file(tensors, path):
            if hit():
                real_save(tensors, path)
                with open(path, "r+b") as fh:
                    fh.truncate(os.path.getsize(path) // 2)
                kill()
            real_save(tensors, path)

        checkpoint.save_file = save_file
    elif what == "aside":
        real_replace = os.replace

        def replace(src, dst):
            real_replace(src, dst)
            if str(dst).endswith(".old") and hit():
                kill()

        checkpoint.os.replace = replace
    else:
        raise SystemExit(f"unknown --die {what!r}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("spec")
    parser.add_argument("--die", default=None, help="WHAT:N")
    args = parser.parse_args()
    from toy_components import toy_registry

    import skeletonllm.registry as registry_module
    from skeletonllm.cli import cli

    registry_module._REGISTRY = toy_registry()
    if args.die:
        what, count = args.die.split(":")
        die_at(what, int(count))
    print("ready", flush=True)
    return cli.main(["train", args.spec], standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
