"""Reductions (sum, mean, prod, var, std, norm, max, min, amax, amin, argmax, argmin, logsumexp, all,
any, count_nonzero), scans (cumsum, cumprod) and ordering (sort, argsort, topk).

A reduction collapses the dimensions listed in ``dim`` (all of them when ``dim`` is None). With
``keepdim=True`` those dimensions stay, with size 1: the *kept shape*. Reshaping the output's gradient
to the kept shape lines it up with the input again, so it broadcasts back over the reduced dimensions;
most backwards below start that way::

    a: (2, 3, 4)  --sum(dim=1)-->  out: (2, 4)      grad (2, 4) -> kept shape (2, 1, 4) -> (2, 3, 4)

Ops that pick elements (max with a dim, sort, topk) send each output's gradient back to the index it
was picked from; ops that cannot say which of several equal elements they picked (``max()``, ``amax``)
share the gradient evenly among the ties, as PyTorch does.
"""
from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from .arithmetic import maximum, minimum


# --------------------------------------------------------------------------------------- helpers
def _dims(dim, ndim: int, name: str) -> tuple:
    """``dim`` (None, an int, or a sequence of ints) as a sorted tuple of non-negative axes.

    None and an empty sequence mean every dimension. Out-of-range dims raise PyTorch's IndexError,
    repeated ones its RuntimeError. A 0-d tensor accepts dim 0 and -1, and has no axis to reduce.
    """
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        dims = (int(dim),)
    elif isinstance(dim, (tuple, list)) and builtins.all(isinstance(d, (int, np.integer)) for d in dim):
        dims = tuple(int(d) for d in dim)
        if not dims:
            return tuple(range(ndim))
    else:
        raise TypeError(f"{name}(): argument 'dim' must be int or tuple of ints, not {type(dim).__name__}")
    wrapped = [_wrap_dim(d, ndim) for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(wrapped)) if ndim > 0 else ()


def _kept_shape(shape: tuple, dims: tuple) -> tuple:
    """The output shape with keepdim=True: size 1 in every reduced dimension."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _count(shape: tuple, dims: tuple) -> int:
    """How many input elements go into each output element."""
    return math.prod(shape[d] for d in dims)


def _unreduce(grad, kept_shape: tuple, shape: tuple):
    """The gradient of a sum, copied back along the summed dims: (output shape) -> ``shape``.

    Runs on arrays, and on tensors for double backward (recorded as a reshape and an expand, the
    graph PyTorch builds for the same gradient).
    """
    if isinstance(grad, Tensor):
        return grad.reshape(kept_shape).expand(shape)
    # A copy, not a broadcast view: the gradient may end up in a user's hands and be written to.
    return np.broadcast_to(grad.reshape(kept_shape), shape).copy()


def _exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _np(dtype) -> np.dtype | None:
    return None if dtype is None else _dtype.to_dtype(dtype).to_numpy()


def _sum_dtype(input: Tensor, dtype) -> np.dtype:
    """sum/prod/cumsum/cumprod of bools and integers give int64, as in PyTorch; floats keep their dtype."""
    if dtype is not None:
        return _np(dtype)
    return input._data.dtype if input.dtype.is_floating_point else np.dtype(np.int64)




def _check_nonempty(input: Tensor, dims: tuple, name: str, full: bool) -> None:
    """max/amax/argmax have no value for an empty slice: raise PyTorch's errors."""
    if input.numel() > 0:
        return
    if full:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
            "reduction dim with the 'dim' argument."
        )
    for d in dims:
        if input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# ------------------------------------------------------------------------------------ sum, mean

def _accumulator(a: np.ndarray, dtype):
    """The dtype to add in: bfloat16 sums run in float32 and are rounded once at the end, as PyTorch's CPU
    kernels do (adding 1 to a bfloat16 256 gives 256 again: a running bfloat16 sum of ones stops there)."""
    target = np.dtype(dtype) if dtype is not None else a.dtype
    return np.float32 if target == _dtype.bfloat16.to_numpy() else dtype

class Sum(NumpyFunction):
    """out = sum of a over ``dims``.

    Every summed element enters with slope 1 (d out / d a_i = 1), so each one receives the gradient
    of the sum it went into: grad_a = grad copied back along ``dims``.
    Shapes: a (*) -> out (* without dims, or with 1s there if keepdim); grad_a like a.
    """

    node_name = "SumBackward1"
    double_backward = True

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.kept_shape, ctx.shape = _kept_shape(a.shape, dims), a.shape
        out = np.asarray(a.sum(axis=dims, dtype=_accumulator(a, dtype), keepdims=keepdim))
        return out.astype(a.dtype if dtype is None else dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.kept_shape, ctx.shape), None, None, None


