"""torch.cpu: the CPU device module. ``torch.cpu.amp.autocast`` is the old spelling of
``torch.amp.autocast('cpu')``."""
from . import amp

__all__ = ["amp", "is_available"]


def is_available() -> bool:
    """True: edutorch always has the CPU."""
    return True
