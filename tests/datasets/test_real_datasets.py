"""Every real-benchmark plugin on fixture trees laid out as the download is."""

from __future__ import annotations

import pytest
from fixtures import humanml3d_tree, ntu_tree, nw_ucla_tree, pku_tree, pyskl_pickle

from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry

PUBLISHED = {
    "ntu60": (60, ["xsub", "xview"], {"55/5", "48/12", "40/20", "30/30"}),
    "ntu120": (120, ["xsub", "xset"], {"110/10", "96/24", "80/40", "60/60"}),
    "ntu60_2d": (60, ["xsub", "xview"], {"55/5", "48/12", "40/20", "30/30"}),
    "pku_mmd": (51, ["xsub", "xview"], {"46/5", "39/12"}),
    "nw_ucla": (10, ["xview"], {"8/2", "5/5"}),
}
NTU_NAMES = [
    "S001C001P001R001A001",  # subject 1 (xsub train), camera 1 (xview test)
    "S001C002P003R001A010",  # subject 3 (test), camera 2 (train)
    "S002C003P008R002A023",  # subject 8 (train), camera 3 (train)
    "S017C002P040R001A060",
    "S001C002P005R002A008",  # in the missing-skeleton list
    "S018C001P045R001A061",  # NTU-120 only (setup 18, even: xset train)
    "S019C003P046R002A120",  # setup 19, odd: xset test
]


def make(name, **options):
    return get_registry().create("dataset", name, options)


def ids(ds, split, classes=None):
    return sorted(s.id for s in ds.samples(split, classes))


@pytest.fixture
def ntu_root(tmp_path):
    root = ntu_tree(tmp_path, NTU_NAMES)
    (root / "S003C001P002R001A005.skeleton").write_bytes(b"")  # an empty download
    return root


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_classes_protocols_and_splits(name):
    n, protocols, splits = PUBLISHED[name]
    ds = make(name, root=".")  # class lists and protocols need no data
    assert len(ds.class_names) == n and len(set(ds.class_names)) == n
    assert ds.protocols() == protocols
    assert set(ds.class_splits()) == splits
    for key, cs in ds.class_splits().items():
        seen_n, unseen_n = map(int, key.split("/"))
        assert (len(cs.seen), len(cs.unseen)) == (seen_n, unseen_n)
        assert not set(cs.seen) & set(cs.unseen) and set(cs.seen) | set(cs.unseen) == set(range(n))
        assert cs.source
    for protocol in protocols:  # the report explains each protocol name ("xsub = cross-subject: ...")
        assert ds.protocol_description(protocol).startswith("cross-")


def test_synthact_explains_its_protocol_and_unknown_names_have_no_meaning():
    synth = make("synthetic")
    assert "performers" in synth.protocol_description("xsub") and synth.protocol_description("nope") == ""
    assert make("ntu60", root=".").protocol_description("nope") == ""


def test_ntu_class_names_and_published_unseen_lists():
    ds = make("ntu60", root=".")
    assert ds.class_names[9] == "clapping" and ds.class_names[59] == "walking apart from each other"
    unseen = [ds.class_names[i] for i in ds.class_splits()["55/5"].unseen]
    assert unseen == ["reading", "writing", "put on a hat/cap", "jump up", "touch other person's pocket"]
    # The final SynSE 48/12 list, not the superseded early one (which had A6 pickup... A58 handshaking).
    assert [i + 1 for i in ds.class_splits()["48/12"].unseen] == [4, 6, 10, 13, 16, 41, 43, 48, 52, 57, 59, 60]
    ntu120 = make("ntu120", root=".")
    assert [i + 1 for i in ntu120.class_splits()["110/10"].unseen] == [5, 14, 38, 44, 50, 66, 89, 96, 100, 107]


