"""torch.distributed as torchrun intends it: the process group from the environment, DDP, rank 0's duties.

``torchrun`` (``python -m torch.distributed.run``) starts one process per
device and sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
``MASTER_PORT``; :func:`init_process_group` reads them (``env://``) with the
backend that fits the device: NCCL for CUDA, Gloo for CPU. Without those
variables (a plain ``python`` or ``skeletonllm`` run) everything here is a
no-op, so the same code path trains on one CPU.

DistributedDataParallel (not FSDP) is enough for what the stages train:
the renderer, the projector and LoRA are small, and every rank holds the
full frozen backbone. A stage that unfreezes a whole multi-billion-parameter
language model needs FSDP instead (AdamW's two moments of an 8B model are
64 GB in fp32, more than one GPU holds); that is not implemented.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext

import torch
import torch.distributed as dist
from torch import nn


def rank() -> int:
    """This process's global rank (0 without torchrun)."""
    return int(os.environ.get("RANK", 0))


def world_size() -> int:
    """Number of processes in the job (1 without torchrun)."""
    return int(os.environ.get("WORLD_SIZE", 1))


def local_rank() -> int:
    """Index of this process on its node: which GPU it drives."""
    return int(os.environ.get("LOCAL_RANK", 0))


def is_distributed() -> bool:
    return world_size() > 1


def init_process_group(device: torch.device) -> None:
    """Join torchrun's process group (once): NCCL for a CUDA device, Gloo otherwise."""
    if not is_distributed() or dist.is_initialized():
        return
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(backend=backend)


def wrap(module: nn.Module) -> nn.Module:
    """``module`` in DistributedDataParallel when the job has several ranks, else unchanged.

    Built once per stage, after the stage has chosen what trains: DDP registers
    exactly the parameters that require gradients when it is constructed, and
    broadcasts rank 0's weights so every rank starts identical. ``device_ids``
    stays None: the trainer moves inputs to the device itself.
    ``find_unused_parameters``: a parameter group may hold weights a stage's
    loss never reaches (clip_align's do, in every stage); one process just
    leaves their gradient empty, DDP without it stops at the second step with
    "Expected to have finished reduction". It costs one walk of the autograd
    graph per micro-batch (and torch warns once per process when nothing was unused).
    """
    if not is_distributed():
        return module
    return nn.parallel.DistributedDataParallel(module, device_ids=None, find_unused_parameters=True)


def no_sync(module: nn.Module, skip: bool) -> AbstractContextManager:
    """DDP's ``no_sync`` for the micro-batches before the last of a step (gradient accumulation)."""
    if skip and isinstance(module, nn.parallel.DistributedDataParallel):
        return module.no_sync()
    return nullcontext()


def mean(value: float, device: torch.device) -> float:
    """The mean of ``value`` over all ranks (itself without torchrun): what rank 0 logs."""
    if not dist.is_initialized():
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return float(tensor.item() / dist.get_world_size())


def barrier() -> None:
    """Wait for every rank (e.g. until rank 0 has written the final checkpoint)."""
    if dist.is_initialized():
        dist.barrier()


def shutdown() -> None:
    """Leave the process group at the end of a command."""
    if dist.is_initialized():
        dist.destroy_process_group()
