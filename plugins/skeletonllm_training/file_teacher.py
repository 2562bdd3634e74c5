"""The ``file`` teacher: rationales written elsewhere (e.g. by a large model), one per clip.

The paper's rationales come from a large teacher model run once over the
training set. That run happens outside this framework; its output is a JSONL
file, one record per clip keyed by the dataset's sample id::

    {"id": "synthact_03_0007", "rationale": "Summary: ...\\nStep 1: ..."}
    {"id": "...", "rationale": "...", "rationale_unlabelled": "..."}

``rationale_unlabelled`` (optional) is the text of a teacher that was not told
the label, for the paper's Table 8 variant. A final ``Label:`` line in a
record is dropped, because the CR-Distill stage appends its own. The file is
read once, eagerly, so a malformed line fails with its line number before any
training starts, and :meth:`FileTeacher.require` names every missing id at
once instead of the first one a thousand steps in: the trainer calls it with
every training clip's id before the first step (``Stage.check_teacher``), and
``skeletonllm validate`` does the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import PluginOptions, Teacher
from skeletonllm.safe_read import regular_file_problem
from skeletonllm.tasks import ClipContext, parse_label

_SHOWN = 5  # missing ids listed in an error before "... and N more"


class FileTeacherOptions(PluginOptions):
    path: str = Field(..., description="JSONL file: one {'id': sample id, 'rationale': text} record per clip")


def _strip_label_line(text: str) -> str:
    lines = text.strip().splitlines()
    if lines and parse_label(lines[-1]) is not None and lines[-1].lower().lstrip().startswith("label"):
        lines = lines[:-1]
    return "\n".join(lines).strip()


def _unique_keys(number: int, path: Path):  # noqa: ANN202 - a json object_pairs_hook
    def hook(pairs: list[tuple[str, object]]) -> dict:
        keys = [k for k, _ in pairs]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:  # json.loads would keep the last one silently
            raise SkeletonLLMError(f"{path}:{number}: field {twice[0]!r} appears twice in one record")
        return dict(pairs)

    return hook


def read_rationales(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """``id -> rationale`` and ``id -> unlabelled rationale`` from a JSONL file, checked line by line.

    The path must be a regular file (a named pipe would block, ``/dev/zero`` never ends) and
    every line UTF-8 JSON with each field once; errors name the file and the line.
    """
    problem = regular_file_problem(path, "a JSONL file of rationales")
    if problem:
        raise SkeletonLLMError(f"{path}: {problem}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SkeletonLLMError(f"{path}: cannot read the rationale file: {exc.strerror or exc}") from None
    labelled: dict[str, str] = {}
    unlabelled: dict[str, str] = {}
    for number, line_bytes in enumerate(raw.splitlines(), start=1):
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SkeletonLLMError(
                f"{path}:{number}: byte {exc.start + 1} of the line is not UTF-8 (expected UTF-8 JSON lines)"
            ) from None
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_unique_keys(number, path))
        except json.JSONDecodeError as exc:
            raise SkeletonLLMError(f"{path}:{number}: not a JSON object ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise SkeletonLLMError(f"{path}:{number}: JSON nested too deeply") from None
        if not isinstance(record, dict):
            raise SkeletonLLMError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        sample_id, rationale = record.get("id"), record.get("rationale")
        if not isinstance(sample_id, str) or not sample_id:
            raise SkeletonLLMError(f"{path}:{number}: field 'id' must be a non-empty string")
        if not isinstance(rationale, str) or not rationale.strip():
            raise SkeletonLLMError(f"{path}:{number}: field 'rationale' must be a non-empty string (id {sample_id!r})")
        if sample_id in labelled:
            raise SkeletonLLMError(f"{path}:{number}: id {sample_id!r} appears a second time")
        labelled[sample_id] = _strip_label_line(rationale)
        other = record.get("rationale_unlabelled")
        if other is not None:
            if not isinstance(other, str) or not other.strip():
                raise SkeletonLLMError(f"{path}:{number}: field 'rationale_unlabelled' must be a non-empty string")
            unlabelled[sample_id] = _strip_label_line(other)
    if not labelled:
        raise SkeletonLLMError(f"{path}: no rationale records")
    return labelled, unlabelled


def missing_message(path: Path, missing: list[str], what: str = "rationale") -> str:
    shown = ", ".join(repr(m) for m in missing[:_SHOWN])
    more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
    return f"{path}: no {what} for {len(missing)} clip(s): {shown}{more}"


class FileTeacher(Teacher):
    """Looks up each clip's rationale by sample id; see the module docstring."""

    name = "file"
    summary = "Per-clip rationales read from a JSONL file keyed by sample id (e.g. from a large model)"
    Options = FileTeacherOptions

    def __init__(self, options: FileTeacherOptions | None = None) -> None:
        super().__init__(options)
        self.path = Path(self.options.path)
        self._labelled, self._unlabelled = read_rationales(self.path)

    def require(self, sample_ids: Iterable[str], *, know_label: bool = True) -> None:
        """Fail once, naming the first few missing ids and their count, if any clip has no record."""
        table = self._labelled if know_label else self._unlabelled
        missing = [i for i in sample_ids if i not in table]
        if missing:
            what = "rationale" if know_label else "'rationale_unlabelled'"
            raise SkeletonLLMError(missing_message(self.path, missing, what))

    def rationale(self, clip: ClipContext, *, know_label: bool = True) -> str:
        self.require([clip.sample_id], know_label=know_label)
        table = self._labelled if know_label else self._unlabelled
        return table[clip.sample_id]
