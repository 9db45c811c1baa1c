"""Diagonals and triangles of matrices: diag, diagonal, diag_embed, trace, tril, triu.

Each acts on the matrices formed by two dims (the last two, or ``dim1`` and ``dim2``) and treats every
other dim as a batch. The k-th diagonal (``offset`` or ``diagonal`` = k) holds the elements (i, i + k):
k > 0 lies above the main diagonal, k < 0 below it, and a k past the matrix's edge gives an empty one.

None of these ops computes a new number: each picks or places numbers, so each gradient is the same
picking or placing done the other way round:

    diagonal     picks a diagonal       grad: placed on that diagonal of zeros   (what diag_embed does)
    diag_embed   places on a diagonal   grad: that diagonal picked out           (what diagonal does)
    trace        sums the diagonal      grad: the one number copied along the diagonal of zeros
    tril / triu  zero one triangle      grad: the same triangle zeroed           (tril / triu again)

``diagonal`` is a view, as in PyTorch, so ``x.diagonal().zero_()`` clears x's diagonal. The trick is in
the strides: one step along the diagonal is one step along dim1 plus one along dim2, so the diagonal of
a contiguous n x m float32 matrix (strides 4m and 4 bytes) is a 1-D view with stride 4m + 4 bytes
(``_diagonal_view``). ``torch.diag`` of a matrix returns a copy of the same diagonal, as PyTorch's does.

The backwards use only the helpers below, which do the same thing to a NumPy array (single backward) or
to a tensor (double backward), so every class here has ``double_backward = True``.
"""
from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from .linalg import _check_tensors


# -------------------------------------------------------------------------------------- array helpers
def _diagonal_view(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The ``offset``-th diagonal of a's (dim1, dim2) planes as a view: a's other dims first, in order,
    then the diagonal. Writable when ``a`` is (``np.diagonal`` would give a read-only view)."""
    start1, start2 = (0, offset) if offset >= 0 else (-offset, 0)
    length = max(0, min(a.shape[dim1] - start1, a.shape[dim2] - start2))
    corner = [slice(None)] * a.ndim
    corner[dim1], corner[dim2] = slice(start1, start1 + length), slice(start2, start2 + length)
    a = a[tuple(corner)]  # a view whose planes start at the diagonal's first element
    rest = [d for d in range(a.ndim) if d not in (dim1, dim2)]
    shape = tuple(a.shape[d] for d in rest) + (length,)
    strides = tuple(a.strides[d] for d in rest) + (a.strides[dim1] + a.strides[dim2],)
    # The diagonal's elements are distinct memory locations, so a writable view is safe; as_strided
    # keeps it read-only when ``a`` is (an expanded tensor).
    return as_strided(a, shape, strides, writeable=True)


def _embed_array(a: np.ndarray, shape: tuple, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """Zeros of ``shape`` with ``a`` written on the ``offset``-th diagonal of the (dim1, dim2) planes."""
    out = np.zeros(shape, dtype=a.dtype)
    _diagonal_view(out, offset, dim1, dim2)[...] = a
    return out


# ---------------------------------------------------------------------------- array-or-tensor helpers
def _take_diagonal(x, offset, dim1, dim2):
    if isinstance(x, Tensor):
        return Diagonal.apply(x, offset, dim1, dim2)
    return _diagonal_view(x, offset, dim1, dim2)


def _place_on_diagonal(x, shape, offset, dim1, dim2):
    if isinstance(x, Tensor):
        return DiagonalBackward.apply(x, tuple(shape), offset, dim1, dim2)
    return _embed_array(x, shape, offset, dim1, dim2)


def _broadcast(x, shape):
    return x.expand(shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)


def _tril(x, k):
    return tril(x, k) if isinstance(x, Tensor) else np.tril(x, k)


def _triu(x, k):
    return triu(x, k) if isinstance(x, Tensor) else np.triu(x, k)


# ------------------------------------------------------------------------------------ argument checks
def _int_arg(value, op: str, name: str, position: int) -> int:
    """An int argument; PyTorch's TypeError for a float, a bool or anything else."""
    if isinstance(value, (bool, float)) or not hasattr(value, "__index__"):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be int, not "
                        f"{type(value).__name__}")
    return operator.index(value)


def _diagonal_dims(op: str, ndim: int, dim1, dim2) -> tuple:
    """dim1 and dim2 wrapped to non-negative for a tensor of ``ndim`` dims; they must differ."""
    dim1, dim2 = _int_arg(dim1, op, "dim1", 3), _int_arg(dim2, op, "dim2", 4)
    d1, d2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


# ----------------------------------------------------------------------------------- diagonal and diag
class Diagonal(NumpyFunction):
    """out[..., i] = a[..., i, i + offset] over the (dim1, dim2) planes (a[..., i - offset, i] when
    offset < 0), with a's other dims first and the diagonal last -- a view of a's storage.

    d/da: each element on that diagonal went to one output element and every other element to none,
    so a's gradient is zeros shaped like a with ``grad`` written back on the diagonal.
    """

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.in_shape, ctx.where = a.shape, (offset, dim1, dim2)
        return _diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return _place_on_diagonal(grad, ctx.in_shape, *ctx.where), None, None, None


