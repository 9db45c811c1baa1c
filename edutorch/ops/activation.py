"""Activations: relu, sigmoid, tanh (elementwise) and softmax / log_softmax (along a dimension).

The elementwise ones save their *output*: each derivative is cheapest written in terms of it.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from ..autograd.graph import _masked


def _float(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.kind == "f" else a.astype(_dtype.get_default_dtype().to_numpy())


class Relu(NumpyFunction):
    """out = max(a, 0).   d/da = 0 where out <= 0, else 1 (PyTorch picks 0 at exactly 0; where a is nan,
    out is nan and the gradient passes, as in PyTorch)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return _masked(grad, ~(out <= 0))


class Sigmoid(NumpyFunction):
    """out = 1 / (1 + e^-a).   d/da = out * (1 - out)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        a = _float(a)
        # sigmoid(a) = exp(-log(1 + e^-a)); logaddexp computes log(e^0 + e^-a) without overflow, and
        # stays accurate for very negative a, where 1 / (1 + e^-a) would underflow to 0 too early.
        out = np.exp(-np.logaddexp(0, -a)).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Tanh(NumpyFunction):
    """out = tanh(a).   d/da = 1 - out^2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(_float(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


def relu(input: Tensor) -> Tensor:
    if input.dtype is _dtype.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(input)


# ------------------------------------------------------------------- softmax and log_softmax
def _sum_keepdim(x, dim):
    """Sum along ``dim`` keeping it (size 1), for arrays and tensors alike (double backward)."""
    return x.sum(dim, keepdim=True) if isinstance(x, Tensor) else x.sum(axis=dim, keepdims=True)


def _exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _shifted(a: np.ndarray, dim) -> np.ndarray:
    """a - max(a) along dim. The shift cancels in softmax, but makes every exponent <= 0, so exp cannot
    overflow: softmax([1000., 1001.]) is [0.2689, 0.7311], not [nan, nan]."""
    return a - np.max(a, axis=dim, keepdims=True, initial=-np.inf)  # initial: empty slices are fine


class Softmax(NumpyFunction):
    """out_i = exp(a_i) / sum_j exp(a_j) along ``dim``: positive, summing to 1.

    Jacobian: d out_i / d a_j = out_i (delta_ij - out_j). Its product with the output gradient g is
        grad_a = out * (g - sum_j g_j out_j)        (the sum along dim, kept for broadcasting)
    so backward needs only the output, never the n x n Jacobian. Shapes: out and grad_a are like a.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        e = np.exp(_shifted(a, dim))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - _sum_keepdim(grad * out, ctx.dim)), None


class LogSoftmax(NumpyFunction):
    """out_i = a_i - log sum_j exp(a_j) along ``dim`` (the log of softmax, without its underflow).

    Computed as s_i - log sum_j exp(s_j) with s = a - max(a): no overflow, and no log(0) = -inf for
    tiny probabilities. Jacobian: d out_i / d a_j = delta_ij - softmax_j, so with softmax = exp(out)
        grad_a = g - exp(out) * sum_j g_j
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        shifted = _shifted(a, dim)
        with np.errstate(divide="ignore"):  # log(0) of an empty slice: never used, nothing to warn about
            out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - _exp(out) * _sum_keepdim(grad, ctx.dim), None


def _softmax_input(name: str, input: Tensor, dim, dtype) -> tuple:
    """Check the arguments; cast to ``dtype`` first (recorded, so the gradient flows back)."""
    if dim is None or not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    axis = _wrap_dim(int(dim), input.dim()) if input.dim() > 0 else None  # a 0-d tensor: its one value
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point and input.numel() > 0:  # PyTorch returns an empty int tensor as is
        raise NotImplementedError(
            f"{name} is not implemented for {input.dtype} tensors: pass dtype=torch.float32 or convert "
            "the input with .float() first"
        )
    return input, axis


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``; with ``dtype`` the input is cast first."""
    input, axis = _softmax_input("softmax", input, dim, dtype)
    if not input.dtype.is_floating_point:  # an empty integer tensor (others were refused)
        return input.clone()
    return Softmax.apply(input, axis)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; with ``dtype`` the input is cast first."""
    input, axis = _softmax_input("log_softmax", input, dim, dtype)
    if not input.dtype.is_floating_point:  # an empty integer tensor (others were refused)
        return input.clone()
    return LogSoftmax.apply(input, axis)


def implicit_softmax_dim(name: str, ndim: int, stacklevel: int = 3) -> int:
    """The dim PyTorch's nn.functional.softmax/log_softmax pick when called without one (deprecated):
    0 for 0-, 1- and 3-d inputs, else 1. Warns as PyTorch does."""
    import warnings

    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
        "an argument.", UserWarning, stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


# ------------------------------------------------------------------- the nn activations
# Each saves its *input* (its derivative is simplest written in terms of it). Where PyTorch's derivative
# has a kink (0 for relu-like ops, the ends of hardtanh...), we pick the same side PyTorch picks.

def _check_float(name: str, a) -> None:
    """PyTorch's kernels for these activations exist only for floating-point inputs."""
    if not a.dtype.is_floating_point:
        kind = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool"}.get(a.dtype._name, str(a.dtype))
        raise NotImplementedError(f'"{name}" not implemented for \'{kind}\': convert the input with .float()')


class LeakyRelu(NumpyFunction):
    """out = a if a > 0 else slope * a.   d/da = 1 if a > 0 else slope (slope at exactly 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.negative_slope = negative_slope
        ctx.save_for_backward(a)
        return np.where(a > 0, a, a * negative_slope).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return np.where(a > 0, grad, grad * ctx.negative_slope), None


class LeakyReluInplace(LeakyRelu):
    node_name = "LeakyReluBackward1"  # PyTorch's name for the in-place form (leaky_relu_)


class Hardtanh(NumpyFunction):
    """out = clamp(a, min_val, max_val) (relu6 is hardtanh(a, 0, 6)).
    d/da = 1 strictly inside (min_val, max_val), else 0."""

    @staticmethod
    def forward(ctx, a, min_val, max_val):
        ctx.bounds = (min_val, max_val)
        ctx.save_for_backward(a)
        return np.clip(a, min_val, max_val).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        low, high = ctx.bounds
        return _masked(grad, (a > low) & (a < high)), None, None


class Elu(NumpyFunction):
    """The ELU family: out = scale * a                                  if a > 0
                            scale * alpha * (exp(input_scale * a) - 1)   otherwise.
    ELU is (alpha, 1, 1); SELU is (1.6733, 1.0507, 1); CELU is (alpha, 1, 1/alpha).
    d/da = scale if a > 0 else scale * alpha * input_scale * exp(input_scale * a).
    The exponent is taken of min(a, 0) only, so large positive inputs never overflow."""

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.coefs = (alpha, scale, input_scale)
        ctx.save_for_backward(a)
        negative = alpha * np.expm1(np.minimum(a, 0) * input_scale)
        return (scale * np.where(a > 0, a, negative)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefs
        slope = np.where(a > 0, scale, scale * alpha * input_scale * np.exp(np.minimum(a, 0) * input_scale))
        return grad * slope.astype(a.dtype, copy=False), None, None, None


class EluInplace(Elu):
    node_name = "EluBackward1"


class Celu(Elu):
    """CELU(a) = max(0, a) + min(0, alpha * (exp(a / alpha) - 1)): ELU with input_scale = 1 / alpha."""


class CeluInplace(Elu):
    node_name = "CeluBackward1"


def _erfc(x: np.ndarray) -> np.ndarray:
    """The complementary error function erfc(x) = 1 - erf(x), vectorised (NumPy has no erf).

    A Chebyshev fit (Numerical Recipes' erfcc) with relative error below 1.2e-7 everywhere, also far in
    the tails where 1 - erf(x) would lose every digit. Good to float32 precision."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    ans = t * np.exp(-z * z + poly)
    return np.where(x >= 0, ans, 2.0 - ans)


_SQRT_2_OVER_PI = 0.7978845608028654  # sqrt(2 / pi)


def _sigmoid_exp(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z): accurate to the last digit for very negative z, where (1 + tanh(z/2)) / 2 cancels.
    e^-z may overflow to inf there, which correctly gives 0."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


class Gelu(NumpyFunction):
    """GELU: out = a * Phi(a), Phi the standard normal CDF = erfc(-a / sqrt 2) / 2.
        d/da = Phi(a) + a * phi(a),   phi(a) = exp(-a^2 / 2) / sqrt(2 pi).
    approximate='tanh': out = a/2 * (1 + tanh(u)),  u = sqrt(2/pi) * (a + 0.044715 a^3);
        d/da = (1 + tanh u)/2 + a/2 * (1 - tanh^2 u) * sqrt(2/pi) * (1 + 3 * 0.044715 a^2).
    (1 + tanh u)/2 is sigmoid(2u); written so, it keeps its digits where tanh u is close to -1.)"""

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        ctx.save_for_backward(a)
        if approximate == "tanh":
            out = a * _sigmoid_exp(2 * _SQRT_2_OVER_PI * (a + 0.044715 * a ** 3))
        else:
            out = 0.5 * a * _erfc(-a * 0.7071067811865476)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            s = _sigmoid_exp(2 * _SQRT_2_OVER_PI * (a + 0.044715 * a ** 3))  # (1 + tanh u) / 2
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
            slope = s + 2 * a * s * (1 - s) * du  # (1 - tanh^2 u) / 2 = 2 s (1 - s)
        else:
            cdf = 0.5 * _erfc(-a * 0.7071067811865476)
            pdf = np.exp(-0.5 * a * a) * 0.3989422804014327  # 1 / sqrt(2 pi)
            slope = cdf + a * pdf
        return grad * slope.astype(a.dtype, copy=False), None


def _stable_sigmoid(a: np.ndarray) -> np.ndarray:
    return (np.tanh(a * 0.5) + 1) * 0.5  # never overflows, unlike 1 / (1 + exp(-a))


class Silu(NumpyFunction):
    """SiLU (swish): out = a * sigmoid(a).   d/da = s * (1 + a * (1 - s)),  s = sigmoid(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * _stable_sigmoid(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        s = _stable_sigmoid(a)
        return grad * (s * (1 + a * (1 - s)))


def _softplus(a: np.ndarray) -> np.ndarray:
    """log(1 + e^a) without overflow: max(a, 0) + log1p(e^-|a|)."""
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


class Mish(NumpyFunction):
    """Mish: out = a * tanh(softplus(a)).   d/da = t + a * (1 - t^2) * sigmoid(a),  t = tanh(softplus(a))."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * np.tanh(_softplus(a))).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        t = np.tanh(_softplus(a))
        return grad * (t + a * (1 - t * t) * _stable_sigmoid(a))


class Softplus(NumpyFunction):
    """out = log(1 + exp(beta * a)) / beta, and just a where beta * a > threshold (there they agree to
    float precision, and exp would overflow).   d/da = sigmoid(beta * a) (1 above the threshold)."""

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.params = (beta, threshold)
        ctx.save_for_backward(a)
        z = a * beta
        return np.where(z > threshold, a, _softplus(z) / beta).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        beta, threshold = ctx.params
        z = a * beta
        return np.where(z > threshold, grad, grad * _stable_sigmoid(z)), None, None


class Hardsigmoid(NumpyFunction):
    """out = relu6(a + 3) / 6: 0 below -3, 1 above 3, linear between.   d/da = 1/6 strictly inside."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ((a > -3) & (a < 3)) / 6


class Hardswish(NumpyFunction):
    """out = a * relu6(a + 3) / 6.   d/da = 0 up to -3, a/3 + 1/2 on (-3, 3), 1 from 3 on."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        slope = np.where(a <= -3, 0, np.where(a < 3, a / 3 + 0.5, 1)).astype(a.dtype, copy=False)
        return grad * slope


class Threshold(NumpyFunction):
    """out = a if a > threshold else value.   d/da = 1 where a > threshold, else 0."""

    @staticmethod
    def forward(ctx, a, threshold, value):
        ctx.threshold = threshold
        ctx.save_for_backward(a)
        return np.where(a > threshold, a, np.asarray(value, dtype=a.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a > ctx.threshold), None, None


class ThresholdInplace(Threshold):
    node_name = "ThresholdBackward1"


class PreluKernel(NumpyFunction):
    """PReLU: out = a if a > 0 else w * a, with one learnt slope w per channel (dim 1) or a single slope
    for all.
        grad_a = g where a > 0, else w * g
        grad_w = sum of g * a over the positions where a <= 0, over every dim but the channel one
    """

    @staticmethod
    def _weight_shape(a, weight) -> tuple:
        """The weight shaped to broadcast against a: (1, C, 1, 1) for an (N, C, H, W) input."""
        shape = [1] * a.ndim
        if weight.size > 1:
            shape[1] = weight.size  # the caller checked that a has C = weight.size channels
        return tuple(shape)

    @staticmethod
    def forward(ctx, a, weight):
        ctx.save_for_backward(a, weight)
        w = weight.reshape(PreluKernel._weight_shape(a, weight))
        return np.where(a > 0, a, w * a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, weight = ctx.saved_tensors
        shape = PreluKernel._weight_shape(a, weight)
        positive = a > 0
        grad_a = np.where(positive, grad, weight.reshape(shape) * grad) if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            per_element = np.where(positive, 0, grad * a)
            channel_axes = tuple(i for i, s in enumerate(shape) if s == 1)  # every axis but the channels
            grad_w = per_element.sum(axis=channel_axes).reshape(weight.shape)
        return grad_a, grad_w


class LogSigmoid(NumpyFunction):
    """out = log(sigmoid(a)) = -softplus(-a), stable for large |a|.   d/da = 1 - sigmoid(a) = sigmoid(-a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (-_softplus(-a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _stable_sigmoid(-a)


class Hardshrink(NumpyFunction):
    """out = a where |a| > lambd, else 0.   d/da = 1 where |a| > lambd, else 0."""

    @staticmethod
    def forward(ctx, a, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(a)
        return np.where(np.abs(a) > lambd, a, 0).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (np.abs(a) > ctx.lambd), None


class Softshrink(NumpyFunction):
    """out = a - lambd above lambd, a + lambd below -lambd, 0 between.   d/da = 1 where |a| > lambd."""

    @staticmethod
    def forward(ctx, a, lambd):
        ctx.lambd = lambd
        ctx.save_for_backward(a)
        return np.where(a > lambd, a - lambd, np.where(a < -lambd, a + lambd, 0)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (np.abs(a) > ctx.lambd), None


class Glu(NumpyFunction):
    """Gated linear unit: split a in halves x1, x2 along ``dim``; out = x1 * sigmoid(x2).
        grad_x1 = g * s,   grad_x2 = g * x1 * s * (1 - s)   (s = sigmoid(x2)), joined back along dim."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        ctx.save_for_backward(a)
        first, second = np.split(a, 2, axis=dim)
        return (first * _stable_sigmoid(second)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        first, second = np.split(a, 2, axis=ctx.dim)
        s = _stable_sigmoid(second)
        return np.concatenate([grad * s, grad * first * s * (1 - s)], axis=ctx.dim), None
