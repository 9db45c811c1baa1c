"""Rearranging and combining: rot90, take, take_along_dim, block_diag, cartesian_prod, combinations,
diff, trapezoid, ``Tensor.unfold`` (sliding windows as a view) and the in-place shape ops
(``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``, ``swapaxes_``).

None of these computes a new number except diff and the trapezoid rules (differences and sums), so all but
``unfold`` are written with ops that are differentiable already (flip, transpose, indexing, gather,
cat, stack, narrow, sum): their gradients come with them. For example

    rot90(x)      = x.flip(1).transpose(0, 1)        a quarter turn: mirror the columns, then transpose
    take(x, idx)  = x.reshape(-1)[idx]               pick by position in the flattened tensor

``unfold`` is a view: windows of ``size`` elements, every ``step`` elements along one dim, become a
new last dim without copying (a strided view, as im2col uses). Windows overlap when step < size, so
an input element can sit in several windows, and its gradient is the sum over them.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import NumpyFunction
from .comparison import logical_xor
from .creation import zeros
from .indexing import gather
from .shape import Squeeze, T, Transpose, Unsqueeze, cat, flip, meshgrid, narrow, stack
from .shape import _dims as _shape_dims


def _check_tensor(op: str, input, name: str = "input", position: int = 1) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not "
                        f"{type(input).__name__}")


# ------------------------------------------------------------------------------------------ rot90
def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by k quarter turns in the plane of ``dims``, from the first dim towards the second
    (counter-clockwise for an image shown with row 0 at the top and dims=(0, 1)).

        k = 1: flip dims[1], then swap the two dims      k = 2: flip both
        k = 3: flip dims[0], then swap the two dims      k = 0: a copy
    """
    _check_tensor("rot90", input)
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    if _wrap_dim(dims[0], input.dim()) == _wrap_dim(dims[1], input.dim()):
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k = k % 4
    if k == 1:
        return flip(input, [dims[1]]).transpose(dims[0], dims[1])
    if k == 2:
        return flip(input, dims)
    if k == 3:
        return flip(input, [dims[0]]).transpose(dims[0], dims[1])
    return input.clone()


# -------------------------------------------------------------------------- take, take_along_dim
def take(input: Tensor, index: Tensor) -> Tensor:
    """input.reshape(-1)[index]: elements picked by their position in the flattened tensor; the result
    has index's shape. Negative positions count from the end."""
    _check_tensor("take", input)
    _check_tensor("take", index, "index", 2)
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {index.dtype._c_name}")
    n = input.numel()
    bad = (index._data >= n) | (index._data < -n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {index._data[bad].flat[0]} on a tensor of {n} "
                         "elements.")
    return input.reshape(-1)[index]


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """gather with broadcasting: ``out[i][j] = input[i][indices[i][j]]`` along ``dim`` (dim=None: over
    the flattened tensor). input and indices broadcast against each other in every other dim, so the
    indices of ``argsort(x, dim)`` or ``argmax(x, dim, keepdim=True)`` can be used directly."""
    _check_tensor("take_along_dim", input)
    _check_tensor("take_along_dim", indices, "indices", 2)
    if indices.dtype is not _dtype.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices.dtype._c_name}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.dim() != indices.dim():
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {input.dim()} dimensions for input, and {indices.dim()} "
                           "dimensions for indices")
    dim = _wrap_dim(dim, input.dim())
    shape = [max(a, b) for a, b in zip(input.shape, indices.shape)]
    in_shape, idx_shape = list(shape), list(shape)
    in_shape[dim], idx_shape[dim] = input.shape[dim], indices.shape[dim]
    return gather(input.expand(in_shape), dim, indices.expand(idx_shape))