class SumAll(Sum):
    """``sum(a)`` without a dim: the same op under PyTorch's other node name."""

    node_name = "SumBackward0"


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (an int or a tuple; all dims when None). Bools and integers sum to int64."""
    dims = _dims(dim, input.dim(), "sum")
    op = SumAll if dim is None else Sum
    return op.apply(input, dims, keepdim, _sum_dtype(input, dtype))


class Mean(NumpyFunction):
    """out = (sum of a over ``dims``) / n, with n the number of elements averaged.

    d out / d a_i = 1 / n:  grad_a = grad copied back along ``dims``, divided by n.
    """

    node_name = "MeanBackward1"
    double_backward = True

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.kept_shape, ctx.shape = _kept_shape(a.shape, dims), a.shape
        ctx.count = _count(a.shape, dims)
        with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is nan, silently
            total = a.astype(dtype, copy=False).sum(axis=dims, keepdims=keepdim, dtype=_accumulator(a, dtype))
            return np.asarray(total / ctx.count).astype(a.dtype if dtype is None else dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.kept_shape, ctx.shape) / ctx.count, None, None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The average over ``dim``. Integer tensors need ``dtype=torch.float32`` (or ``.float()``)."""
    if dtype is not None and not _dtype.to_dtype(dtype).is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Optional dtype must be either a floating point or "
            f"complex dtype. Got: {(_dtype.to_dtype(dtype))._c_name}"
        )
    if dtype is None and not input.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {(input.dtype)._c_name}"
        )
    dims = _dims(dim, input.dim(), "mean")
    op = MeanAll if dim is None else Mean
    return op.apply(input, dims, keepdim, _np(dtype) or input._data.dtype)


# ------------------------------------------------------------------------------------------ prod
class Prod(NumpyFunction):
    """out = product of a over ``dims``.

    d out / d a_i = product of the *other* elements of its slice. Dividing (out / a_i) breaks at zeros
    and infinities, so it is computed without dividing: with the slice flattened to a_0 ... a_{n-1},
    others_i = (a_0 * ... * a_{i-1}) * (a_{i+1} * ... * a_{n-1}), two exclusive running products (one
    from each end), as PyTorch does.
    """

    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim, dtype):
        ctx.dims, ctx.kept_shape = dims, _kept_shape(a.shape, dims)
        out = np.asarray(a.prod(axis=dims, dtype=dtype, keepdims=keepdim))
        ctx.save_for_backward(a, out)  # out too, as PyTorch saves it: writing to it in place is an error
        return out

    @staticmethod
    def backward(ctx, grad):
        a, _ = ctx.saved_tensors
        return grad.reshape(ctx.kept_shape) * _product_of_others(a.astype(grad.dtype, copy=False), ctx.dims), \
            None, None, None


