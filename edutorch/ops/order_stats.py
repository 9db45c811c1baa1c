"""Order statistics (median, nanmedian, kthvalue, mode, quantile, nanquantile), running extremes and
log-sums (cummax, cummin, logcumsumexp), and binning (searchsorted, bucketize, histc).

An order statistic is a value picked by its rank: sort a slice, take the element at position k. The
pick is the whole computation, so the gradient goes back to the element that was picked, and to no
other:

    values, indices = torch.median(x, dim=1)     grad_x = zeros, with grad_values put at ``indices``

(the same rule as ``max(x, dim)``). ``median(x)`` over the whole tensor returns no index: its
gradient is shared evenly by every element equal to the median, as PyTorch does.

The median of an even number of values is the *lower* of the two middle ones (an element of the
input, so it has an index), not their mean: ``torch.median(torch.tensor([1., 2., 3., 4.]))`` is 2.
``quantile`` interpolates instead; it is written with ``sort``, ``gather`` and ``lerp``, which are
differentiable already, so it needs no backward of its own.

Where several elements are equal, which index is returned is not specified by PyTorch (its kernel
uses a selection algorithm); edutorch sorts stably, so its index may differ from PyTorch's on ties,
while the value is the same. ``mode`` returns the last index of the most frequent value, as PyTorch.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from .arithmetic import lerp
from .indexing import _accumulate_at, _along_dim_key
from .reduction import _argsort, sort


# --------------------------------------------------------------------------------------- helpers
def _check_tensor(op: str, input) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def _check_not_bool(kernel: str, input: Tensor) -> None:
    if input.dtype is _dtype.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool' (convert with .int() or .float())")


def _sorted_order(a: np.ndarray, dim: int) -> np.ndarray:
    """Indices that sort ``a`` along ``dim`` (stable; nan last, in their original order)."""
    return _argsort(a, dim, descending=False)


def _reduce_dim(op: str, input: Tensor, dim) -> int:
    """``dim`` wrapped to non-negative; an empty slice along it has no order statistic."""
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    dim = _wrap_dim(int(dim), input.dim())
    if input.dim() > 0 and input.shape[dim] == 0 and _count_other(input, dim) > 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    return dim


def _count_other(input: Tensor, dim: int) -> int:
    """How many slices there are along ``dim`` (0 when another dim is empty)."""
    return int(np.prod([n for d, n in enumerate(input.shape) if d != dim]))


# --------------------------------------------------------------------- picking one element per slice
class PickAlongDim(NumpyFunction):
    """(values, indices): the element of each slice along ``dim`` at ``index`` (one per slice, chosen
    by the caller: the median's position, the k-th smallest, the mode), and that index.

    Only the picked element made each value, so grad_a = zeros with grad_values put at ``index``
    (``index`` holds one position per slice, so no position receives two gradients).
    """

    @staticmethod
    def forward(ctx, a, dim, keepdim, index):
        ctx.shape, ctx.dim = a.shape, dim
        flat = a.reshape(a.shape or (1,))  # a 0-d tensor is one slice of one element
        values = np.take_along_axis(flat, index, axis=dim)
        ctx.save_for_backward(index)
        out_shape = tuple(np.squeeze(index, dim).shape) if not keepdim else index.shape
        out_shape = out_shape if a.ndim else ()
        return values.reshape(out_shape), index.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (index,) = ctx.saved_tensors
        grad_a = np.zeros(ctx.shape or (1,), dtype=grad.dtype)
        np.put_along_axis(grad_a, index, grad.reshape(index.shape), axis=ctx.dim)
        return grad_a.reshape(ctx.shape), None, None, None


class Median(PickAlongDim):
    node_name = "MedianBackward1"


class Nanmedian(PickAlongDim):
    node_name = "NanmedianBackward1"


class Kthvalue(PickAlongDim):
    node_name = "KthvalueBackward0"


class Mode(PickAlongDim):
    node_name = "ModeBackward0"


class MedianAll(NumpyFunction):
    """out = the lower median of all elements (a 0-d tensor; ``nan`` if any element is nan).

    The median's value is shared by every element equal to it, and PyTorch cannot say which one it
    picked, so the gradient is split evenly among them: grad_a = grad * (a == out) / count(a == out).
    """

    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx, a, ignore_nan):
        flat = np.sort(a.reshape(-1))  # nan sorts last
        n = int(np.count_nonzero(~np.isnan(flat))) if a.dtype.kind == "f" else flat.size
        if flat.size == 0:
            out = np.asarray(np.nan, dtype=a.dtype)
        elif ignore_nan:
            out = np.asarray(flat[max(n - 1, 0) // 2])
        else:
            out = np.asarray(flat[(flat.size - 1) // 2] if n == flat.size else flat[n])
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        chosen = (a == out) | (np.isnan(a) & np.isnan(out))
        return grad * chosen / max(int(chosen.sum()), 1), None


class NanmedianAll(MedianAll):
    node_name = "NanmedianBackward0"


def _median(op: str, cls, all_cls, tuple_type, input: Tensor, dim, keepdim: bool, ignore_nan: bool):
    _check_tensor(op, input)
    _check_not_bool(f"{op}_cpu" if dim is None else "median_out", input)  # PyTorch's kernel names
    if dim is None:
        return all_cls.apply(input, ignore_nan)
    dim = _reduce_dim(op, input, dim)
    a = input._data.reshape(input.shape or (1,))
    order = _sorted_order(a, dim)
    # Position of the median in the sorted slice: the lower middle of the counted values. Nan sorts
    # last, so for median a slice with a nan picks its first nan; nanmedian counts only the others.
    n = a.shape[dim]
    if a.dtype.kind == "f":
        valid = np.count_nonzero(~np.isnan(a), axis=dim, keepdims=True)
    else:
        valid = np.full(_kept(a.shape, dim), n)
    if ignore_nan:
        position = np.maximum(valid - 1, 0) // 2
    else:
        position = np.where(valid == n, (n - 1) // 2, valid)
    index = np.take_along_axis(order, np.minimum(position, max(n - 1, 0)), axis=dim)
    values, indices = cls.apply(input, dim, keepdim, index.astype(np.int64))
    return tuple_type(values, indices)


def _kept(shape: tuple, dim: int) -> tuple:
    return tuple(1 if d == dim else n for d, n in enumerate(shape))


def median(input: Tensor, dim=None, keepdim: bool = False):
    """``median(x)``: the lower median of all elements (nan if any is nan). ``median(x, dim)``: a named
    tuple (values, indices) with the lower median of each slice along ``dim`` and where it is."""
    return _median("median", Median, MedianAll, return_types.median, input, dim, keepdim, ignore_nan=False)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False):
    """median that ignores nan: the lower median of the non-nan values (nan only if all are nan)."""
    return _median("nanmedian", Nanmedian, NanmedianAll, return_types.nanmedian, input, dim, keepdim,
                   ignore_nan=True)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest value (k = 1 is the minimum) of each slice along ``dim`` and its index."""
    _check_tensor("kthvalue", input)
    _check_not_bool("kthvalue_cpu", input)
    dim = _wrap_dim(int(dim), input.dim())
    size = input.shape[dim] if input.dim() else 1
    if isinstance(k, bool) or not hasattr(k, "__index__"):
        raise TypeError(f"kthvalue(): argument 'k' (position 2) must be int, not {type(k).__name__}")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim} (k={k}, but "
                           f"the dimension has size {size}; k counts from 1)")
    a = input._data.reshape(input.shape or (1,))
    index = np.take(_sorted_order(a, dim), [k - 1], axis=dim)
    values, indices = Kthvalue.apply(input, dim, keepdim, index.astype(np.int64))
    return return_types.kthvalue(values, indices)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value of each slice along ``dim`` (the smallest of them on a tie) and the index
    of its last occurrence."""
    _check_tensor("mode", input)
    dim = _reduce_dim("mode", input, dim)
    a = np.moveaxis(input._data.reshape(input.shape or (1,)), dim, -1)
    order = _sorted_order(a, -1)
    s = np.take_along_axis(a, order, axis=-1)
    n = s.shape[-1]
    # Runs of equal values in the sorted slice: a run starts where the value changes. The length of the
    # run up to position j is j - (start of its run) + 1; it is largest at the run's last element.
    starts = np.ones(s.shape, dtype=bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0), axis=-1)
    run_length = np.arange(n) - run_start + 1
    best = np.argmax(run_length, axis=-1)[..., None]  # first longest run: the smallest value
    # The stable sort keeps equal values in their order, so the run's last element is the last occurrence.
    index = np.moveaxis(np.take_along_axis(order, best, axis=-1), -1, dim)
    values, indices = Mode.apply(input, dim, keepdim, index.astype(np.int64))
    return return_types.mode(values, indices)


# ------------------------------------------------------------------------------ quantile, nanquantile
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op: str, input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
    """The q-th quantiles along ``dim``, as PyTorch computes them: sort, find the rank q * (n - 1) of
    each quantile (n: the number of values, without nan for nanquantile), and interpolate between the
    sorted values just below and above that rank.

        linear:   v[lo] + (rank - lo) * (v[hi] - v[lo])     lower: v[lo]     higher: v[hi]
        midpoint: (v[lo] + v[hi]) / 2                        nearest: v[round(rank)] (half to even)

    Gradients flow through sort, gather and lerp: each sorted value receives its interpolation weight.
    """
    _check_tensor(op, input)
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        q_array = np.asarray([q], dtype=input._data.dtype)
    else:
        if q.dim() > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        q_array = q._data.reshape(-1)
    if ((q_array < 0) | (q_array > 1)).any():
        bad = q_array[(q_array < 0) | (q_array > 1)][0]
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {bad:g}" if scalar_q
                           else f"{op}() q values must be in the range [0, 1]")

    # The slices to take quantiles of, as the last dim of ``x``.
    if dim is None:
        x = input.reshape(-1)
        out_shape = (1,) * input.dim() if keepdim else ()
    else:
        d = _wrap_dim(dim, input.dim())
        x = input.movedim(d, -1) if input.dim() else input.reshape(1)
        out_shape = tuple(1 if i == d else n for i, n in enumerate(input.shape)) if keepdim else \
            tuple(n for i, n in enumerate(input.shape) if i != d)
    values = sort(x, dim=-1).values  # nan last
    n = values.shape[-1]
    dtype = input._data.dtype
    is_nan = np.isnan(x._data)
    if ignore_nan:  # rank among the non-nan values; an all-nan slice picks position 0, a nan
        count = np.count_nonzero(~is_nan, axis=-1, keepdims=True)
        rank = q_array.astype(dtype) * np.maximum(count - 1, 0).astype(dtype)  # (..., len(q))
    else:  # a slice with a nan has the quantile nan: point its ranks at its last (nan) element
        rank = q_array.astype(dtype) * dtype.type(n - 1) + np.zeros(is_nan.shape[:-1] + (1,), dtype)
        rank = np.where(is_nan.any(axis=-1, keepdims=True), dtype.type(n - 1), rank).astype(dtype)
    lo, hi = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(rank).astype(np.int64)
    elif interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    below = values.gather(-1, Tensor._make(lo))
    if interpolation in ("linear", "midpoint"):
        weight = (rank - lo) if interpolation == "linear" else np.full(rank.shape, 0.5)
        result = lerp(below, values.gather(-1, Tensor._make(hi)), Tensor._make(weight.astype(dtype)))
    else:
        result = below
    # (..., len(q)) -> q's dim first, then the output shape.
    result = result.movedim(-1, 0).reshape((len(q_array),) + out_shape)
    return result.reshape(out_shape) if scalar_q else result


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """The q-th quantiles of ``input`` (all of it, or along ``dim``); ``q`` a number or a 1-D tensor in
    [0, 1], whose dim comes first in the result. A slice containing nan gives nan."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """quantile that ignores nan: the quantiles of the non-nan values (nan only if all are nan)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


