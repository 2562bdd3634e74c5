"""Hypothesis fuzzing of every text reader: a mutated valid file reads cleanly or fails with SkeletonDataError.

Any other exception type (IndexError, a numpy ValueError, KeyError...) is a
bug: the user would see a traceback instead of one line saying what is wrong.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from format_fixtures import (
    AMC_TEXT,
    ASF_TEXT,
    BVH_TEXT,
    check_consistent,
    coco_doc,
    humanml3d_bytes,
    ntu_text,
    nw_ucla_doc,
    penn_bytes,
    pku_text,
    pyskl_bytes,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kinect_v1_fixtures import msr_action3d_text, msrc12_text, sbu_text

from conftest import shared_data_dir, shared_file
from skeletonllm.errors import SkeletonDataError
from skeletonllm.registry import get_registry

FORMAT_CLASSES = {i.name: i.cls for i in get_registry().infos("format") if i.plugin == "formats"}
FUZZ = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
TOKENS = ["nan", "NaN", "inf", "-inf", "1e999", "", "x", "-", "0", "1", "2", "25", "24", "-1", "3.5", "{", "}",
          "JOINT", "End", "ROOT", "CHANNELS", "OFFSET", "MOTION", "Frames:", "7 7", "99999999999999999999"]  # fmt: skip

TEXT_SOURCES: dict[str, Callable[[], str]] = {
    "ntu_skeleton": lambda: ntu_text([1, 2, 0]),
    "pku_mmd": lambda: pku_text(frames=3),
    "bvh": lambda: BVH_TEXT,
    "nw_ucla": lambda: json.dumps(nw_ucla_doc(frames=3), indent=1),
    "coco_keypoints": lambda: json.dumps(coco_doc(), indent=1),
    "msr_action3d": lambda: msr_action3d_text(frames=2),
    "msrc12": lambda: msrc12_text(frames=3),
    "sbu": lambda: sbu_text(frames=3),
}
#: real files (../shared/data) whose first lines seed the same mutations: (file, lines kept)
REAL_SEEDS = {
    "msr_action3d": ("msr_action3d/a01_s01_e01_skeleton3D.txt", 40),
    "msrc12": ("msrc12/P1_1_12A_p19.csv", 4),
    "sbu": ("sbu/s01s02/01/001/skeleton_pos.txt", 4),
}


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> bytes:
    """One to three edits: truncate, drop/duplicate/swap lines, replace a token, or insert raw bytes."""
    lines = text.split("\n")
    raw_insert = b""
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["truncate", "drop", "duplicate", "swap", "token", "token", "token", "bytes"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
        elif op == "drop":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "token":
            fields = lines[i].split(" ")
            k = draw(st.integers(0, len(fields) - 1))
            fields[k] = draw(st.sampled_from(TOKENS) | st.text(max_size=4))
            lines[i] = " ".join(fields)
        else:
            raw_insert = draw(st.binary(min_size=1, max_size=4))
    data = "\n".join(lines).encode("utf-8")
    if raw_insert:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + raw_insert + data[at:]
    return data


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_json(draw: st.DrawFn, doc: dict) -> bytes:
    """Replace (or delete) one node somewhere in the document tree with arbitrary JSON."""
    doc = json.loads(json.dumps(doc))
    node, key = doc, None
    for _ in range(draw(st.integers(0, 5))):
        children = (
            list(node.keys()) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        )
        if not children:
            break
        key = draw(st.sampled_from(children))
        if not isinstance(node[key], (dict, list)) or draw(st.booleans()):
            break
        node = node[key]
        key = None
    if key is None and isinstance(node, dict) and node:
        key = draw(st.sampled_from(list(node.keys())))
    if key is not None:
        if isinstance(node, dict) and draw(st.integers(0, 4)) == 0:
            del node[key]
        else:
            node[key] = draw(JSON_VALUES)
    return json.dumps(doc).encode()


def check(name: str, data: bytes, companions: dict[str, bytes] | None = None, target: str = "fuzzed.dat") -> None:
    """Read ``data`` written as ``target`` (beside ``companions``, e.g. an AMC's skeleton) and judge the outcome."""
    fmt = FORMAT_CLASSES[name]()
    with tempfile.TemporaryDirectory() as folder:
        for file_name, content in (companions or {}).items():
            (Path(folder) / file_name).write_bytes(content)
        (Path(folder) / target).write_bytes(data)
        path = Path(folder) / "fuzzed.dat"
        data = path.read_bytes()
        score = fmt.sniff(path, data[:4096])
        assert isinstance(score, float) and 0.0 <= score <= 1.0 and not math.isnan(score)
        try:
            sequences = fmt.read(path)
        except SkeletonDataError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
    assert sequences
    for seq in sequences:
        check_consistent(seq)


@pytest.mark.parametrize("name", sorted(TEXT_SOURCES))
def test_text_mutations(name: str) -> None:
    @FUZZ
    @given(data=mutated_text(TEXT_SOURCES[name]()))
    def run(data: bytes) -> None:
        check(name, data)

    run()


@pytest.mark.parametrize("name", sorted(REAL_SEEDS))
def test_real_sample_mutations(name: str) -> None:
    relative, keep = REAL_SEEDS[name]
    text = "".join(shared_file(relative).read_text().splitlines(keepends=True)[:keep])

    @FUZZ
    @given(data=mutated_text(text))
    def run(data: bytes) -> None:
        check(name, data)

    run()


@pytest.mark.parametrize(("name", "make"), [("nw_ucla", lambda: nw_ucla_doc(frames=3)), ("coco_keypoints", coco_doc)])
def test_json_structure_mutations(name: str, make: Callable[[], dict]) -> None:
    @FUZZ
    @given(data=mutated_json(make()))
    def run(data: bytes) -> None:
        check(name, data)

    run()


def acclaim_texts(source: str) -> tuple[str, str]:
    """(ASF, AMC) texts: the fixture, or the real HDM05 sample (skipped when the shared data is absent)."""
    if source == "fixture":
        return ASF_TEXT, AMC_TEXT
    amc = shared_file("hdm05/HDM_bk_hopBothLegs1hops_020_120.amc")
    return (amc.parent / "HDM_bk.asf").read_bytes().decode("latin-1"), amc.read_bytes().decode("latin-1")


@pytest.mark.parametrize("source", ["fixture", "hdm05"])
@pytest.mark.parametrize("part", ["asf", "amc"])
def test_acclaim_mutations(source: str, part: str) -> None:
    """Mutate the skeleton or the motion, the other file intact beside it (``fuzzed.asf`` is found by name)."""
    asf, amc = acclaim_texts(source)

    @FUZZ
    @given(data=mutated_text(asf if part == "asf" else amc))
    def run(data: bytes) -> None:
        if part == "asf":
            check("asf_amc", data, {"fuzzed.dat": amc.encode("latin-1")}, target="fuzzed.asf")
        else:
            check("asf_amc", data, {"fuzzed.asf": asf.encode("latin-1")})

    run()


def penn_seed() -> bytes:
    """The real Penn Action sample when present (seeded with real data), else the fixture."""
    real = shared_data_dir() / "penn_action" / "0002.mat"
    return real.read_bytes() if real.is_file() else penn_bytes()


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """Overwrite, delete or insert a few bytes, or truncate: what a bad download or disk does."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["set", "set", "delete", "insert", "truncate"]))
        if op == "set":
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i]
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=3))
        else:
            del data[i:]
    return bytes(data)


def amass_bytes() -> bytes:
    import io

    import numpy as np

    buf = io.BytesIO()
    np.savez(buf, poses=np.zeros((2, 156)), trans=np.zeros((2, 3)), betas=np.zeros(4), mocap_framerate=np.array(30.0))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("pyskl_pickle", lambda: pyskl_bytes(persons=1, frames=2)),
        ("humanml3d", lambda: humanml3d_bytes(frames=2)),
        ("amass", amass_bytes),
        ("penn_action", penn_seed),
    ],  # fmt: skip
)
def test_binary_mutations(name: str, make: Callable[[], bytes]) -> None:
    @FUZZ
    @given(data=mutated_bytes(make()))
    def run(data: bytes) -> None:
        check(name, data)

    run()
