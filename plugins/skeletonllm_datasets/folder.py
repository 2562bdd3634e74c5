"""``folder``: your own labelled recordings, any registered format, listed in a CSV.

The files may be in any format a plugin reads, mixed freely: each is detected by
its content, as ``skeletonllm info`` does. The index (``folder_index``) gives each
file its class, and optionally its subject, its split and which sequence of a
container file it means.

* **Classes** are the CSV's class names **sorted** (so the labels do not depend on
  the order of the rows), or the ``classes`` option's list in its order, which may
  also name classes without clips (they are still offered as candidates).
* **Splits** (``default/train``, ``default/test``): the CSV's ``split`` column when
  it has one; else a cross-subject split when it has a ``subject`` column (the
  ``test_subjects`` option, or a seeded ``test_share`` of the subjects); else a
  seeded split of each class's files. ``all/test`` (or ``all/train``) is every
  clip: for testing a model trained elsewhere on all of your recordings.
* **Several sequences in one file** (a container such as a PYSKL pickle, several
  people in a COCO file): a row with a ``sequence`` number means that one; a row
  without means each of the file's sequences, all with the row's class, kept on
  the same side of every split. Several persons in one sequence stay one clip.
* **Bad rows** (a missing file, a format no plugin reads, an unreadable file, an
  empty class, a file listed twice) are left out and reported on one line with
  their row numbers, or, with ``strict: true``, are an error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import cached_property, partial
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.interfaces.base import PluginOptions
from skeletonllm.interfaces.dataset import Dataset, Sample
from skeletonllm.io import read_sequences
from skeletonllm.progress import progress
from skeletonllm.sequence import SkeletonSequence
from skeletonllm.tasks import normalise

from .folder_index import IndexTable, read_index
from .splitting import SkipReport, filter_classes, parse_split

PROTOCOLS = ("default", "all")


class FolderOptions(PluginOptions):
    """Where the files and their index are, and how to split them when the index does not say."""

    root: Path = Field(description="the folder of skeleton files (file names in the index are relative to it)")
    index: Path = Field(
        Path("index.csv"), description="the CSV (file,class[,subject,split,sequence]); relative to root"
    )
    classes: list[str] | None = Field(None, description="class names in label order (default: the CSV's, sorted)")
    split_by: Literal["auto", "column", "subject", "random"] = Field(
        "auto", description="auto: the split column, else subject, else random"
    )
    test_share: float = Field(0.25, gt=0, lt=1, description="share of subjects (or of each class's files) tested")
    test_subjects: list[str] | None = Field(None, description="subjects that test (split_by subject)")
    seed: int = Field(0, ge=0)
    strict: bool = Field(False, description="bad index rows are an error instead of skipped with a report")

    @field_validator("classes")
    @classmethod
    def _distinct_names(cls, names: list[str] | None) -> list[str] | None:
        if names is None:
            return None
        names = [n.strip() for n in names]
        if not names or any(not n for n in names):
            raise ValueError("class names must not be empty")
        _check_distinct(names)
        return names

    @field_validator("test_subjects")
    @classmethod
    def _some_subjects(cls, subjects: list[str] | None) -> list[str] | None:
        if subjects is not None and not [s for s in subjects if str(s).strip()]:
            raise ValueError("name at least one subject, or leave test_subjects out")
        return None if subjects is None else [str(s).strip() for s in subjects]


def _check_distinct(names: list[str]) -> None:
    """Two names a model's answer cannot tell apart ("Walk", "walk.") are one class written twice."""
    seen: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if key in seen:
            raise ValueError(f"class names {seen[key]!r} and {name!r} are the same name")
        seen[key] = name


def _load(path: Path, fmt: str, index: int, label: int, sample_id: str) -> SkeletonSequence:
    sequences = read_sequences(path, fmt)
    if index >= len(sequences):  # the file changed since the index was built
        raise SkeletonDataError(f"sequence {index} is gone: the file now holds {len(sequences)}", source=path)
    seq = sequences[index]
    seq.meta.update(label=label, id=sample_id)
    return seq


