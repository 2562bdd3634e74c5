"""OpenPose BODY_25 JSON keypoints as a SkeletonLLM format plugin (a worked example)."""
