"""Why the Align baseline stays at exactly chance on fixed renderers: its clip embeddings barely differ.

    python benchmarks/align_embedding_spread.py [--spec docs/specs/ablation_synthact_align.yaml]
        [--renderers draction,stick,jtm] [--clips 16] [--threads 1]

For each renderer, at initialisation (the state training starts from), prints how much the
pictures, the frame encoder's features and the final unit clip embeddings vary across clips
(standard deviation over clips, averaged over dimensions). The encoder's features vary a lot,
but they share a large common component, so after the projection and the unit normalisation the
clip embeddings are almost the same vector for every clip: every class then gets the same logit,
the loss sits at ln(K), and the gradient that would separate the clips is tiny.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
import yaml

from skeletonllm.pipeline import Pipeline
from skeletonllm.spec import validate_spec
from skeletonllm.threads import configure_threads

REPO = Path(__file__).resolve().parents[1]


def spread(renderer: str, base: dict, clips: int) -> dict[str, float]:
    spec = {**base, "renderer": {**base["renderer"], "name": renderer}, "output_dir": "/tmp/align-spread"}
    pipeline = Pipeline(validate_spec(spec))
    samples = pipeline.train_samples()[:clips]
    backbone = pipeline.backbone
    with torch.no_grad():
        frames = pipeline.render(samples, train=False)
        flat = frames.flatten(0, 1)
        size = backbone.options.image_size
        features = backbone.encoder(torch.nn.functional.interpolate(flat, size=(size, size)))
        embeddings = backbone.clip_embeddings(frames)
    return {
        "pictures": frames.std(0).mean().item(),
        "features": features.std(0).mean().item(),
        "feature_size": features.abs().mean().item(),
        "embeddings": embeddings.std(0).mean().item(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=REPO / "docs" / "specs" / "ablation_synthact_align.yaml")
    parser.add_argument("--renderers", default="draction,stick,jtm")
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    print(configure_threads(args.threads).describe(), file=sys.stderr)
    base = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    print("renderer      picture std  feature std (|feature|)  embedding std   (std over clips, at initialisation)")
    for name in args.renderers.split(","):
        s = spread(name, base, args.clips)
        print(
            f"{name:<12} {s['pictures']:11.4f}  {s['features']:11.4f} ({s['feature_size']:.3f})  {s['embeddings']:13.4f}"
        )


if __name__ == "__main__":
    main()
