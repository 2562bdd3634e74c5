"""docs/architecture.md says how many lines the core is; this keeps the sentence true (within 10 %)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core" / "skeletonllm"


def core_lines(core: Path = CORE) -> int:
    """Lines of Python under ``core``, without the web app (``app/``, ``cli/app_cmd.py``: a plugin package now)."""
    files = [p for p in core.rglob("*.py") if "app" not in p.relative_to(core).parts and p.name != "app_cmd.py"]
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)


def stated_lines() -> int:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"is about ([\d,]+) lines of Python", text)
    assert found, "docs/architecture.md no longer says how many lines the core is"
    return int(found.group(1).replace(",", ""))


def test_the_architecture_page_states_the_core_size_within_ten_percent():
    counted, stated = core_lines(), stated_lines()
    assert abs(counted - stated) <= 0.10 * stated, (
        f"core/skeletonllm is {counted:,} lines, docs/architecture.md says about {stated:,}: update the sentence"
    )


def test_the_count_leaves_the_web_app_out(tmp_path):
    for name, lines in (("kernel.py", 3), ("app/ui.py", 50), ("cli/app_cmd.py", 20), ("cli/train_cmd.py", 2)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n" * lines)
    assert core_lines(tmp_path) == 5
