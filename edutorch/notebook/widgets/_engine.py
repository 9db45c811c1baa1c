"""Which library an object comes from: the notebook tools work on edutorch's objects and on PyTorch's.

A learner who switches to ``import torch`` keeps the tools. They find out by duck typing where both
libraries answer alike (``module.register_forward_hook``, ``node.next_functions``, ``tensor.numpy()``)
and, where they need the library itself (``no_grad``, ``zeros``, ``nn.functional``), by the class's
module name: a class defined in ``torch`` (or a subclass of one, such as your ``class Net(nn.Module)``)
means PyTorch. ``torch`` is imported only then, so edutorch alone never loads it.
"""
from __future__ import annotations

import types


def is_torch(obj) -> bool:
    """True for PyTorch's tensors and modules (and subclasses) and for the ``torch`` module itself."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__.split(".")[0] == "torch"
    return any((getattr(c, "__module__", None) or "").split(".")[0] == "torch" for c in type(obj).__mro__)


def engine_of(obj):
    """The library ``obj`` belongs to, as a module: ``torch`` (imported now) or ``edutorch``."""
    if is_torch(obj):
        import torch

        return torch
    import edutorch

    return edutorch


def engine_name(engine) -> str:
    return engine.__name__.split(".")[0]
