"""Issue 13, spec files: any encoding a user saves in, duplicate keys and absurd nesting are clear errors."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

from skeletonllm.cli import cli
from skeletonllm.errors import SpecError
from skeletonllm.yaml_safe import MAX_DEPTH, load_yaml_bytes, read_yaml_file

TEXT = "data: {name: synthact}\n# café\nrenderer: {name: stick, frames: 4}\noptim: {lr: 0.001}\n"
EXPECTED = {"data": {"name": "synthact"}, "renderer": {"name": "stick", "frames": 4}, "optim": {"lr": 0.001}}


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM: recognised by its NUL bytes
        TEXT.encode("utf-16"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "utf16", "crlf"],
)
def test_spec_encodings_read_the_same(raw: bytes) -> None:
    assert load_yaml_bytes(raw, "s.yaml") == EXPECTED


def test_latin1_spec_names_the_line() -> None:
    with pytest.raises(SpecError, match=r"line 2: not UTF-8: byte 0xe9"):
        load_yaml_bytes(TEXT.encode("latin-1"), "s.yaml")


def test_duplicate_section_is_refused_with_both_lines() -> None:
    text = "data: {name: synthact}\nrenderer: {name: stick}\nbackbone: {name: x}\nrenderer: {name: draction}\n"
    with pytest.raises(SpecError, match=r"line 4: duplicate key 'renderer' \(first at line 2\)"):
        load_yaml_bytes(text.encode(), "s.yaml")


def test_duplicate_nested_key_is_refused() -> None:
    with pytest.raises(SpecError, match=r"line 3: duplicate key 'lr' \(first at line 2\)"):
        load_yaml_bytes(b"optim:\n  lr: 0.1\n  lr: 0.2\n", "s.yaml")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5000])
@pytest.mark.parametrize("kind", ["flow-list", "block-map"])
def test_absurd_nesting_is_refused(depth: int, kind: str) -> None:
    if kind == "flow-list":
        text = "a: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + f"{'  ' * depth}1\n"
    with pytest.raises(SpecError, match=f"nested deeper than {MAX_DEPTH} levels"):
        load_yaml_bytes(text.encode(), "s.yaml")


def test_reasonable_nesting_is_fine() -> None:
    text = "a: " + "[" * 20 + "1" + "]" * 20 + "\n"
    assert load_yaml_bytes(text.encode(), "s.yaml") is not None


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    with pytest.raises(SpecError, match="aliases"):
        load_yaml_bytes("\n".join(lines).encode(), "s.yaml")


def test_python_tags_are_still_refused() -> None:
    with pytest.raises(SpecError, match="invalid YAML"):
        load_yaml_bytes(b"data: !!python/object/apply:os.system ['true']\n", "s.yaml")


def test_spec_that_is_a_pipe_is_refused(tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes")
    pipe = tmp_path / "spec.yaml"
    os.mkfifo(pipe)
    with pytest.raises(SpecError, match="not a regular file"):
        read_yaml_file(pipe)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"renderer: {name: stick}\nrenderer: {name: stick}\n", "duplicate key 'renderer'"),
        ("data: é\n".encode("latin-1"), "not UTF-8"),
        (b"a: " + b"[" * 3000 + b"]" * 3000, "nested deeper"),
    ],
)
def test_validate_prints_one_line_not_a_traceback(tmp_path: Path, raw: bytes, fragment: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(raw)
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1 and fragment in result.output and "Traceback" not in result.output, result.output
