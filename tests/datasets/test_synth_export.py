"""``skeletonllm synth``: every writable format round-trips through its reader."""

from __future__ import annotations

import csv
import json
import types

import numpy as np
import pytest
from click.testing import CliRunner

import skeletonllm.registry as registry_module
from skeletonllm import SkeletonDataError, SkeletonLLMError, SkeletonSequence, hookimpl
from skeletonllm.cli import cli
from skeletonllm.interfaces import SkeletonFormat
from skeletonllm.registry import Registry, get_registry
from skeletonllm_datasets.synthetic import generate
from skeletonllm_datasets.synthetic.export import holds_two_persons, plan, writer_view
from skeletonllm_formats.topologies import KINECT_V1


def _emitted(fmt: str) -> bool:
    """Whether the SynthAct generator emits the skeleton writer ``fmt`` needs."""
    try:
        writer_view(fmt, get_registry().create("format", fmt))
    except SkeletonLLMError:
        return False
    return True


ALL_WRITERS = sorted(i.name for i in get_registry().infos("format") if i.cls.can_write)
WRITERS = [fmt for fmt in ALL_WRITERS if _emitted(fmt)]

ACTIONS = ["clapping", "handshaking", "salute"]  # handshaking: two persons where the format holds them
SEED = 4


def expected(fmt: str, row: dict) -> np.ndarray:
    """What generate gave for this clip, for comparison with the file read back."""
    writer = get_registry().create("format", fmt)
    topology = writer_view(fmt, writer)
    return generate(row["action"], topology, int(row["seed"]), subject=SEED * 1_000 + int(row["subject"]))


def read_back(fmt: str, path) -> tuple[np.ndarray, np.ndarray]:
    """Positions and mask ``(M, T, V, C)`` as the reader gives them."""
    seqs = get_registry().create("format", fmt).read(path)
    if fmt == "coco_keypoints":  # one sequence per (image, person): restack frames
        frames: dict[int, list] = {}
        for s in seqs:
            frames.setdefault(s.meta["image_id"], []).append(s)
        m = max(len(v) for v in frames.values())
        pos = np.zeros((m, len(frames), 17, 2))
        mask = np.zeros((m, len(frames), 17), bool)
        for t, image in enumerate(sorted(frames)):
            for p, s in enumerate(frames[image]):
                pos[p, t], mask[p, t] = s.positions[0, 0], s.mask[0, 0]
        return pos, mask
    assert len(seqs) == 1
    return seqs[0].positions, seqs[0].mask


def test_every_built_in_writer_is_synthesised_and_any_other_refused_with_the_reason(tmp_path):
    assert {"ntu_skeleton", "pku_mmd", "pyskl_pickle", "nw_ucla", "humanml3d", "coco_keypoints", "bvh"} <= set(WRITERS)
    for fmt in sorted(set(ALL_WRITERS) - set(WRITERS)):  # a layout the generator has no view of
        result = CliRunner().invoke(cli, ["synth", "--format", fmt, "-o", str(tmp_path / fmt)])
        assert result.exit_code == 1 and "is none the SynthAct generator emits" in result.output


@pytest.mark.parametrize("fmt", WRITERS)
def test_synth_round_trips(fmt, tmp_path):
    result = CliRunner().invoke(
        cli, ["synth", "--format", fmt, "--n", "3", "--seed", str(SEED), "-o", str(tmp_path)]
        + [a for action in ACTIONS for a in ("--action", action)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "labels.csv", encoding="utf-8")))
    writer = get_registry().create("format", fmt)
    holds_two = holds_two_persons(writer, writer_view(fmt, writer), writer.suffixes[0])
    assert holds_two == (fmt in {"ntu_skeleton", "pku_mmd", "pyskl_pickle", "coco_keypoints"})
    assert [r["action"] for r in rows] == (ACTIONS if holds_two else ["clapping", "salute", "clapping"])
    if not holds_two:
        assert "left out two-person actions (handshaking)" in result.output
    for row in rows:
        want = expected(fmt, row)
        pos, mask = read_back(fmt, tmp_path / row["file"])
        if fmt == "bvh":  # the hierarchy is written depth-first: match joints by name
            names = list(get_registry().create("format", "bvh").read(tmp_path / row["file"])[0].topology.joint_names)
            order = [names.index(n) for n in want.topology.joint_names]
            pos, mask = pos[:, :, order], mask[:, :, order]
        m = want.num_persons
        assert pos.shape[1:] == want.positions.shape[1:]
        np.testing.assert_array_equal(mask[:m], want.mask)
        np.testing.assert_allclose(pos[:m][want.mask], want.positions[want.mask], atol=1e-4, rtol=1e-5)
        if m < pos.shape[0]:
            assert not mask[m:].any()  # PKU-MMD's absent second body


