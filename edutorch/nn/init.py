"""``torch.nn.init``: fill a weight tensor in place with a well-chosen distribution.

Why it matters: in a deep network each layer multiplies the signal's variance by roughly
``fan_in * Var(w)`` (times a gain for the nonlinearity). Choose ``Var(w) = gain^2 / fan_in`` and the
variance neither explodes nor vanishes through depth (He et al. 2015, "kaiming"); Glorot & Bengio (2010,
"xavier") average the forward and backward conditions: ``Var(w) = gain^2 * 2 / (fan_in + fan_out)``.

Every function writes into ``tensor`` without recording (``torch.no_grad()``), uses the global generator
unless one is given, and returns the tensor, so ``model.apply(fn)`` patterns work::

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            nn.init.zeros_(m.bias)
    model.apply(init_weights)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import random as _random
from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor by which to scale the weights' std for a given nonlinearity, so activations keep a
    steady scale: 1 for linear/conv/sigmoid, 5/3 for tanh, sqrt(2) for relu (it zeroes half the signal),
    sqrt(2 / (1 + slope^2)) for leaky_relu, 3/4 for selu."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param  # True/False are instances of int, hence the check above
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # chosen empirically for self-normalising networks
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple:
    """fan_in = inputs feeding one output unit, fan_out = outputs fed by one input unit.

    Linear weight (out, in): (in, out). Conv weight (out, in, k1, k2): (in * k1 * k2, out * k1 * k2)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return tensor.shape[1] * receptive_field_size, tensor.shape[0] * receptive_field_size


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _write(tensor: Tensor, values: np.ndarray) -> Tensor:
    """Copy ``values`` into ``tensor``'s storage without recording, as one in-place write."""
    with grad_mode.no_grad():
        return tensor.copy_(Tensor._make(np.asarray(values, dtype=tensor._data.dtype)))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from U(a, b)."""
    with grad_mode.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from N(mean, std^2)."""
    with grad_mode.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """Fill with N(mean, std^2) values conditioned to lie in [a, b] (``a``, ``b`` are absolute bounds).

    Rejection sampling, drawn as PyTorch 2.x draws it (so a seed gives torch's values):

    * if [a, b] holds more than 30% of the normal's mass, draw normals and redraw (a whole tensor of
      fresh normals each round, kept where the old value was outside) until all lie in [a, b];
    * otherwise propose uniforms on [a, b] and accept each with probability
      exp(-(x - mean)^2 / 2 std^2) / (its peak on [a, b]), i.e. accept when log(u) <= that log ratio;
      rejected places get new proposals, round after round.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    dtype = tensor._data.dtype
    with grad_mode.no_grad():
        if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
            lo, hi = float(dtype.type(a)), float(dtype.type(b))
            values = tensor.normal_(mean, std, generator=generator)._data.copy()
            while True:
                outside = (values < lo) | (values > hi)
                if not outside.any():
                    break
                fresh = Tensor._make(np.empty_like(values)).normal_(mean, std, generator=generator)._data
                values = np.where(outside, fresh, values)
            return _write(tensor, values)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_ratio(x):  # log of the acceptance probability, computed in the tensor's dtype
            return ((((x - dtype.type(mean)) / dtype.type(std)) ** 2) * dtype.type(-0.5) - dtype.type(log_peak))

        def accept_draw(shape):
            return np.log(Tensor._make(np.empty(shape, dtype)).uniform_(generator=generator)._data)

        values = tensor.uniform_(a, b, generator=generator)._data.copy()
        pending = accept_draw(values.shape) > log_ratio(values)
        while pending.any():
            proposal = Tensor._make(np.empty_like(values)).uniform_(a, b, generator=generator)._data
            values = np.where(pending, proposal, values)
            pending = np.where(pending, accept_draw(values.shape) > log_ratio(proposal), pending)
        return _write(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    with grad_mode.no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    with grad_mode.no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (a Linear layer that passes its input through)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-d conv weight with the Dirac delta: the convolution returns its input
    (as many input channels as fit, per group): weight[g*out_per_group + d, d, centre] = 1."""
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    values = np.zeros(tuple(sizes))
    centre = tuple(s // 2 for s in sizes[2:])
    d = np.arange(min_dim)
    for g in range(groups):
        values[(g * out_chans_per_grp + d, d) + centre] = 1
    return _write(tensor, values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # U(-a, a) has variance a^2 / 3
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _no_op_for_empty(tensor: Tensor) -> bool:
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015); ``a`` is the negative slope
    of the leaky_relu that follows. mode='fan_in' keeps the forward pass's variance, 'fan_out' the
    backward pass's."""
    if _no_op_for_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None) -> Tensor:
    """N(0, std^2) with std = gain / sqrt(fan) (He et al., 2015)."""
    if _no_op_for_empty(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix (Saxe et al., 2013), the tensor viewed as (size(0), rest):
    the Q of the QR decomposition of a Gaussian matrix, with signs fixed so it is uniformly
    distributed, times ``gain``."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor  # no-op
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = Tensor._make(np.empty((rows, cols), dtype=tensor._data.dtype)).normal_(0, 1, generator=generator)
    flattened = flattened._data.astype(np.float64)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q *= np.sign(np.diag(r))  # make Q unique (and uniform): R gets a positive diagonal
    if rows < cols:
        q = q.T
    return _write(tensor, (q * gain).reshape(tuple(tensor.shape)))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """A sparse 2-D matrix (Martens, 2010): N(0, std^2) values, then ceil(sparsity * rows) entries of each
    column set to zero, at the rows that come first in a fresh ``randperm(rows)`` per column (as PyTorch,
    whose per-column permutations use the global generator)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with grad_mode.no_grad():
        tensor.normal_(0, std, generator=generator)
    values = tensor._data.copy()
    for col in range(cols):
        values[_random._sample_randperm(_random._gen(None), rows)[:num_zeros], col] = 0
    return _write(tensor, values)


# ====================================================================== the old names (without the underscore)
def _make_deprecate(meth):
    """``nn.init.uniform`` etc.: PyTorch's pre-0.4 names, kept as aliases that warn and call ``uniform_``."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"{old_name}(...): deprecated, use nn.init.{new_name} (same arguments)."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
