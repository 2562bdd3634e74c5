"""The report lays out what metrics return: every value, interval, chance level, table, picture and note."""

from __future__ import annotations

import json

import pytest

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.interfaces import MetricResult, Picture, Table
from skeletonllm.report import render_markdown, write_report
from skeletonllm.stats import wilson_interval
from skeletonllm.tasks import Prediction, TaskExample, TaskKind


def _png(path):
    path.write_bytes(b"\x89PNG\r\n\x1a\n fake")


def full_result() -> MetricResult:
    return MetricResult(
        values={"hit_rate": 0.75, "misses": 3.0},
        intervals={"hit_rate": wilson_interval(9, 12)},
        chance={"hit_rate": 0.25},
        tables=[Table("Per group", ("group", "rate"), (("a", "0.5"), ("b | c", "1.0")), caption="groups of clips")],
        pictures=[Picture("chart.png", "A chart", _png)],
        notes={"hit_rate": "counted on parsed answers only", "": "a note on the whole metric"},
    )


def test_every_part_of_a_result_reaches_report_md_and_metrics_json(tmp_path):
    predictions = [Prediction(TaskExample(TaskKind.CAPTION, references=("a",)), "b", "clip1")]
    other = MetricResult(values={"score": 0.5}, notes={"score": "another metric's caveat"})
    report = write_report(
        tmp_path, predictions=predictions, results={"mine": full_result(), "theirs": other}, provenance={"seed": 4}
    )
    text = report.read_text()
    assert "## mine" in text and "## theirs" in text and "| seed | `4` |" in text
    iv = wilson_interval(9, 12)
    assert f"| hit_rate | 0.7500 | [{iv.low:.3f}, {iv.high:.3f}] | 12 | 0.250 |" in text
    assert "| misses | 3 |" in text and "Intervals: Wilson score 95 %." in text
    for note in ("counted on parsed answers only", "a note on the whole metric", "another metric's caveat"):
        assert note in text
    assert "### Per group" in text and "groups of clips" in text and "| b \\| c | 1.0 |" in text
    assert "![A chart](chart.png)" in text and (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["metrics"] == {"hit_rate": 0.75, "misses": 3.0, "score": 0.5}
    mine = saved["results"]["mine"]
    assert mine["notes"][""] == "a note on the whole metric" and mine["chance"] == {"hit_rate": 0.25}
    assert mine["intervals"]["hit_rate"]["n"] == 12 and mine["pictures"] == [{"file": "chart.png", "title": "A chart"}]
    assert mine["tables"][0]["rows"][1] == ["b | c", "1.0"]
    assert saved["results"]["theirs"]["notes"] == {"score": "another metric's caveat"}
    assert json.loads((tmp_path / "predictions.jsonl").read_text())["id"] == "clip1"


def test_pictures_of_two_metrics_with_one_file_name_do_not_overwrite_each_other(tmp_path):
    write_report(tmp_path, predictions=[], results={"a": full_result(), "b": full_result()}, provenance={})
    assert (tmp_path / "a_chart.png").exists() and (tmp_path / "b_chart.png").exists()
    assert "![A chart](a_chart.png)" in (tmp_path / "report.md").read_text()


def test_a_result_refuses_what_it_cannot_lay_out():
    with pytest.raises(SkeletonLLMError, match="not among the values"):
        MetricResult(values={"a": 1.0}, intervals={"b": wilson_interval(1, 2)})
    with pytest.raises(SkeletonLLMError, match="not a number"):
        MetricResult(values={"a": "high"})
    with pytest.raises(SkeletonLLMError, match="plain file name"):
        Picture("../escape.png", "x", _png)
    with pytest.raises(SkeletonLLMError, match="cells"):
        Table("t", ("a", "b"), (("only one",),))
    wrong = MetricResult(values={"a": 0.9, "b": float("nan")}, intervals={"a": wilson_interval(0, 4)})
    assert len(wrong.problems()) == 2  # NaN value, interval that misses its value


def test_a_metric_without_values_still_shows_its_note():
    text = render_markdown({"accuracy": MetricResult(notes={"": "no recognition answers to score"})}, {})
    assert "## accuracy" in text and "- no recognition answers to score" in text and "| figure |" not in text
