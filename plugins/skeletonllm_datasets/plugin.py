"""Entry point of the datasets plugin: the real benchmarks and SynthAct."""

from skeletonllm import hookimpl

from .humanml3d import HumanMl3dDataset
from .ntu import Ntu60Dataset, Ntu60TwoDDataset, Ntu120Dataset
from .nw_ucla import NwUclaDataset
from .pku_mmd import PkuMmdDataset
from .synthetic.dataset import SynthActDataset

DATASETS = (
    Ntu60Dataset,
    Ntu120Dataset,
    Ntu60TwoDDataset,
    PkuMmdDataset,
    NwUclaDataset,
    HumanMl3dDataset,
    SynthActDataset,
)


@hookimpl
def register_datasets(register) -> None:  # noqa: ANN001 - the registry's callback
    """One registration per dataset class."""
    for cls in DATASETS:
        register(cls)
