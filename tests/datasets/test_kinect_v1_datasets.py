"""msr_action3d, msrc12 and sbu on fixture trees laid out as the releases are (never the complete sets)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from kinect_v1_fixtures import msr_action3d_text, msrc12_tagstream, msrc12_text, sbu_text

from conftest import shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry

PUBLISHED = {
    "msr_action3d": (20, ["xsub"], {"15/5", "10/10"}),
    "msrc12": (12, ["xsub"], {"9/3", "6/6"}),
    "sbu": (8, ["fold1", "fold2", "fold3", "fold4", "fold5"], {"6/2", "4/4"}),
}


def make(name, **options):
    return get_registry().create("dataset", name, options)


def ids(ds, split, classes=None):
    return sorted(s.id for s in ds.samples(split, classes))


@pytest.fixture
def msr_root(tmp_path):
    root = tmp_path / "MSRAction3D"
    root.mkdir()
    names = ["a01_s01_e01", "a01_s02_e01", "a07_s03_e02", "a20_s10_e02", "a02_s03_e02", "a13_s09_e02", "a11_s09_e01"]
    for i, n in enumerate(names):
        (root / f"{n}_skeleton3D.txt").write_text(msr_action3d_text(frames=3, seed=i))
    (root / "a1_s1_e1_skeleton3D.txt").write_text(msr_action3d_text(frames=2))
    (root / "a05_s04_e01_skeleton3D.txt").write_bytes(b"")
    (root / "files_used_in_cvpr12_paper.txt").write_text("a01_s01_e01\n")  # not a skeleton file: ignored
    return root


@pytest.fixture
def msrc_root(tmp_path):
    data = tmp_path / "MicrosoftGestureDataset-RC" / "data"
    data.mkdir(parents=True)

    def sequence(stem, tag_frames, gesture="G12 Kick", tag_stem=None, frames=40):
        (data / f"{stem}.csv").write_text(msrc12_text(frames=frames, seed=len(stem)))
        stamps = np.loadtxt(data / f"{stem}.csv")[:, 0].astype(np.int64)
        (data / f"{tag_stem or stem}.tagstream").write_text(msrc12_tagstream([stamps[f] for f in tag_frames], gesture))

    sequence("P1_1_12_p05", [5, 30])  # person 5: train
    sequence("P3_2_12A_p06", [20], tag_stem="p3_2_12A_p06")  # person 6: test; tagstream name in another case
    sequence("P1_1_1_p08", [10], gesture="G1  lift outstretched arms")
    sequence("P1_1_12A_p19", [10, 20])  # listed as a sequence without any skeleton
    sequence("P2_1_3_p09", [10], gesture="G4  Goggles")  # the tags contradict the file name's gesture
    (data / "P1_2_5_p04.tagstream").write_text("XQPCTick;Tag\n1;G5  Wind it up\n2;G5  Wind it up\n")  # no csv
    (data / "notes.tagstream").write_text("XQPCTick;Tag\n")
    return data.parent


@pytest.fixture
def sbu_root(tmp_path):
    root = tmp_path / "SBU"
    for i, rel in enumerate(["s01s02/01/001", "s01s02/01/002", "s03s04/04/001", "s04s02/08/001", "s02s07/06/001",
                             "s09s09/01/001", "s01s02/09/001", "s05s02/05/001"]):  # fmt: skip
        (root / rel).mkdir(parents=True)
        (root / rel / "skeleton_pos.txt").write_text(sbu_text(frames=3, seed=i))
    (root / "s05s02/05/001/skeleton_pos.txt").write_bytes(b"")
    return root


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_classes_protocols_and_seeded_splits_are_recorded_and_reproducible(name):
    n, protocols, splits = PUBLISHED[name]
    ds = make(name, root=".")
    assert len(ds.class_names) == n and len(set(ds.class_names)) == n
    assert ds.protocols() == protocols and set(ds.class_splits()) == splits
    draw = np.random.RandomState(0).permutation(n)  # the rule each split's source states
    for key, cs in ds.class_splits().items():
        seen_n, unseen_n = map(int, key.split("/"))
        assert (len(cs.seen), len(cs.unseen)) == (seen_n, unseen_n)
        assert cs.unseen == tuple(sorted(draw[:unseen_n].tolist())), "recorded split differs from its stated draw"
        assert "RandomState(0).permutation" in cs.source
    raw = ds._data.raw
    assert raw["classes_source"] and all(p["source"] for p in raw["protocols"].values())


def test_published_names_and_folds():
    msr = make("msr_action3d", root=".")
    assert msr.class_names[0] == "high arm wave" and msr.class_names[19] == "pick up & throw"
    sbu = make("sbu", root=".")
    assert sbu.class_names == ["approaching", "departing", "kicking", "pushing", "shaking hands", "hugging",
                               "exchanging objects", "punching"]  # fmt: skip
    folds = [set(sbu._data.protocols[f"fold{k}"]["test"]) for k in range(1, 6)]
    assert sum(map(len, folds)) == len(set().union(*folds)) == 21
    assert make("msrc12", root=".").class_names[11] == "kick"


def test_msr_action3d_cross_subject_on_the_cvpr12_list(msr_root, capsys):
    ds = make("msr_action3d", root=str(msr_root))
    assert ids(ds, "xsub/train") == ["a01_s01_e01", "a07_s03_e02", "a11_s09_e01"]
    assert ids(ds, "xsub/test") == ["a01_s02_e01", "a20_s10_e02"]
    err = capsys.readouterr().err
    assert "skipped 4 of 9 files" in err
    for reason in ("a1_s1_e1_skeleton3D.txt (name does not follow", "a02_s03_e02_skeleton3D.txt (not in files_used",
                   "a05_s04_e01_skeleton3D.txt (empty file)"):  # fmt: skip
        assert reason in err
    seq = next(ds.samples("xsub/test")).load()
    assert seq.meta["label"] == 0 and seq.meta["id"] == "a01_s02_e01" and seq.num_joints == 20
    everything = make("msr_action3d", root=str(msr_root), file_list="all")
    assert "a02_s03_e02" in ids(everything, "xsub/train")
    assert ("a13_s09_e02_skeleton3D.txt", "no skeleton in any frame (every joint 0 0 0)") in everything.report.skipped


def test_msrc12_one_sample_per_tag_window_and_report(msrc_root):
    ds = make("msrc12", root=str(msrc_root), window_frames=10)
    assert ids(ds, "xsub/train") == ["P1_1_12_p05_00", "P1_1_12_p05_01"]
    assert ids(ds, "xsub/test") == ["P1_1_1_p08_00", "P3_2_12A_p06_00"]
    reasons = dict(ds.report.skipped)
    assert reasons["P1_2_5_p04.tagstream"] == "no .csv beside it (missing from this copy); 2 tagged instances lost"
    assert reasons["P1_1_12A_p19.csv"].startswith("no skeleton in any frame")
    assert "tags name gestures [4], the file name G3" in reasons["P2_1_3_p09.tagstream"]
    assert "name does not follow" in reasons["notes.tagstream"]
    assert ds.report.total == 7 and ds.instances_refused == 5
    first, second = sorted(ds.samples("xsub/train"), key=lambda s: s.id)
    a, b = first.load(), second.load()
    # tag at frame 5, window 0..9, frame 0 untracked (the file's first line): 9 frames, action point at index 4
    assert (a.num_frames, a.meta["action_point"], a.mask.all()) == (9, 4, True)
    assert (b.num_frames, b.meta["action_point"]) == (10, 5)
    assert a.meta["label"] == first.label == 11 and ds.class_names[11] == "kick" and "tags" not in a.meta
    assert next(ds.samples("xsub/test", {0})).load().meta["tag"] == "G1  lift outstretched arms"


def test_msrc12_window_without_skeleton_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    text = msrc12_text(frames=30).splitlines()
    text[1:] = [line.split(" ", 1)[0] + " " + " ".join(["0"] * 80) for line in text[1:3]] + text[3:]
    (data / "P1_1_2_p01.csv").write_text("\n".join(text) + "\n")
    stamps = np.loadtxt(data / "P1_1_2_p01.csv")[:, 0].astype(np.int64)
    (data / "P1_1_2_p01.tagstream").write_text(msrc12_tagstream([stamps[1]], "G2  Duck"))
    sample = next(make("msrc12", root=str(tmp_path), window_frames=2).samples("xsub/train"))
    with pytest.raises(SkeletonDataError, match=re.escape("no tracked skeleton in frames 0..1")):
        sample.load()


def test_sbu_folds_and_refusals(sbu_root):
    ds = make("sbu", root=str(sbu_root))
    assert ids(ds, "fold1/test") == ["s01s02_01_001", "s01s02_01_002", "s03s04_04_001"]
    assert ids(ds, "fold5/test") == ["s04s02_08_001"]
    assert ids(ds, "fold1/train") == ["s02s07_06_001", "s04s02_08_001"]
    reasons = dict(ds.report.skipped)
    assert reasons["s09s09/01/001/skeleton_pos.txt"] == "set s09s09 is in none of the README's 5 folds"
    assert reasons["s01s02/09/001/skeleton_pos.txt"].startswith("interaction folder '09' is not one of")
    assert reasons["s05s02/05/001/skeleton_pos.txt"] == "empty file"
    seq = next(ds.samples("fold5/test")).load()
    assert seq.meta["label"] == 7 and seq.num_persons == 2 and seq.meta["id"] == "s04s02_08_001"


def test_sbu_reads_the_shared_sample_tree():
    ds = make("sbu", root=str(shared_file("sbu")))
    assert ids(ds, "fold1/test") == ["s01s02_01_001", "s01s02_04_001", "s01s02_05_001"]
    assert [ds.class_names[s.label] for s in ds.samples("fold1/test")] == ["approaching", "pushing", "shaking hands"]
    assert ds.index[0].load().num_frames == 45


def test_class_splits_never_leak_unseen_into_training(msr_root, msrc_root, sbu_root):
    for name, root in (("msr_action3d", msr_root), ("msrc12", msrc_root), ("sbu", sbu_root)):
        ds = make(name, root=str(root))
        unseen_present = False
        for cs in ds.class_splits().values():
            train = {s.label for s in ds.samples(f"{cs.name}/train")}
            test = {s.label for s in ds.samples(f"{cs.name}/test")}
            assert train <= set(cs.seen) and test <= set(cs.unseen)
            unseen_present |= bool(test)
            for protocol in ds.protocols():
                assert not {s.label for s in ds.samples(f"{protocol}/train", set(cs.seen))} & set(cs.unseen)
        assert unseen_present, name


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_missing_root_and_unknown_split_are_clear(name, tmp_path):
    with pytest.raises(SkeletonDataError, match="is not a folder"):
        list(make(name, root=str(tmp_path / "absent")).samples(f"{PUBLISHED[name][1][0]}/train"))
    with pytest.raises(SkeletonDataError, match="has no split"):
        make(name, root=str(tmp_path)).samples("xview/train")