def _product_of_others(a: np.ndarray, dims) -> np.ndarray:
    """For each element, the product of the other elements of its slice over ``dims`` (no division)."""
    dims = tuple(range(a.ndim)) if dims is None else tuple(dims)
    last = tuple(range(a.ndim - len(dims), a.ndim))
    moved = np.moveaxis(a, dims, last)  # the reduced axes last, then flattened into one
    n = int(np.prod([a.shape[d] for d in dims]))  # the length of a slice (spelled out: a may be empty)
    if n == 0 or a.size == 0:
        return np.zeros_like(a)
    flat = moved.reshape(moved.shape[:a.ndim - len(dims)] + (n,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis((before * after).reshape(moved.shape), last, dims)


class ProdAll(Prod):
    node_name = "ProdBackward0"


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """The product over one ``dim`` (all elements when None). Bools and integers give int64."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    dims = _dims(dim, input.dim(), "prod")
    op = ProdAll if dim is None else Prod
    return op.apply(input, dims, keepdim, _sum_dtype(input, dtype))


# ------------------------------------------------------------------------------------- var, std
def _centered(a: np.ndarray, dims: tuple) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return a - a.sum(axis=dims, keepdims=True) / _count(a.shape, dims)


class Var(NumpyFunction):
    """out = sum((a - mean)^2) / (n - correction) over ``dims``; correction=1 is the unbiased estimate.

    d out / d a_i = 2 (a_i - mean) / (n - correction). (The mean depends on a_i too, but that term is
    multiplied by sum(a - mean) = 0 and drops out.)
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, correction):
        ctx.dims, ctx.kept_shape = dims, _kept_shape(a.shape, dims)
        ctx.dof = builtins.max(_count(a.shape, dims) - correction, 0)
        ctx.save_for_backward(a)
        centered = _centered(a, dims)
        with np.errstate(invalid="ignore", divide="ignore"):  # dof 0 gives inf or nan, as in PyTorch
            return np.asarray((centered * centered).sum(axis=dims, keepdims=keepdim) / ctx.dof)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            return grad.reshape(ctx.kept_shape) * _centered(a, ctx.dims) * 2 / ctx.dof, None, None, None


class Std(NumpyFunction):
    """out = sqrt(var(a)).

    d out / d a_i = (d var / d a_i) / (2 out) = (a_i - mean) / ((n - correction) out). Where out = 0
    (a constant slice) PyTorch uses the subgradient 0 instead of dividing by zero.
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, correction):
        ctx.dims, ctx.kept_shape = dims, _kept_shape(a.shape, dims)
        ctx.dof = builtins.max(_count(a.shape, dims) - correction, 0)
        # Squares are summed in float64, as PyTorch's CPU kernel accumulates in double: the variance of
        # values near 1e19 overflows float32, their standard deviation does not. The result is cast back.
        centered = _centered(a, dims).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.sqrt((centered * centered).sum(axis=dims, keepdims=keepdim) / ctx.dof).astype(a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        out = out.reshape(ctx.kept_shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            grad_var = np.where(out == 0, 0, grad.reshape(ctx.kept_shape) / (2 * out))
            return grad_var * _centered(a, ctx.dims) * 2 / ctx.dof, None, None, None


def _var_args(name: str, input: Tensor, dim, unbiased, correction):
    """PyTorch's var/std argument rules: ``var(x, True)`` means unbiased; correction defaults to 1."""
    if isinstance(dim, bool):  # the overload var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments: unbiased given twice")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: give either "
                        "unbiased or correction, not both")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(dim, input.dim(), name)
    if _count(input.shape, dims) - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
            "factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return dims, correction


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """The variance over ``dim``: sum((x - mean)^2) / (n - correction); correction 1 unless
    ``unbiased=False`` or ``correction=`` says otherwise."""
    dims, correction = _var_args("var", input, dim, unbiased, correction)
    return Var.apply(input, dims, keepdim, correction)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """The standard deviation: sqrt(var(input, dim, ...)), with var's arguments."""
    dims, correction = _var_args("std", input, dim, unbiased, correction)
    return Std.apply(input, dims, keepdim, correction)