# --------------------------------------------------------------------------------- cummax, cummin
class Cummax(NumpyFunction):
    """(values, indices): values[k] = max(a[0..k]) along ``dim``, and the index where that maximum was
    found (the latest one on ties; a nan is the maximum from where it appears on).

    Each running maximum is one of a's elements, so grad_a[i] = the sum of the gradients of every
    output position k whose maximum was a[i] (a scatter-add at ``indices``).
    """

    _accumulate = staticmethod(np.maximum.accumulate)

    @classmethod
    def forward(cls, ctx, a, dim):
        ctx.shape, ctx.dim = a.shape, dim
        flat = a.reshape(a.shape or (1,))
        values = cls._accumulate(flat, axis=dim)
        # Position j starts (or ties) the running extreme if a[j] equals it there; the index of position
        # k is then the latest such j <= k (a running max of the marked positions).
        marked = flat == values
        if flat.dtype.kind == "f":
            marked |= np.isnan(flat)
        positions = np.arange(flat.shape[dim]).reshape((-1,) + (1,) * (flat.ndim - dim - 1))
        indices = np.maximum.accumulate(np.where(marked, positions, 0), axis=dim).astype(np.int64)
        ctx.save_for_backward(indices)
        return values.reshape(a.shape), indices.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (indices,) = ctx.saved_tensors
        shape = ctx.shape or (1,)
        key = _along_dim_key(indices.reshape(shape), ctx.dim)
        return _accumulate_at(shape, key, grad.reshape(shape)).reshape(ctx.shape), None


