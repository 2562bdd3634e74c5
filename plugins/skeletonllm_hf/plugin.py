"""Entry point of the hf plugin: the transformers backbones and the Align baseline.

Registered lazily, so importing this module or listing the backbones
(``skeletonllm plugins``) does not import torch, transformers or timm.
"""

from skeletonllm import LazyComponent, hookimpl

BACKBONES = (
    LazyComponent(
        "skeletonllm_hf.internvl:InternVL3Backbone",
        "internvl3",
        "InternVL3 through transformers (local path, tiny preset or SmolLM2-135M smol preset)",
    ),
    LazyComponent(
        "skeletonllm_hf.qwen:Qwen25VLBackbone",
        "qwen2_5_vl",
        "Qwen2.5-VL through transformers (local path or tiny preset)",
    ),
    LazyComponent(
        "skeletonllm_hf.clip_align:ClipAlignBackbone",
        "clip_align",
        "Align baseline: timm frame encoder matched to MiniLM class-name embeddings",
    ),
)


@hookimpl
def register_backbones(register) -> None:  # noqa: ANN001 - the registry's callback
    for component in BACKBONES:
        register(component)
