"""The pictures of the Look tab: a clip through every renderer as GIFs, and a joint-speed plot.

Renderers are built once per (name, frames, size) and kept: DrAction's
Gaussians are initialised at random, so rebuilding on every click would make
the same clip look different each time.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skeletonllm.errors import SkeletonLLMError
from skeletonllm.legend import ColourLegend

from .clip import Clip, joint_speeds, sampled_frames


def renderer_names() -> list[str]:
    """Every registered renderer (third-party ones included), the default renderer first, then by name.

    The default is the one a plugin declares for ``skeletonllm render`` (``default_for``; DrAction
    among the built-ins), so the app names no renderer; with none declared, name order alone.
    """
    from skeletonllm.errors import UnknownPluginError
    from skeletonllm.registry import get_registry

    registry = get_registry()
    try:
        first = registry.default("renderer", "render")
    except UnknownPluginError:
        first = None
    return sorted(registry.names("renderer"), key=lambda n: (n != first, n))


@dataclass(frozen=True)
class Rendered:
    """One renderer's animation of a clip, or why it could not draw it."""

    renderer: str
    path: Path | None
    error: str | None = None
    seconds: float = 0.0
    legend: ColourLegend | None = None  # what the renderer's colours mean, shown beside its animation

    @property
    def caption(self) -> str:
        if self.error:
            return f"{self.renderer}: {self.error}"
        return f"{self.renderer} ({self.seconds:.1f} s)"


