"""Zero-shot baselines that read joints: skeleton-text alignment and describe-then-match."""
