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
    for target in DATASETS:
        register(target)


@hookimpl
def register_commands(cli) -> None:  # noqa: ANN001 - the skeletonllm click group
    """``skeletonllm synth``: SynthAct clips written with any format's writer."""
    from .commands import synth

    cli.add_command(synth)