def test_ntu_file_names_carry_the_ntu_action_id(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "synth",
            "--format",
            "ntu_skeleton",
            "--n",
            "2",
            "-o",
            str(tmp_path),
            "--action",
            "squat down",
            "--action",
            "step forward",
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.glob("*.skeleton"))
    assert names == ["S001C001P001R001A080.skeleton", "S001C001P001R001A121.skeleton"]


def test_plan_matches_the_synthetic_dataset():
    ds = get_registry().create("dataset", "synthetic", {"samples_per_class": 2})
    by_id = {(s.label, s.meta["seed"], s.meta["subject"]) for s in ds.samples("16/5/train")} | {
        (s.label, s.meta["seed"], s.meta["subject"]) for s in ds.samples("16/5/test")
    }
    assert {(c.label, c.seed, c.subject) for c in plan(42, 0, ds.class_names)} == by_id


def test_synth_unknown_format_or_action_is_one_line_error(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["synth", "--format", "amass", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "format plugin 'amass' has no writer; formats that write: " in result.output
    writers = result.output.split("formats that write: ", 1)[1].strip().split(", ")
    assert "bvh" in writers and "amass" not in writers and writers == sorted(writers)
    result = runner.invoke(cli, ["synth", "--format", "bvh", "-o", str(tmp_path), "--action", "moonwalk"])
    assert result.exit_code == 1 and "unknown synthetic actions" in result.output


def test_humanml3d_export_is_a_readable_humanml3d_folder(tmp_path):
    result = CliRunner().invoke(cli, ["synth", "--format", "humanml3d", "--n", "8", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    ds = get_registry().create("dataset", "humanml3d", {"root": str(tmp_path)})
    train, test = list(ds.samples("default/train")), list(ds.samples("default/test"))
    assert len(train) + len(test) == 8 and train[0].text.startswith("a person performs ")
    assert train[0].load().num_joints == 22


class ToyJsonFormat(SkeletonFormat):
    """A third-party writer of one Kinect v1 person per JSON file, registered only in this test."""

    name = "toy_json"
    summary = "toy Kinect v1 JSON"
    suffixes = (".toy.json",)
    topology = KINECT_V1

    def sniff(self, path, head):
        return 1.0 if b'"toy_json"' in head else 0.0

    def read(self, path):
        data = json.loads(path.read_text())
        return [SkeletonSequence(np.asarray(data["positions"], np.float32)[None], KINECT_V1, fps=data["fps"])]

    def write(self, sequence, path):
        if sequence.num_persons != 1:
            raise SkeletonDataError(f"toy_json holds one person, got {sequence.num_persons}", source=path)
        path.write_text(json.dumps({"toy_json": 1, "fps": sequence.fps, "positions": sequence.positions[0].tolist()}))
        return path


class OddFormat(ToyJsonFormat):
    name = "odd_json"
    topology = KINECT_V1.__class__("odd", ("a", "b"), ((0, 1),))


def test_synth_writes_a_third_party_format(tmp_path, monkeypatch):
    plugin = types.SimpleNamespace(
        register_formats=hookimpl(lambda register: [register(ToyJsonFormat), register(OddFormat)])
    )
    plugin.register_formats.__name__ = "register_formats"
    registry = Registry()
    registry.add_plugin(plugin, "toy_formats", "toy-dist")
    monkeypatch.setattr(registry_module, "_REGISTRY", registry)
    result = CliRunner().invoke(cli, ["synth", "--format", "toy_json", "--n", "3", "-o", str(tmp_path)]
                                + [a for action in ACTIONS for a in ("--action", action)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "left out two-person actions (handshaking)" in result.output  # its writer refused two persons
    rows = list(csv.DictReader(open(tmp_path / "labels.csv", encoding="utf-8")))
    assert [r["action"] for r in rows] == ["clapping", "salute", "clapping"]
    for row in rows:
        assert row["file"].endswith(".toy.json")
        (back,) = registry.create("format", "toy_json").read(tmp_path / row["file"])
        want = generate(row["action"], "kinect_v1", int(row["seed"]), subject=int(row["subject"]))
        np.testing.assert_allclose(back.positions[want.mask], want.positions[want.mask], atol=1e-5)
    result = CliRunner().invoke(cli, ["synth", "--format", "odd_json", "-o", str(tmp_path / "odd")])
    assert result.exit_code == 1 and "its topology 'odd' (2 joints, 3D) is none the SynthAct generator emits" in (
        result.output
    )
