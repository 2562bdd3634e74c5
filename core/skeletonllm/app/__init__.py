"""``skeletonllm app``: a local web page to look at any skeleton file and ask a model about it.

``clip``, ``pictures`` and ``model`` hold the page's work as plain functions
(no gradio import, tested without a browser); ``ui`` is the gradio page.
"""