# ------------------------------------------------------------------- block_diag, cartesian, combos
def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-D as a row, or 2-D) placed along the diagonal of one matrix, zeros elsewhere:
    block_diag(A, B) = [[A, 0], [0, B]]. Dtypes are promoted as by ``torch.cat``."""
    blocks = []
    for i, t in enumerate(tensors):
        _check_tensor("block_diag", t, f"tensors[{i}]", i + 1)
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                               f"has {t.dim()} dimensions")
        blocks.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not blocks:
        return zeros(1, 0)
    dtype = _dtype.result_type(*blocks) if len(blocks) > 1 else blocks[0].dtype
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:  # one row of blocks per tensor: zeros | the block | zeros
        r, c = b.shape
        rows.append(cat([zeros(r, left, dtype=dtype), b.to(dtype), zeros(r, width - left - c, dtype=dtype)], 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples with one element from each 1-D tensor, in row-major order, as the rows of a matrix
    (``itertools.product``): built from ``meshgrid(indexing='ij')``. One tensor is returned as is."""
    for i, t in enumerate(tensors):
        _check_tensor("cartesian_prod", t, f"tensors[{i}]", i + 1)
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def _combination_positions(n: int, r: int, with_replacement: bool) -> np.ndarray:
    """The position tuples of all r-combinations of range(n), lexicographic, as an (count, r) array.

    Built one column at a time (a loop over r, never over combinations): each row ending in position
    p is copied once for every allowed next position p + 1, ..., n - 1 (p, ..., n - 1 with
    replacement), and those positions are appended. The copies stay in order, so the rows stay sorted.
    """
    rows = np.arange(n).reshape(-1, 1)
    for _ in range(r - 1):
        first_next = rows[:, -1] + (0 if with_replacement else 1)
        counts = np.maximum(n - first_next, 0)
        starts = np.repeat(first_next, counts)
        # position within each row's run of copies: 0, 1, ..., counts[i] - 1
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.concatenate([np.repeat(rows, counts, axis=0), (starts + within)[:, None]], axis=1)
    return rows


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All r-element combinations of the elements of a 1-D tensor, as rows, in lexicographic order of
    positions (``itertools.combinations``; ``with_replacement=True``: ``combinations_with_replacement``).
    The elements are picked by indexing, so gradients flow back to them."""
    _check_tensor("combinations", input)
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input[:0]
    picked = _combination_positions(input.shape[0], r, with_replacement)  # (count, r)
    if picked.shape[0] == 0:
        return input[:0].unsqueeze(1).expand(0, r)
    return input[Tensor._make(picked)]


# ---------------------------------------------------------------------------------- diff, trapezoid
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], applied n times (each time
    one element shorter). ``prepend`` / ``append`` are joined on first. Bools use xor (x[i+1] != x[i])."""
    _check_tensor("diff", input)
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _wrap_dim(dim, input.dim())
    pieces = [t for t in (prepend, input, append) if t is not None]
    x = cat(pieces, dim) if len(pieces) > 1 else input
    for _ in range(n):  # one difference per order, each over the whole tensor
        length = x.shape[dim]
        if length == 0:
            break
        upper, lower = narrow(x, dim, 1, length - 1), narrow(x, dim, 0, length - 1)
        x = logical_xor(upper, lower) if x.dtype is _dtype.bool_ else upper - lower
    return x


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of y along ``dim`` by the trapezoidal rule: sum over intervals of
    (width) * (y_left + y_right) / 2. The widths are the differences of ``x``, or ``dx`` (default 1).

    With equal widths the rule is dx * (sum(y) - (y_first + y_last) / 2): every inner point counts
    once, the two ends half.
    """
    _check_tensor("trapezoid", y, "y")
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: give x or dx, not both")
    dim = _wrap_dim(dim, y.dim())
    n = y.shape[dim]
    if x is None:
        spacing = 1 if dx is None else dx
        if n == 0:
            return y.sum(dim) * 0
        ends = narrow(y, dim, 0, 1).squeeze(dim) + narrow(y, dim, n - 1, 1).squeeze(dim)
        return (y.sum(dim) - ends * 0.5) * spacing
    if x.dim() == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"trapezoid: There must be one `x` value for each sample point, but got "
                               f"{x.shape[0]} x values and {n} sample points")
        widths = diff(x).reshape([-1 if d == dim else 1 for d in range(y.dim())])
    else:
        widths = diff(x, dim=dim)
    if n == 0:
        return y.sum(dim) * 0
    return (widths * (narrow(y, dim, 1, n - 1) + narrow(y, dim, 0, n - 1))).sum(dim) / 2


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """The running integral by the trapezoidal rule: element i is the area from the first sample to
    sample i + 1, so the result is one shorter than ``y`` along ``dim``: cumsum of the interval areas
    (width) * (y_left + y_right) / 2."""
    _check_tensor("cumulative_trapezoid", y, "y")
    if x is not None and dx is not None:
        raise TypeError("cumulative_trapezoid() received an invalid combination of arguments: give x or dx, "
                        "not both")
    dim = _wrap_dim(dim, y.dim())
    n = y.shape[dim]
    pairs = narrow(y, dim, 1, max(n - 1, 0)) + narrow(y, dim, 0, max(n - 1, 0))
    if x is None:
        return (pairs * ((1 if dx is None else dx) / 2)).cumsum(dim)
    if x.dim() == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"cumulative_trapezoid: There must be one `x` value for each sample point, "
                               f"but got {x.shape[0]} x values and {n} sample points")
        widths = diff(x).reshape([-1 if d == dim else 1 for d in range(y.dim())])
    else:
        widths = diff(x, dim=dim)
    return (widths * pairs / 2).cumsum(dim)


# ------------------------------------------------------------------------------------------ unfold
class Unfold(NumpyFunction):
    """out = the windows a[..., i*step : i*step + size, ...] along ``dim``, with the window elements as
    a new last dim: shape[dim] becomes (shape[dim] - size) // step + 1, and a last dim of ``size``
    is added. A view: window i starts i*step elements further on, so its stride along ``dim`` is
    step times a's, and the new dim steps through a's ``dim`` one element at a time.

    backward: element j of window i came from a[i*step + j]; for each offset j (a loop over the window,
    never over elements), add grad[..., i, ..., j] into grad_a at positions j, j + step, j + 2 step...
    Overlapping windows add up.
    """

    is_view = True

    @staticmethod
    def forward(ctx, a, dim, size, step):
        ctx.shape, ctx.where = a.shape, (dim, size, step)
        if a.ndim == 0:
            return a.reshape(1)
        count = (a.shape[dim] - size) // step + 1
        shape = a.shape[:dim] + (count,) + a.shape[dim + 1:] + (size,)
        strides = a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1:] + (a.strides[dim],)
        # Windows may overlap, so the view is read-only when they do (as PyTorch refuses writes there).
        return as_strided(a, shape, strides, writeable=step >= size and a.flags.writeable)

    @staticmethod
    def backward(ctx, grad):
        dim, size, step = ctx.where
        if not ctx.shape:
            return grad.reshape(()), None, None, None
        grad_a = np.zeros(ctx.shape, dtype=grad.dtype)
        count = grad.shape[dim]
        moved = np.moveaxis(grad_a, dim, -1)  # a view: writes land in grad_a
        windows = np.moveaxis(grad, dim, -2)  # (..., count, size)
        for j in range(size):
            moved[..., j: j + step * (count - 1) + 1: step] += windows[..., j]
        return grad_a, None, None, None


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: all windows of ``size`` elements along ``dimension``, ``step`` apart, as a new
    last dim (a view). ``torch.arange(5.).unfold(0, 2, 1)`` is [[0, 1], [1, 2], [2, 3], [3, 4]]."""
    dim = _wrap_dim(dimension, input.dim())
    length = input.shape[dim] if input.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim, size, step)


