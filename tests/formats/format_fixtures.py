"""Small files built from the published layouts, so format tests run without ../shared.

Each builder writes text the way the dataset's own tools do (NTU: CRLF,
seven significant digits; PKU-MMD: six decimals), independent of the
plugins' writers, so a reader bug cannot hide behind a matching writer bug.
"""

from __future__ import annotations

import json
import pickle
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from kinect_v1_fixtures import write_kinect_v1_samples

from skeletonllm.testing import check_consistent  # noqa: F401 - re-exported for the format tests

NTU_BODY_ID = 72057594037931101


def ntu_text(bodies_per_frame: list[int], seed: int = 0, joints: int = 25) -> str:
    """An NTU .skeleton text: frame count, then per frame body blocks of 25 twelve-field joint lines."""
    rng = np.random.default_rng(seed)
    lines = [str(len(bodies_per_frame))]
    for count in bodies_per_frame:
        lines.append(str(count))
        for b in range(count):
            lines.append(f"{NTU_BODY_ID + b} 0 1 1 1 1 0 0.02764709 0.05745083 2")
            lines.append(str(joints))
            for _ in range(joints):
                xyz = rng.uniform(-1, 4, 3)
                px = rng.uniform(0, 500, 4)
                q = rng.normal(size=4)
                q /= np.linalg.norm(q)
                vals = [*xyz, *px, *q]
                lines.append(" ".join(f"{v:.7g}" for v in vals) + f" {int(rng.integers(0, 3))}")
    return "\r\n".join(lines) + "\r\n"


def pku_text(frames: int = 6, second_present: bool = True, seed: int = 1) -> str:
    """PKU-MMD lines: 150 numbers each; the second body zeros when absent."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(frames):
        first = rng.uniform(-1, 3, 75)
        second = rng.uniform(-1, 3, 75) if second_present and t % 2 == 0 else np.zeros(75)
        out.append(" ".join(f"{v:.6f}" for v in np.concatenate([first, second])))
    return "\n".join(out) + "\n"


def nw_ucla_doc(frames: int = 5, seed: int = 2) -> dict:
    rng = np.random.default_rng(seed)
    skel = np.round(rng.uniform(-1, 3, (frames, 20, 3)), 6).tolist()
    return {"file_name": "a04_s02_e01_v03", "skeletons": skel, "label": 4}


def coco_doc(seed: int = 3) -> dict:
    """Two images, three people (one with no labelled keypoint), COCO person-keypoints layout."""
    rng = np.random.default_rng(seed)

    def kps(visible: int) -> list[int]:
        out = []
        for j in range(17):
            v = 2 if j < visible else 0
            out += [int(rng.integers(0, 640)) if v else 0, int(rng.integers(0, 480)) if v else 0, v]
        return out

    return {
        "images": [{"id": 10, "file_name": "a.jpg"}, {"id": 7, "file_name": "b.jpg"}],
        "annotations": [
            {"id": 1, "image_id": 7, "keypoints": kps(17), "num_keypoints": 17, "bbox": [0, 0, 1, 1]},
            {"id": 2, "image_id": 10, "keypoints": kps(5), "num_keypoints": 5, "bbox": [1, 2, 3, 4]},
            {"id": 3, "image_id": 10, "keypoints": kps(0), "num_keypoints": 0, "bbox": [0, 0, 0, 0]},
        ],
        "categories": [{"id": 1, "name": "person", "keypoints": ["nose"] * 17, "skeleton": [[16, 14]]}],
    }


BVH_TEXT = """HIERARCHY
ROOT hip
{
\tOFFSET 0 0 0
\tCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
\tJOINT spine
\t{
\t\tOFFSET 0 2 0
\t\tCHANNELS 3 Xrotation Yrotation Zrotation
\t\tJOINT head
\t\t{
\t\t\tOFFSET 0 1 0
\t\t\tCHANNELS 3 Zrotation Yrotation Xrotation
\t\t\tEnd Site
\t\t\t{
\t\t\t\tOFFSET 0 0.5 0
\t\t\t}
\t\t}
\t}
\tJOINT leg
\t{
\t\tOFFSET 1 0 0
\t\tCHANNELS 0
\t\tEnd Site
\t\t{
\t\t\tOFFSET 0 -1 0
\t\t}
\t}
}
MOTION
Frames: 4
Frame Time: 0.04
1 2 3 0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 0 0 0 0 0
0 0 0 0 0 0 0 0 90 0 0 0
0 0 0 90 90 0 0 0 0 0 0 0
"""


# An Acclaim skeleton small enough to check by hand: root -> spine (up 2) -> head (+x 1, local axes
# turned 90 degrees about z, so its rx turns about global y), root -> lfemur (+x 1, no dof).
ASF_TEXT = """# AST/ASF file for the tests (layout of the CMU and HDM05 files)
:version 1.10
:name fixture
:units
  mass 1.0
  length 1.0
  angle deg
:documentation
   three bones, positions checked by hand in test_asf_amc.py
