"""Elementwise arithmetic: + - * / // % **, exp, log, sqrt, trig, clamp, maximum, where, lerp, casts.

Each op is a ``NumpyFunction``: ``forward`` computes on NumPy arrays, ``backward`` receives the gradient
of the output (``grad``, same shape as the output) and returns one gradient per input. Broadcasting is
undone by the engine (``_unbroadcast``), so a backward may return a gradient in the output's shape.

Ops marked ``double_backward = True`` write their backward with operators that arrays and tensors
share, so ``create_graph=True`` can run the same code on tensors and differentiate it again.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype, _memory_format as _mf
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from ..autograd.graph import _masked


# --------------------------------------------------------------------------------------- helpers
def _as_operand(x, dtype: _dtype.dtype | None = None) -> Tensor:
    """A Python number or array as a tensor (a constant: it appears as ``(None, 0)`` in the graph)."""
    if isinstance(x, Tensor):
        return x
    if dtype is None:
        dtype = _dtype.result_type(x) if not isinstance(x, np.ndarray) else _dtype.from_numpy_dtype(x.dtype)
    # astype (not asarray(dtype=)) wraps out-of-range numbers as PyTorch does: uint8 + 1000 -> +232.
    return Tensor._make(np.asarray(x).astype(dtype.to_numpy()))


def broadcast_shapes(*shapes) -> tuple:
    """The shape that tensors of ``shapes`` broadcast to, with PyTorch's error when they cannot.

    Shapes are aligned on the right; each pair of sizes must be equal or one of them 1.
    """
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    result = []
    for dim in range(ndim):
        sizes = {p[dim] for p in padded} - {1}
        if len(sizes) > 1:
            a, b = sorted(sizes, key=[p[dim] for p in padded].index)[:2]
            raise RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                f"dimension {dim}: shapes {[list(s) for s in shapes]} cannot be broadcast together"
            )
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def _binary(a, b):
    """Both operands as tensors, plus the NumPy dtype of the result by PyTorch's promotion rules."""
    dtype = _dtype.result_type(a, b)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.shape != b._data.shape:
        broadcast_shapes(a._data.shape, b._data.shape)  # raises PyTorch's RuntimeError for incompatible shapes
    return _as_operand(a, dtype), _as_operand(b, dtype), dtype.to_numpy()


def _float_dtype(*operands) -> np.dtype:
    """Result dtype of an op that always gives floats (true division, exp of an int tensor, ...)."""
    dtype = _dtype.result_type(*operands)
    return (dtype if dtype.is_floating_point else _dtype.get_default_dtype()).to_numpy()


def _log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def _sign(x):
    if isinstance(x, Tensor):
        return x.sign()
    if x.dtype.kind == "f":  # sign(nan) = 0, as PyTorch's sign and sgn
        return np.where(np.isnan(x), 0, np.sign(x)).astype(x.dtype)
    return np.sign(x)


def _cos(x):
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def _sin(x):
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def _zeros_like(x):
    return x * 0 if isinstance(x, Tensor) else np.zeros_like(x)


# ---------------------------------------------------------------------------------- binary ops
class Add(NumpyFunction):
    """out = a + alpha * b.   d/da = 1, d/db = alpha."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, alpha, dtype):
        ctx.alpha = alpha
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        if dtype == np.bool_:  # bools add as "or", and alpha only says whether b counts
            return a | b if alpha else a.copy()
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None, None


class Sub(NumpyFunction):
    """out = a - alpha * b.   d/da = 1, d/db = -alpha."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, alpha, dtype):
        ctx.alpha = alpha
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad * ctx.alpha, None, None


class Mul(NumpyFunction):
    """out = a * b.   d/da = b, d/db = a (each input's gradient needs the other input)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dtype):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return a.astype(dtype, copy=False) * b.astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None, None)


class Div(NumpyFunction):
    """out = a / b.   d/da = 1 / b, d/db = -a / b**2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dtype):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return np.true_divide(a, b, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad / b if ctx.needs_input_grad[0] else None,
                -grad * a / (b * b) if ctx.needs_input_grad[1] else None, None)


