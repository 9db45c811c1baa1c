"""``edutorch.cuda``: there is no GPU in edutorch, so this module answers as PyTorch's CPU build does."""
from __future__ import annotations


def is_available() -> bool:
    """Always False: edutorch computes on the CPU with NumPy."""
    return False


def device_count() -> int:
    return 0


def _no_cuda(*args, **kwargs):
    raise AssertionError(
        "Torch not compiled with CUDA enabled. edutorch runs on the CPU only; "
        "use device = 'cuda' if torch.cuda.is_available() else 'cpu'."
    )


current_device = get_device_name = get_device_properties = set_device = synchronize = _no_cuda


def manual_seed(seed: int) -> None:
    """Seeding CUDA is silently ignored when there is no GPU, as in PyTorch."""


manual_seed_all = manual_seed


def is_initialized() -> bool:
    return False


def empty_cache() -> None:
    """Nothing to free without a GPU."""


# torch.cuda.amp.autocast / GradScaler: the old spellings, disabled here as on a machine without a GPU.
# Registered as a submodule too, so `from torch.cuda.amp import GradScaler` works.
import sys as _sys  # noqa: E402

from . import _cuda_amp as amp  # noqa: E402

_sys.modules[f"{__name__}.amp"] = amp
