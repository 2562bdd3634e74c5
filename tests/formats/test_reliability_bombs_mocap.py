"""Issue 23 for the readers merged with kinect + mocap: the decode budget and named pipes, as for the others.

Penn Action's ``.mat`` decodes what its headers announce (a compressed array
of zeros inflates ~1000-fold); an Acclaim skeleton with bones that have no
dofs costs no AMC text per frame but a full pose each in forward kinematics;
the "numbers a line" tables (MSR Action3D, MSRC-12, SBU) hold every token as
a string while parsing. Each is checked against
:func:`skeletonllm.decode_budget.check_decoded_size` before it allocates, and
each reader refuses a named pipe when a dataset calls it directly.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from format_fixtures import AMC_TEXT, ASF_TEXT, MiB, peak_mib, penn_bytes

from conftest import shared_file
from skeletonllm.decode_budget import ENV_VAR
from skeletonllm.errors import SkeletonDataError
from skeletonllm.io import read_sequences
from skeletonllm_formats.asf_amc import AsfAmcFormat, AsfAmcOptions
from skeletonllm_formats.mat5 import read_variables
from skeletonllm_formats.msr_action3d import MsrAction3dFormat
from skeletonllm_formats.msrc12 import Msrc12Format
from skeletonllm_formats.penn_action import PennActionFormat
from skeletonllm_formats.sbu import SbuFormat


def mat_bomb(path: Path, rows: int, cols: int = 13) -> Path:
    """A MAT 5 file whose one compressed variable ``x`` is ``rows x cols`` float64 zeros (written in chunks)."""
    count = rows * cols
    name = struct.pack("<HH4s", 1, 1, b"x")  # small data element: miINT8, 1 byte
    body = struct.pack("<II", 6, 8) + struct.pack("<II", 6, 0)  # array flags: miUINT32, mxDOUBLE_CLASS
    body += struct.pack("<IIii", 5, 8, rows, cols) + name  # dimensions: miINT32
    body += struct.pack("<II", 9, count * 8)  # real part: miDOUBLE
    matrix = struct.pack("<II", 14, len(body) + count * 8) + body  # miMATRIX
    packer = zlib.compressobj(9)
    parts = [packer.compress(matrix)]
    left, block = count * 8, bytes(MiB)
    while left:
        parts.append(packer.compress(block[: min(left, MiB)]))
        left -= min(left, MiB)
    parts.append(packer.flush())
    compressed = b"".join(parts)
    header = b"MATLAB 5.0 MAT-file, written by the bomb test".ljust(116) + bytes(8) + struct.pack("<H", 0x0100) + b"IM"
    path.write_bytes(header + struct.pack("<II", 15, len(compressed)) + compressed)  # miCOMPRESSED
    return path


def acclaim_bomb(folder: Path, bones: int, frames: int) -> Path:
    """An ASF whose ``bones`` hang from the root with no dof, and an AMC of ``frames`` root lines."""
    asf = [":version 1.10", ":name bomb", ":units", "  length 1.0", "  angle deg", ":root", "   order TX TY TZ"]
    asf += ["   axis XYZ", "   position 0 0 0", "   orientation 0 0 0", ":bonedata"]
    for b in range(bones):
        asf += ["begin", f"id {b + 1}", f"name b{b}", "direction 0 1 0", "length 1", "axis 0 0 0 XYZ", "end"]
    asf += [":hierarchy", "begin", "root " + " ".join(f"b{b}" for b in range(bones)), "end"]
    (folder / "bomb.asf").write_text("\n".join(asf) + "\n", encoding="ascii")
    amc = [":FULLY-SPECIFIED", ":DEGREES"]
    for t in range(frames):
        amc += [str(t + 1), "root 0 0 0"]
    path = folder / "bomb.amc"
    path.write_text("\n".join(amc) + "\n", encoding="ascii")
    return path


# -- Penn Action -----------------------------------------------------------------------------------


def test_penn_action_mat_announcing_a_huge_array_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: allowed up to 50 million values, so this 100 kB file decoded to 104 MB, then copies of it."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = mat_bomb(tmp_path / "0001.mat", rows=1_000_000)
    assert path.stat().st_size < 300_000

    def read() -> None:
        with pytest.raises(
            SkeletonDataError, match=r"at least .* inflated bytes .*'x', is 1000000x13 double.* in memory"
        ):
            read_sequences(path, format="penn_action")

    assert peak_mib(read) < 20


@pytest.mark.parametrize("name", ["fixture", "0001", "1500"])
def test_mat_headers_read_by_hand_agree_with_scipy(tmp_path: Path, name: str) -> None:
    """Names, shapes and classes as ``whosmat`` lists them: the fixture and the shared real samples."""
    from scipy.io import whosmat

    path = tmp_path / "fixture.mat" if name == "fixture" else shared_file(f"penn_action/{name}.mat")
    if name == "fixture":
        path.write_bytes(penn_bytes(frames=9))
    mine = [(v.name, v.shape, v.mclass) for v in read_variables(path, max_decoded=1 << 30)]
    theirs = whosmat(str(path))
    assert len(mine) == len(theirs)
    for (var, shape, cls), (n, s, c) in zip(mine, theirs):
        assert var == n and (cls == "char" or shape == tuple(s)), (var, shape, s)  # whosmat counts strings
        assert cls == c or (c == "logical" and cls == "uint8"), (var, cls, c)


def test_sniffing_a_mat_bomb_inflates_only_a_bounded_head(tmp_path: Path) -> None:
    path = mat_bomb(tmp_path / "0003.mat", rows=1_000_000)
    head = path.read_bytes()[:4096]
    assert peak_mib(lambda: PennActionFormat().sniff(path, head)) < 5  # whosmat: 208 MiB


def test_penn_action_budget_is_checked_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "0002.mat"
    path.write_bytes(penn_bytes(frames=40))
    monkeypatch.setenv(ENV_VAR, "4K")
    with pytest.raises(SkeletonDataError, match=f"inflated bytes.*{ENV_VAR}=4K"):
        read_sequences(path)
    monkeypatch.setenv(ENV_VAR, "1M")
    assert read_sequences(path)[0].num_frames == 40


# -- Acclaim ASF/AMC -------------------------------------------------------------------------------


def test_amc_of_20000_frames_over_1500_dofless_bones_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forward kinematics would hold 20,000 x 1,500 poses (gigabytes) from 700 kB of text."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = acclaim_bomb(tmp_path, bones=1500, frames=20_000)
    assert path.stat().st_size + (tmp_path / "bomb.asf").stat().st_size < 700_000

    def read() -> None:
        with pytest.raises(SkeletonDataError, match=r"1,501 bones x 20,000 frames would take .* GiB"):
            read_sequences(path)

    assert peak_mib(read) < 100  # the parsed text, not the poses


def test_amc_budget_is_checked_before_forward_kinematics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = acclaim_bomb(tmp_path, bones=50, frames=200)
    monkeypatch.setenv(ENV_VAR, "1M")
    with pytest.raises(SkeletonDataError, match=f"51 bones x 200 frames.*{ENV_VAR}=1M"):
        read_sequences(path)
    monkeypatch.setenv(ENV_VAR, "1G")
    assert read_sequences(path)[0].positions.shape[1:3] == (200, 51)


# -- numbers a line ----------------------------------------------------------------------------


def test_text_tables_are_bounded_before_their_tokens_are_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MSR Action3D, MSRC-12 and SBU share the table parser: its estimate meets the cap a user sets."""
    msr = tmp_path / "a01_s01_e01_skeleton3D.txt"
    msr.write_text("0.1 0.2 2.5 1\n" * 20 * 30)
    monkeypatch.setenv(ENV_VAR, "64K")
    with pytest.raises(SkeletonDataError, match=f"600 lines x 4 numbers.*{ENV_VAR}=64K"):
        read_sequences(msr, format="msr_action3d")
    monkeypatch.delenv(ENV_VAR)
    assert read_sequences(msr, format="msr_action3d")[0].num_frames == 30