class Remainder(NumpyFunction):
    """out = a - floor(a / b) * b (sign of b, Python's %).   d/da = 1, d/db = -floor(a / b)."""

    node_name = "RemainderBackward1"  # PyTorch's name when both are tensors (0 is tensor % number)

    @staticmethod
    def forward(ctx, a, b, dtype):
        ctx.save_for_backward(a, b)
        return np.mod(a.astype(dtype, copy=False), b.astype(dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, -grad * np.floor_divide(a, b), None


class Fmod(NumpyFunction):
    """out = a - trunc(a / b) * b (sign of a, C's fmod).   d/da = 1, d/db = -trunc(a / b)."""

    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx, a, b, dtype):
        ctx.save_for_backward(a, b)
        return np.fmod(a.astype(dtype, copy=False), b.astype(dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * np.trunc(a / b) if ctx.needs_input_grad[1] else None), None


class FmodScalar(NumpyFunction):
    """out = fmod(a, s) for a number s.   d/da = 1."""

    node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx, a, s, dtype):
        return np.fmod(a.astype(dtype, copy=False), np.asarray(s, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None


class DivRounded(NumpyFunction):
    """out = trunc(a / b) or floor(a / b) (``rounding_mode``). A step function: its gradient is 0
    wherever it exists, and PyTorch returns zeros for both inputs."""

    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx, a, b, mode, dtype):
        rounded = np.trunc if mode == "trunc" else np.floor
        if np.dtype(dtype).kind == "f":
            return rounded(np.true_divide(a, b, dtype=dtype))
        return rounded(np.true_divide(a, b)).astype(dtype)  # integers: exact (the zero check ran before)

    @staticmethod
    def backward(ctx, grad):
        zeros = np.zeros_like(grad)
        return zeros, zeros, None, None


class FloorDivide(DivRounded):
    """``floor_divide`` / ``//``: PyTorch records it but has no derivative for it."""

    node_name = "NotImplemented"

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class PowScalar(NumpyFunction):
    """out = a ** p for a number p.   d/da = p * a ** (p - 1)."""

    node_name = "PowBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, p):
        ctx.p = p
        ctx.save_for_backward(a)
        dtype = a.dtype if (a.dtype.kind == "f" or isinstance(p, int)) else _dtype.get_default_dtype().to_numpy()
        return np.power(a.astype(dtype, copy=False), np.asarray(p, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return _zeros_like(grad), None
        return grad * p * a ** (p - 1), None


def _int_power_negative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer a ** b where some b < 0, as PyTorch's integer kernel: 1 ** b = 1, (-1) ** b = +-1 by b's
    parity, and every other base (0 included) gives 0 (the integer part of 1 / a ** |b|)."""
    out = np.power(a, np.abs(b))
    negative = b < 0
    minus_one = np.where(b % 2 == 0, 1, -1).astype(out.dtype)
    inverse = np.where(a == 1, 1, np.where(a == -1, minus_one, 0)).astype(out.dtype)
    return np.where(negative, inverse, out)


class PowTensor(NumpyFunction):
    """out = a ** b for two tensors.   d/da = b * a ** (b - 1), d/db = out * log(a)."""

    node_name = "PowBackward1"
    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dtype):
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        if np.dtype(dtype).kind in "iu" and (b < 0).any():
            out = _int_power_negative(a, b)
        else:
            out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = None
        if ctx.needs_input_grad[0]:  # b * a**(b-1) is 0 * inf = nan at a = b = 0; PyTorch gives 0 where b == 0
            grad_a = grad * b * a ** (b - 1)
            no_exponent = b == 0
            if isinstance(grad_a, Tensor):
                grad_a = where(no_exponent, Tensor._make(np.zeros_like(grad_a._data)), grad_a)
            else:
                grad_a = np.where(no_exponent, 0, grad_a).astype(grad.dtype)
        # log(a) is -inf or nan where a <= 0; PyTorch masks the gradient to 0 where a == 0 and b >= 0.
        grad_b = None
        if ctx.needs_input_grad[1]:
            grad_b = grad * out * _log(a)
            at_zero = (a == 0) & (b >= 0)
            if isinstance(grad_b, Tensor):  # double backward: the same mask, recorded as a where
                grad_b = where(at_zero, Tensor._make(np.zeros_like(grad_b._data)), grad_b)
            else:
                grad_b = np.where(at_zero, 0, grad_b).astype(grad.dtype)
        return grad_a, grad_b, None


class RPowScalar(NumpyFunction):
    """out = s ** b for a number s.   d/db = out * log(s)."""

    node_name = "PowBackward2"
    double_backward = True

    @staticmethod
    def forward(ctx, s, b, dtype):
        out = np.power(np.asarray(s, dtype=dtype), b.astype(dtype, copy=False))
        ctx.log_s = math.log(s) if s > 0 else (float("-inf") if s == 0 else float("nan"))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return None, grad * out * ctx.log_s, None


def _check_alpha(alpha, dtype) -> None:
    """PyTorch's rules for ``alpha``: no float alpha for an integer result, no bool alpha for a number."""
    kind = np.dtype(dtype).kind
    if isinstance(alpha, float) and kind in "iub":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if isinstance(alpha, bool) and kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


def add(input, other, *, alpha=1) -> Tensor:
    """input + alpha * other, broadcasting, with PyTorch's type promotion."""
    a, b, dtype = _binary(input, other)
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, dtype)
    return Add.apply(a, b, alpha, dtype)


def sub(input, other, *, alpha=1) -> Tensor:
    """input - alpha * other."""
    a, b, dtype = _binary(input, other)
    if dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, dtype)
    return Sub.apply(a, b, alpha, dtype)


subtract = sub


def mul(input, other) -> Tensor:
    """input * other, elementwise with broadcasting."""
    a, b, dtype = _binary(input, other)
    return Mul.apply(a, b, dtype)


multiply = mul


def div(input, other, *, rounding_mode=None) -> Tensor:
    """True division (always floating point); ``rounding_mode='trunc'`` or ``'floor'`` rounds."""
    if rounding_mode is None and not isinstance(input, Tensor):
        return mul(reciprocal(other), input)  # number / tensor, as PyTorch computes it
    if rounding_mode is None:  # a number becomes a tensor of the result's dtype: float64 / 1.1 stays exact
        dtype = _float_dtype(input, other)
        wanted = _dtype.from_numpy_dtype(dtype)
        if isinstance(other, Tensor) and input.shape != other.shape:
            broadcast_shapes(input.shape, other.shape)
        return Div.apply(_as_operand(input, wanted), _as_operand(other, wanted), dtype)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    a, b, dtype = _binary(input, other)
    _refuse_bool(f"div_{rounding_mode}_cpu", dtype)
    if np.dtype(dtype).kind != "f":
        _check_int_division(b)
    return DivRounded.apply(a, b, rounding_mode, dtype)


divide = true_divide = div


def _refuse_bool(kernel: str, dtype) -> None:
    """PyTorch has no bool kernel for some ops (floor, abs, ``//`` of two bools, ...): its error."""
    if np.dtype(dtype) == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_int_division(b: Tensor) -> None:
    if (b._data == 0).any():
        raise RuntimeError("ZeroDivisionError")


def floor_divide(input, other) -> Tensor:
    """Division rounded towards minus infinity (Python's //); not differentiable (as in PyTorch)."""
    a, b, dtype = _binary(input, other)
    _refuse_bool("div_floor_cpu", dtype)
    if np.dtype(dtype).kind != "f":
        _check_int_division(b)
    return FloorDivide.apply(a, b, "floor", dtype)


def remainder(input, other) -> Tensor:
    """Python's modulus: the result has the sign of ``other``."""
    a, b, dtype = _binary(input, other)
    _refuse_bool("remainder_cpu", dtype)
    if np.dtype(dtype).kind != "f":
        _check_int_division(b)
    return Remainder.apply(a, b, dtype)


def fmod(input, other) -> Tensor:
    """C's modulus: the result has the sign of ``input``."""
    if not isinstance(other, Tensor):
        dtype = _dtype.result_type(input, other).to_numpy()
        _refuse_bool("fmod_cpu", dtype)
        if np.dtype(dtype).kind != "f" and other == 0:
            raise RuntimeError("ZeroDivisionError")
        return FmodScalar.apply(input, other, dtype)
    a, b, dtype = _binary(input, other)
    _refuse_bool("fmod_cpu", dtype)
    if np.dtype(dtype).kind != "f":
        _check_int_division(b)
    return Fmod.apply(a, b, dtype)


def pow(input, exponent) -> Tensor:
    """input ** exponent; either side may be a number."""
    if not isinstance(exponent, Tensor):
        if not isinstance(input, Tensor):
            raise TypeError("pow() needs at least one tensor argument")
        if input.dtype is _dtype.bool_ and isinstance(exponent, bool):  # x ** True = x, x ** False = True
            return Tensor._make(input._data.copy() if exponent else np.ones_like(input._data))
        if input.dtype is _dtype.bool_ and not isinstance(exponent, float):
            input = input.to(_dtype.int64)  # PyTorch raises bools to integer powers as int64
        if input.dtype.is_floating_point or not isinstance(exponent, float):
            if not input.dtype.is_floating_point and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return PowScalar.apply(input, exponent)
        return PowScalar.apply(input.to(_dtype.get_default_dtype()), exponent)
    if not isinstance(input, Tensor):
        return RPowScalar.apply(input, exponent, _dtype.result_type(input, exponent).to_numpy())
    a, b, dtype = _binary(input, exponent)
    _refuse_bool("pow", dtype)
    return PowTensor.apply(a, b, dtype)


# ----------------------------------------------------------------------------------- unary ops
class Neg(NumpyFunction):
    """out = -a.   d/da = -1."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        return np.negative(a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Abs(NumpyFunction):
    """out = |a|.   d/da = sign(a) (0 at 0, as PyTorch chooses)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _sign(a)


class Exp(NumpyFunction):
    """out = e^a.   d/da = e^a = out, so the output is saved rather than recomputed."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a, dtype=_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Expm1(NumpyFunction):
    """out = e^a - 1 (accurate near 0).   d/da = out + 1."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.expm1(a, dtype=_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log(NumpyFunction):
    """out = ln(a).   d/da = 1 / a."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Log1p(NumpyFunction):
    """out = ln(1 + a) (accurate near 0).   d/da = 1 / (1 + a)."""

    node_name = "Log1PBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Log2(NumpyFunction):
    """out = log2(a).   d/da = 1 / (a ln 2)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2.0))


