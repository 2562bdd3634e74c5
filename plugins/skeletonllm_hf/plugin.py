"""Entry point of the hf plugin: the transformers backbones and the Align baseline.

The classes are imported inside the hook, so importing this module alone
(e.g. for the hook's signature) does not pull in transformers and timm.
"""

from skeletonllm import hookimpl


@hookimpl
def register_backbones(register) -> None:
    from .clip_align import ClipAlignBackbone
    from .internvl import InternVL3Backbone
    from .qwen import Qwen25VLBackbone

    register(InternVL3Backbone)
    register(Qwen25VLBackbone)
    register(ClipAlignBackbone)