# ------------------------------------------------------------------------------ in-place shape ops
# The same view ops, under the node names PyTorch gives their in-place forms.
class UnsqueezeInplace(Unsqueeze):
    node_name = "UnsqueezeBackward1"  # x.unsqueeze_(dim)


class SqueezeInplace(Squeeze):
    node_name = "SqueezeBackward3"  # x.squeeze_()


class SqueezeDimInplace(Squeeze):
    node_name = "SqueezeBackward4"  # x.squeeze_(dim)


class SqueezeDimsInplace(Squeeze):
    node_name = "SqueezeBackward5"  # x.squeeze_((dim0, dim1))


class TInplace(T):
    node_name = "TBackward1"  # x.t_()


class TransposeInplace(Transpose):
    node_name = "TransposeBackward1"  # x.transpose_(dim0, dim1), swapaxes_, swapdims_


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    return inplace_view(self, UnsqueezeInplace.apply(self, _wrap_dim(dim, self.dim() + 1)))


def squeeze_(self: Tensor, dim=None) -> Tensor:
    if dim is None:
        return inplace_view(self, SqueezeInplace.apply(self, tuple(d for d, n in enumerate(self.shape) if n == 1)))
    cls = SqueezeDimsInplace if isinstance(dim, (tuple, list)) else SqueezeDimInplace
    dims = _shape_dims(dim, self.dim())
    return inplace_view(self, cls.apply(self, tuple(d for d in dims if self.dim() > 0 and self.shape[d] == 1)))


def t_(self: Tensor) -> Tensor:
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
    return inplace_view(self, TInplace.apply(self))


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    ndim = self.dim()
    return inplace_view(self, TransposeInplace.apply(self, _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)))


def inplace_view(self: Tensor, result: Tensor) -> Tensor:
    """``x.unsqueeze_(0)``, ``x.t_()``, ...: ``x`` itself takes the shape (and the graph node) of
    ``result``, a view of it computed out of place. No number changes, and the storage is the same, so
    other views of ``x`` still see its numbers; the version counter is bumped as for any in-place op."""
    if grad_mode.is_grad_enabled() and self.is_leaf and self.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation. "
                           "(Use the out-of-place form, e.g. x = x.unsqueeze(0), or do it under "
                           "`with torch.no_grad():`.)")
    self._data = result._data
    if self._base is not None:
        self._view_chain = result._view_chain
    self._bump_version()  # first: the node set below is as new as the storage's version
    if result._requires_grad:  # (result's own fields: it is a fresh view, whose node is current)
        self.grad_fn, self._output_nr, self._requires_grad = result._grad_fn, result._output_nr, True
    return self


__all__ = ["block_diag", "cartesian_prod", "combinations", "cumulative_trapezoid", "diff", "rot90", "take",
           "take_along_dim", "trapezoid", "trapz"]
