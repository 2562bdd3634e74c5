"""Entry point of the datasets plugin: the real benchmarks, SynthAct and the ``synth`` command.

Datasets register by import path (their names and summaries are read from the classes), so
loading this entry point for ``skeletonllm --help`` costs only the command module.
"""

from skeletonllm import hookimpl

DATASETS = (
    "skeletonllm_datasets.ntu:Ntu60Dataset",
    "skeletonllm_datasets.ntu:Ntu120Dataset",
    "skeletonllm_datasets.ntu:Ntu60TwoDDataset",
    "skeletonllm_datasets.pku_mmd:PkuMmdDataset",
    "skeletonllm_datasets.nw_ucla:NwUclaDataset",
    "skeletonllm_datasets.humanml3d:HumanMl3dDataset",
    "skeletonllm_datasets.synthetic.dataset:SynthActDataset",
    "skeletonllm_datasets.folder:FolderDataset",
    "skeletonllm_datasets.msr_action3d:MsrAction3dDataset",
    "skeletonllm_datasets.msrc12:Msrc12Dataset",
    "skeletonllm_datasets.sbu:SbuDataset",
    "skeletonllm_datasets.hdm05:Hdm05Dataset",
    "skeletonllm_datasets.penn_action:PennActionDataset",
    "skeletonllm_datasets.bandai:BandaiDataset",
    "skeletonllm_datasets.mixture:MixtureDataset",
)


@hookimpl
def register_datasets(register) -> None:  # noqa: ANN001 - the registry's callback
    """One registration per dataset class."""
    from .bandai import BandaiDataset
    from .hdm05 import Hdm05Dataset
    from .humanml3d import HumanMl3dDataset
    from .mixture import MixtureDataset
    from .msr_action3d import MsrAction3dDataset
    from .msrc12 import Msrc12Dataset
    from .ntu import Ntu60Dataset, Ntu60TwoDDataset, Ntu120Dataset
    from .nw_ucla import NwUclaDataset
    from .penn_action import PennActionDataset
    from .pku_mmd import PkuMmdDataset
    from .sbu import SbuDataset
    from .synthetic.dataset import SynthActDataset

    for cls in (
        Ntu60Dataset,
        Ntu120Dataset,
        Ntu60TwoDDataset,
        PkuMmdDataset,
        NwUclaDataset,
        HumanMl3dDataset,
        SynthActDataset,
        MsrAction3dDataset,
        Msrc12Dataset,
        SbuDataset,
        Hdm05Dataset,
        PennActionDataset,
        BandaiDataset,
        MixtureDataset,
    ):
        register(cls)


@hookimpl
def register_commands(cli) -> None:  # noqa: ANN001 - the skeletonllm click group
    """``skeletonllm synth``: SynthAct clips written with any format's writer."""
    from .commands import synth

    cli.add_command(synth)
