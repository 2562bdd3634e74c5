"""``skeletonllm app``: a local web page to look at any skeleton file and ask a model about it.

A plugin like the others (entry point ``app`` in the ``skeletonllm`` group), so the
core carries no web framework: gradio comes with ``pip install 'skeletonllm[app]'``.
``clip``, ``pictures``, ``model`` and ``workspace`` hold the page's work as plain
functions (no gradio import, tested without a browser); ``ui`` is the gradio page and
``command`` the click command.
"""
