"""Entry point of the app plugin: the ``skeletonllm app`` command, nothing else.

The command module imports only click at the top; gradio, torch and the page are
imported when the command runs, so ``skeletonllm --help`` stays light and a
machine without gradio still lists the command (which then says how to install it).
"""

from skeletonllm import hookimpl


@hookimpl
def register_commands(cli) -> None:  # noqa: ANN001 - the skeletonllm click group
    """``skeletonllm app``: the local web page."""
    from .command import app

    cli.add_command(app)
