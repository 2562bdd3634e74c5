"""Shared fixtures. Real sample files live in ../shared/data (licences forbid committing them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("SKELETONLLM_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real sample files; tests that need it skip with the reason when it is absent."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real sample data not found at {path} (set SKELETONLLM_SHARED_DATA)")
    return path


def shared_file(relative: str) -> Path:
    """A file under the shared data folder, or skip the calling test with a clear reason."""
    path = shared_data_dir() / relative
    if not path.exists():
        pytest.skip(f"real sample file {relative} not found under {shared_data_dir()}")
    return path


@pytest.fixture(autouse=True)
def _few_threads():
    """CI has 2 cores; keep torch from oversubscribing when tests run alongside each other."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(min(before, 2))
    yield
    torch.set_num_threads(before)