class DiagonalCopy(Diagonal):
    """``torch.diag`` of a matrix: the same diagonal as Diagonal, copied (PyTorch's ``diagonal_copy``,
    hence its node name). Same gradient."""

    node_name = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        return Diagonal.forward(ctx, a, offset, dim1, dim2).copy()


class DiagonalBackward(NumpyFunction):
    """out = zeros(shape) with ``a`` on the offset-th diagonal of the (dim1, dim2) planes: Diagonal's
    backward written as an op of its own, so that it can be differentiated again.

    d/da = grad's same diagonal (only those elements of out came from a).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, shape, offset, dim1, dim2):
        ctx.where = (offset, dim1, dim2)
        return _embed_array(a, shape, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return _take_diagonal(grad, *ctx.where), None, None, None, None


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset``-th diagonal of the (dim1, dim2) matrices, as a new last dim: for a (B, n, m) batch,
    ``diagonal(x, 0, 1, 2)`` has shape (B, min(n, m)). A view: writes through it change ``input``."""
    _check_tensors("diagonal", input=input)
    offset = _int_arg(offset, "diagonal", "offset", 2)
    dim1, dim2 = _diagonal_dims("diagonal", input.dim(), dim1, dim2)
    return Diagonal.apply(input, offset, dim1, dim2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor -> the square matrix with it on the ``diagonal``-th diagonal (zeros elsewhere);
    a 2-D tensor -> a copy of its ``diagonal``-th diagonal (1-D)."""
    _check_tensors("diag", input=input)
    k = _int_arg(diagonal, "diag", "diagonal", 2)
    if input.dim() == 1:
        return DiagEmbed.apply(input, k, 0, 1)
    if input.dim() == 2:
        return DiagonalCopy.apply(input, k, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


# ----------------------------------------------------------------------------------------- diag_embed
class DiagEmbed(NumpyFunction):
    """out: a's last dim (size n) placed on the offset-th diagonal of new (dim1, dim2) planes of size
    (n + |offset|) x (n + |offset|), zeros elsewhere; a's other dims fill out's other dims, in order.

    d/da = the same diagonal taken out of grad (only those elements of out came from a).
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.where = (offset, dim1, dim2)
        n = a.shape[-1] + abs(offset)
        batch = iter(a.shape[:-1])
        shape = tuple(n if d in (dim1, dim2) else next(batch) for d in range(a.ndim + 1))
        return _embed_array(a, shape, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return _take_diagonal(grad, *ctx.where), None, None, None


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each vector along ``input``'s last dim becomes a diagonal matrix: (B, n) -> (B, n, n) by default.
    ``dim1`` and ``dim2`` name the output's dims that hold the matrices (output has one dim more)."""
    _check_tensors("diag_embed", input=input)
    offset = _int_arg(offset, "diag_embed", "offset", 2)
    dim1, dim2 = _diagonal_dims("diag_embed", input.dim() + 1, dim1, dim2)
    return DiagEmbed.apply(input, offset, dim1, dim2)


# ---------------------------------------------------------------------------------------------- trace
class Trace(NumpyFunction):
    """out = sum_i a[i, i] for a matrix a (n x m, i < min(n, m)): a 0-d tensor.

    d/da[i, j] = grad if i == j else 0: the one gradient number copied along the main diagonal.
    Integer inputs sum to int64, as ``torch.sum`` does.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        ctx.in_shape = a.shape
        return np.asarray(np.trace(a, dtype=a.dtype if a.dtype.kind == "f" else np.int64))

    @staticmethod
    def backward(ctx, grad):
        k = min(ctx.in_shape)
        return _place_on_diagonal(_broadcast(grad, (k,)), ctx.in_shape, 0, 0, 1)


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor (``torch.diagonal(x).sum()``)."""
    _check_tensors("trace", input=input)
    if input.dtype is _dtype.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return Trace.apply(input)


# ---------------------------------------------------------------------------------------- tril, triu
class Tril(NumpyFunction):
    """out[..., i, j] = a[..., i, j] where j - i <= k, else 0: the lower triangle from the k-th diagonal
    down, over the last two dims (the others are a batch).

    d/da = tril(grad, k): the kept elements pass their gradient on, the zeroed ones get none.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.tril(a, k)

    @staticmethod
    def backward(ctx, grad):
        return _tril(grad, ctx.k), None


class Triu(NumpyFunction):
    """out[..., i, j] = a[..., i, j] where j - i >= k, else 0: the upper triangle from the k-th diagonal
    up, over the last two dims (the others are a batch).

    d/da = triu(grad, k): the kept elements pass their gradient on, the zeroed ones get none.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return np.triu(a, k)

    @staticmethod
    def backward(ctx, grad):
        return _triu(grad, ctx.k), None


def _check_matrices(op: str, input: Tensor, diagonal) -> int:
    _check_tensors(op, input=input)
    if input.dim() < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    return _int_arg(diagonal, op, "diagonal", 2)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of each matrix (last two dims): elements above the ``diagonal``-th diagonal
    become 0. ``tril(ones(n, n))`` is the causal mask of attention."""
    return Tril.apply(input, _check_matrices("tril", input, diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of each matrix (last two dims): elements below the ``diagonal``-th diagonal
    become 0."""
    return Triu.apply(input, _check_matrices("triu", input, diagonal))


__all__ = ["diag", "diag_embed", "diagonal", "trace", "tril", "triu"]
