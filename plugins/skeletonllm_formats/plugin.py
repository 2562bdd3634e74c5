"""Entry point of the formats plugin: one registration per file layout, by import path.

Each format's name and summary are read from its class (``skeletonllm.declarations``);
the module is imported when the format is first used.
"""

from skeletonllm import hookimpl

FORMATS = (
    "skeletonllm_formats.ntu:NtuSkeletonFormat",
    "skeletonllm_formats.pku_mmd:PkuMmdFormat",
    "skeletonllm_formats.nw_ucla:NwUclaFormat",
    "skeletonllm_formats.humanml3d:HumanMl3dFormat",
    "skeletonllm_formats.coco:CocoKeypointsFormat",
    "skeletonllm_formats.pyskl:PysklPickleFormat",
    "skeletonllm_formats.bvh:BvhFormat",
    "skeletonllm_formats.amass:AmassFormat",
    "skeletonllm_formats.msr_action3d:MsrAction3dFormat",
    "skeletonllm_formats.msrc12:Msrc12Format",
    "skeletonllm_formats.sbu:SbuFormat",
    "skeletonllm_formats.asf_amc:AsfAmcFormat",
    "skeletonllm_formats.penn_action:PennActionFormat",
)


@hookimpl
def register_formats(register) -> None:  # noqa: ANN001 - the registry's callback
    for target in FORMATS:
        register(target)
