"""Vision pretraining: a backbone's vision tower learns to read rendered skeletons from targets the joints give.

``targets`` (landmarks and kinematic facts of a clip), ``rendered`` (clips rendered once,
with their targets), ``heads`` (the prediction heads, loss and figures), ``pretrain``
(the loop), ``stage`` (the ``vision_pretrain`` stage), ``probe`` (a linear probe on frozen
features) and ``cli`` (``skeletonllm pretrain-vision``). The saved tower's format and
cache are the core's (``skeletonllm.towers``), so backbones load it without this package.
"""