# -- named pipes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "name"),
    [
        (PennActionFormat(), "0001.mat"),
        (AsfAmcFormat(), "07_01.amc"),
        (MsrAction3dFormat(), "a01_s01_e01_skeleton3D.txt"),
        (Msrc12Format(), "P1_1_1_p01.csv"),
        (SbuFormat(), "skeleton_pos.txt"),
    ],
    ids=["penn_action", "asf_amc", "msr_action3d", "msrc12", "sbu"],
)
def test_readers_called_directly_refuse_a_named_pipe(tmp_path: Path, reader, name: str) -> None:  # noqa: ANN001
    """A dataset reads its clips with the format's ``read``; a FIFO among them must not block it."""
    fifo = tmp_path / name
    os.mkfifo(fifo)
    with pytest.raises(SkeletonDataError, match="is a named pipe"):
        reader.read(fifo)


def test_an_asf_option_naming_a_named_pipe_is_refused(tmp_path: Path) -> None:
    (tmp_path / "07_01.amc").write_text(AMC_TEXT)
    os.mkfifo(tmp_path / "pipe.asf")
    with pytest.raises(SkeletonDataError, match="pipe.asf.*is a named pipe"):
        AsfAmcFormat(AsfAmcOptions(asf=tmp_path / "pipe.asf")).read(tmp_path / "07_01.amc")
    (tmp_path / "07.asf").write_text(ASF_TEXT)  # the ordinary pair still reads
    assert np.isfinite(AsfAmcFormat(AsfAmcOptions(units="file")).read(tmp_path / "07_01.amc")[0].positions).all()