class Cummin(Cummax):
    """(values, indices): the running minimum along ``dim`` and where it was found (see Cummax)."""

    _accumulate = staticmethod(np.minimum.accumulate)


def _cumulative_extreme(op: str, cls, tuple_type, input: Tensor, dim: int):
    _check_tensor(op, input)
    values, indices = cls.apply(input, _wrap_dim(dim, input.dim()))
    return tuple_type(values, indices)


def cummax(input: Tensor, dim: int):
    """The running maximum along ``dim`` and the index of each: ``torch.return_types.cummax``."""
    return _cumulative_extreme("cummax", Cummax, return_types.cummax, input, dim)


def cummin(input: Tensor, dim: int):
    """The running minimum along ``dim`` and the index of each: ``torch.return_types.cummin``."""
    return _cumulative_extreme("cummin", Cummin, return_types.cummin, input, dim)


# ------------------------------------------------------------------------------------ logcumsumexp
def _reverse_logcumsumexp(x: np.ndarray, dim: int) -> np.ndarray:
    """out[i] = log(sum_{k >= i} exp(x[k])) along dim."""
    return np.flip(np.logaddexp.accumulate(np.flip(x, dim), axis=dim), dim)


class Logcumsumexp(NumpyFunction):
    """out[k] = log(exp(a[0]) + ... + exp(a[k])) along ``dim``: a running logsumexp, computed pairwise
    with logaddexp (log(e^x + e^y) = max + log1p(e^-|x-y|)) so it never overflows.

    d out[k] / d a[i] = exp(a[i] - out[k]) for i <= k, so

        grad_a[i] = sum_{k >= i} grad[k] exp(a[i] - out[k]) = exp(a[i] + log sum_{k >= i} grad[k] e^-out[k])

    The inner sum is a reverse logcumsumexp of log(grad) - out; positive and negative gradients are
    summed separately (log needs a positive argument). Each term grad[k] exp(a[i] - out[k]) is at most
    |grad[k]| because out[k] >= a[i], so nothing overflows.
    """

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        flat = a.reshape(a.shape or (1,))
        out = np.logaddexp.accumulate(flat, axis=dim).reshape(a.shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape, dim = a.shape, ctx.dim
        a, out, grad = (x.reshape(shape or (1,)) for x in (a, out, grad))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_pos = np.where(grad > 0, np.log(np.where(grad > 0, grad, 1)), -np.inf) - out
            log_neg = np.where(grad < 0, np.log(np.where(grad < 0, -grad, 1)), -np.inf) - out
            grad_a = np.exp(a + _reverse_logcumsumexp(log_pos, dim)) - np.exp(a + _reverse_logcumsumexp(log_neg, dim))
        return grad_a.astype(grad.dtype, copy=False).reshape(shape), None


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input))) along ``dim``, computed without overflow (float tensors only)."""
    _check_tensor("logcumsumexp", input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype._c_name}'")
    return Logcumsumexp.apply(input, _wrap_dim(dim, input.dim()))


# ------------------------------------------------------------------- searchsorted, bucketize, histc
def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` to keep it sorted: the
    number of elements < value (``right=True`` or ``side='right'``: <= value). A batched sequence
    (..., n) searches each row for the values in the same row of ``input`` (..., m).
    Not differentiable (the result is an index)."""
    _check_tensor("searchsorted", sorted_sequence)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data.astype(np.int64), axis=-1)
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input) if scalar else input._data
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), values, side="right" if right else "left")
    else:
        # Each row has its own sequence: count, for every value, the row's elements below it
        # ((..., m, 1) against (..., 1, n)), which is where it goes in a sorted row.
        below = seq[..., None, :] <= values[..., :, None] if right else seq[..., None, :] < values[..., :, None]
        out = below.sum(axis=-1)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value: i such that boundaries[i-1] < x <= boundaries[i] (``right=True``:
    boundaries[i-1] <= x < boundaries[i]), for 1-D sorted ``boundaries``."""
    _check_tensor("bucketize", boundaries)
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """A histogram of ``bins`` equal-width bins between ``min`` and ``max`` (when both are 0: the data's
    smallest and largest values). Elements outside are ignored; the top edge belongs to the last bin.
    Returns counts in input's (float) dtype. Not differentiable."""
    _check_tensor("histc", input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{input.dtype._c_name}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for dimension 0")
    a = input._data.reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:  # all values equal (or no values): widen the range, as PyTorch does
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {lo:g} max {hi:g} "
                           "(swap them)")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo:g}, {hi:g}] is not finite")
    inside = a[(a >= lo) & (a <= hi)]
    which = ((inside - lo) * bins / (hi - lo)).astype(np.int64)
    which = np.minimum(which, bins - 1)  # x == max goes into the last bin
    return Tensor._make(np.bincount(which, minlength=bins).astype(a.dtype))


__all__ = ["bucketize", "cummax", "cummin", "histc", "kthvalue", "logcumsumexp", "median", "mode",
           "nanmedian", "nanquantile", "quantile", "searchsorted"]
