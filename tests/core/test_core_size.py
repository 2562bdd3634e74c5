"""docs/architecture.md says how many lines the core is; this keeps the sentence true (within 10 %).

The one test of that sentence. The web app is a plugin package (``plugins/skeletonllm_app``), so
the count is every Python file under ``core/skeletonllm``, as the sentence's ``find ... | wc -l`` says.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core" / "skeletonllm"


def core_lines(core: Path = CORE) -> int:
    """Lines of Python under ``core`` (what ``find core/skeletonllm -name '*.py' -exec cat {} + | wc -l`` prints)."""
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in core.rglob("*.py"))


def stated_lines(text: str) -> int:
    found = re.search(r"is about ([\d,]+) lines\s+of Python", text)
    assert found, "docs/architecture.md no longer says how many lines the core is"
    return int(found.group(1).replace(",", ""))


def size_problem(counted: int, stated: int) -> str | None:
    """Why the stated figure is wrong (more than 10 % off what was counted), or None."""
    if abs(counted - stated) <= 0.10 * counted:
        return None
    return f"core/skeletonllm is {counted:,} lines, docs/architecture.md says about {stated:,}: update the sentence"


def test_the_architecture_page_states_the_core_size_within_ten_percent():
    stated = stated_lines((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    problem = size_problem(core_lines(), stated)
    assert problem is None, problem


def test_the_check_fails_a_stale_figure(tmp_path):
    for name, lines in (("kernel.py", 30), ("cli/train_cmd.py", 70), ("notes.txt", 500)):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n" * lines)
    assert core_lines(tmp_path) == 100
    assert stated_lines("The core, `core/skeletonllm`, is about 1,234 lines\nof Python: ...") == 1234
    assert size_problem(100, 95) is None
    assert "update the sentence" in size_problem(100, 80)
    assert "update the sentence" in size_problem(100, 120)