class Log10(NumpyFunction):
    """out = log10(a).   d/da = 1 / (a ln 10)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(10.0))


class Sqrt(NumpyFunction):
    """out = sqrt(a).   d/da = 1 / (2 sqrt(a)) = 1 / (2 out)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a, dtype=_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Rsqrt(NumpyFunction):
    """out = 1 / sqrt(a).   d/da = -1/2 a^(-3/2) = -out^3 / 2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        dtype = _unary_float_np(a)
        out = np.reciprocal(np.sqrt(a, dtype=dtype))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * out * out * -0.5


class Reciprocal(NumpyFunction):
    """out = 1 / a.   d/da = -1 / a^2 = -out^2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.reciprocal(a.astype(_unary_float_np(a), copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -grad * out * out


class Sin(NumpyFunction):
    """out = sin(a).   d/da = cos(a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _cos(a)


class Cos(NumpyFunction):
    """out = cos(a).   d/da = -sin(a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * _sin(a)


class Tan(NumpyFunction):
    """out = tan(a).   d/da = 1 + tan(a)^2 = 1 + out^2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.tan(a, dtype=_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out + 1)


class Atan(NumpyFunction):
    """out = arctan(a), in (-pi/2, pi/2).   d/da = 1 / (1 + a^2)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * a + 1)


class _Rounding(NumpyFunction):
    """Base of sign, floor, ceil, round, trunc: piecewise constant, so the gradient is 0 everywhere."""

    double_backward = True

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad)


class Sign(_Rounding):
    @staticmethod
    def forward(ctx, a):
        out = np.sign(a)
        return np.where(np.isnan(a), 0, out).astype(out.dtype) if a.dtype.kind == "f" else out  # sign(nan) = 0


class Floor(_Rounding):
    @staticmethod
    def forward(ctx, a):
        return np.floor(a)


class Ceil(_Rounding):
    @staticmethod
    def forward(ctx, a):
        return np.ceil(a)


class Round(_Rounding):
    """Rounds half to even, as PyTorch (and NumPy) do: round(0.5) = 0, round(1.5) = 2."""

    @staticmethod
    def forward(ctx, a, decimals=0):
        return np.round(a, decimals)

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad), None


