"""skeletonllm_formats plugin package."""