def test_ntu60_raw_folder(ntu_root, capsys):
    ds = make("ntu60", root=str(ntu_root))
    assert ids(ds, "xsub/train") == ["S001C001P001R001A001", "S002C003P008R002A023"]
    assert ids(ds, "xsub/test") == ["S001C002P003R001A010", "S017C002P040R001A060"]
    assert ids(ds, "xview/train") == ["S001C002P003R001A010", "S002C003P008R002A023", "S017C002P040R001A060"]
    assert ids(ds, "xview/test") == ["S001C001P001R001A001"]
    assert ds.excluded_missing == 1 and ds.ignored_other_release == 2
    assert "skipped 1 of 8 samples: S003C001P002R001A005.skeleton (empty file)" in capsys.readouterr().err
    sample = next(ds.samples("xsub/train"))
    seq = sample.load()
    assert seq.meta["label"] == sample.label == 0 and seq.num_joints == 25


def test_ntu120_cross_setup(ntu_root):
    ds = make("ntu120", root=str(ntu_root))
    assert "S018C001P045R001A061" in ids(ds, "xset/train")
    assert "S019C003P046R002A120" in ids(ds, "xset/test")
    assert "S001C002P005R002A008" not in ids(ds, "xset/test") + ids(ds, "xset/train")
    everything = make("ntu120", root=str(ntu_root), exclude_missing=False)
    assert ids(everything, "xsub/train") == sorted(ids(ds, "xsub/train") + ["S001C002P005R002A008"])  # subject 5 trains


def test_class_splits_never_leak_unseen_into_training(ntu_root, tmp_path):
    segs = {"0002-L": [(2, 0, 40, 2), (21, 50, 90, 1)], "0002-M": [(8, 10, 60, 2), (26, 0, 9, 2)]}
    pku = pku_tree(tmp_path, segs, xsub_train=["0002-L"], xview_train=["0002-M"])
    names_2d = ["S001C001P001R001A011", "S001C002P003R001A020", "S002C003P008R002A058"]
    trees = {
        "ntu60": ntu_root,
        "ntu120": ntu_root,
        "ntu60_2d": pyskl_pickle(tmp_path, names_2d, "coco17"),
        "nw_ucla": nw_ucla_tree(tmp_path),
        "pku_mmd": pku,
    }
    assert set(trees) == set(PUBLISHED)  # every real benchmark with classes
    for name, root in trees.items():
        ds = make(name, root=str(root))
        unseen_present = False  # the fixture must hold unseen-class samples, or the check proves nothing
        for cs in ds.class_splits().values():
            train = {s.label for s in ds.samples(f"{cs.name}/train")}
            test = {s.label for s in ds.samples(f"{cs.name}/test")}
            assert train <= set(cs.seen) and test <= set(cs.unseen)
            unseen_present |= bool(test)
            for protocol in ds.protocols():
                leaked = {s.label for s in ds.samples(f"{protocol}/train", set(cs.seen))} & set(cs.unseen)
                assert not leaked
        assert unseen_present, name


def test_ntu_pickles_3d_and_2d(tmp_path):
    names = ["S001C001P001R001A010", "S001C002P003R001A034", "S002C003P008R002A058"]
    ds = make("ntu60", root=str(pyskl_pickle(tmp_path, names, "kinect_v2")))
    assert ids(ds, "xsub/train") == [names[0], names[2]]
    assert next(ds.samples("xsub/test")).load().num_joints == 25
    ds2 = make("ntu60_2d", root=str(pyskl_pickle(tmp_path, names, "coco17")))
    seq = next(ds2.samples("xview/test")).load()
    assert seq.topology.name == "coco17" and seq.dims == 2 and seq.meta["label"] == 9
    with pytest.raises(SkeletonDataError, match="expects 3D"):
        list(make("ntu60", root=str(tmp_path / "ntu60_coco17.pkl")).samples("xsub/train"))
    with pytest.raises(SkeletonDataError, match="reads the PYSKL pickle"):
        list(make("ntu60_2d", root=str(tmp_path)).samples("xsub/train"))