:root
   order TX TY TZ RX RY RZ
   axis XYZ
   position 0 0 0
   orientation 0 0 0
:bonedata
  begin
     id 1
     name spine
     direction 0 1 0
     length 2
     axis 0 0 0  XYZ
    dof rx ry rz
    limits (-180.0 180.0)
           (-180.0 180.0)
           (-180.0 180.0)
  end
  begin
     id 2
     name head
     direction 1 0 0
     length 1
     axis 0 0 90 XYZ
    dof rx
    limits (-90.0 90.0)
  end
  begin
     id 3
     name lfemur
     direction 1 0 0
     length 1
     axis 0 0 0 XYZ
  end
:hierarchy
  begin
    root spine lfemur
    spine head
  end
"""

AMC_TEXT = """# motion for ASF_TEXT
:FULLY-SPECIFIED
:DEGREES
1
root 1 2 3 0 0 0
spine 0 0 0
head 0
2
root 0 0 0 0 0 90
spine 0 0 0
head 0
3
root 0 0 0 0 0 0
spine 90 0 0
head 0
4
root 0 0 0 90 0 90
spine 0 0 0
head 45
"""


def penn_bytes(frames: int = 4, seed: int = 6, action: str = "tennis_serve", train: int = 1) -> bytes:
    """A Penn Action label file as MATLAB writes it (bbox one row short, as in two of the originals)."""
    import io

    from scipy.io import savemat

    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    doc = {
        "action": action,
        "pose": "front",
        "x": np.round(rng.uniform(0, 480, (frames, 13)), 2),
        "y": np.round(rng.uniform(0, 360, (frames, 13)), 2),
        "visibility": (rng.uniform(size=(frames, 13)) > 0.2).astype(np.uint8),
        "train": np.array([[train]], dtype=np.int32),
        "bbox": np.round(rng.uniform(0, 300, (frames - 1, 4)), 2),
        "dimensions": np.array([[360, 480, frames]], dtype=np.uint16),
        "nframes": np.array([[frames]], dtype=np.uint8),
    }
    savemat(buf, doc, do_compression=True, oned_as="row")
    return buf.getvalue()


def write(path: Path, content: str | bytes | dict) -> Path:
    if isinstance(content, dict):
        path.write_text(json.dumps(content))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("ascii"))
    return path


def pyskl_bytes(v: int = 17, c: int = 2, persons: int = 2, frames: int = 4, seed: int = 4) -> bytes:
    rng = np.random.default_rng(seed)
    kp = rng.uniform(1, 100, (persons, frames, v, c)).astype(np.float32)
    if persons > 1:
        kp[1, 0] = 0  # second person absent in frame 0
    ann = {"frame_dir": "S001C001P001R001A001", "total_frames": frames, "label": 0, "keypoint": kp}
    if c == 2:
        ann["keypoint_score"] = rng.uniform(0, 1, (persons, frames, v)).astype(np.float32)
        ann["img_shape"] = (1080, 1920)
    return pickle.dumps({"split": {"xsub_train": ["S001C001P001R001A001"]}, "annotations": [ann]}, protocol=4)


def humanml3d_bytes(frames: int = 7, seed: int = 5) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, np.random.default_rng(seed).normal(size=(frames, 22, 3)).astype(np.float32))
    return buf.getvalue()


def acclaim_pair(folder: Path, stem: str = "07_01", skeleton: str = "07") -> Path:
    """An AMC motion (returned) with its ASF skeleton beside it, named so the reader finds it."""
    write(folder / f"{skeleton}.asf", ASF_TEXT)
    return write(folder / f"{stem}.amc", AMC_TEXT)


def make_all(folder: Path) -> dict[str, Path]:
    """One synthetic file per format, keyed by plugin name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "ntu_skeleton": write(folder / "S002C003P004R001A050.skeleton", ntu_text([1, 2, 2, 0, 1])),
        "pku_mmd": write(folder / "0002-L.txt", pku_text()),
        "nw_ucla": write(folder / "a04_s02_e01_v03.json", nw_ucla_doc()),
        "coco_keypoints": write(folder / "persons.json", coco_doc()),
        "bvh": write(folder / "tiny.bvh", BVH_TEXT),
        "pyskl_pickle": write(folder / "ann.pkl", pyskl_bytes()),
        "humanml3d": write(folder / "000001.npy", humanml3d_bytes()),
        **write_kinect_v1_samples(folder / "kinect_v1"),
        "asf_amc": acclaim_pair(folder),
        "penn_action": write(folder / "0001.mat", penn_bytes()),
    }


@pytest.fixture(scope="session")
def synthetic_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Import this fixture into a test module to get one synthetic file per format."""
    return make_all(tmp_path_factory.mktemp("synthetic_formats"))


MiB = 1024**2


def peak_mib(action) -> float:  # noqa: ANN001
    """The peak traced memory of ``action()`` in MiB (numpy reports its buffers to ``tracemalloc``)."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / MiB
    finally:
        tracemalloc.stop()
