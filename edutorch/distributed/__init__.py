"""torch.distributed: training on several processes or machines. Not in edutorch, which runs in one CPU
process; ``is_available()`` is False, as on PyTorch builds without it, and everything else raises a
``NotImplementedError`` saying to switch to ``import torch`` (see edutorch/_out_of_scope.py)."""
from .._out_of_scope import module_getattr

_WHY = "edutorch has no distributed backend (it runs in one CPU process)."
__getattr__ = module_getattr("torch.distributed", _WHY)


def is_available() -> bool:
    """False: there is no distributed package in edutorch (PyTorch answers the same on builds without it)."""
    return False


def is_initialized() -> bool:
    """False: no process group can exist."""
    return False
