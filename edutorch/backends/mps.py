"""``edutorch.backends.mps``: Apple's Metal GPUs (MPS) are not part of edutorch; both answers are False."""
from __future__ import annotations


def is_available() -> bool:
    """False: edutorch computes on the CPU, even on a Mac with an Apple GPU."""
    return False


def is_built() -> bool:
    """False: edutorch was not built with MPS support (PyTorch's wheels for Linux answer the same)."""
    return False