class Trunc(_Rounding):
    @staticmethod
    def forward(ctx, a):
        return np.trunc(a)


def _unary_float_np(a: np.ndarray) -> np.dtype:
    """Float ops on an integer array give the default float dtype, not NumPy's float64."""
    return a.dtype if _dtype.is_float_numpy(a.dtype) else _dtype.get_default_dtype().to_numpy()


def neg(input: Tensor) -> Tensor:
    if input.dtype is _dtype.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


negative = neg


def abs(input: Tensor) -> Tensor:
    _refuse_bool("abs_cpu", input._data.dtype)
    return Abs.apply(input)


absolute = abs


def exp(input: Tensor) -> Tensor:
    return Exp.apply(input)


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(input)


def log(input: Tensor) -> Tensor:
    return Log.apply(input)


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(input)


def log2(input: Tensor) -> Tensor:
    return Log2.apply(input)


def log10(input: Tensor) -> Tensor:
    return Log10.apply(input)


def sqrt(input: Tensor) -> Tensor:
    return Sqrt.apply(input)


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(input)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(input)


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


def sin(input: Tensor) -> Tensor:
    return Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    return Cos.apply(input)


def tan(input: Tensor) -> Tensor:
    return Tan.apply(input)


def atan(input: Tensor) -> Tensor:
    return Atan.apply(input)


