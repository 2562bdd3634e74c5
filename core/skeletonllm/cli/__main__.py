"""``python -m skeletonllm.cli``: the ``skeletonllm`` command without the console script."""

from . import main

main()
