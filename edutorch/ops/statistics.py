"""Statistics of data: nansum, nanmean, std_mean, var_mean, cov, corrcoef.

``nansum`` is the one new op with its own backward (a sum that skips nan, so nan elements get no
gradient). The others are written with ops that are differentiable already (sum, mean, var, std,
matmul, sqrt, clip), so their gradients come for free and are exactly PyTorch's:

    cov(X)      = (X - mean) (X - mean)^T / (N - correction)      X: (variables, observations)
    corrcoef(X) = cov(X)[i, j] / (std_i std_j), clipped to [-1, 1]
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .arithmetic import sqrt
from .comparison import isnan
from .diag_tri import diag
from .reduction import _dims, _kept_shape, _sum_dtype, _unreduce, mean, std, sum, var


def _check_tensor(op: str, input) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


# ------------------------------------------------------------------------------- nansum, nanmean
class Nansum(NumpyFunction):
    """out = the sum over ``dims`` of the elements that are not nan (nan counts as 0).

    Each counted element enters with slope 1, a nan element not at all:
    grad_a = grad copied back over the summed dims, times (a is not nan).
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.shape, ctx.kept_shape = a.shape, _kept_shape(a.shape, dims)
        ctx.counted = ~np.isnan(a)
        return np.asarray(np.nansum(a, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.kept_shape, ctx.shape) * ctx.counted, None, None, None


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The sum over ``dim`` treating nan as 0 (integers have no nan: a plain sum, to int64)."""
    _check_tensor("nansum", input)
    if not input.dtype.is_floating_point:
        return sum(input, dim, keepdim, dtype=dtype)
    dims = _dims(dim, input.dim(), "nansum")
    return Nansum.apply(input, dims, keepdim, _sum_dtype(input, dtype))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The mean over ``dim`` of the non-nan elements: nansum / (number of non-nan elements)."""
    _check_tensor("nanmean", input)
    if not input.dtype.is_floating_point:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input.dtype._c_name}")
    counted = isnan(input).logical_not().sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / counted


# ------------------------------------------------------------------------------- std_mean, var_mean
def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(std, mean) over ``dim`` in one call, with std's arguments (correction 1 by default)."""
    _check_tensor("std_mean", input)
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, bool) else None, keepdim))


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> tuple:
    """(var, mean) over ``dim`` in one call, with var's arguments (correction 1 by default)."""
    _check_tensor("var_mean", input)
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, bool) else None, keepdim))


# ---------------------------------------------------------------------------------- cov, corrcoef
def _check_weights(name: str, w, num_obs: int, integral: bool) -> None:
    if not isinstance(w, Tensor):
        raise TypeError(f"cov(): argument '{name}' must be Tensor, not {type(w).__name__}")
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {w.dim()} "
                           "dimensions")
    if w.numel() != num_obs:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in "
                           f"the input but got {w.numel()} != {num_obs}")
    if integral and w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {w.dtype}")
    if not integral and not w.dtype.is_floating_point:
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {w.dtype}")
    if w.numel() and (w._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the columns);
    a 1-D input is one variable. ``fweights`` (integer repeat counts) and ``aweights`` (float
    importance weights) weight the observations, as in ``numpy.cov``.

        avg = sum_k w_k x_k / sum_k w_k,   cov = (X - avg) diag(w) (X - avg)^T / norm
        norm = sum w - correction                                   (no aweights)
        norm = sum w - correction * sum(w * aweights) / sum w       (with aweights)
    """
    _check_tensor("cov", input)
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.dtype.is_floating_point:
        x = x.to(_dtype.get_default_dtype())
    num_obs = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, num_obs, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, num_obs, integral=False)
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum = num_obs
        avg = x.mean(1)
    else:
        w = w.reshape(-1).to(x.dtype) if w.dtype is not x.dtype else w.reshape(-1)
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None or correction == 0 or aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights.reshape(-1)).sum() / w_sum
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "number of observations.", UserWarning, stacklevel=2)
        norm = 0 if not isinstance(norm, Tensor) else norm * 0
    centered = x - avg.unsqueeze(1)
    weighted = centered if w is None else centered * w
    return (centered @ weighted.t() / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``: cov(X)[i, j] divided
    by std_i std_j, clipped to [-1, 1] (rounding can push it just past them)."""
    _check_tensor("corrcoef", input)
    c = cov(input)
    if c.dim() == 0:  # one variable: its correlation with itself (nan if it never varies)
        return c / c
    stddev = sqrt(diag(c))
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    return c.clip(-1, 1)


__all__ = ["corrcoef", "cov", "nanmean", "nansum", "std_mean", "var_mean"]
