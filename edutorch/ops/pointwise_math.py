"""More elementwise math: inverse and hyperbolic trig, erf and friends, exp2, logit, hypot, logaddexp,
xlogy, sinc, angle conversion, nan_to_num, addcmul / addcdiv, and the integer bit shifts.

Every op here is elementwise, so every gradient is elementwise too: the output's gradient times the
derivative of the scalar function at each element,

    out_i = f(a_i)          grad_a_i = grad_i * f'(a_i)
    out_i = f(a_i, b_i)     grad_a_i = grad_i * df/da (a_i, b_i),   grad_b_i = grad_i * df/db (a_i, b_i)

and broadcasting is undone by the engine. Each docstring gives f and f'. Integer inputs of float
functions give the default float dtype (``torch.erf(torch.tensor([1]))`` is float32), and float32
stays float32: where a formula is computed in float64 for accuracy (erf, erfinv), it is cast back.

erf, erfc and erfinv have no NumPy function; they are written here (``_erf_array``, ``_erfinv_array``)
to float64 accuracy, so float32 results are the correctly rounded ones: they agree with PyTorch's to one
unit in the last place, measured at about 20 000 points across their range
(tests/ops/test_pointwise_math.py).
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .arithmetic import _as_operand, _float_dtype, _unary_float_np, broadcast_shapes


# --------------------------------------------------------------------------------------- helpers
def _float_operands(op: str, input, other) -> tuple:
    """Two operands of a binary float function as tensors of one float dtype (ints give float32)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dtype = _dtype.from_numpy_dtype(_float_dtype(input, other))
    a, b = _as_operand(input), _as_operand(other)
    broadcast_shapes(a.shape, b.shape)
    return a.to(dtype), b.to(dtype)


# Each does the same on a NumPy array (a first backward) or a tensor (a second one, create_graph=True),
# so the backwards written with them and with + - * / have ``double_backward = True``.
def _sqrt(x):
    return x.sqrt() if isinstance(x, Tensor) else np.sqrt(x)


def _exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _exp2(x):
    return x.exp2() if isinstance(x, Tensor) else np.exp2(x)


def _sinh(x):
    return x.sinh() if isinstance(x, Tensor) else np.sinh(x)


def _cosh(x):
    return x.cosh() if isinstance(x, Tensor) else np.cosh(x)


def _float_only(op: str, *tensors: Tensor) -> None:
    """PyTorch's refusal for ops whose kernels exist only for floats (hypot, logaddexp)."""
    for t in tensors:
        if not t.dtype.is_floating_point:
            raise NotImplementedError(f'"{op}_cpu" not implemented for \'{t.dtype._c_name}\'')


# ----------------------------------------------------------------------- inverse trig, hyperbolic
class Asin(NumpyFunction):
    """out = arcsin(a), in [-pi/2, pi/2] for a in [-1, 1] (nan outside).   d/da = 1 / sqrt(1 - a^2)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / _sqrt(1 - a * a)


class Acos(NumpyFunction):
    """out = arccos(a), in [0, pi] for a in [-1, 1].   d/da = -1 / sqrt(1 - a^2)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad / _sqrt(1 - a * a)


