"""``make_tensor``: a random tensor of a given shape and dtype, for tests.

Values are uniform in [low, high): by default [-9, 9) for floating dtypes, [-9, 10) for integers
(clamped to what the dtype can hold: [0, 10) for uint8), random True/False for bool. They come from
edutorch's global generator and are drawn as PyTorch draws them (``randint``, ``uniform_``), so after
the same ``manual_seed`` they are PyTorch's numbers.
"""
from __future__ import annotations

import collections.abc
import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..ops.creation import empty, randint


def _low_high(low, high, dtype, lowest: float, highest: float, default_low: float, default_high: float):
    """The user's bounds (or the defaults), checked and clamped to [lowest, highest)."""
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and dtype.is_floating_point:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} "
                         f"only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    if not dtype.is_floating_point:  # integers: ceil both, so no value falls below low (high is exclusive)
        return math.ceil(low), math.ceil(high)
    return low, high


def make_tensor(*shape, dtype: _dtype.dtype, device, low: float | None = None, high: float | None = None,
                requires_grad: bool = False, noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None) -> Tensor:
    """A tensor of ``shape`` (ints, or one sequence) filled with uniform random values in [low, high).

    ``exclude_zero`` replaces zeros by 1 (integers) or the dtype's smallest normal number;
    ``noncontiguous`` returns a strided view; ``requires_grad`` only for floating dtypes.
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and not dtype.is_floating_point:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:  # twice as wide, then every second column: a view with a stride of 2
        shape = (*shape[:-1], 2 * shape[-1])

    numpy_dtype = dtype.to_numpy()
    if dtype is _dtype.bool_:
        low, high = _low_high(low, high, dtype, 0, 2, 0, 2)
        result = randint(low, high, shape, dtype=dtype)._data
    elif not dtype.is_floating_point:
        info = np.iinfo(numpy_dtype)
        # int64's own maximum cannot be drawn (randint's exclusive bound would overflow)
        highest = info.max + (1 if dtype is not _dtype.int64 else 0)
        low, high = _low_high(low, high, dtype, info.min, highest, -9, 10)
        result = randint(low, high, shape, dtype=dtype)._data
    else:
        info = np.finfo(numpy_dtype)
        low, high = _low_high(low, high, dtype, float(info.min), float(info.max), -9, 9)
        result = empty(shape, dtype=dtype)
        if high - low >= float(info.max):  # halves first, so that high - low cannot overflow for the dtype
            result = result.uniform_(low / 2, high / 2)._data * numpy_dtype.type(2)
        else:
            result = result.uniform_(low, high)._data
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = 1 if not dtype.is_floating_point else np.finfo(numpy_dtype).tiny
    tensor = Tensor._make(np.asarray(result))
    if dtype.is_floating_point:
        tensor.requires_grad_(requires_grad)
    return tensor
