"""Comparisons and logic: ==, <, &, isnan, ... They return bool tensors and have no gradient."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .arithmetic import broadcast_shapes


def _arrays(a, b):
    """Operands as arrays; Python numbers stay numbers so NumPy compares them without up-casting."""
    return (a._data if isinstance(a, Tensor) else a), (b._data if isinstance(b, Tensor) else b)


def _compare(ufunc, a, b) -> Tensor:
    x, y = _arrays(a, b)
    try:
        return Tensor._make(np.asarray(ufunc(x, y)))
    except ValueError:
        sa, sb = np.shape(x), np.shape(y)
        raise RuntimeError(
            f"The size of tensor a ({sa[-1] if sa else 1}) must match the size of tensor b "
            f"({sb[-1] if sb else 1}) at non-singleton dimension: shapes {list(sa)} and {list(sb)} "
            "cannot be broadcast together"
        ) from None


def eq(input, other) -> Tensor:
    return _compare(np.equal, input, other)


def ne(input, other) -> Tensor:
    return _compare(np.not_equal, input, other)


def lt(input, other) -> Tensor:
    return _compare(np.less, input, other)


def le(input, other) -> Tensor:
    return _compare(np.less_equal, input, other)


def gt(input, other) -> Tensor:
    return _compare(np.greater, input, other)


def ge(input, other) -> Tensor:
    return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and the same values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """|input - other| <= atol + rtol * |other|, elementwise."""
    x, y = _arrays(input, other)
    return Tensor._make(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def isnan(input: Tensor) -> Tensor:
    return Tensor._make(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return Tensor._make(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor._make(np.isfinite(input._data))


def logical_and(input, other) -> Tensor:
    return _compare(np.logical_and, input, other)


def logical_or(input, other) -> Tensor:
    return _compare(np.logical_or, input, other)


def logical_xor(input, other) -> Tensor:
    return _compare(np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data))


def _bitwise(ufunc, a, b) -> Tensor:
    x, y = _arrays(a, b)
    if np.shape(x) != np.shape(y):
        broadcast_shapes(np.shape(x), np.shape(y))
    for v in (x, y):
        if np.asarray(v).dtype.kind == "f":
            raise RuntimeError(f'"{ufunc.__name__}_cpu" not implemented for \'Float\'')
    return Tensor._make(np.asarray(ufunc(x, y)))


def bitwise_and(input, other) -> Tensor:
    return _bitwise(np.bitwise_and, input, other)


def bitwise_or(input, other) -> Tensor:
    return _bitwise(np.bitwise_or, input, other)


def bitwise_xor(input, other) -> Tensor:
    return _bitwise(np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    if input.dtype.is_floating_point:
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return Tensor._make(np.invert(input._data))