arctan = atan


def sign(input: Tensor) -> Tensor:
    if input.dtype is _dtype.bool_:  # the sign of True is True, of False False
        return input.clone()
    return Sign.apply(input)


def floor(input: Tensor) -> Tensor:
    _refuse_bool("floor_vml_cpu", input._data.dtype)
    return Floor.apply(input) if input.dtype.is_floating_point else input.clone()


def ceil(input: Tensor) -> Tensor:
    _refuse_bool("ceil_vml_cpu", input._data.dtype)
    return Ceil.apply(input) if input.dtype.is_floating_point else input.clone()


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    _refuse_bool("round_vml_cpu" if decimals == 0 else "round_cpu", input._data.dtype)
    return Round.apply(input, decimals)


def trunc(input: Tensor) -> Tensor:
    _refuse_bool("trunc_vml_cpu", input._data.dtype)
    return Trunc.apply(input) if input.dtype.is_floating_point else input.clone()


fix = trunc


# -------------------------------------------------------------------- clamp, maximum, where, lerp
class Clamp(NumpyFunction):
    """out = min(max(a, lo), hi).   d/da = 1 where lo <= a <= hi, else 0 (the clipped part is flat)."""

    node_name = "ClampBackward1"
    double_backward = True

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        out = a
        if lo is not None:
            out = np.maximum(out, np.asarray(lo, dtype=a.dtype))
        if hi is not None:
            out = np.minimum(out, np.asarray(hi, dtype=a.dtype))
        return out if out is not a else a.copy()

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        inside = None
        if ctx.lo is not None:
            inside = a >= ctx.lo
        if ctx.hi is not None:
            below = a <= ctx.hi
            inside = below if inside is None else inside & below
        return (grad if inside is None else _masked(grad, inside)), None, None


def clamp(input: Tensor, min=None, max=None) -> Tensor:
    """Limit every element to [min, max] (either bound may be None; bounds may be tensors)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    # The bounds take part in type promotion: an int tensor clamped to [0.5, 2.5] gives floats.
    dtype = _dtype.result_type(input, *(bound for bound in (min, max) if bound is not None))
    input = input if dtype is input.dtype else input.to(dtype)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input if min is None else maximum(input, _as_operand(min, dtype))
        return out if max is None else minimum(out, _as_operand(max, dtype))
    return Clamp.apply(input, min, max)


clip = clamp


class Maximum(NumpyFunction):
    """out = max(a, b) elementwise.   The gradient goes to the larger input, split in half on ties."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dtype):
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        tie = (a == b) * 0.5
        return grad * ((a > b) + tie), grad * ((a < b) + tie), None