class FolderDataset(Dataset):
    name: ClassVar[str] = "folder"
    summary: ClassVar[str] = "Your own labelled recordings: a folder of files in any format plus a CSV index"
    Options: ClassVar[type[PluginOptions]] = FolderOptions

    # -- the CSV -------------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        index = Path(self.options.index).expanduser()
        return index if index.is_absolute() else Path(self.options.root).expanduser() / index

    @cached_property
    def table(self) -> IndexTable:
        """The parsed index; a problem with the CSV as a whole (no file, no header) is an error here."""
        if not Path(self.options.root).expanduser().is_dir():
            raise SkeletonDataError("folder: root is not a folder", source=self.options.root)
        table = read_index(self.index_path)
        rule = self.options.split_by
        if rule == "column" and not table.has_split:
            raise SkeletonDataError("split_by: column, but the index has no split column", source=table.path)
        if (rule == "subject" or self.options.test_subjects) and not table.has_subject:
            raise SkeletonDataError("a subject split needs a subject column in the index", source=table.path)
        return table

    @cached_property
    def class_names(self) -> list[str]:
        if self.options.classes is not None:
            return list(self.options.classes)
        names = sorted({row.label_name for row in self.table.rows})
        try:
            _check_distinct(names)
        except ValueError as exc:
            raise SkeletonDataError(str(exc), source=self.table.path, field="class") from None
        return names

    def protocols(self) -> list[str]:
        return list(PROTOCOLS)

    def protocol_description(self, protocol: str) -> str:
        if protocol == "all":
            return "every clip of the folder, in train and in test alike"
        if protocol != "default":
            return ""
        try:
            rule = self.split_rule
        except SkeletonDataError:
            return ""
        return {
            "column": "as the index's split column says",
            "subject": "cross-subject: train and test performers differ (the index's subject column)",
            "random": f"a seeded split of each class's files (seed {self.options.seed}, test share {self.options.test_share})",
        }[rule]

    def check(self) -> list[str]:
        """For ``skeletonllm validate``: the CSV's problems and its bad rows, without reading any clip.

        Bad rows are problems only with ``strict``; otherwise one line on stderr says which
        rows will be left out, as the run itself will.
        """
        try:
            table, names = self.table, set(map(normalise, self.class_names))
        except SkeletonDataError as exc:
            return [str(exc)]
        root = Path(self.options.root).expanduser()
        bad = [(n, why) for n, why in table.bad]
        for row in table.rows:
            path = Path(row.file).expanduser()
            if not (path if path.is_absolute() else root / path).is_file():
                bad.append((row.number, f"{row.file}: no such file"))
            elif normalise(row.label_name) not in names:
                bad.append((row.number, f"{row.file}: class {row.label_name!r} is not in the classes option"))
        bad.sort()
        shown = "; ".join(f"row {n} ({why})" for n, why in bad[:10]) + (
            f"; and {len(bad) - 10} more" if len(bad) > 10 else ""
        )
        if len(bad) == len(table.rows) + len(table.bad):
            return [f"{table.path}: no usable row: {shown}"]
        if bad and self.options.strict:
            return [f"{table.path}: strict, and {len(bad)} bad rows: {shown}"]
        if bad:
            print(f"{table.path}: {len(bad)} rows will be left out: {shown}", file=sys.stderr)
        return []

    @property
    def split_rule(self) -> str:
        rule = self.options.split_by
        if rule != "auto":
            return rule
        return "column" if self.table.has_split else "subject" if self.table.has_subject else "random"

    # -- the files -----------------------------------------------------------------------
    @cached_property
    def index(self) -> list[Sample]:
        """One sample per (row, sequence): every file is opened once here, so bad rows show up now."""
        table, root = self.table, Path(self.options.root).expanduser()
        labels = {normalise(n): i for i, n in enumerate(self.class_names)}
        report = SkipReport(what="index rows")
        report.skipped += [(f"row {n}", why) for n, why in table.bad]
        report.total = len(table.rows) + len(table.bad)
        out: list[Sample] = []
        first_row: dict[str, dict[int | None, int]] = {}  # resolved file -> sequence -> row
        rows = progress(table.rows, desc="reading the folder", unit="file") if len(table.rows) > 50 else table.rows
        for row in rows:
            label = labels.get(normalise(row.label_name))
            if label is None:
                report.add(f"row {row.number}", f"{row.file}: class {row.label_name!r} is not in the classes option")
                continue
            path = Path(row.file).expanduser()
            path = path if path.is_absolute() else root / path
            listed = first_row.setdefault(str(path.resolve()), {})
            if row.sequence is None:  # the whole file: clashes with any earlier row of it
                earlier = min(listed.values(), default=None)
            else:
                earlier = listed.get(row.sequence) or listed.get(None)
            if earlier:
                report.add(f"row {row.number}", f"{row.file}: listed again (first on row {earlier})")
                continue
            listed[row.sequence] = row.number
            try:
                sequences = read_sequences(path)
            except SkeletonLLMError as exc:
                report.add(f"row {row.number}", str(exc))
                continue
            if row.sequence is not None and row.sequence >= len(sequences):
                report.add(f"row {row.number}", f"{row.file}: sequence {row.sequence}, the file holds {len(sequences)}")
                continue
            fmt = str(sequences[0].meta.get("format"))
            picked = [row.sequence] if row.sequence is not None else list(range(len(sequences)))
            empty = [k for k in picked if not sequences[k].mask.any()]
            if empty:  # e.g. a COCO person annotated without keypoints: nothing to draw or learn from
                where = f"sequences {', '.join(map(str, empty))} (left out)" if len(sequences) > 1 else "the file"
                report.add(f"row {row.number}", f"{row.file}: {where}: no valid joint in any frame")
                if len(empty) == len(picked):
                    continue
                picked = [k for k in picked if k not in empty]
            for k in picked:
                sample_id = row.file if len(sequences) == 1 else f"{row.file}#{k}"
                meta = {"row": row.number, "file": row.file, "format": fmt, "sequence": k, "subject": row.subject,
                        "split": row.split, "group": row.number}  # fmt: skip
                out.append(Sample(sample_id, label, partial(_load, path, fmt, k, label, sample_id), meta=meta))
        report.skipped.sort(key=lambda item: int(item[0].split()[1]))
        self.report = report
        if report.skipped and self.options.strict:
            raise SkeletonDataError(f"strict: {report.summary(limit=20)}", source=table.path)
        report.print()
        if not out:
            raise SkeletonDataError(f"no usable row: {report.summary(limit=5)}", source=table.path)
        self._assign_parts(out)
        return out

    # -- splits --------------------------------------------------------------------------
    def _assign_parts(self, samples: list[Sample]) -> None:
        """Each sample's ``meta['part']`` under the split rule; whole files stay on one side."""
        rule = self.split_rule
        if rule == "column":
            for s in samples:
                s.meta["part"] = s.meta["split"]
            detail = "the index's split column"
        elif rule == "subject":
            test = self._test_subjects(samples)
            for s in samples:
                s.meta["part"] = "test" if s.meta["subject"] in test else "train"
            detail = f"subject (test subjects: {', '.join(sorted(test))})"
        else:
            test_rows = self._random_test_rows(samples)
            for s in samples:
                s.meta["part"] = "test" if s.meta["group"] in test_rows else "train"
            detail = (
                f"a seeded split of each class's files (seed {self.options.seed}, test share {self.options.test_share})"
            )
        counts = {p: sum(s.meta["part"] == p for s in samples) for p in ("train", "val", "test")}
        shown = ", ".join(f"{n} {p}" for p, n in counts.items() if n)
        print(f"folder {self.table.path}: {len(samples)} clips ({shown}), split by {detail}", file=sys.stderr)

    def _test_subjects(self, samples: list[Sample]) -> set[str]:
        subjects = sorted({s.meta["subject"] for s in samples})
        if self.options.test_subjects is not None:
            unknown = sorted(set(self.options.test_subjects) - set(subjects))
            if unknown:
                raise SkeletonDataError(
                    f"test_subjects {unknown} are not in the index (subjects: {', '.join(subjects)})",
                    source=self.table.path,
                    field="subject",
                )
            return set(self.options.test_subjects)
        if len(subjects) < 2:
            raise SkeletonDataError(
                f"a cross-subject split needs at least 2 subjects, the index has {len(subjects)}; "
                "add a split column or set split_by: random",
                source=self.table.path,
                field="subject",
            )
        count = min(len(subjects) - 1, max(1, round(self.options.test_share * len(subjects))))
        order = np.random.default_rng(self.options.seed).permutation(len(subjects))
        return {subjects[i] for i in order[:count]}

    def _random_test_rows(self, samples: list[Sample]) -> set[int]:
        """Per class, a seeded ``test_share`` of its files (at least one when it has two or more)."""
        rows_by_class: dict[int, list[int]] = {}
        for s in samples:
            rows = rows_by_class.setdefault(s.label, [])
            if s.meta["group"] not in rows:
                rows.append(s.meta["group"])
        rng = np.random.default_rng(self.options.seed)
        test: set[int] = set()
        for label in sorted(rows_by_class):
            rows = rows_by_class[label]
            count = min(len(rows) - 1, max(1, round(self.options.test_share * len(rows))))
            test.update(rows[i] for i in rng.permutation(len(rows))[:count])
        return test

    def samples(self, split: str, classes: set[int] | None = None) -> Iterator[Sample]:
        request = parse_split(split, self.name, self.protocols(), {}, parts=("train", "test", "val"))
        if request.head == "all":
            return filter_classes(iter(self.index), classes)
        if request.part == "val" and self.split_rule != "column":
            raise SkeletonDataError(
                f"folder: default/val needs a split column with val rows (the split is by {self.split_rule})",
                field="split",
            )
        chosen = (s for s in self.index if s.meta["part"] == request.part)
        return filter_classes(chosen, classes)
