"""Entry point of the hf plugin: the transformers backbones and the Align baseline, by import path.

Listing the backbones (``skeletonllm plugins``) reads their names and summaries from the
classes' source: it does not import torch, transformers or timm.
"""

from skeletonllm import hookimpl

BACKBONES = (
    "skeletonllm_hf.internvl:InternVL3Backbone",
    "skeletonllm_hf.qwen:Qwen25VLBackbone",
    "skeletonllm_hf.clip_align:ClipAlignBackbone",
)


@hookimpl
def register_backbones(register) -> None:  # noqa: ANN001 - the registry's callback
    for target in BACKBONES:
        register(target)
