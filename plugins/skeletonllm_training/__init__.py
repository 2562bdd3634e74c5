"""skeletonllm_training plugin package."""
