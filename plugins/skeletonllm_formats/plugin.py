"""Entry point of the formats plugin: registers one class per file layout."""

from skeletonllm import hookimpl

from .amass import AmassFormat
from .asf_amc import AsfAmcFormat
from .bvh import BvhFormat
from .coco import CocoKeypointsFormat
from .humanml3d import HumanMl3dFormat
from .msr_action3d import MsrAction3dFormat
from .msrc12 import Msrc12Format
from .ntu import NtuSkeletonFormat
from .nw_ucla import NwUclaFormat
from .penn_action import PennActionFormat
from .pku_mmd import PkuMmdFormat
from .pyskl import PysklPickleFormat
from .sbu import SbuFormat

FORMATS = (
    NtuSkeletonFormat,
    PkuMmdFormat,
    NwUclaFormat,
    HumanMl3dFormat,
    CocoKeypointsFormat,
    PysklPickleFormat,
    BvhFormat,
    AmassFormat,
    MsrAction3dFormat,
    Msrc12Format,
    SbuFormat,
    AsfAmcFormat,
    PennActionFormat,
)


@hookimpl
def register_formats(register) -> None:  # noqa: ANN001 - the registry's callback
    """One registration per format class."""
    for cls in FORMATS:
        register(cls)
