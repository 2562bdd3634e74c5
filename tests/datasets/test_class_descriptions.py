"""Class descriptions: every class of every dataset that ships a class list is described, part by part."""

from __future__ import annotations

import pytest
import yaml

from skeletonllm.errors import SkeletonDataError, SkeletonLLMError
from skeletonllm.interfaces import BODY_PARTS, ClassDescription
from skeletonllm.registry import get_registry
from skeletonllm_datasets.descriptions import _entry, description_files, load_descriptions
from skeletonllm_datasets.protocol_data import data_text

#: datasets whose class list ships with the package: the coverage test must reach each of them
SHIPPED = {
    "nw_ucla", "msr_action3d", "msrc12", "sbu", "synthetic", "ntu60", "ntu120", "ntu60_2d", "pku_mmd",
    "hdm05", "penn_action", "bandai",
}  # fmt: skip
#: options that change a dataset's class list (each variant is checked)
VARIANTS: dict[str, list[dict]] = {"bandai": [{"set": 1}, {"set": 2}]}


def class_lists(tmp_path) -> dict[str, list[str]]:
    """``dataset (variant) -> class names`` of every registered dataset whose classes are known without data."""
    registry = get_registry()
    found = {}
    for name in registry.names("dataset"):
        for variant in VARIANTS.get(name, [{}]):
            dataset = None
            for options in ({"root": str(tmp_path), **variant}, variant):
                try:
                    dataset = registry.create("dataset", name, options)
                    names = list(dataset.class_names)
                except (SkeletonLLMError, ValueError, OSError):
                    dataset = None  # needs data (or other options) to know its classes: ships no class list
                    continue
                break
            if dataset is not None and names:
                found[f"{name} {variant}" if variant else name] = (dataset, names)
    return found


def test_every_shipped_class_list_is_described(tmp_path):
    lists = class_lists(tmp_path)
    assert SHIPPED <= {key.split()[0] for key in lists}, "a dataset with a shipped class list was not reached"
    for key, (dataset, names) in lists.items():
        described = dataset.class_descriptions()
        assert set(described) == set(names), f"{key}: classes without a description: {set(names) - set(described)}"
        for name, entry in described.items():
            assert isinstance(entry, ClassDescription) and entry.name == name
            assert entry.whole.strip() and entry.source.strip(), f"{key} {name!r}: whole sentence and source"
            assert set(entry.parts) == set(BODY_PARTS), f"{key} {name!r}: parts {sorted(entry.parts)}"
            assert all(s.strip() for s in entry.parts.values())


def test_description_files_match_a_class_list():
    """No orphan file and no stray name: each file names exactly the classes of its benchmark."""
    from skeletonllm_datasets.synthetic import ACTIONS

    for benchmark in description_files():
        described = list(load_descriptions(benchmark))
        if benchmark == "synthetic":
            expected = list(ACTIONS)
        else:
            expected = [str(c["name"]) for c in yaml.safe_load(data_text(f"{benchmark}.yaml"))["classes"]]
        assert described == expected, benchmark


def test_shorthand_expands_and_bad_entries_are_refused():
    entry = _entry(
        {"name": "wave", "whole": "A wave.", "head": "Still.", "torso": "Still.", "right_arm": "Waves.",
         "left_arm": "Hangs.", "legs": "Stand."},
        0, "written here", "test.yaml",
    )  # fmt: skip
    assert entry.parts["left_leg"] == entry.parts["right_leg"] == "Stand."
    assert entry.source == "written here"
    assert entry.text(name=True).startswith("wave. A wave. head: Still.")
    assert "right arm: Waves." in entry.text()
    assert entry.text(parts=False) == "A wave."
    base = {"name": "x", "whole": "W.", "head": "h", "torso": "t", "arms": "a", "legs": "l"}
    with pytest.raises(SkeletonDataError, match="no sentence for"):
        _entry({k: v for k, v in base.items() if k != "legs"}, 0, "s", "t.yaml")
    with pytest.raises(SkeletonDataError, match="both given"):
        _entry({**base, "left_arm": "again"}, 0, "s", "t.yaml")
    with pytest.raises(SkeletonDataError, match="unknown keys"):
        _entry({**base, "hands": "?"}, 0, "s", "t.yaml")
    with pytest.raises(SkeletonDataError, match="non-empty"):
        _entry({**base, "whole": " "}, 0, "s", "t.yaml")


def test_synthact_subset_gets_its_own_descriptions():
    dataset = get_registry().create("dataset", "synthetic", {"actions": ["salute", "clapping"]})
    assert list(dataset.class_descriptions()) == ["salute", "clapping"]
