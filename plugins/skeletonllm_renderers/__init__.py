"""skeletonllm_renderers plugin package."""
