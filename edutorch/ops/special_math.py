"""The gamma family and the normal distribution's functions: lgamma, digamma, polygamma, mvlgamma, entr,
ndtr, log_ndtr, ndtri, erfcx, xlog1py (``torch.special`` and their top-level names).

NumPy has none of these, so each is written here from its textbook formula, in float64 on whole arrays
(masks pick which formula each element uses; no loop over elements), and cast back to the input's float
dtype (integer inputs give float32). Each docstring gives f and f'; the derivatives chain into the next
member of the family:

    lgamma' = digamma,   digamma' = polygamma(1, .),   polygamma(n, .)' = polygamma(n + 1, .)

so the backwards are written with functions that work on arrays and on tensors alike, and second
derivatives (``create_graph=True``) work too.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .arithmetic import _unary_float_np
from .pointwise_math import _erf_array, _erfc_fraction, _erfinv_array, _float_operands

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)

# Lanczos' approximation with g = 7 and 9 terms (the widely published coefficients): for x >= 1/2,
#   Gamma(x) = sqrt(2 pi) t^(x - 1/2) e^(-t) A(x),   t = x + g - 1/2,   A(x) = c0 + sum_i c_i / (x - 1 + i)
# to about 1e-15 relative.
_LANCZOS_G = 7
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)

# Bernoulli numbers B_2, B_4, ..., B_14 for the asymptotic (Euler-Maclaurin) series below.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def _sinpi(x: np.ndarray) -> np.ndarray:
    """sin(pi x), with x reduced to [-1, 1] first, so large x lose no accuracy."""
    return np.sin(np.pi * (x - 2 * np.round(x / 2)))


def _lgamma_array(x: np.ndarray) -> np.ndarray:
    """ln |Gamma(x)| in float64: Lanczos for x >= 1/2; for x < 1/2 the reflection formula
    Gamma(x) Gamma(1 - x) = pi / sin(pi x), i.e. lgamma(x) = ln(pi / |sin(pi x)|) - lgamma(1 - x).
    Poles (0, -1, -2, ...) and +-inf give inf."""
    x = np.asarray(x, dtype=np.float64)
    reflect = x < 0.5
    z = np.where(reflect, 1 - x, x) - 1  # Lanczos at z + 1 >= 1/2
    series = _LANCZOS[0] + sum(c / (z + i) for i, c in enumerate(_LANCZOS[1:], start=1))
    t = z + _LANCZOS_G + 0.5
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        right = _LOG_SQRT_2PI + (z + 0.5) * np.log(t) - t + np.log(series)
        out = np.where(reflect, np.log(np.pi / np.abs(_sinpi(x))) - right, right)
    out = np.where((x == 1) | (x == 2), 0.0, out)  # exact zeros: Gamma(1) = Gamma(2) = 1
    return np.where(np.isinf(x) | (reflect & (x == np.floor(x))), np.inf, out)  # poles give inf


def _digamma_array(x: np.ndarray) -> np.ndarray:
    """psi(x) = d/dx ln Gamma(x) in float64. For x > 0: step up with psi(x) = psi(x + 1) - 1/x until
    x >= 10 (ten whole-array steps), then the asymptotic series
        psi(x) = ln x - 1/(2x) - sum_k B_2k / (2k x^2k).
    For x < 0 the reflection psi(x) = psi(1 - x) - pi / tan(pi x). psi(0) = -inf; negative integers
    and -inf give nan, as PyTorch."""
    x = np.asarray(x, dtype=np.float64)
    reflect = x < 0
    y = np.where(reflect, 1 - x, x)
    shift = np.zeros_like(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(10):
            small = y < 10
            shift -= np.where(small, 1 / y, 0.0)
            y = np.where(small, y + 1, y)
        inv2 = 1 / (y * y)
        tail = sum(b / (2 * k) * inv2 ** k for k, b in enumerate(_BERNOULLI, start=1))
        out = np.log(y) - 0.5 / y - tail + shift
        out = np.where(reflect, out - np.pi / np.tan(np.pi * x), out)
    out = np.where(x == 0, -np.inf, out)
    return np.where(reflect & ((x == np.floor(x)) | np.isinf(x)), np.nan, out)


def _polygamma_array(n: int, x: np.ndarray) -> np.ndarray:
    """The n-th derivative of psi, n >= 1, in float64, from the Hurwitz zeta function:
        psi^(n)(x) = (-1)^(n+1) n! zeta(n + 1, x),   zeta(s, x) = sum_k 1 / (x + k)^s.
    The first terms are summed until x + k >= 20 (this also covers negative x), the rest by
    Euler-Maclaurin:  zeta(s, y) ~ y^(1-s)/(s-1) + y^(-s)/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) y^(1-s-2j).
    At the poles 0, -1, ... a term 1/0^s makes +-inf."""
    if n == 0:
        return _digamma_array(x)
    x = np.asarray(x, dtype=np.float64)
    s = n + 1
    y = np.where(np.isfinite(x), x, 20.0)  # non-finite inputs are set below
    head = np.zeros_like(y)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        while (active := y < 20).any():  # 20 - min(x) whole-array steps
            head += np.where(active, y ** -s, 0.0)
            y = np.where(active, y + 1, y)
        tail = y ** (1 - s) / (s - 1) + 0.5 * y ** -s
        rising = float(s)  # s (s+1) ... (s+2j-2)
        for j, b in enumerate(_BERNOULLI, start=1):
            tail += b / math.factorial(2 * j) * rising * y ** (1 - s - 2 * j)
            rising *= (s + 2 * j - 1) * (s + 2 * j)
        out = (-1) ** (n + 1) * math.factorial(n) * (head + tail)
    # PyTorch's values at +-inf: psi'(inf) = 0; its zeta gives nan at +inf for n >= 2; -inf is nan
    out = np.where(x == np.inf, 0.0 if n == 1 else np.nan, out)
    return np.where((x == -np.inf) | np.isnan(x), np.nan, out)


# Each works on a NumPy array (a first backward) or a tensor (a second one, create_graph=True).
def _digamma(x):
    return x.digamma() if isinstance(x, Tensor) else _digamma_array(x).astype(x.dtype)


def _polygamma(n, x):
    return x.polygamma(n) if isinstance(x, Tensor) else _polygamma_array(n, x).astype(x.dtype)


# ----------------------------------------------------------------------------- the gamma family
class Lgamma(NumpyFunction):
    """out = ln |Gamma(a)|.   d/da = psi(a) (digamma)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = _lgamma_array(a).astype(_unary_float_np(a))
        ctx.save_for_backward(a.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _digamma(a)


class Digamma(NumpyFunction):
    """out = psi(a) = Gamma'(a) / Gamma(a).   d/da = psi'(a) = polygamma(1, a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = _digamma_array(a).astype(_unary_float_np(a))
        ctx.save_for_backward(a.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _polygamma(1, a)


class Polygamma(NumpyFunction):
    """out = psi^(n)(a), the n-th derivative of digamma.   d/da = psi^(n+1)(a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, n):
        out = _polygamma_array(n, a).astype(_unary_float_np(a))
        ctx.n = n
        ctx.save_for_backward(a.astype(out.dtype, copy=False))
        return out

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _polygamma(ctx.n + 1, a), None


class Mvlgamma(NumpyFunction):
    """out = ln Gamma_p(a) = p (p - 1) / 4 ln pi + sum_{j=0}^{p-1} lgamma(a - j/2), the multivariate
    log-gamma function (finite for a > (p - 1) / 2).

    d/da = sum_{j=0}^{p-1} psi(a - j/2)."""

    @staticmethod
    def forward(ctx, a, p):
        halves = np.arange(p) / 2
        ctx.save_for_backward(a)
        ctx.p = p
        terms = _lgamma_array(a[..., None] - halves).sum(-1)
        return (terms + p * (p - 1) / 4 * math.log(math.pi)).astype(_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        slope = _digamma_array(a[..., None] - np.arange(ctx.p) / 2).sum(-1)
        return grad * slope.astype(grad.dtype), None


# --------------------------------------------------------------------------- entropy, log1p terms
class SpecialEntr(NumpyFunction):
    """out = -a ln a for a > 0, 0 at a = 0, -inf for a < 0 (the summand of an entropy).

    d/da = -(ln a + 1)   (inf at 0, nan for a < 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        a = a.astype(_unary_float_np(a), copy=False)
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(a > 0, -a * np.log(a), np.where(a == 0, 0.0, np.where(a < 0, -np.inf, a))
                            ).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * -(np.log(a) + 1)


class SpecialXlog1py(NumpyFunction):
    """out = a ln(1 + b), and 0 where a == 0 (unless b is nan): xlogy with log1p, accurate for small b.

    d/da = ln(1 + b) (0 where a == 0 and b <= -1);   d/db = a / (1 + b)."""

    node_name = "SpecialXlog1PyBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((a == 0) & ~np.isnan(b), 0, a * np.log1p(b)).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_a = np.where((a == 0) & (b <= -1), 0, grad * np.log1p(b)).astype(grad.dtype)
            return grad_a, grad * a / (1 + b)


# ------------------------------------------------------------------ the standard normal distribution
def _log_ndtr_array(x: np.ndarray) -> np.ndarray:
    """ln Phi(x) in float64, Phi(x) = erfc(-x / sqrt 2) / 2. Far in the left tail Phi underflows, so there
    ln erfc(z) = -z^2 - ln(sqrt(pi) t) with the continued fraction t of erfc; for x > 0 it is
    log1p(-Phi(-x)), which keeps the tiny distance from 0."""
    x = np.asarray(x, dtype=np.float64)
    z = -x / math.sqrt(2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tail = -z * z - np.log(math.sqrt(math.pi) * _erfc_fraction(np.maximum(z, 1.8))) - math.log(2)
        middle = np.log(0.5 * _erf_array(z, complement=True))
        right = np.log1p(-0.5 * _erf_array(-z, complement=True))
    out = np.where(z >= 1.8, tail, np.where(x > 0, right, middle))
    return np.where(x == -np.inf, -np.inf, out)


class SpecialNdtr(NumpyFunction):
    """out = Phi(a) = P(N(0, 1) <= a) = erfc(-a / sqrt 2) / 2.   d/da = phi(a) = e^(-a^2/2) / sqrt(2 pi)."""

    node_name = "MulBackward1"  # PyTorch builds ndtr from erfc and a multiplication by 1/2

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a.astype(np.float64)
        return (0.5 * _erf_array(-x / math.sqrt(2), complement=True)).astype(_unary_float_np(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.exp(-0.5 * a * a - _LOG_SQRT_2PI).astype(grad.dtype)


class SpecialLogNdtr(NumpyFunction):
    """out = ln Phi(a).   d/da = phi(a) / Phi(a) = e^(ln phi(a) - out)."""

    @staticmethod
    def forward(ctx, a):
        out = _log_ndtr_array(a).astype(_unary_float_np(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        x = a.astype(np.float64)
        return grad * np.exp(-0.5 * x * x - _LOG_SQRT_2PI - out).astype(grad.dtype)


def _ndtri_array(p: np.ndarray) -> np.ndarray:
    """The x with Phi(x) = p: sqrt(2) erfinv(2p - 1). For p < 1e-6, 2p - 1 rounds away p's digits, so
    there a rational first guess (Abramowitz & Stegun 26.2.23, error < 5e-4) is polished by three
    Newton steps on ln Phi(x) = ln p (each squares the error). 0 and 1 give -inf and inf."""
    p = np.asarray(p, dtype=np.float64)
    out = math.sqrt(2) * _erfinv_array(2 * p - 1)
    tiny = (p > 0) & (p < 1e-6)
    if tiny.any():
        q = p[tiny]
        t = np.sqrt(-2 * np.log(q))
        x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
              / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3))
        for _ in range(3):
            log_phi = _log_ndtr_array(x)
            x = x - (log_phi - np.log(q)) / np.exp(-0.5 * x * x - _LOG_SQRT_2PI - log_phi)
        out[tiny] = x
    return out


class SpecialNdtri(NumpyFunction):
    """out = Phi^-1(a), the standard normal's quantile.   d/da = 1 / phi(out) = sqrt(2 pi) e^(out^2 / 2)."""

    @staticmethod
    def forward(ctx, a):
        out = _ndtri_array(a).astype(_unary_float_np(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return grad * np.exp(0.5 * out.astype(np.float64) ** 2 + _LOG_SQRT_2PI).astype(grad.dtype)


class SpecialErfcx(NumpyFunction):
    """out = e^(a^2) erfc(a), the scaled complementary error function (finite where erfc underflows:
    for a >= 1.8 it is 1 / (sqrt(pi) t) with erfc's continued fraction t).

    d/da = 2 a out - 2 / sqrt(pi)."""

    @staticmethod
    def forward(ctx, a):
        x = a.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            far = 1 / (math.sqrt(math.pi) * _erfc_fraction(np.maximum(x, 1.8)))
            near = np.exp(x * x) * _erf_array(x, complement=True)
        out = np.where(x >= 1.8, far, near)
        out = np.where(x == np.inf, 0.0, out).astype(_unary_float_np(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return grad * (2 * a * out - 2 / math.sqrt(math.pi))


# ------------------------------------------------------------------------------------ functions
def lgamma(input: Tensor) -> Tensor:
    """ln |Gamma(input)|; Gamma(n) = (n - 1)! for whole numbers n >= 1."""
    return Lgamma.apply(input)


def digamma(input: Tensor) -> Tensor:
    """psi(input), the derivative of lgamma."""
    return Digamma.apply(input)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma (n = 0 is digamma itself)."""
    if int(n) != n or n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, int(n))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p (see ``Mvlgamma``)."""
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got p = {p}")
    return Mvlgamma.apply(input, int(p))


def entr(input: Tensor) -> Tensor:
    return SpecialEntr.apply(input)


def ndtr(input: Tensor) -> Tensor:
    return SpecialNdtr.apply(input)


def log_ndtr(input: Tensor) -> Tensor:
    return SpecialLogNdtr.apply(input)


def ndtri(input: Tensor) -> Tensor:
    return SpecialNdtri.apply(input)


def erfcx(input: Tensor) -> Tensor:
    return SpecialErfcx.apply(input)


def xlog1py(input, other) -> Tensor:
    return SpecialXlog1py.apply(*_float_operands("xlog1py", input, other))
