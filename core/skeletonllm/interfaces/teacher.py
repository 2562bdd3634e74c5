"""Teacher: writes the step-by-step rationale CR-Distill trains the student to reproduce."""

from __future__ import annotations

from abc import ABC, abstractmethod

from .base import Component


class Teacher(Component, ABC):
    def __init__(self, options=None) -> None:
        self.options = options if options is not None else self.Options()

    @abstractmethod
    def rationale(self, class_name: str, description: str | None = None) -> str:
        """A causal rationale that ends with the line ``Label: <class_name>``."""
