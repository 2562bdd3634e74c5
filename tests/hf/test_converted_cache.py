"""The build-once cache behind preset smol: atomic, reused, and loud when damaged (no 20 s conversion here)."""

from __future__ import annotations

import json

import pytest

from skeletonllm_hf.converted_cache import MANIFEST, CacheError, default_cache_root, ensure, fingerprint_folder

STAMP = {"source": "model.gguf", "bytes": 1234, "format": 1}


class Builder:
    """Writes two files and counts its calls, like a converter would."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, folder) -> None:
        self.calls += 1
        (folder / "model.safetensors").write_bytes(b"x" * 100)
        (folder / "config.json").write_text("{}", encoding="utf-8")


def test_first_use_builds_with_a_message_and_later_uses_reuse(tmp_path, capsys):
    build = Builder()
    folder = fingerprint_folder(tmp_path, "smol", STAMP)
    assert ensure(folder, STAMP, build, "converting once") == folder
    assert "converting once" in capsys.readouterr().err
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest == {"fingerprint": STAMP, "files": {"config.json": 2, "model.safetensors": 100}}
    ensure(folder, STAMP, build, "converting once")
    assert build.calls == 1 and "converting" not in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary folder left behind


def test_a_new_source_gets_its_own_folder(tmp_path):
    assert fingerprint_folder(tmp_path, "smol", STAMP) != fingerprint_folder(tmp_path, "smol", {**STAMP, "bytes": 9})


def test_a_failed_build_leaves_nothing_that_looks_finished(tmp_path):
    def broken(folder):
        (folder / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    folder = tmp_path / "smol"
    with pytest.raises(KeyboardInterrupt):
        ensure(folder, STAMP, broken)
    assert list(tmp_path.iterdir()) == []
    build = Builder()
    ensure(folder, STAMP, build)
    assert build.calls == 1


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: (f / "model.safetensors").write_bytes(b"x" * 10), "10 bytes, the build wrote 100"),
        (lambda f: (f / "config.json").unlink(), "config.json: missing"),
        (lambda f: (f / MANIFEST).unlink(), f"no {MANIFEST}"),
        (lambda f: (f / MANIFEST).write_text("{not json", encoding="utf-8"), "unreadable"),
    ],
)
def test_a_damaged_cache_is_named_not_loaded(tmp_path, damage, expected):
    folder = ensure(tmp_path / "smol", STAMP, Builder())
    damage(folder)
    with pytest.raises(CacheError, match=expected) as err:
        ensure(folder, STAMP, Builder())
    assert f"delete {folder}" in str(err.value)


def test_a_folder_built_from_another_source_is_refused(tmp_path):
    folder = ensure(tmp_path / "smol", STAMP, Builder())
    with pytest.raises(CacheError, match="built from"):
        ensure(folder, {**STAMP, "bytes": 1}, Builder())


def test_a_concurrent_build_that_finished_first_wins(tmp_path):
    folder = tmp_path / "smol"

    def race(tmp):
        Builder()(tmp)
        ensure(folder, STAMP, Builder())  # another process completes while this one is still writing

    assert ensure(folder, STAMP, race) == folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smol"]


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("SKELETONLLM_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_root() == tmp_path / "xdg" / "skeletonllm"
    monkeypatch.setenv("SKELETONLLM_CACHE", str(tmp_path / "mine"))
    assert default_cache_root() == tmp_path / "mine"
