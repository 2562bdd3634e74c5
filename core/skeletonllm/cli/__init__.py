"""``skeletonllm`` command line: one module per command, plugins may add more."""

from __future__ import annotations

import sys
import traceback

import click

from ..errors import SkeletonLLMError, SpecError
from .hints import placeholder_note

# (module, command function) for the built-in commands. Each module imports only
# click at the top and its heavy dependencies inside the command, and plugins are
# asked only for commands (their components are not collected), so
# ``skeletonllm --help`` imports neither torch nor transformers.
BUILTIN_COMMANDS = {
    "plugins": ("plugins_cmd", "plugins"),
    "info": ("info_cmd", "info"),
    "export": ("export_cmd", "export"),
    "validate": ("validate_cmd", "validate"),
    "render": ("render_cmd", "render"),
    "demo": ("demo_cmd", "demo"),
    "train": ("train_cmd", "train"),
    "evaluate": ("train_cmd", "evaluate"),
    "infer": ("train_cmd", "infer"),
}


class SkeletonLLMGroup(click.Group):
    """Lazily loads built-in commands and asks plugins for theirs via ``register_commands``."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from ..registry import get_registry

        get_registry().register_commands(self)  # each plugin in its own try

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(set(BUILTIN_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in BUILTIN_COMMANDS:
            import importlib

            module, attr = BUILTIN_COMMANDS[name]
            try:
                return getattr(importlib.import_module(f".{module}", __name__), attr)
            except ModuleNotFoundError as exc:
                if exc.name and exc.name.endswith(module):
                    return None
                raise
        self._load_plugin_commands()
        return self.commands.get(name)

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except SkeletonLLMError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            problems = exc.problems if isinstance(exc, SpecError) else [str(exc)]
            for line in problems:
                prefix = f"{exc.source}: " if isinstance(exc, SpecError) and exc.source else ""
                click.echo(f"error: {prefix}{line}", err=True)
            note = placeholder_note(problems) if isinstance(exc, SpecError) else None
            if note:
                click.echo(note, err=True)
            sys.exit(1)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own usage errors and exits print themselves
        except Exception as exc:  # noqa: BLE001 - a bug, or input nobody checked: one line, never a traceback
            debug = bool(ctx.obj and ctx.obj.get("debug"))
            if debug:
                traceback.print_exc()
            command = ctx.invoked_subcommand or ctx.info_name
            message = " ".join(str(exc).split())[:300]
            hint = "" if debug else " (run with --debug for the traceback)"
            click.echo(f"error: {command} failed: {type(exc).__name__}: {message}{hint}", err=True)
            sys.exit(1)


def _builtin_plugins_only(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--no-plugins``: load only the built-in plugins (eager, so ``--no-plugins --help`` skips the others too)."""
    if not value or ctx.resilient_parsing:
        return
    import os

    from ..registry import BUILTIN_ONLY, LOAD_ENV, reset_registry

    os.environ[LOAD_ENV] = BUILTIN_ONLY
    reset_registry()


@click.group(cls=SkeletonLLMGroup)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--no-plugins",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_builtin_plugins_only,
    help="Load only the built-in plugins (as SKELETONLLM_LOAD_PLUGINS=builtin): when a third-party one hangs.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Torch CPU threads (default: $SKELETONLLM_THREADS, $OMP_NUM_THREADS, else the usable cores that are free).",
)
@click.version_option(package_name="skeletonllm")
@click.pass_context
def cli(ctx: click.Context, debug: bool, threads: int | None) -> None:
    """SkeletonLLM: read, render and understand skeleton sequences with multimodal LLMs."""
    from ..threads import configure_threads

    ctx.obj = {"debug": debug, "threads": configure_threads(threads)}


def main() -> None:
    cli()