def accepted_options(name: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The entries of ``options`` that renderer ``name``'s Options model has a field for.

    One options box serves every renderer: ``fill=0.6`` frames DrAction's
    figure tighter and is simply not offered to baselines without ``fill``.
    """
    from skeletonllm.registry import get_registry

    fields = get_registry().get("renderer", name).Options.model_fields
    return {k: v for k, v in (options or {}).items() if k in fields and k not in ("frames", "size")}


def unused_options(names: list[str], options: dict[str, Any] | None) -> list[str]:
    """Option keys no renderer of ``names`` accepts (a typo, most likely)."""
    from skeletonllm.errors import UnknownPluginError

    used: set[str] = set()
    for name in names:
        try:
            used |= set(accepted_options(name, options))
        except UnknownPluginError:
            continue
    return sorted(set(options or {}) - used)


class RendererCache:
    """Built renderers, one per (name, frames, size, options), in evaluation mode; shared between requests."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, int, int, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, name: str, frames: int, size: int, options: dict[str, Any] | None = None) -> Any:
        """The renderer ``name`` with the ``options`` it accepts (validated by its Options model)."""
        from skeletonllm.registry import get_registry

        accepted = accepted_options(name, options)
        key = (name, frames, size, json.dumps(accepted, sort_keys=True, default=str))
        with self._lock:
            if key not in self._built:
                renderer = get_registry().create("renderer", name, {"frames": frames, "size": size, **accepted})
                self._built[key] = renderer.eval()
            return self._built[key]

    def render_gifs(
        self,
        clip: Clip,
        names: list[str],
        frames: int,
        size: int,
        out_dir: Path,
        fps: float = 4.0,
        options: dict[str, Any] | None = None,
    ) -> list[Rendered]:
        """``clip`` through each renderer of ``names`` as a looping GIF in ``out_dir``.

        A renderer that cannot draw this clip (a 2D-only baseline given a 3D
        file, say) yields its error message, so the others still show.
        """
        import time

        from skeletonllm.batch import SkeletonBatch
        from skeletonllm.imaging import write_gif
        from skeletonllm.rendering import render_batch

        out_dir.mkdir(parents=True, exist_ok=True)
        batch = SkeletonBatch.from_sequences([clip.sequence], frames=frames, train=False)
        results = []
        for name in names:
            started = time.perf_counter()
            try:
                renderer = self.get(name, frames, size, options)
                with self._lock:  # one forward pass at a time: renderers keep per-call buffers
                    images = render_batch(renderer, batch)
                # a fresh name per request: two pages rendering the same file never swap pictures
                unique = uuid.uuid4().hex[:8]
                path = write_gif(images, out_dir / f"{_safe(clip.name)}-{name}-{unique}.gif", fps=fps)
            except SkeletonLLMError as exc:
                results.append(Rendered(name, None, str(exc)))
                continue
            seconds = time.perf_counter() - started
            results.append(Rendered(name, path, seconds=seconds, legend=renderer.colour_legend()))
        return results


#: the side, in pixels, each frame of the model's view is enlarged to at least (nearest neighbour)
MODEL_VIEW_SIDE = 224


def model_view(frames: Any, path: Path, legend: ColourLegend | None = None, side: int = MODEL_VIEW_SIDE) -> Path:
    """What the model saw as one contact sheet, each frame enlarged by a whole factor to at least ``side`` px.

    Nearest neighbour, so the pixels the model read stay visible as pixels (a 56 px
    frame is shown at 224 px as 4x4 blocks, not blurred); the renderer's colour
    key goes under it.
    """
    from PIL import Image

    from skeletonllm.imaging import contact_sheet
    from skeletonllm.legend import with_legend

    sheet = contact_sheet(frames)
    factor = max(1, -(-side // max(1, int(frames.shape[-1]))))
    if factor > 1:
        sheet = sheet.resize((sheet.width * factor, sheet.height * factor), Image.Resampling.NEAREST)
    path.parent.mkdir(parents=True, exist_ok=True)
    with_legend(sheet, legend).save(path)
    return path


def write_legend(legend: ColourLegend, out_dir: Path, renderer: str, width: int = 480) -> Path:
    """The colour key of ``renderer`` as a PNG in ``out_dir`` (one file per key, rewritten only when it changes)."""
    from skeletonllm.legend import legend_strip

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"legend-{_safe(renderer)}-{abs(hash(legend)) % 10**8:08d}.png"
    if not path.exists():
        legend_strip(legend, width).save(path)
    return path


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60] or "clip"


#: joint names on the heat map: this many points high, one name every JOINT_ROW_INCHES at least
JOINT_FONT_PT = 6
JOINT_ROW_INCHES = 0.11
#: above this many joints, names are thinned to every k-th (the map itself keeps every joint)
MAX_NAMED_JOINTS = 80


def heat_map_inches(joints: int) -> float:
    """Height of one person's heat map: enough for a legible name per joint, up to MAX_NAMED_JOINTS names."""
    return max(1.6, JOINT_ROW_INCHES * min(joints, MAX_NAMED_JOINTS) + 0.4)


def label_step(joints: int) -> int:
    """Name every joint, or every k-th when there are more than MAX_NAMED_JOINTS."""
    return max(1, -(-joints // MAX_NAMED_JOINTS))


def speed_figure(clip: Clip, frames: int) -> Any:
    """Joint speeds over time (a joints x time heat map, missing joints grey) and the mean speed per person.

    Dashed lines mark the frames a renderer samples; the hatched band marks
    frames where a present person has missing joints. A matplotlib ``Figure``
    built without pyplot, so concurrent requests do not share global state.
    """
    from matplotlib.figure import Figure

    sequence = clip.sequence
    speeds, unit = joint_speeds(sequence)
    marks = sampled_frames(clip, frames)
    persons = speeds.shape[0]
    heat = heat_map_inches(sequence.num_joints)
    fig = Figure(figsize=(8, 1.6 + heat * persons), layout="constrained")
    ratios = [heat] * persons + [1.2]
    axes = fig.subplots(persons + 1, 1, sharex=True, height_ratios=ratios, squeeze=False)[:, 0]
    x0, x1 = clip.start, clip.start + sequence.num_frames
    for person, ax in enumerate(axes[:persons]):
        ax.set_label(f"heat map {person + 1}")
        _heat_map(ax, speeds[person], sequence, person, (x0, x1), unit)
    line_ax = axes[-1]
    line_ax.set_label("mean speed")
    if speeds.shape[1]:
        steps = np.arange(speeds.shape[1]) + clip.start + 0.5
        for person in range(persons):
            valid = ~np.isnan(speeds[person])
            mean = np.full(speeds.shape[1], np.nan)
            any_valid = valid.any(axis=1)
            mean[any_valid] = np.nanmean(speeds[person][any_valid], axis=1)
            line_ax.plot(steps, mean, lw=1.2, label=f"person {person + 1}")
        if persons > 1:
            line_ax.legend(loc="upper right", fontsize=7)
    else:
        line_ax.text(0.5, 0.5, "one frame: no speed", ha="center", va="center", transform=line_ax.transAxes)
    _missing_band(line_ax, sequence, clip.start)
    line_ax.set_ylabel(f"mean speed\n({unit})", fontsize=8)
    line_ax.set_xlabel("frame")
    for ax in axes:
        for mark in marks:
            ax.axvline(mark + 0.5, color="tab:red", lw=0.8, ls="--", alpha=0.8)
    line_ax.set_xlim(x0, x1)
    axes[0].set_title(f"{clip.name}: joint speeds; dashed = the {len(marks)} rendered frames", fontsize=9)
    return fig


def _heat_map(ax: Any, speeds: np.ndarray, sequence, person: int, span: tuple[int, int], unit: str) -> None:
    """One person's joints x time speeds; NaN (a joint missing) is drawn grey, not as zero."""
    import matplotlib

    ax.set_ylabel(f"person {person + 1}\njoint", fontsize=8)
    if not speeds.size:  # a one-frame clip has no speed to draw
        ax.text(0.5, 0.5, "one frame: no speed", ha="center", va="center", transform=ax.transAxes)
        return
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#bbbbbb")
    data = np.ma.masked_invalid(speeds.T)
    finite = speeds[np.isfinite(speeds)]
    top = float(np.percentile(finite, 99)) if finite.size else 1.0
    image = ax.imshow(
        data, aspect="auto", cmap=cmap, vmin=0.0, vmax=max(top, 1e-9), interpolation="nearest",
        extent=(span[0] + 0.5, span[1] - 0.5, sequence.num_joints - 0.5, -0.5),
    )  # fmt: skip
    step = label_step(sequence.num_joints)
    ticks = list(range(0, sequence.num_joints, step))
    ax.set_yticks(ticks, [sequence.topology.joint_names[i] for i in ticks], fontsize=JOINT_FONT_PT)
    ax.figure.colorbar(image, ax=ax, label=unit, pad=0.01)


def _missing_band(ax: Any, sequence, start: int) -> None:
    """Hatch the frames where some present person lacks a joint, so gaps read as missing, not as still."""
    present = sequence.person_present[:, :, None]
    missing = (present & ~sequence.mask).any(axis=(0, 2))
    if not missing.any():
        return
    flags = np.concatenate([[0], missing.astype(np.int8), [0]])
    starts, stops = np.flatnonzero(np.diff(flags) == 1), np.flatnonzero(np.diff(flags) == -1)
    runs = [(start + int(a), int(b - a)) for a, b in zip(starts, stops)]  # (first frame, length)
    ax.broken_barh(runs, (0, 1), transform=ax.get_xaxis_transform(), color="grey", alpha=0.3, hatch="//", lw=0)
    ax.text(0.01, 0.9, f"hatched: {int(missing.sum())} frames with missing joints", fontsize=7,
            transform=ax.transAxes, va="top")  # fmt: skip
