"""skeletonllm_datasets plugin package."""