class Minimum(NumpyFunction):
    """out = min(a, b) elementwise.   The gradient goes to the smaller input, split in half on ties."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dtype):
        a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        tie = (a == b) * 0.5
        return grad * ((a < b) + tie), grad * ((a > b) + tie), None


def maximum(input: Tensor, other: Tensor) -> Tensor:
    a, b, dtype = _binary(input, other)
    return Maximum.apply(a, b, dtype)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    a, b, dtype = _binary(input, other)
    return Minimum.apply(a, b, dtype)


class Where(NumpyFunction):
    """out = a where cond else b.   d/da = cond, d/db = not cond (cond itself gets no gradient)."""

    double_backward = True

    @staticmethod
    def forward(ctx, cond, a, b, dtype):
        ctx.cond = cond
        return np.where(cond, a, b).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        cond = ctx.cond
        return None, _masked(grad, cond), _masked(grad, ~cond), None


def where(condition: Tensor, input=None, other=None):
    """Elementwise choice: ``input`` where ``condition`` is True, else ``other``.

    With only ``condition``, returns the indices of its True elements (like ``nonzero(as_tuple=True)``).
    """
    if input is None and other is None:
        from .indexing import nonzero

        return nonzero(condition, as_tuple=True)
    if condition.dtype is not _dtype.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype._c_name}")
    a, b, dtype = _binary(input, other)
    broadcast_shapes(condition.shape, a.shape, b.shape)
    # The condition is passed as an array so it is not a graph input, as in PyTorch.
    return Where.apply(condition._data, a, b, dtype)


class Lerp(NumpyFunction):
    """out = a + w * (b - a).   d/da = 1 - w, d/db = w, d/dw = b - a."""

    double_backward = True
    node_name = "LerpBackward1"  # PyTorch's name when the weight is a tensor

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return a + w * (b - a)

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        return grad * (1 - w), grad * w, (grad * (b - a) if ctx.needs_input_grad[2] else None)


# The C++ type names PyTorch's lerp uses in its dtype errors.
_C_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation from ``input`` (weight 0) to ``end`` (weight 1).

    As PyTorch: ``input`` and ``end`` have one dtype; a tensor weight has it too, unless it is 0-d (then
    it joins the type promotion, like a number); only float results have a kernel."""
    def c_type(t):
        return _C_TYPE.get(str(t.dtype).removeprefix("torch."), str(t.dtype))

    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {c_type(input)} for `end` but got dtype {c_type(end)}")
    if not isinstance(weight, Tensor):
        if not input.dtype.is_floating_point:
            raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{input.dtype._c_name}'")
        broadcast_shapes(input.shape, end.shape)
        return LerpScalar.apply(input, end, _as_operand(weight, input.dtype))
    if weight.dim() != 0 and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {c_type(input)} for `weight` but got dtype {c_type(weight)}")
    dtype = _dtype.result_type(input, end, weight)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"lerp_kernel_tensor\" not implemented for '{dtype._c_name}'")
    broadcast_shapes(input.shape, end.shape, weight.shape)
    return Lerp.apply(input.to(dtype), end.to(dtype), weight.to(dtype))


class LerpScalar(Lerp):
    """lerp with a number as weight: the same math, PyTorch's other node name."""

    node_name = "LerpBackward0"


# -------------------------------------------------------------------------- casts and copies
class ToCopy(NumpyFunction):
    """A copy in another dtype.   backward: the gradient cast back (the engine casts it)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Clone(NumpyFunction):
    """A copy with its own storage.   d/da = 1."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class CopyFrom(NumpyFunction):
    """``self.copy_(src)``: src broadcast to self's shape and cast to its dtype.

    backward: self's old values were overwritten, so they get no gradient; src gets the gradient summed
    over the broadcast axes.
    """

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, dst, src):
        return np.array(np.broadcast_to(src, dst.shape), dtype=dst.dtype)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), grad


class Fill(NumpyFunction):
    """``self.fill_(value)``: every element becomes value; self's old values get a zero gradient."""

    node_name = "FillBackward2"  # PyTorch's name for fill_(number)

    @staticmethod
    def forward(ctx, dst, value):
        return np.full(dst.shape, value, dtype=dst.dtype)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


def to_dtype(input: Tensor, dtype: _dtype.dtype) -> Tensor:
    return ToCopy.apply(input, dtype.to_numpy())


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy; ``memory_format`` (default ``torch.preserve_format``) picks its layout (edutorch/_memory_format.py)."""
    out = Clone.apply(input)
    fmt = _mf.preserve_format if memory_format is None else memory_format
    target = _mf.suggest_format(input._data) if fmt is _mf.preserve_format else fmt
    if target is not _mf.contiguous_format:  # Clone copied in row-major order; lay the copy out as asked
        out._data = _mf.in_format(out._data, target)
    return out


def copy_from(dst: Tensor, src) -> Tensor:
    src = _as_operand(src, dst.dtype)
    try:
        np.broadcast_shapes(src.shape, dst.shape)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({dst.shape[-1] if dst.dim() else 1}) must match the size of tensor b "
            f"({src.shape[-1] if src.dim() else 1}) at non-singleton dimension {dst.dim() - 1}: "
            f"cannot copy a tensor of shape {list(src.shape)} into one of shape {list(dst.shape)}"
        ) from None
    if broadcast_shapes(src.shape, dst.shape) != tuple(dst.shape):  # src must fit dst, not grow it
        raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                           f"{list(broadcast_shapes(src.shape, dst.shape))}")
    return CopyFrom.apply(dst, src)


def fill(dst: Tensor, value) -> Tensor:
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value.dim()} dimensions."
            )
        return copy_from(dst, value)
    return Fill.apply(dst, value)

