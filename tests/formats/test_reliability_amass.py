"""Issue 13, AMASS: a malformed body model or data file is a clear error, and no file value picks a path."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skeletonllm.errors import SkeletonDataError
from skeletonllm_formats.amass import AmassFormat
from skeletonllm_formats.topologies import SMPL22

ROOT_PARENT = 4294967295


def model_arrays() -> dict[str, np.ndarray]:
    """A 22-vertex body model whose joints are its vertices, root at the origin, joint j at (0, -j, 0)."""
    v = 22
    return {
        "v_template": np.stack([np.zeros(v), -np.arange(v, dtype=float), np.zeros(v)], axis=-1),
        "shapedirs": np.zeros((v, 3, 2)),
        "J_regressor": np.eye(v),
        "kintree_table": np.array([[ROOT_PARENT, *SMPL22.parents[1:]], list(range(v))], dtype=np.int64),
    }


def data_arrays() -> dict[str, np.ndarray]:
    return {
        "poses": np.zeros((2, 156)),
        "trans": np.zeros((2, 3)),
        "betas": np.zeros(4),
        "gender": np.array("female"),
        "mocap_framerate": np.array(60.0),
    }


def write_case(folder: Path, model: dict, data: dict, gender_dir: str = "female") -> tuple[Path, Path]:
    models = folder / "smplh"
    (models / gender_dir).mkdir(parents=True, exist_ok=True)
    np.savez(models / gender_dir / "model.npz", **model)
    clip = folder / "clip.npz"
    np.savez(clip, **data)
    return models, clip


def read(models: Path, clip: Path):
    return AmassFormat(AmassFormat.Options(body_model=models)).read(clip)


def test_valid_case_reads(tmp_path: Path) -> None:
    (seq,) = read(*write_case(tmp_path, model_arrays(), data_arrays()))
    assert seq.positions.shape == (1, 2, 22, 3) and np.isfinite(seq.positions).all()


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda arrays: arrays.__setitem__(key, value)


def _parent(joint: int, parent: int) -> Callable[[dict], None]:
    def change(arrays: dict) -> None:
        arrays["kintree_table"] = arrays["kintree_table"].copy()
        arrays["kintree_table"][0, joint] = parent

    return change


MODEL_CASES = {
    "parent out of range": (_parent(5, 99), "kintree_table"),
    "parent points forward": (_parent(4, 10), "kintree_table"),
    "parent negative": (_parent(7, -3), "kintree_table"),
    "parent is itself": (_parent(3, 3), "kintree_table"),
    "1-D tree": (_set("kintree_table", np.arange(22)), "kintree_table"),
    "tree too short": (_set("kintree_table", np.zeros((2, 5), dtype=np.int64)), "kintree_table"),
    "regressor wrong width": (_set("J_regressor", np.eye(22, 30)), "J_regressor"),
    "regressor 1-D": (_set("J_regressor", np.ones(22)), "J_regressor"),
    "regressor too few joints": (_set("J_regressor", np.eye(10, 22)), "J_regressor"),
    "template 1-D": (_set("v_template", np.zeros(66)), "v_template"),
    "shapedirs 2-D": (_set("shapedirs", np.zeros((22, 3))), "shapedirs"),
    "shapedirs wrong vertices": (_set("shapedirs", np.zeros((5, 3, 2))), "shapedirs"),
    "template NaN": (_set("v_template", np.full((22, 3), np.nan)), "v_template"),
    "template strings": (_set("v_template", np.array(["a"] * 22)), "v_template"),
}


@pytest.mark.parametrize("case", sorted(MODEL_CASES))
def test_malformed_body_model_is_a_clear_error(tmp_path: Path, case: str) -> None:
    change, key = MODEL_CASES[case]
    model = model_arrays()
    change(model)
    models, clip = write_case(tmp_path, model, data_arrays())
    with pytest.raises(SkeletonDataError) as info:
        read(models, clip)
    assert info.value.field == key and "model.npz" in str(info.value)


DATA_CASES = {
    "2-D betas": (_set("betas", np.zeros((2, 4))), "betas"),
    "framerate array": (_set("mocap_framerate", np.array([60.0, 30.0])), "mocap_framerate"),
    "framerate string": (_set("mocap_framerate", np.array("sixty")), "mocap_framerate"),
    "framerate negative": (_set("mocap_framerate", np.array(-120.0)), "mocap_framerate"),
    "framerate zero": (_set("mocap_framerate", np.array(0.0)), "mocap_framerate"),
    "framerate inf": (_set("mocap_framerate", np.array(np.inf)), "mocap_framerate"),
    "poses NaN": (_set("poses", np.full((2, 156), np.nan)), "poses"),
    "trans inf": (_set("trans", np.full((2, 3), np.inf)), "trans"),
    "poses strings": (_set("poses", np.array([["x"] * 156] * 2)), "poses"),
    "gender array": (_set("gender", np.array(["female", "male"])), "gender"),
    "gender number": (_set("gender", np.array(3)), "gender"),
}


@pytest.mark.parametrize("case", sorted(DATA_CASES))
@pytest.mark.parametrize("with_model", [True, False])
def test_malformed_data_file_is_a_clear_error(tmp_path: Path, case: str, with_model: bool) -> None:
    change, key = DATA_CASES[case]
    data = data_arrays()
    change(data)
    models, clip = write_case(tmp_path, model_arrays(), data)
    fmt = AmassFormat(AmassFormat.Options(body_model=models if with_model else None))
    with pytest.raises(SkeletonDataError) as info:
        fmt.read(clip)
    assert info.value.field == key and str(clip) in str(info.value)


@pytest.mark.parametrize("gender", ["../other/female", "/etc/female", "female/../../other/female", "robot"])
def test_gender_from_the_file_never_chooses_a_path(tmp_path: Path, gender: str) -> None:
    # A model that the traversal would reach, outside the body-model folder.
    (tmp_path / "other" / "female").mkdir(parents=True)
    np.savez(tmp_path / "other" / "female" / "model.npz", **model_arrays())
    data = data_arrays()
    data["gender"] = np.array(gender)
    models, clip = write_case(tmp_path, model_arrays(), data, gender_dir="neutral")
    with pytest.raises(SkeletonDataError, match="is not one of female, male, neutral") as info:
        read(models, clip)
    assert info.value.field == "gender"


@pytest.mark.parametrize("gender", [b"male", "Female ", "NEUTRAL"])
def test_known_genders_in_any_case_pick_their_model(tmp_path: Path, gender: str | bytes) -> None:
    data = data_arrays()
    data["gender"] = np.array(gender)
    expected = gender.decode() if isinstance(gender, bytes) else gender
    models, clip = write_case(tmp_path, model_arrays(), data, gender_dir=expected.strip().lower())
    (seq,) = read(models, clip)
    assert seq.meta["gender"] == expected.strip().lower()
    assert Path(seq.meta["body_model"]).parent.name == expected.strip().lower()


ARRAYS = st.sampled_from(
    [
        np.zeros(0),
        np.zeros(22),
        np.zeros((22, 3)),
        np.zeros((22, 3, 2)),
        np.eye(22),
        np.eye(22, 30),
        np.zeros((2, 22), dtype=np.int64),
        np.full((22, 3), np.nan),
        np.array("female"),
        np.array(60.0),
        np.array([[1, 2], [3, 4]]),
    ]
)


@settings(max_examples=25, deadline=2000, database=None, derandomize=True)
@given(
    key=st.sampled_from(
        ["v_template", "shapedirs", "J_regressor", "kintree_table", "betas", "mocap_framerate", "trans"]
    ),
    value=ARRAYS,
    parents=st.lists(st.integers(-5, 30), min_size=22, max_size=22),
)
def test_any_array_in_any_slot_reads_cleanly_or_fails_clearly(key: str, value: np.ndarray, parents: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model, data = model_arrays(), data_arrays()
        model["kintree_table"] = np.array([parents, list(range(22))], dtype=np.int64)
        (data if key in data else model)[key] = value
        models, clip = write_case(Path(tmp), model, data)
        try:
            (seq,) = read(models, clip)
        except SkeletonDataError as exc:
            assert str(clip) in str(exc) or "model.npz" in str(exc)
            return
        assert np.isfinite(seq.positions).all() and seq.positions.shape[2] == 22
        tree = model["kintree_table"][0]
        assert all(0 <= tree[j] < j for j in range(1, 22)), "an invalid kinematic tree was accepted"
