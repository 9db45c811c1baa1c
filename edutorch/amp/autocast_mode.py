"""``torch.autocast``: run a region of code in lower precision (mixed precision).

On a GPU, PyTorch's autocast runs matmuls and convolutions in float16 / bfloat16, which is faster and
uses less memory, while keeping sums and losses in float32. On the CPU it does the same with bfloat16.

edutorch computes everything in float32 (NumPy's fast BLAS path; it has no bfloat16 GEMM), so here
``autocast`` is accepted and records its state (``torch.is_autocast_enabled('cpu')``,
``torch.get_autocast_dtype('cpu')``) but casts nothing, and says so once with a warning. Your training
code runs unchanged; only the precision differs from PyTorch's (float32 results where PyTorch would
give bfloat16 ones for matmul / linear / conv outputs). Switch to ``import torch`` to measure the real
speed-up. Use it as PyTorch's::

    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        loss = loss_fn(model(x), y)

    @torch.autocast("cpu")
    def forward(x): ...
"""
from __future__ import annotations

import functools
import warnings

from .. import _dtype

__all__ = ["autocast", "get_autocast_dtype", "is_autocast_enabled"]

# PyTorch's list of device types (anything else is an error); only "cpu" exists here
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_DEFAULT_DTYPE = {"cpu": _dtype.bfloat16}  # every other device: float16
_enabled: dict[str, list] = {}  # device -> stack of (enabled, dtype), one entry per active autocast
_warned = False


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether an enabled ``autocast`` region for ``device_type`` is active (no argument: CUDA's, as PyTorch)."""
    stack = _enabled.get(device_type)
    return bool(stack and stack[-1][0])


def get_autocast_dtype(device_type: str) -> _dtype.dtype:
    """The dtype autocast would use on ``device_type`` (bfloat16 on the CPU unless an autocast set another)."""
    stack = _enabled.get(device_type)
    return stack[-1][1] if stack else _DEFAULT_DTYPE.get(device_type, _dtype.float16)


def _warn_float32_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn("edutorch runs in float32 on the CPU: torch.autocast is accepted but casts nothing, so "
                      "matmul / linear / conv results stay float32 where PyTorch would return bfloat16 (or "
                      "float16). Your code runs unchanged; switch to `import torch` for real mixed precision.",
                      UserWarning, stacklevel=3)


class autocast:  # noqa: N801 - PyTorch's name
    """Context manager / decorator for a mixed-precision region (see the module docstring)."""

    def __init__(self, device_type: str, dtype: _dtype.dtype | None = None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                               f"{device_type}")
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else get_autocast_dtype(device_type)
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", UserWarning,
                          stacklevel=2)
            enabled = False
        elif enabled and device_type != "cpu":
            warnings.warn(f"User provided device_type of '{device_type}', but it is not available here (edutorch "
                          "runs on the CPU). Disabling autocast.", UserWarning, stacklevel=2)
            enabled = False
        elif enabled and self.fast_dtype not in (_dtype.bfloat16, _dtype.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.",
                          UserWarning, stacklevel=2)
            enabled = False
        self._enabled = bool(enabled)

    def __enter__(self):
        if self._enabled:
            _warn_float32_once()
        _enabled.setdefault(self.device, []).append((self._enabled, self.fast_dtype))
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _enabled[self.device].pop()

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorate_autocast
