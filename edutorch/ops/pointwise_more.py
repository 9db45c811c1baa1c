"""Small elementwise functions tutorials and fuzzers reach for: frac, copysign, fmax/fmin (nan-ignoring
max/min), ldexp, float_power, angle, heaviside, nextafter, gcd/lcm, positive.

As in ops/pointwise_math.py, each gradient is elementwise; each docstring gives f and f'. Integer inputs of
float functions give float32; PyTorch's dtype refusals are reproduced with its messages.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .arithmetic import _binary, _refuse_bool, _unary_float_np, broadcast_shapes


class Frac(NumpyFunction):
    """out = a - trunc(a), the fractional part with a's sign.   d/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Copysign(NumpyFunction):
    """out = |a| with the sign of b.   d/da = sign(a) sign(out) (0 at a = 0);   d/db = 0 (a step)."""

    @staticmethod
    def forward(ctx, a, b, dtype):
        out = np.copysign(a.astype(dtype, copy=False), b.astype(dtype, copy=False))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return grad * (np.sign(a) * np.sign(out)).astype(grad.dtype), np.zeros_like(grad), None


class Fmax(NumpyFunction):
    """out = max(a, b), ignoring nan (nan only where both are nan).

    The gradient goes to the input chosen: a where a >= b or b is nan (ties go to a), else b."""

    @staticmethod
    def forward(ctx, a, b, dtype):
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.take_a = (a >= b) | np.isnan(b)
        return np.fmax(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.take_a, grad * ~ctx.take_a, None


class Fmin(Fmax):
    """out = min(a, b), ignoring nan.   The gradient goes to a where a <= b or b is nan, else to b."""

    @staticmethod
    def forward(ctx, a, b, dtype):
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.take_a = (a <= b) | np.isnan(b)
        return np.fmin(a, b)


class Ldexp(NumpyFunction):
    """out = a * 2^b.   d/da = 2^b;   d/db = out ln 2."""

    @staticmethod
    def forward(ctx, a, b, dtype):
        scale = np.exp2(b.astype(dtype, copy=False))
        out = a.astype(dtype, copy=False) * scale
        ctx.save_for_backward(scale, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        scale, out = ctx.saved_tensors
        return grad * scale, grad * out * math.log(2.0), None


class Angle(NumpyFunction):
    """The angle of a real number as a complex one: pi for negatives, 0 otherwise (nan stays nan).

    d/da = 0 (a step function)."""

    @staticmethod
    def forward(ctx, a):
        a = a.astype(_unary_float_np(a), copy=False)
        return np.where(a < 0, np.pi, np.where(np.isnan(a), a, 0)).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class Heaviside(NumpyFunction):
    """out = 0 for a < 0, ``values`` for a == 0, 1 for a > 0. PyTorch records it with no derivative."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, a, values, dtype):
        return np.heaviside(a, values).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def frac(input: Tensor) -> Tensor:
    """The fractional part ``x - trunc(x)`` (float tensors only, as in PyTorch)."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{input.dtype._c_name}'")
    return Frac.apply(input)


def copysign(input, other) -> Tensor:
    """|input| with the sign of ``other`` (always floating point)."""
    a, b, dtype = _binary(input, other)
    dtype = dtype if np.dtype(dtype).kind == "f" else _dtype.get_default_dtype().to_numpy()
    return Copysign.apply(a, b, dtype)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum that ignores nan (``maximum`` propagates it)."""
    a, b, dtype = _binary(input, other)
    return Fmax.apply(a, b, dtype)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum that ignores nan (``minimum`` propagates it)."""
    a, b, dtype = _binary(input, other)
    return Fmin.apply(a, b, dtype)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2^other (floating point)."""
    a, b, dtype = _binary(input, other)
    dtype = dtype if np.dtype(dtype).kind == "f" else _dtype.get_default_dtype().to_numpy()
    return Ldexp.apply(a, b, dtype)


def float_power(input, exponent) -> Tensor:
    """``pow`` computed in float64 (both operands are cast to double first, as PyTorch does)."""
    from .arithmetic import pow as _pow

    def as_double(x):
        return x.to(_dtype.float64) if isinstance(x, Tensor) else float(x)

    return _pow(as_double(input), as_double(exponent))


def angle(input: Tensor) -> Tensor:
    """The argument of each element as a complex number: pi for negative numbers, 0 otherwise."""
    return Angle.apply(input)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 below 0, ``values`` at 0, 1 above."""
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"({input.dtype} and {values.dtype})")
    broadcast_shapes(input.shape, values.shape)
    return Heaviside.apply(input, values, input._data.dtype)


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable float after ``input`` towards ``other`` (not differentiable)."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for '{input.dtype._c_name}'")
    a, b, dtype = _binary(input, other)
    return Tensor._make(np.nextafter(a._data, b._data).astype(dtype))


def _int_pair(kernel: str, input, other):
    a, b, dtype = _binary(input, other)
    _refuse_bool(kernel, dtype)
    if np.dtype(dtype).kind == "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtype.from_numpy_dtype(dtype)._c_name}'")
    return a._data, b._data


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor of integers (non-negative; gcd(0, 0) = 0)."""
    a, b = _int_pair("gcd_cpu", input, other)
    return Tensor._make(np.gcd(a, b))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple of integers (non-negative; 0 if either is 0)."""
    a, b = _int_pair("lcm_cpu", input, other)
    return Tensor._make(np.lcm(a, b))


def positive(input: Tensor) -> Tensor:
    """``+input``: the input itself (bool tensors are refused, as by PyTorch)."""
    if input.dtype is _dtype.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