class Atan2(NumpyFunction):
    """out = atan2(a, b): the angle of the point (x=b, y=a), in (-pi, pi], quadrant-aware.

    d/da = b / (a^2 + b^2),   d/db = -a / (a^2 + b^2).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        scale = grad / (a * a + b * b)
        return scale * b, -scale * a


class Sinh(NumpyFunction):
    """out = sinh(a) = (e^a - e^-a) / 2.   d/da = cosh(a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _cosh(a)


class Cosh(NumpyFunction):
    """out = cosh(a) = (e^a + e^-a) / 2.   d/da = sinh(a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _sinh(a)


class Asinh(NumpyFunction):
    """out = asinh(a) = ln(a + sqrt(a^2 + 1)).   d/da = 1 / sqrt(a^2 + 1)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsinh(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / _sqrt(a * a + 1)


class Acosh(NumpyFunction):
    """out = acosh(a) = ln(a + sqrt(a^2 - 1)) for a >= 1 (nan below).   d/da = 1 / sqrt(a^2 - 1)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccosh(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / _sqrt(a * a - 1)


class Atanh(NumpyFunction):
    """out = atanh(a) = ln((1 + a) / (1 - a)) / 2 for |a| < 1.   d/da = 1 / (1 - a^2)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctanh(a, dtype=_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 - a * a)


# ---------------------------------------------------------------------------- erf, erfc, erfinv
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


_SERIES_LIMIT = 1.8  # below: the Taylor series; above: the continued fraction


def _erf_series(x: np.ndarray) -> np.ndarray:
    """erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), the Taylor series. For |x| < 1.8, 42
    terms reach float64 accuracy (the terms grow to about e^(x^2) ~ 25 before they shrink, which costs
    about one digit to cancellation)."""
    x2, term, total = x * x, x, x
    for n in range(1, 42):  # a fixed number of terms, each a whole-array step
        term = -term * x2 / n
        total = total + term / (2 * n + 1)
    return _TWO_OVER_SQRT_PI * total


def _erfc_continued_fraction(z: np.ndarray) -> np.ndarray:
    """erfc(z) for z >= 1.8 by Laplace's continued fraction

        erfc(z) = e^(-z^2) / sqrt(pi) * 1 / (z + (1/2) / (z + 1 / (z + (3/2) / (z + 2 / (z + ...)))))

    evaluated from the bottom up with 50 levels (float64 accuracy from z = 1.8 on; it converges faster
    the larger z is). It keeps erfc's *relative* accuracy in the far tail, where 1 - erf would be 0.
    """
    return np.exp(-z * z) / (math.sqrt(math.pi) * _erfc_fraction(z))


def _erfc_fraction(z: np.ndarray) -> np.ndarray:
    """The continued fraction t = z + (1/2) / (z + 1 / (z + ...)) of ``_erfc_continued_fraction``, so
    erfc(z) = e^(-z^2) / (sqrt(pi) t); ln erfc(z) = -z^2 - ln(sqrt(pi) t) stays finite where erfc(z)
    underflows (torch.special.log_ndtr uses it)."""
    t = z
    for k in range(50, 0, -1):
        t = z + (k / 2) / t
    return t


def _erf_array(a: np.ndarray, complement: bool = False) -> np.ndarray:
    """erf(a) (or erfc(a)) computed in float64, to about 1e-15 relative (erfc: 1e-13), and cast back to
    a's float dtype.

    Near 0 the Taylor series; from |a| = 1.8 on (and for nan), the continued fraction for erfc(|a|),
    with erf(a) = sign(a) (1 - erfc(|a|)) and erfc(-z) = 2 - erfc(z) for the negative half. Each
    element is computed by one of the two methods only (boolean masks pick the elements, not a loop).
    """
    x = a.astype(np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < _SERIES_LIMIT
    series = _erf_series(x[small])
    big = x[~small]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = _erfc_continued_fraction(np.abs(big))  # erfc(|x|)
    tail = np.where(np.isinf(big), 0.0, tail)  # erfc(inf) = 0 (the fraction gives 0 / inf = nan)
    if complement:
        out[small], out[~small] = 1 - series, np.where(big > 0, tail, 2 - tail)
    else:
        out[small], out[~small] = series, np.sign(big) * (1 - tail)
    return out.astype(_unary_float_np(a))


_NEWTON_STEPS = 4


def _erfinv_array(y: np.ndarray) -> np.ndarray:
    """erfinv(y) for y in [-1, 1] (+-inf at +-1, nan outside), in float64, cast back. By symmetry,
    erfinv(-y) = -erfinv(y), so it solves for |y| and puts the sign back.

    1. A first guess from M. Giles' single-precision approximation ("Approximating the erfinv function",
       GPU Computing Gems, 2011): with w = -ln((1 - y)(1 + y)), erfinv(y) ~ y * P(w - 2.5) for w < 5
       (the centre) and y * Q(sqrt(w) - 3) in the tails, P and Q polynomials of degree 8.
    2. Four Newton steps. For |y| < 0.5 on erf(x) = |y|:  x <- x - (erf(x) - |y|) / erf'(x), with
       erf'(x) = 2/sqrt(pi) e^(-x^2). Nearer 1 on ln erfc(x) = ln(1 - |y|), which is close to a parabola
       in x (erfc falls like e^(-x^2)), so Newton converges fast even far out, where the first guess is
       poor:  x <- x + (ln erfc(x) - ln(1 - |y|)) * erfc(x) / erf'(x).
    """
    y64 = y.astype(np.float64)
    ay = np.abs(y64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = -np.log((1 - ay) * (1 + ay))
        central = w < 5
        wc = w - 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):
            p = c + p * wc
        wt = np.sqrt(np.where(central, 9.0, w)) - 3
        q = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):
            q = c + q * wt
        x = np.where(central, p, q) * ay
        x = np.where(ay == 1, np.inf, np.where(ay > 1, np.nan, x))  # and nan stays nan
        inner, outer = ay < 0.5, (ay >= 0.5) & (ay < 1)
        xi, yi = x[inner], ay[inner]
        xo, yo = x[outer], ay[outer]
        for _ in range(_NEWTON_STEPS):  # each step a few whole-array operations
            xi = xi - (_erf_array(xi) - yi) / (_TWO_OVER_SQRT_PI * np.exp(-xi * xi))
            tail = _erf_array(xo, complement=True)  # erfc(x)
            xo = xo + (np.log(tail) - np.log1p(-yo)) * tail / (_TWO_OVER_SQRT_PI * np.exp(-xo * xo))
        x[inner], x[outer] = xi, xo
    return (np.sign(y64) * x).astype(_unary_float_np(y))


class Erf(NumpyFunction):
    """out = erf(a) = 2/sqrt(pi) * integral_0^a e^(-t^2) dt (see ``_erf_array`` for how).

    d/da = 2/sqrt(pi) * e^(-a^2): the integrand at the upper limit.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _erf_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (_TWO_OVER_SQRT_PI * _exp(-a * a))


class Erfc(NumpyFunction):
    """out = erfc(a) = 1 - erf(a), computed directly so it stays accurate where it is tiny (a > 3).

    d/da = -2/sqrt(pi) * e^(-a^2).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _erf_array(a, complement=True)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (-_TWO_OVER_SQRT_PI * _exp(-a * a))


class Erfinv(NumpyFunction):
    """out = erfinv(a): the x with erf(x) = a, for a in (-1, 1) (see ``_erfinv_array`` for how).

    d/da = 1 / erf'(out) = sqrt(pi)/2 * e^(out^2)   (the derivative of an inverse function).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = _erfinv_array(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (_exp(out * out) * (math.sqrt(math.pi) / 2))


# ------------------------------------------------------------------ exp2, logit, sinc, deg/rad
class Exp2(NumpyFunction):
    """out = 2^a.   d/da = 2^a ln 2 = out * ln 2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp2(a, dtype=_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * math.log(2.0)


class Logit(NumpyFunction):
    """out = ln(z / (1 - z)), the inverse of sigmoid, with z = a clamped to [eps, 1 - eps] when eps is
    given (so 0 and 1 give finite values).

    d/da = 1 / (a (1 - a)) where a lies inside [eps, 1 - eps], and 0 where the clamp cut it off.
    """

    @staticmethod
    def forward(ctx, a, eps):
        a = a.astype(_unary_float_np(a), copy=False)
        ctx.eps = eps
        ctx.save_for_backward(a)
        z = a if eps is None else np.clip(a, eps, 1 - eps)
        return np.log(z / (1 - z))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        slope = grad / (a * (1 - a))
        if ctx.eps is None:
            return slope, None
        return np.where((a < ctx.eps) | (a > 1 - ctx.eps), 0, slope).astype(grad.dtype), None


class Sinc(NumpyFunction):
    """out = sin(pi a) / (pi a), and 1 at a = 0 (its limit): the normalised sinc.

    d/da = (cos(pi a) pi a - sin(pi a)) / (pi a^2), and 0 at a = 0 (sinc is even, flat at its top).
    """

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinc(a.astype(_unary_float_np(a), copy=False))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        pa = np.pi * a
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (np.cos(pa) * pa - np.sin(pa)) / (pa * a)
        return grad * np.where(a == 0, 0, slope).astype(grad.dtype)


class Deg2rad(NumpyFunction):
    """out = a * pi / 180.   d/da = pi / 180."""

    node_name = "Deg2RadBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a):
        a = a.astype(_unary_float_np(a), copy=False)
        return a * np.asarray(math.pi / 180, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * (math.pi / 180)


class Rad2deg(NumpyFunction):
    """out = a * 180 / pi.   d/da = 180 / pi."""

    node_name = "Rad2DegBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a):
        a = a.astype(_unary_float_np(a), copy=False)
        return a * np.asarray(180 / math.pi, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * (180 / math.pi)


# ------------------------------------------------------------- hypot, logaddexp, logaddexp2, xlogy
class Hypot(NumpyFunction):
    """out = sqrt(a^2 + b^2), without overflow for large a, b.   d/da = a / out, d/db = b / out."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return grad * a / out, grad * b / out


class Logaddexp(NumpyFunction):
    """out = ln(e^a + e^b) = max(a, b) + ln(1 + e^-|a - b|) (no overflow for large a, b).

    d/da = e^a / (e^a + e^b) = 1 / (1 + e^(b - a)),   d/db = 1 / (1 + e^(a - b)): a two-way softmax.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad / (1 + _exp(b - a)), grad / (1 + _exp(a - b))


class Logaddexp2(NumpyFunction):
    """out = log2(2^a + 2^b).   d/da = 1 / (1 + 2^(b - a)),   d/db = 1 / (1 + 2^(a - b))."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad / (1 + _exp2(b - a)), grad / (1 + _exp2(a - b))


class Xlogy(NumpyFunction):
    """out = a * ln(b), and 0 where a == 0 (even for b == 0), unless b is nan: the x log y of entropies,
    where 0 * ln 0 counts as 0.

    d/da = ln(b) (taken as 0 where a == 0 and b <= 0, as PyTorch does);   d/db = a / b.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((a == 0) & ~np.isnan(b), 0, a * np.log(b)).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_a = np.where(grad == 0, 0, grad * np.log(b))  # xlogy(grad, b): 0 * ln 0 = 0 again
                grad_a = np.where((a == 0) & (b <= 0), 0, grad_a).astype(grad.dtype)
        if ctx.needs_input_grad[1]:
            grad_b = grad * a / b
        return grad_a, grad_b


class XlogyScalarSelf(Xlogy):
    node_name = "XlogyBackward1"  # xlogy(number, tensor)


class XlogyScalarOther(Xlogy):
    node_name = "XlogyBackward2"  # xlogy(tensor, number)


# ------------------------------------------------------------------------------------ nan_to_num
class NanToNum(NumpyFunction):
    """out = a with nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (by default 0 and the largest
    and smallest finite numbers of a's dtype).

    d/da = 1 where a is finite, 0 where it was replaced (a constant does not depend on a).
    """

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        ctx.finite = np.isfinite(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.finite, None, None, None


# --------------------------------------------------------------------------------- addcmul, addcdiv
class Addcmul(NumpyFunction):
    """out = a + value * t1 * t2.

    d/da = 1,   d/dt1 = value * t2,   d/dt2 = value * t1.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, t1, t2, value, dtype):
        ctx.value = value
        ctx.save_for_backward(t1 if ctx.needs_input_grad[2] else None, t2 if ctx.needs_input_grad[1] else None)
        a, t1, t2 = (x.astype(dtype, copy=False) for x in (a, t1, t2))
        return a + np.asarray(value).astype(dtype) * t1 * t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        return (grad, grad * ctx.value * t2 if t2 is not None else None,
                grad * ctx.value * t1 if t1 is not None else None, None, None)


class Addcdiv(NumpyFunction):
    """out = a + value * t1 / t2.

    d/da = 1,   d/dt1 = value / t2,   d/dt2 = -value * t1 / t2^2.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, t1, t2, value, dtype):
        ctx.value = value
        ctx.save_for_backward(t1, t2)
        a, t1, t2 = (x.astype(dtype, copy=False) for x in (a, t1, t2))
        return a + np.asarray(value, dtype=dtype) * t1 / t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        return (grad, grad * ctx.value / t2 if ctx.needs_input_grad[1] else None,
                -grad * ctx.value * t1 / (t2 * t2) if ctx.needs_input_grad[2] else None, None, None)


def _three_operands(op: str, input, tensor1, tensor2):
    for position, (name, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    broadcast_shapes(input.shape, tensor1.shape, tensor2.shape)
    return _dtype.result_type(input, tensor1, tensor2)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 * tensor2, elementwise with broadcasting (the update of many optimizers)."""
    dtype = _three_operands("addcmul", input, tensor1, tensor2)
    if dtype is _dtype.bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    return Addcmul.apply(input, tensor1, tensor2, value, dtype.to_numpy())


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """input + value * tensor1 / tensor2 (Adam's step: ``p.addcdiv_(m, v.sqrt() + eps, value=-lr)``)."""
    dtype = _three_operands("addcdiv", input, tensor1, tensor2)
    if not tensor1.dtype.is_floating_point and not tensor2.dtype.is_floating_point:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes."
        )
    return Addcdiv.apply(input, tensor1, tensor2, value, dtype.to_numpy())


# ------------------------------------------------------------------------------- public functions
def asin(input: Tensor) -> Tensor:
    return Asin.apply(input)


def acos(input: Tensor) -> Tensor:
    return Acos.apply(input)


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(input)


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(input)


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(input)


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(input)


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(input)


arcsin, arccos, arcsinh, arccosh, arctanh = asin, acos, asinh, acosh, atanh


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input): ``atan2(y, x)``, quadrant-aware, in (-pi, pi]."""
    return Atan2.apply(*_float_operands("atan2", input, other))


arctan2 = atan2


def erf(input: Tensor) -> Tensor:
    """The error function 2/sqrt(pi) * integral_0^x e^(-t^2) dt (GELU is x * (1 + erf(x / sqrt 2)) / 2)."""
    return Erf.apply(input)


def erfc(input: Tensor) -> Tensor:
    """1 - erf(input), accurate also where it is tiny."""
    return Erfc.apply(input)


def erfinv(input: Tensor) -> Tensor:
    """The inverse of erf on (-1, 1): erfinv(erf(x)) = x; +-inf at +-1, nan outside [-1, 1]."""
    return Erfinv.apply(input)


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(input)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(p / (1 - p)), the inverse of sigmoid; ``eps`` clamps p to [eps, 1 - eps] first."""
    return Logit.apply(input, eps)


def sinc(input: Tensor) -> Tensor:
    """sin(pi x) / (pi x), with sinc(0) = 1."""
    return Sinc.apply(input)


def deg2rad(input: Tensor) -> Tensor:
    return Deg2rad.apply(input)


def rad2deg(input: Tensor) -> Tensor:
    return Rad2deg.apply(input)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input^2 + other^2), the length of the hypotenuse; float tensors only, as in PyTorch."""
    _float_only("hypot", *(t for t in (input, other) if isinstance(t, Tensor)))
    return Hypot.apply(*_float_operands("hypot", input, other))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """ln(e^input + e^other), computed without overflow; float tensors only, as in PyTorch."""
    _float_only("logaddexp", *(t for t in (input, other) if isinstance(t, Tensor)))
    return Logaddexp.apply(*_float_operands("logaddexp", input, other))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^input + 2^other), computed without overflow; float tensors only, as in PyTorch."""
    _float_only("logaddexp2", *(t for t in (input, other) if isinstance(t, Tensor)))
    return Logaddexp2.apply(*_float_operands("logaddexp2", input, other))


def xlogy(input, other) -> Tensor:
    """input * ln(other), with 0 where input == 0 (so 0 * ln 0 = 0, as entropy needs)."""
    cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    cls = cls if isinstance(input, Tensor) else XlogyScalarSelf
    return cls.apply(*_float_operands("xlogy", input, other))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace nan by ``nan`` and +-inf by ``posinf`` / ``neginf`` (default: the dtype's largest and
    smallest finite values). Integer and bool tensors have no nan or inf: a copy is returned."""
    if not input.dtype.is_floating_point:
        return input.clone()
    return NanToNum.apply(input, nan, posinf, neginf)


def nan_to_num_(input: Tensor, nan: float = 0.0, posinf: float | None = None,
                neginf: float | None = None) -> Tensor:
    """In-place nan_to_num."""
    return input._inplace(nan_to_num(input, nan, posinf, neginf))


# In-place forms at the top level (``torch.erf_(x)``), as PyTorch has them: computed out of place, then
# written back into ``input`` (ops/inplace.py), the same as the methods ``x.erf_()``.
def asin_(input: Tensor) -> Tensor:
    return input._inplace(asin(input))


def acos_(input: Tensor) -> Tensor:
    return input._inplace(acos(input))


def sinh_(input: Tensor) -> Tensor:
    return input._inplace(sinh(input))


def cosh_(input: Tensor) -> Tensor:
    return input._inplace(cosh(input))


def asinh_(input: Tensor) -> Tensor:
    return input._inplace(asinh(input))


def acosh_(input: Tensor) -> Tensor:
    return input._inplace(acosh(input))


def atanh_(input: Tensor) -> Tensor:
    return input._inplace(atanh(input))


arcsin_, arccos_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, asinh_, acosh_, atanh_


def erf_(input: Tensor) -> Tensor:
    return input._inplace(erf(input))


def erfc_(input: Tensor) -> Tensor:
    return input._inplace(erfc(input))


def exp2_(input: Tensor) -> Tensor:
    return input._inplace(exp2(input))


def logit_(input: Tensor, eps: float | None = None) -> Tensor:
    return input._inplace(logit(input, eps))


def xlogy_(input: Tensor, other) -> Tensor:
    return input._inplace(xlogy(input, other))


def sinc_(input: Tensor) -> Tensor:
    return input._inplace(sinc(input))


def deg2rad_(input: Tensor) -> Tensor:
    return input._inplace(deg2rad(input))


def rad2deg_(input: Tensor) -> Tensor:
    return input._inplace(rad2deg(input))


# ----------------------------------------------------------------------------------- bit shifts
def _shift(op: str, input, other, left: bool) -> Tensor:
    """Integer shifts with PyTorch's rules for shifts outside [0, bits): a left shift gives 0, a right
    shift gives 0 or -1 (the sign bit shifted all the way through). Not differentiable."""
    dtype = _dtype.result_type(input, other)
    if dtype.is_floating_point or dtype is _dtype.bool_:
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{dtype._c_name}\'')
    np_dtype = dtype.to_numpy()
    a, s = _as_operand(input, dtype)._data.astype(np_dtype), _as_operand(other, dtype)._data.astype(np_dtype)
    bits = np.dtype(np_dtype).itemsize * 8
    out_of_range = (s < 0) | (s >= bits)
    safe = np.where(out_of_range, 0, s)
    if left:
        out = np.where(out_of_range, 0, np.left_shift(a, safe))
    else:
        out = np.where(out_of_range, np.where(a < 0, -1, 0), np.right_shift(a, safe))
    return Tensor._make(np.asarray(out, dtype=np_dtype))


def bitwise_left_shift(input, other) -> Tensor:
    """input * 2^other for integers (``input << other``); bits shifted past the top are lost."""
    return _shift("lshift", input, other, left=True)


def bitwise_right_shift(input, other) -> Tensor:
    """input // 2^other for integers (``input >> other``), rounding towards minus infinity."""
    return _shift("rshift", input, other, left=False)


__all__ = ["acos", "acos_", "acosh", "acosh_", "addcdiv", "addcmul", "arccos", "arccos_", "arccosh", "arccosh_",
           "arcsin", "arcsin_", "arcsinh", "arcsinh_", "arctan2", "arctanh", "arctanh_", "asin", "asin_", "asinh",
           "asinh_", "atan2", "atanh", "atanh_", "bitwise_left_shift", "bitwise_right_shift", "cosh", "cosh_",
           "deg2rad", "deg2rad_", "erf", "erf_", "erfc", "erfc_", "erfinv", "exp2", "exp2_", "hypot", "logaddexp",
           "logaddexp2", "logit", "logit_", "nan_to_num", "nan_to_num_", "rad2deg", "rad2deg_", "sinc", "sinc_",
           "sinh", "sinh_", "xlogy", "xlogy_"]