# ------------------------------------------------------------------------------------------ norm
class LinalgVectorNorm(NumpyFunction):
    """out = (sum |a_i|^p)^(1/p) over ``dims``; p = inf gives max |a_i|, -inf min |a_i|, and p = 0
    the number of nonzero elements.

    Gradient (g = grad, broadcast back along dims):
        finite p != 0:  g * sign(a_i) |a_i|^(p-1) / out^(p-1)     e.g. p=2: g a_i / out;  p=1: g sign(a_i)
                        set to 0 where a_i = 0 or out = 0 (PyTorch's choice at the kink: no nan)
        p = +-inf:      g * sign(a_i), shared evenly by the elements with |a_i| = out
        p = 0:          no gradient (a count is piecewise constant)
    """

    @staticmethod
    def forward(ctx, a, p, dims, keepdim, dtype):
        a = a.astype(dtype, copy=False)
        ctx.p, ctx.dims, ctx.kept_shape = p, dims, _kept_shape(a.shape, dims)
        magnitude = np.abs(a)
        if p == 2:
            out = np.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
        elif p == 1:
            out = magnitude.sum(axis=dims, keepdims=keepdim)
        elif p == math.inf:
            out = magnitude.max(axis=dims, keepdims=keepdim)
        elif p == -math.inf:
            out = magnitude.min(axis=dims, keepdims=keepdim)
        elif p == 0:
            out = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            with np.errstate(divide="ignore"):  # 0 ** negative p is inf, as it should be
                out = (magnitude ** p).sum(axis=dims, keepdims=keepdim) ** (1 / p)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return None, None, None, None, None
        a = a.astype(grad.dtype, copy=False)
        grad, out = grad.reshape(ctx.kept_shape), out.reshape(ctx.kept_shape)
        if p in (math.inf, -math.inf):
            magnitude = np.abs(a)
            hits = (magnitude == out) | np.isnan(magnitude)
            with np.errstate(invalid="ignore", divide="ignore"):
                share = grad / hits.sum(axis=ctx.dims, keepdims=True).astype(grad.dtype)
            return np.sign(a) * hits * share, None, None, None, None
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            scale = np.abs(a) ** (p - 1) * out ** (1 - p)
        scale = np.where((a == 0) | (out == 0), 0, scale).astype(grad.dtype, copy=False)
        return grad * np.sign(a) * scale, None, None, None, None


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """The p-norm over ``dim`` (all elements when None). p: 'fro' (= 2), a number, inf or -inf."""
    if isinstance(p, str):
        if p == "nuc":  # the sum of singular values, over the two dims (all dims when None)
            from ..linalg import matrix_norm

            dims = tuple(range(input.dim())) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
            return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(
                f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
        p = 2
    elif p is None:
        p = 2
    if not input.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {(input.dtype)._c_name}")
    dims = _dims(dim, input.dim(), "norm")
    if p in (math.inf, -math.inf) and input.numel() == 0:
        # max/min of nothing has no value (unlike a sum, which is 0).
        where = "an empty tensor" if dim is None else None
        for d in dims:
            if where is None and input.shape[d] == 0:
                where = f"the dimension {d}"
        if where is not None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on {where} because the "
                               "operation does not have an identity")
    return LinalgVectorNorm.apply(input, float(p), dims, keepdim, _np(dtype) or input._data.dtype)


# ------------------------------------------------------------------------------- max, min, ...
class MaxAll(NumpyFunction):
    """out = the largest element (a 0-d tensor).

    It cannot say *which* of several equal largest elements it is, so the gradient is shared evenly
    among them: grad_a = grad / (number of ties) where a_i == out, exactly 0 elsewhere (even when grad
    is inf or nan, as in PyTorch). (If out is nan, the nans share it.)
    """

    node_name = "MaxBackward1"
    _reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a):
        out = np.asarray(cls._reduce(a))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        ties = np.isnan(a) if np.isnan(out) else a == out
        return np.where(ties, grad / np.asarray(ties.sum(), dtype=grad.dtype), 0).astype(grad.dtype, copy=False)


class MinAll(MaxAll):
    """out = the smallest element; the gradient is shared evenly among the ties (see MaxAll)."""

    node_name = "MinBackward1"
    _reduce = staticmethod(np.min)


