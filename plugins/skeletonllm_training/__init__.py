"""The paper's four training stages, the offline rationale teacher and the accuracy metric."""
