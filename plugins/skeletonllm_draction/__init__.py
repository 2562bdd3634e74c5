"""skeletonllm_draction plugin package."""