class Amax(NumpyFunction):
    """out = the largest element of each slice over ``dims``.

    grad_a = grad * [a_i == out] / (number of ties in its slice): ties share the gradient evenly.
    """

    _reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a, dims, keepdim):
        ctx.dims, ctx.kept_shape = dims, _kept_shape(a.shape, dims)
        out = np.asarray(cls._reduce(a, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        ties = a == out.reshape(ctx.kept_shape)
        count = ties.sum(axis=ctx.dims, keepdims=True).astype(grad.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # no ties (a nan max): nan, as in PyTorch
            return ties * (grad.reshape(ctx.kept_shape) / count), None, None


class Amin(Amax):
    """out = the smallest element of each slice; ties share the gradient evenly (see Amax)."""

    _reduce = staticmethod(np.min)


class MaxDim(NumpyFunction):
    """(values, indices) = the largest element along ``dim`` and its position (the first, on ties).

    Only the returned element influenced the value, so the gradient goes there:
    grad_a = zeros with grad_values scattered to ``indices`` along ``dim``. Indices get no gradient.
    """

    node_name = "MaxBackward0"
    _arg = staticmethod(np.argmax)

    @classmethod
    def forward(cls, ctx, a, dim, keepdim):
        ctx.shape, ctx.dim = a.shape, dim
        a = a.reshape(a.shape or (1,))  # a 0-d tensor is searched as one element
        indices = cls._arg(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, indices, axis=dim)
        ctx.save_for_backward(indices)
        out_shape = _kept_shape(ctx.shape, (dim,)) if keepdim else ctx.shape[:dim] + ctx.shape[dim + 1:]
        return values.reshape(out_shape), indices.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (indices,) = ctx.saved_tensors
        grad_a = np.zeros(ctx.shape or (1,), dtype=grad.dtype)
        np.put_along_axis(grad_a, indices, grad.reshape(indices.shape), axis=ctx.dim)
        return grad_a.reshape(ctx.shape), None, None


class MinDim(MaxDim):
    """(values, indices) = the smallest element along ``dim`` and its first position (see MaxDim)."""

    node_name = "MinBackward0"
    _arg = staticmethod(np.argmin)


def _max_or_min(name, full_op, dim_op, tuple_type, elementwise, input, dim, keepdim):
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum of two tensors
        return elementwise(input, dim)
    if dim is None:
        _check_nonempty(input, (), name, full=True)
        return full_op.apply(input)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    dim = _wrap_dim(int(dim), input.dim())
    if input.dim() > 0:
        _check_nonempty(input, (dim,), name, full=False)
    values, indices = dim_op.apply(input, dim, keepdim)
    return tuple_type(values, indices)


def max(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """``max(x)``: the largest element. ``max(x, dim)``: a named tuple (values, indices) along dim.
    ``max(x, other)``: the elementwise maximum of two tensors."""
    return _max_or_min("max", MaxAll, MaxDim, return_types.max, maximum, input, dim, keepdim)


def min(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A001
    """``min(x)``: the smallest element. ``min(x, dim)``: a named tuple (values, indices) along dim.
    ``min(x, other)``: the elementwise minimum of two tensors."""
    return _max_or_min("min", MinAll, MinDim, return_types.min, minimum, input, dim, keepdim)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The largest value over ``dim`` (an int or tuple; all dims when empty). Ties share the gradient."""
    dims = _dims(dim, input.dim(), "amax")
    _check_nonempty(input, dims, "amax", full=dim in ((), [], None))
    return Amax.apply(input, dims, keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """The smallest value over ``dim`` (an int or tuple; all dims when empty). Ties share the gradient."""
    dims = _dims(dim, input.dim(), "amin")
    _check_nonempty(input, dims, "amin", full=dim in ((), [], None))
    return Amin.apply(input, dims, keepdim)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """``(amin, amax)`` in one call, over ``dim`` (an int) or over all elements."""
    dims = () if dim is None else dim
    return return_types.aminmax(amin(input, dims, keepdim), amax(input, dims, keepdim))


def _arg_reduce(name: str, find, input: Tensor, dim, keepdim: bool) -> Tensor:
    """argmax/argmin: int64 positions of the first largest/smallest element (flattened when dim=None)."""
    if input.dtype is _dtype.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    a = input._data
    if dim is None:
        if input.numel() == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        index = np.asarray(find(a), dtype=np.int64)
        return Tensor._make(index.reshape((1,) * a.ndim) if keepdim else index)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
    dim = _wrap_dim(int(dim), a.ndim)
    if a.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    _check_nonempty(input, (dim,), name, full=False)
    return Tensor._make(np.asarray(find(a, axis=dim, keepdims=keepdim), dtype=np.int64))


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (first on ties), over the flattened tensor or along ``dim``."""
    return _arg_reduce("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (first on ties), over the flattened tensor or along ``dim``."""
    return _arg_reduce("argmin", np.argmin, input, dim, keepdim)


# ------------------------------------------------------------------------------------- logsumexp
class Logsumexp(NumpyFunction):
    """out = log(sum(exp(a))) over ``dims``, computed as m + log(sum(exp(a - m))) with m = max(a).

    Subtracting the max keeps every exponent <= 0, so exp cannot overflow (logsumexp([1000, 1000]) is
    1000.69, not inf). d out / d a_i = exp(a_i) / sum(exp(a)) = exp(a_i - out): a softmax.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.kept_shape = _kept_shape(a.shape, dims)
        m = np.max(a, axis=dims, keepdims=True, initial=-np.inf)  # -inf for an empty slice
        # An infinite max would give inf - inf = nan below; shifting by 0 instead gives the right +-inf.
        m = np.where(np.isinf(m), 0, m).astype(a.dtype, copy=False)
        with np.errstate(divide="ignore"):  # log(0) = -inf for an empty (or all -inf) slice
            out = np.log(np.exp(a - m).sum(axis=dims, keepdims=True)) + m
        out = out if keepdim else out.reshape([n for i, n in enumerate(a.shape) if i not in dims])
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        # Written with reshape, broadcasting and _exp so it also runs on tensors (double backward).
        softmax = _exp(a - out.reshape(ctx.kept_shape))
        return grad.reshape(ctx.kept_shape) * softmax, None, None


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over ``dim``, computed stably; integer inputs give the default float."""
    dims = _dims(dim, input.dim(), "logsumexp")
    if not input.dtype.is_floating_point:
        input = input.to(_dtype.get_default_dtype())
    return Logsumexp.apply(input, dims, keepdim)


# --------------------------------------------------------------------------------- all, any, count
def _logical_reduce(find, input: Tensor, dim, keepdim: bool, name: str) -> Tensor:
    dims = _dims(dim, input.dim(), name)
    out = np.asarray(find(input._data, axis=dims, keepdims=keepdim))
    # PyTorch keeps uint8 for uint8 input (a relic of masks before bool existed); bool otherwise.
    return Tensor._make(out.astype(np.uint8) if input.dtype is _dtype.uint8 else out)


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is nonzero."""
    return _logical_reduce(np.all, input, dim, keepdim, "all")


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is nonzero."""
    return _logical_reduce(np.any, input, dim, keepdim, "any")


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """The number of nonzero elements over ``dim`` (int64)."""
    dims = _dims(dim, input.dim(), "count_nonzero")
    return Tensor._make(np.asarray(np.count_nonzero(input._data, axis=dims), dtype=np.int64))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max(input) occurs in a 1-D tensor of non-negative integers.

    ``out[v]`` counts the elements equal to ``v`` (or sums their ``weights``); the result has
    ``max(max(input) + 1, minlength)`` entries. Counts are int64; weighted sums are float32 for
    float32 weights and float64 otherwise, as PyTorch's. Not differentiable.
    """
    values = input._data
    if values.dtype.kind == "f":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{input.dtype._c_name}\'')
    if values.ndim != 1 or values.dtype.kind == "b" or (values.size and values.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return Tensor._make(np.bincount(values, minlength=minlength).astype(np.int64))
    if weights._data.shape != values.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = np.float32 if weights._data.dtype == np.float32 else np.float64
    counts = np.bincount(values, weights=weights._data.astype(out_dtype), minlength=minlength)
    return Tensor._make(counts.astype(out_dtype, copy=False))


# ------------------------------------------------------------------------------ cumsum, cumprod
class Cumsum(NumpyFunction):
    """out_k = a_0 + ... + a_k along ``dim``.

    a_i appears in every out_k with k >= i, so grad_a_i = grad_i + grad_(i+1) + ... : the cumulative
    sum of grad taken from the end (flip, cumsum, flip back).
    """

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        flat = a.reshape(a.shape or (1,))  # a 0-d tensor is scanned as one element
        out = np.cumsum(flat, axis=dim, dtype=_accumulator(a, dtype)).reshape(a.shape)
        return out.astype(a.dtype if dtype is None else dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.reshape(grad.shape or (1,))
        return np.flip(np.flip(grad, ctx.dim).cumsum(axis=ctx.dim), ctx.dim), None, None


class Cumprod(NumpyFunction):
    """out_k = a_0 * a_1 * ... * a_k along ``dim``.

    d out_k / d a_i = (product of a_0..a_k without a_i) for k >= i, so
        grad_a_i = sum over k >= i of grad_k * out_k / a_i     (reverse cumsum of grad * out, / a_i)
    Dividing fails at zeros; let z be the first zero of a slice. Before z the formula holds (a_i != 0).
    After z every product still contains a_z = 0, so the gradient is 0. At z itself, out_k / a_z is the
    cumulative product with a_z replaced by 1: grad_a_z = reverse cumsum of grad * cumprod(a with a_z = 1).
    """

    @staticmethod
    def forward(ctx, a, dim, dtype):
        ctx.dim = dim
        flat = a.reshape(a.shape or (1,))
        out = np.cumprod(flat, axis=dim, dtype=dtype).reshape(a.shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dim, shape = ctx.dim, a.shape
        a, out, grad = (x.reshape(shape or (1,)).astype(grad.dtype, copy=False) for x in (a, out, grad))

        def reverse_cumsum(x):
            return np.flip(np.flip(x, dim).cumsum(axis=dim), dim)

        is_zero = a == 0
        zeros_so_far = np.cumsum(is_zero, axis=dim)
        before_first_zero = zeros_so_far == 0
        first_zero = is_zero & (zeros_so_far == 1)
        safe_a = np.where(before_first_zero, a, 1)  # divide only where the formula holds
        grad_a = np.where(before_first_zero, reverse_cumsum(grad * out) / safe_a, 0)
        if first_zero.any():
            out_skipping_zero = np.cumprod(np.where(first_zero, 1, a), axis=dim)
            grad_a = np.where(first_zero, reverse_cumsum(grad * out_skipping_zero), grad_a)
        return grad_a.astype(grad.dtype, copy=False).reshape(shape), None, None


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sums along ``dim``. Bools and integers give int64."""
    return Cumsum.apply(input, _wrap_dim(dim, input.dim()), _sum_dtype(input, dtype))


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``. Bools and integers give int64. The gradient is exact at zeros."""
    return Cumprod.apply(input, _wrap_dim(dim, input.dim()), _sum_dtype(input, dtype))


# -------------------------------------------------------------------------- sort, argsort, topk
def _argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort ``a`` along ``axis``; equal values keep their order and NaN counts as largest."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    # Sort the reversed array ascending and reverse the answer: largest first, and equal values still
    # in their original order (negating instead would fail for bools and unsigned ints).
    reversed_order = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return a.shape[axis] - 1 - np.flip(reversed_order, axis)


class Sort(NumpyFunction):
    """(values, indices): the elements sorted along ``dim``, and where each came from.

    Sorting only moves elements, so each input element gets the gradient of the place it moved to:
    grad_a = zeros with grad_values scattered back to ``indices``.
    """

    node_name = "SortBackward0"

    @staticmethod
    def forward(ctx, a, dim, descending):
        ctx.shape, ctx.dim = a.shape, dim
        flat = a.reshape(a.shape or (1,))  # a 0-d tensor sorts as one element
        indices = _argsort(flat, dim, descending)
        ctx.save_for_backward(indices)
        return np.take_along_axis(flat, indices, axis=dim).reshape(a.shape), indices.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (indices,) = ctx.saved_tensors
        grad_a = np.zeros(indices.shape, dtype=grad.dtype)
        np.put_along_axis(grad_a, indices, grad.reshape(indices.shape), axis=ctx.dim)
        return grad_a.reshape(ctx.shape), None, None


class SortStable(Sort):
    """``sort(..., stable=...)``: PyTorch's other overload, so its node has another name."""

    node_name = "SortBackward1"


class Topk(NumpyFunction):
    """(values, indices): the ``k`` largest (or smallest) elements along ``dim``, largest first.

    As for sort, each picked element gets the gradient of its place; the others get 0.
    """

    @staticmethod
    def forward(ctx, a, k, dim, largest):
        ctx.shape, ctx.dim = a.shape, dim
        flat = a.reshape(a.shape or (1,))
        indices = np.take(_argsort(flat, dim, descending=largest), np.arange(k), axis=dim)
        ctx.save_for_backward(indices)
        out_shape = indices.shape if a.ndim or k != 1 else ()
        return np.take_along_axis(flat, indices, axis=dim).reshape(out_shape), indices.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad, grad_indices):
        (indices,) = ctx.saved_tensors
        grad_a = np.zeros(ctx.shape or (1,), dtype=grad.dtype)
        np.put_along_axis(grad_a, indices, grad.reshape(indices.shape), axis=ctx.dim)
        return grad_a.reshape(ctx.shape), None, None, None


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable=None):
    """The values sorted along ``dim`` and their original indices: ``torch.return_types.sort``.

    Equal elements keep their order (edutorch's sort is always stable); NaN sorts as the largest value.
    """
    op = Sort if stable is None else SortStable
    values, indices = op.apply(input, _wrap_dim(dim, input.dim()), descending)
    return return_types.sort(values, indices)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64)."""
    dim = _wrap_dim(dim, input.dim())
    a = input._data
    return Tensor._make(_argsort(a.reshape(a.shape or (1,)), dim, descending).reshape(a.shape))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices, as
    ``torch.return_types.topk``. They always come sorted (PyTorch allows any order for sorted=False)."""
    if input.dtype is _dtype.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    dim = _wrap_dim(dim, input.dim())
    size = input.shape[dim] if input.dim() else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range (k={k}, but dim {dim} has size {size})")
    values, indices = Topk.apply(input, k, dim, largest)
    return return_types.topk(values, indices)
