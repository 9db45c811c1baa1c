"""``edutorch.accelerator``: PyTorch's device-agnostic way to ask for a GPU (or other accelerator).

Current tutorials pick their device like this, and it runs unchanged on edutorch:

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

edutorch computes with NumPy on the CPU, so it answers as a CPU-only PyTorch build does: there is no
accelerator, and the code above picks ``"cpu"``.
"""
from __future__ import annotations

from ._device import device


def is_available() -> bool:
    """Always False: edutorch has no accelerator (CUDA, MPS, XPU, ...)."""
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator's device type, or None when there is none, which is always the case here."""
    return None


def device_count() -> int:
    """How many accelerator devices there are: 0."""
    return 0
