"""Issue 13's robustness campaign as a property: every registered format, mutated inputs, clean outcomes.

For each format, seed files are the real samples in the shared data folder
(found by sniffing, so a new plugin's samples join automatically) or, when
absent, the generated fixtures. Hypothesis mutates them (truncation, byte
flips, NaN/inf/huge numbers, absurd counts, dropped or repeated lines, BOM,
CRLF, random bytes) and reads each result through the sniffer and through
the forced reader. The property: the outcome is either sequences whose
arrays are finite with every missing joint masked, or the project's own
error type naming the file. Anything else (an IndexError, a traceback, a
NaN reaching the model) is a bug.
"""

from __future__ import annotations

import atexit
import codecs
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from format_fixtures import check_consistent, make_all
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import shared_data_dir
from skeletonllm.errors import SkeletonLLMError
from skeletonllm.io import detect_format, read_sequences
from skeletonllm.registry import get_registry

#: seed files larger than this are left out (the property is about structure, not size)
MAX_SEED_BYTES = 1_000_000
CAMPAIGN = settings(
    max_examples=15,
    deadline=3000,  # ms per example: a reader that hangs on one input fails here
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NUMBER = re.compile(rb"-?\d+(\.\d+)?([eE][-+]?\d+)?")
REPLACEMENTS = [
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"1e309",
    b"1e38",
    b"-1",
    b"0",
    b"",
    b"x",
    b"99999999999999999999",
    b"3.5",
]


@cache
def _scratch() -> Path:
    """One folder for generated seeds, made at collection time and removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="skeletonllm_campaign_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def seeds() -> dict[str, list[Path]]:
    """Format name -> seed files: real samples found by sniffing, else the generated fixtures."""
    names = get_registry().names("format")
    found: dict[str, list[Path]] = {name: [] for name in names}
    root = shared_data_dir()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.stat().st_size > MAX_SEED_BYTES or path.name == "README.md":
                continue
            try:
                name = detect_format(path).name
            except SkeletonLLMError:
                continue
            if len(found[name]) < 2:
                found[name].append(path)
    generated = make_all(_scratch())
    for name, path in generated.items():
        if name in found and not found[name]:
            found[name].append(path)
    return found


def _with_amass_seed(found: dict[str, list[Path]]) -> None:
    if "amass" in found and not found["amass"]:
        import numpy as np

        path = _scratch() / "clip.npz"
        np.savez(path, poses=np.zeros((3, 156)), trans=np.zeros((3, 3)), betas=np.zeros(4),
                 gender=np.array("female"), mocap_framerate=np.array(60.0))  # fmt: skip
        found["amass"].append(path)


@st.composite
def mutated(draw: st.DrawFn, raw: bytes, fewest: int = 1) -> bytes:
    """``fewest`` (default one) to three mutations of ``raw``."""
    for _ in range(draw(st.integers(fewest, 3))):
        op = draw(
            st.sampled_from(
                ["truncate", "flip", "number", "number", "lines", "insert", "bom", "crlf", "empty", "random"]
            )
        )
        if op == "truncate":
            raw = raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
        elif op == "flip" and raw:
            data = bytearray(raw)
            for _ in range(draw(st.integers(1, 8))):
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
            raw = bytes(data)
        elif op == "number":
            matches = list(NUMBER.finditer(raw[:200_000]))
            if matches:
                m = matches[draw(st.integers(0, len(matches) - 1))]
                raw = raw[: m.start()] + draw(st.sampled_from(REPLACEMENTS)) + raw[m.end() :]
        elif op == "lines":
            lines = raw.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                del lines[i]
            else:
                lines.insert(i, lines[i])
            raw = b"\n".join(lines)
        elif op == "insert":
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=16)) + raw[at:]
        elif op == "bom":
            raw = codecs.BOM_UTF8 + raw
        elif op == "crlf":
            raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif op == "empty":
            raw = b""
        else:
            raw = draw(st.binary(min_size=1, max_size=256))
    return raw


def _cases() -> list[tuple[str, Path]]:
    found = seeds()
    _with_amass_seed(found)
    return [(name, path) for name, paths in sorted(found.items()) for path in paths]


def check_outcome(path: Path, fmt: str | None) -> None:
    """The property itself: clean sequences, or a SkeletonLLMError that names the file."""
    try:
        sequences = read_sequences(path, fmt)
    except SkeletonLLMError as exc:
        assert str(path) in str(exc) or path.name in str(exc), f"error does not name the file: {exc}"
        return
    assert isinstance(sequences, list) and sequences
    for seq in sequences:
        check_consistent(seq)


def test_every_registered_format_has_a_seed() -> None:
    found = seeds()
    _with_amass_seed(found)
    missing = [name for name, paths in found.items() if not paths]
    third_party = {i.name for i in get_registry().infos("format") if i.distribution != "skeletonllm"}
    assert set(missing) <= third_party, f"built-in formats without a seed file: {missing}"


@pytest.mark.parametrize(("name", "seed"), _cases(), ids=[f"{n}-{p.name}" for n, p in _cases()])
def test_mutated_files_read_cleanly_or_fail_clearly(name: str, seed: Path, tmp_path_factory) -> None:
    raw = seed.read_bytes()
    folder = tmp_path_factory.mktemp(f"campaign_{name}")
    target = folder / seed.name  # same name and suffix: the suffix hint is part of what is tested

    @CAMPAIGN
    @given(data=mutated(raw), forced=st.booleans())
    def run(data: bytes, forced: bool) -> None:
        target.write_bytes(data)
        check_outcome(target, name if forced else None)

    run()


COMMANDS = settings(CAMPAIGN, max_examples=4)


@pytest.mark.parametrize(("name", "seed"), _cases()[::2], ids=[f"{n}-{p.name}" for n, p in _cases()[::2]])
def test_commands_on_mutated_files_exit_cleanly(name: str, seed: Path, tmp_path_factory) -> None:
    """``export`` and ``render -r stick`` end with exit 0 or 1 and one message, never an escaped exception."""
    from click.testing import CliRunner

    from skeletonllm.cli import cli

    raw = seed.read_bytes()
    folder = tmp_path_factory.mktemp(f"commands_{name}")
    target = folder / seed.name

    @COMMANDS
    @given(data=mutated(raw, fewest=0))  # zero mutations: the commands' success path too
    def run(data: bytes) -> None:
        target.write_bytes(data)
        for args in (
            ["export", str(target), "-o", str(folder / "out")],
            ["render", str(target), "-r", "stick", "-f", "2", "-s", "16", "-o", str(folder / "out.png")],
        ):
            result = CliRunner().invoke(cli, args)
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            assert result.exit_code in (0, 1), result.output
            if result.exit_code == 1:
                assert "error:" in result.output and "Traceback" not in result.output
        leftovers = [p.name for p in folder.rglob("*.tmp*")]
        assert not leftovers, leftovers

    run()
