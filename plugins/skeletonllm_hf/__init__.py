"""skeletonllm_hf plugin package."""