def test_pku_mmd_segments_protocols_and_bad_label_file(tmp_path, capsys):
    segs = {"0002-L": [(6, 0, 40, 2), (13, 50, 90, 1)], "0002-M": [(1, 10, 60, 2)], "0291-R": [(32, 0, 30, 2)]}
    root = pku_tree(tmp_path, segs, xsub_train=["0002-L", "0002-M"], xview_train=["0002-M", "0291-R"])
    (root / "Train_Label_PKU_final" / "0300-L.txt").write_text("not,a,label\n")
    (root / "PKU_Skeleton_Renew" / "0300-L.txt").write_text("")
    ds = make("pku_mmd", root=str(root))
    assert ids(ds, "xsub/train") == ["0002-L_0_40", "0002-L_50_90", "0002-M_10_60"]
    assert ids(ds, "xview/test") == ["0002-L_0_40", "0002-L_50_90"]
    assert "skipped 1 of 4 label files: 0300-L.txt" in capsys.readouterr().err
    sample = next(ds.samples("xsub/test"))
    seq = sample.load()
    assert seq.num_frames == 31 and sample.label == 31 and ds.class_names[31] == "salute"
    assert ids(make("pku_mmd", root=str(root), min_confidence=2), "xsub/train") == ["0002-L_0_40", "0002-M_10_60"]
    unseen = ds.class_splits()["46/5"]
    assert [ds.class_names[i] for i in unseen.unseen][:2] == ["brushing hair", "eat meal/snack"]


def test_nw_ucla_view_split(tmp_path):
    ds = make("nw_ucla", root=str(nw_ucla_tree(tmp_path).parent))
    train, test = list(ds.samples("xview/train")), list(ds.samples("xview/test"))
    assert len(train) == 20 and len(test) == 10 and {s.meta["view"] for s in test} == {3}
    assert sorted({s.label for s in test}) == list(range(10))
    seq = test[4].load()
    assert seq.num_joints == 20 and seq.meta["label"] == 4 and ds.class_names[4] == "sit down"


def test_nw_ucla_label_disagreeing_with_name_is_an_error(tmp_path):
    root = nw_ucla_tree(tmp_path, views=(1,))
    (root / "a01_s01_e00_v01.json").rename(root / "a02_s09_e00_v01.json")  # a file labelled 1 named a02
    ds = make("nw_ucla", root=str(root))
    bad = next(s for s in ds.samples("xview/train") if s.id == "a02_s09_e00_v01")
    with pytest.raises(SkeletonDataError, match="disagrees"):
        bad.load()


def test_humanml3d_parts_and_captions(tmp_path, capsys):
    root = humanml3d_tree(tmp_path, {"train": ["000001", "M000001"], "val": ["000002"], "test": ["000003"]})
    (root / "train.txt").write_text("000001\nM000001\n009999\n")
    ds = make("humanml3d", root=str(root))
    train = list(ds.samples("default/train"))
    assert [s.id for s in train] == ["000001", "M000001"] and train[0].text == "a person waves 000001"
    assert "skipped 1 of 3 train motions: 009999 (missing new_joints file)" in capsys.readouterr().err
    seq = next(ds.samples("default/test")).load()
    assert seq.num_joints == 22 and seq.meta["captions"][1] == "someone greets"


@pytest.mark.parametrize(
    "name,split,match",
    [
        ("ntu60", "xset/train", "has no split 'xset/train'; splits: xsub/train"),
        ("ntu120", "55/5/train", "has no split"),
        ("nw_ucla", "xview/val", "has no split"),
    ],
)
def test_unknown_split_names_are_clear_errors(name, split, match, tmp_path):
    with pytest.raises(SkeletonDataError, match=match):
        list(make(name, root=str(tmp_path)).samples(split))


def test_missing_folders_are_clear_errors(tmp_path):
    for name in ("ntu60", "pku_mmd", "nw_ucla"):
        with pytest.raises(SkeletonDataError, match="does not exist|not a folder"):
            list(make(name, root=str(tmp_path / "nowhere")).samples(make(name, root=".").protocols()[0] + "/train"))
    with pytest.raises(SkeletonDataError, match="new_joints"):
        list(make("humanml3d", root=str(tmp_path)).samples("default/train"))


def test_class_list_not_matching_the_data_is_an_error(tmp_path):
    root = ntu_tree(tmp_path, ["S001C001P001R001A077"])  # action 77 cannot be in S001 of NTU-60
    with pytest.raises(SkeletonDataError, match="does not match the class list"):
        list(make("ntu60", root=str(root)).samples("xsub/train"))
