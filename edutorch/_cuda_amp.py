"""torch.cuda.amp: deprecated spellings of torch.amp for CUDA. There is no GPU here, so (as PyTorch on a
machine without one) autocast disables itself and GradScaler is disabled, each with PyTorch's warnings."""
from __future__ import annotations

import warnings

from . import _dtype
from .amp import GradScaler as _GradScaler, autocast as _autocast

__all__ = ["GradScaler", "autocast"]


class autocast(_autocast):  # noqa: N801 - PyTorch's name
    """``torch.cuda.amp.autocast(...)`` = ``torch.amp.autocast('cuda', ...)`` (disabled: no CUDA)."""

    def __init__(self, enabled: bool = True, dtype: _dtype.dtype = _dtype.float16, cache_enabled: bool = True):
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    """``torch.cuda.amp.GradScaler(...)`` = ``torch.amp.GradScaler('cuda', ...)`` (disabled: no CUDA)."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
