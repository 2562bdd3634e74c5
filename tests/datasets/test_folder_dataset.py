"""The ``folder`` dataset: any formats in one folder, a CSV index, its split rules and its bad rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError, SpecError
from skeletonllm.registry import get_registry
from skeletonllm.spec import validate_spec
from skeletonllm_datasets.synthetic import generate

WRITERS = {"nw_ucla": ("kinect_v1", ".json"), "bvh": ("bvh", ".bvh"), "ntu_skeleton": ("kinect_v2", ".skeleton")}


def write_clip(folder: Path, name: str, fmt: str, action: str = "hand waving", seed: int = 0) -> str:
    """One generated clip in ``fmt``, written by that format's own writer; returns the file name."""
    topology, suffix = WRITERS[fmt]
    seq = generate(action, topology, seed, frames=20)
    seq.meta = {}
    get_registry().create("format", fmt).write(seq, folder / f"{name}{suffix}")
    return f"{name}{suffix}"


def write_index(folder: Path, header: str, rows: list[str], name: str = "index.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def make(root: Path, **options):
    return get_registry().create("dataset", "folder", {"root": str(root), **options})


def ids(ds, split: str) -> list[str]:
    return [s.id for s in ds.samples(split)]


@pytest.fixture
def mixed(tmp_path) -> Path:
    """Six clips in three formats, two classes, three subjects."""
    rows = []
    for i, (fmt, action, subject) in enumerate(
        [("nw_ucla", "hand waving", 1), ("bvh", "hand waving", 2), ("ntu_skeleton", "hand waving", 3),
         ("nw_ucla", "jump up", 1), ("bvh", "jump up", 2), ("ntu_skeleton", "jump up", 3)]
    ):  # fmt: skip
        name = write_clip(tmp_path, f"clip{i}", fmt, action, seed=i)
        rows.append(f"{name},{'wave' if action == 'hand waving' else 'Jump'},s{subject}")
    write_index(tmp_path, "file,class,subject", rows)
    return tmp_path


def test_mixed_formats_are_detected_by_content_and_classes_are_sorted(mixed):
    ds = make(mixed)
    assert ds.class_names == ["Jump", "wave"]  # sorted: the labels do not depend on the order of the rows
    every = list(ds.samples("all/test"))
    assert [s.meta["format"] for s in every] == ["nw_ucla", "bvh", "ntu_skeleton"] * 2
    assert [s.label for s in every] == [1, 1, 1, 0, 0, 0]
    seq = every[1].load()
    assert seq.meta["label"] == 1 and seq.meta["id"] == "clip1.bvh" and seq.num_frames == 20
    assert ids(ds, "all/train") == ids(ds, "all/test")


def test_classes_option_fixes_the_order_and_may_add_candidates(mixed):
    ds = make(mixed, classes=["wave", "jump", "sit down"])
    assert ds.class_names == ["wave", "jump", "sit down"]
    assert [s.label for s in ds.samples("all/test")] == [0, 0, 0, 1, 1, 1]  # "Jump" is "jump": case is ignored
    with pytest.raises(ValueError, match="same name"):
        make(mixed, classes=["wave", "Wave."])


def test_subject_split_is_seeded_and_keeps_subjects_apart(mixed, capsys):
    ds = make(mixed, test_share=0.34)
    train, test = list(ds.samples("default/train")), list(ds.samples("default/test"))
    assert len(train) == 4 and len(test) == 2
    assert not {s.meta["subject"] for s in train} & {s.meta["subject"] for s in test}
    assert "split by subject (test subjects: " in capsys.readouterr().err
    again = make(mixed, test_share=0.34)
    assert ids(again, "default/test") == [s.id for s in test]
    chosen = make(mixed, test_subjects=["s2"])
    assert ids(chosen, "default/test") == ["clip1.bvh", "clip4.bvh"]
    with pytest.raises(SkeletonDataError, match=r"test_subjects \['s9'\] are not in the index"):
        ids(make(mixed, test_subjects=["s9"]), "default/test")


def test_split_column_wins_and_val_needs_it(mixed):
    write_index(mixed, "file,class,split", ["clip0.json,wave,train", "clip1.bvh,wave,TEST", "clip3.json,Jump,val"])
    ds = make(mixed)
    assert (ids(ds, "default/train"), ids(ds, "default/test"), ids(ds, "default/val")) == (
        ["clip0.json"],
        ["clip1.bvh"],
        ["clip3.json"],
    )
    write_index(mixed, "file,class", ["clip0.json,wave", "clip1.bvh,wave"])
    with pytest.raises(SkeletonDataError, match="default/val needs a split column"):
        ids(make(mixed), "default/val")
    with pytest.raises(SkeletonDataError, match="has no split 'xsub/test'; splits: default/train"):
        ids(make(mixed), "xsub/test")


def test_seeded_split_is_per_class_and_keeps_a_training_clip(tmp_path):
    rows = [f"{write_clip(tmp_path, f'c{i}', 'nw_ucla', seed=i)},{'a' if i < 4 else 'b'}" for i in range(6)]
    rows.append(f"{write_clip(tmp_path, 'lone', 'nw_ucla')},c")
    write_index(tmp_path, "file,class", rows)
    ds = make(tmp_path, test_share=0.5)
    test = list(ds.samples("default/test"))
    assert sorted(s.label for s in test) == [0, 0, 1]  # half of each class; a one-clip class only trains
    assert len(ids(ds, "default/train")) == 4 and "lone.json" in ids(ds, "default/train")
    assert ids(make(tmp_path, test_share=0.5, seed=1), "default/test") != [s.id for s in test]


def test_bad_rows_are_reported_with_their_row_numbers(mixed, capsys):
    (mixed / "notes.dat").write_text("not a skeleton at all\n")
    write_index(
        mixed,
        "file,class,subject",
        ["clip0.json,wave,s1", "missing.bvh,wave,s1", "notes.dat,wave,s2", "clip1.bvh,,s2", "clip0.json,Jump,s3",
         "clip2.skeleton,wave", "clip3.json,Jump,s2"],
    )  # fmt: skip
    ds = make(mixed, split_by="random")
    assert ids(ds, "all/test") == ["clip0.json", "clip3.json"]
    err = capsys.readouterr().err
    assert "skipped 5 of 7 index rows: row 3 (" in err and "missing.bvh: no such file" in err
    assert "row 4 (" in err and "not a recognised skeleton file" in err
    assert "row 5 (clip1.bvh: empty class)" in err
    assert "row 6 (clip0.json: listed again (first on row 2))" in err
    assert "row 7 (2 fields, the header has 3)" in err
    with pytest.raises(SkeletonDataError, match="strict: skipped 5 of 7 index rows"):
        ids(make(mixed, strict=True), "all/test")


def test_a_container_file_gives_one_clip_per_sequence_and_stays_on_one_side(tmp_path):
    src = shared_file("coco_keypoints/test_coco.json")  # 14 annotated people, two without a keypoint
    shutil.copy(src, tmp_path / "people.json")
    write_clip(tmp_path, "solo", "nw_ucla")
    write_index(tmp_path, "file,class", ["people.json,stand", "solo.json,stand"])
    ds = make(tmp_path)
    every = ids(ds, "all/test")
    assert len(every) == 13 and every[0] == "people.json#0" and "people.json#3" not in every
    assert ds.report.skipped == [("row 2", "people.json: sequences 3, 6 (left out): no valid joint in any frame")]
    assert {s.meta["row"] for s in ds.samples("default/test")} in ({2}, {3})  # a file never straddles the split
    write_index(tmp_path, "file,class,sequence", ["people.json,stand,4", "people.json,stand,4", "solo.json,stand,"])
    assert ids(make(tmp_path), "all/test") == ["people.json#4", "solo.json"]


@pytest.mark.parametrize(
    "index,match",
    [
        ("file,label\nx.json,wave\n", "lacks class; expected file,class"),
        ("file,class,camera\nx.json,wave,1\n", "unknown column 'camera'"),
        ("file,class\n", "has a header but no rows"),
        ("", "the index CSV is empty"),
    ],
)
def test_a_bad_index_is_a_validation_error(mixed, index, match):
    (mixed / "index.csv").write_text(index)
    with pytest.raises(SpecError, match=f"data: .*{match}"):
        validate_spec(_spec(mixed))


def test_validation_reports_bad_rows_only_when_strict(mixed, capsys):
    write_index(mixed, "file,class", ["clip0.json,wave", "gone.json,wave"])
    validate_spec(_spec(mixed))
    assert "1 rows will be left out: row 3 (gone.json: no such file)" in capsys.readouterr().err
    with pytest.raises(SpecError, match=r"data: .*strict, and 1 bad rows: row 3 \(gone.json: no such file\)"):
        validate_spec(_spec(mixed, strict=True))
    write_index(mixed, "file,class", ["gone.json,wave"])
    with pytest.raises(SpecError, match="no usable row"):
        validate_spec(_spec(mixed))
    with pytest.raises(SpecError, match="split_by: column, but the index has no split column"):
        validate_spec(_spec(mixed, split_by="column"))
    with pytest.raises(SpecError, match="test_share"):
        validate_spec(_spec(mixed, test_share=1.5))


def test_eval_data_split_is_checked_against_the_folder(mixed, tmp_path):
    spec = _spec(mixed)
    spec["data"] = {"name": "synthetic", "samples_per_class": 2}
    spec["split"] = {"train": "xsub/train", "test": "xsub/test"}
    spec["eval"] = {"data": {"name": "folder", "root": str(mixed)}}
    with pytest.raises(
        SpecError, match=r"eval.split \(unset, so split.test\): dataset 'folder' has no split 'xsub/test'"
    ):
        validate_spec(spec)
    spec["eval"]["split"] = "all/test"
    assert validate_spec(spec).spec.eval.split == "all/test"


def _spec(root: Path, **options) -> dict:
    return yaml.safe_load(
        f"""
        data: {{name: folder, root: {root}}}
        renderer: {{name: stick, frames: 4, size: 32}}
        backbone: {{name: clip_align}}
        split: {{train: default/train, test: default/test}}
        output_dir: {root / "run"}
        """
    ) | {"data": {"name": "folder", "root": str(root), **options}}
