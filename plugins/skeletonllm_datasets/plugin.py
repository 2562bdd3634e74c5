"""Entry point of the datasets plugin: the real benchmarks, SynthAct and the ``synth`` command.

The dataset classes are imported inside the hook, so loading this entry point for
``skeletonllm --help`` costs only the command module.
"""

from skeletonllm import hookimpl


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
