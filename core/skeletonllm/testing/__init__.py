"""Contract tests any plugin package runs against its own components, with one class per kind.

In a plugin's test suite (pytest)::

    from skeletonllm.testing import ComponentContract, FormatContract, RendererContract

    class TestMyFormats(FormatContract):
        plugin = "myplugin"  # the entry-point name in your pyproject; None tests every installed one

        def samples(self, folder):  # optional: a file each format reads, for the read/sniff/round-trip tests
            return {"my_format": write_a_small_file(folder)}

    class TestMyRenderers(RendererContract):
        plugin = "myplugin"

    class TestMyComponents(ComponentContract):
        plugin = "myplugin"

Each test is parametrised over the registry (as timm's tests are over ``list_models()``),
so a component registered tomorrow is tested without a new line of test code. SkeletonLLM's
own suite runs the same classes over the built-in plugins. Needs pytest (a dev dependency).
"""

from .cases import batch_of, kit_topologies, moving_positions, occupancy, sequence
from .components import ComponentContract, component_names
from .formats import FormatContract, check_consistent
from .renderers import RendererContract

__all__ = [
    "ComponentContract",
    "FormatContract",
    "RendererContract",
    "batch_of",
    "check_consistent",
    "component_names",
    "kit_topologies",
    "moving_positions",
    "occupancy",
    "sequence",
]
