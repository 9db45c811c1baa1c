"""Indexing: ``x[...]`` and ``x[...] = v``, gather / scatter, index_select, masked_fill, nonzero.

``x[index]`` comes in two kinds, as in NumPy and PyTorch:

- *basic* indexing (ints, slices, None, ``...``) only changes the view of the storage, so its result is
  a VIEW: ``x[0]`` is ``select``, ``x[1:3]`` is ``slice``, ``x[None]`` is ``unsqueeze``, one node each.
  Its gradient is the output's gradient placed into zeros at the selected position.
- *advanced* indexing (integer tensors / lists / arrays, bool masks) picks arbitrary elements, so its
  result is a COPY (``IndexBackward0``). The same element may be picked twice (``x[[0, 0, 1]]``): its
  gradient is then the SUM of both output gradients, which a plain ``grad_x[idx] = grad`` would get
  wrong (the second write would overwrite the first). ``_accumulate_at`` adds instead.

``x[index] = v`` writes in place through the in-place machinery of ops/inplace.py: basic indexing
writes into the view ``x[index]`` (so ``x.grad_fn`` becomes ``CopySlices``), advanced indexing computes
``index_put`` out of place and writes the result into ``x`` (``IndexPutBackward0``).
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from . import inplace
from .arithmetic import Fill, _as_operand, copy_from
from .shape import Unsqueeze, _place


def _accumulate_at(shape: tuple, key: tuple, values: np.ndarray) -> np.ndarray:
    """zeros(shape) with ``values`` ADDED at ``[key]``: a position indexed twice receives both values.

    Done as a 1-D ``np.add.at`` over flat positions. Measured on this 2-core machine (NumPy 2.4),
    scattering a (50000, 64) gradient into (10000, 64): ``np.add.at`` with the index tuple 63 ms,
    ``np.bincount`` of the flat positions 26 ms, ``np.add.at`` of the flat positions 11 ms (NumPy's fast
    path for a 1-D integer index); for 100 indices into (100, 100) 0.19 / 0.06 / 0.03 ms.
    """
    size = math.prod(shape)
    positions = np.arange(size).reshape(shape)[key]  # the flat position of every indexed element
    out = np.zeros(size, dtype=values.dtype)
    np.add.at(out, positions.reshape(-1), np.broadcast_to(values, positions.shape).reshape(-1))
    return out.reshape(shape)


# ------------------------------------------------------------------------------ basic indexing: views
class Select(NumpyFunction):
    """out = a[i] along dim ``dim``: one slice, without that dim (a view).
    grad: the output's gradient at position i of zeros shaped like a."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dim, i):
        ctx.shape = a.shape
        # The trailing Ellipsis keeps a 0-d result a view of a (a[i] alone would give a NumPy scalar).
        ctx.key = (slice(None),) * dim + (i, Ellipsis)
        return a[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _place(grad, ctx.shape, ctx.key), None, None


class Slice(NumpyFunction):
    """out = a[start:stop:step] along dim ``dim`` (a view).   grad: placed there in zeros shaped like a."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dim, start, stop, step):
        ctx.shape = a.shape
        ctx.key = (slice(None),) * dim + (slice(start, stop, step),)
        return a[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _place(grad, ctx.shape, ctx.key), None, None, None, None


class Alias(NumpyFunction):
    """out = a itself as a new view (``x[...]``).   grad: unchanged."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a):
        return a.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


# ----------------------------------------------------------------------- advanced indexing: copies
class Index(NumpyFunction):
    """out = a[key] where key holds integer arrays (and full slices): a copy.

    grad: zeros shaped like a, with each output gradient ADDED at the position it was read from
    (``x[[0, 0]]`` reads x[0] twice, so x[0] gets the sum of both gradients).
    """

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a.shape, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        return _accumulate_at(ctx.shape, ctx.key, grad), None


class IndexPut(NumpyFunction):
    """out = a copy of a with out[key] = values (values broadcast to the indexed shape).

    grad: a gets the gradient with the written positions zeroed (those old values were overwritten);
    values get grad[key] (the engine sums it over the dims they were broadcast along).
    """

    @staticmethod
    def forward(ctx, a, values, key):
        ctx.key = key
        out = a.copy()
        try:
            out[key] = values
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to indexing "
                f"result of shape {list(a[key].shape)}"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = None
        if ctx.needs_input_grad[0]:
            grad_a = grad.copy()
            grad_a[ctx.key] = 0
        grad_values = grad[ctx.key] if ctx.needs_input_grad[1] else None
        return grad_a, grad_values, None


# --------------------------------------------------------------------- reading an index expression
_BAD_INDEX_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"


def _index_item(item):
    """One entry of an index tuple in a canonical form: None, Ellipsis, a slice, a Python bool, an int,
    or an int64 / bool ndarray. Raises PyTorch's IndexError for anything else."""
    if item is None or item is Ellipsis or isinstance(item, slice):
        return item
    if isinstance(item, (bool, np.bool_)):
        return bool(item)
    if isinstance(item, (int, np.integer)):
        return int(item)
    if isinstance(item, (Tensor, np.ndarray, list, tuple)):
        array = item._data if isinstance(item, Tensor) else np.asarray(item)
        if isinstance(item, (list, tuple)) and array.size == 0:
            array = array.astype(np.int64)
        if array.dtype == np.uint8:
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                          "instead.", UserWarning, stacklevel=4)
            array = array.astype(bool)
        if array.dtype == np.bool_:
            return bool(array) if array.ndim == 0 else array
        if array.dtype not in (np.int64, np.int32):
            raise IndexError(_BAD_INDEX_DTYPE)
        # A 0-d integer tensor indexes like a Python int (a view, not a copy), as in PyTorch.
        return int(array) if array.ndim == 0 else array.astype(np.int64, copy=False)
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                     f"valid indices (got {type(item).__name__})")


def _slice_bounds(s: slice, size: int) -> tuple:
    if s.step is not None and operator.index(s.step) == 0:
        raise ValueError("slice step cannot be zero")
    if s.step is not None and operator.index(s.step) < 0:
        raise ValueError("step must be greater than zero")
    start, stop, step = s.indices(size)
    return start, max(stop, start), step


def _covers_all(s: slice, size: int) -> bool:
    return (s.start is None or operator.index(s.start) == 0) and (s.step is None or operator.index(s.step) == 1) \
        and (s.stop is None or operator.index(s.stop) >= size)


def _parse_index(input: Tensor, index, keep_full_slice: bool) -> tuple:
    """Split ``index`` into basic view steps and an advanced key, the way PyTorch reads it.

    Returns ``(steps, key)``. ``steps`` is a list of ``(Function, args)`` applied in order, each a view:
    Select for an int, Slice for a slice, Unsqueeze for None. (A full ``:`` is skipped unless it is the
    whole index, ``x[:]``, which PyTorch keeps as a slice; an index of full slices only is an alias.) ``key`` is None, or a NumPy index of integer
    arrays and full slices for the advanced part, in the dims left after the steps: PyTorch applies the
    ints first, so ``x[0, :, [0, 1]]`` has shape (n1, 2) -- NumPy would give (2, n1).
    """
    items = [_index_item(item) for item in (index if isinstance(index, tuple) else (index,))]
    ndim = input.dim()
    if ndim == 0 and any(isinstance(it, (int, np.ndarray)) and not isinstance(it, bool) for it in items):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                         "in C++ to convert a 0-dim tensor to a number")
    if sum(it is Ellipsis for it in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(it.ndim if isinstance(it, np.ndarray) and it.dtype == np.bool_ else 1
                   for it in items if it is not None and it is not Ellipsis and not isinstance(it, bool))
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    shape = list(input.shape)  # the shape after the steps so far
    steps: list = []
    advanced: dict = {}  # dim (after the steps) -> int64 array of positions
    dim = 0
    for it in items:
        if it is None:
            steps.append((Unsqueeze, (dim,)))
            shape.insert(dim, 1)
            dim += 1
        elif it is Ellipsis:
            dim += ndim - consumed
        elif isinstance(it, bool):
            # x[True] is x[None][[0]] and x[False] is x[None][[]]: a new dim, kept or emptied.
            steps.append((Unsqueeze, (dim,)))
            shape.insert(dim, 1)
            advanced[dim] = np.arange(int(it))
            dim += 1
        elif isinstance(it, int):
            size = shape[dim]
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {size}")
            steps.append((Select, (dim, it % size)))
            shape.pop(dim)
        elif isinstance(it, slice):
            start, stop, step = _slice_bounds(it, shape[dim])
            # PyTorch skips a slice written as covering everything (start 0, stop >= size, step 1).
            if keep_full_slice or not _covers_all(it, shape[dim]):
                steps.append((Slice, (dim, start, stop, step)))
                shape[dim] = len(range(start, stop, step))
            dim += 1
        elif it.dtype == np.bool_:
            # A mask stands for the positions of its True elements, one index array per mask dim.
            for j, n in enumerate(it.shape):
                if n != shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(it.shape)} at index {j} does not match the "
                                     f"shape of the indexed tensor {shape} at index {dim + j}")
            for j, positions in enumerate(np.nonzero(it)):
                advanced[dim + j] = positions
            dim += it.ndim
        else:
            size = shape[dim]
            bad = (it < -size) | (it >= size)
            if bad.any():
                raise IndexError(f"index {it[bad].flat[0]} is out of bounds for dimension {dim} with size {size}")
            advanced[dim] = np.where(it < 0, it + size, it)
            dim += 1
    if not advanced:
        return steps, None
    arrays = list(advanced.values())
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(a.shape)) for a in arrays)) from None
    return steps, tuple(advanced.get(d, slice(None)) for d in range(max(advanced) + 1))


def _apply_steps(input: Tensor, steps: list) -> Tensor:
    out = input
    for cls, args in steps:
        out = cls.apply(out, *args)
    return out


def getitem(input: Tensor, index) -> Tensor:
    """``input[index]``: a view for ints / slices / None / ``...``, a copy when tensors or lists index."""
    steps, key = _parse_index(input, index, keep_full_slice=isinstance(index, slice))
    out = _apply_steps(input, steps)
    if key is not None:
        return Index.apply(out, key)
    return out if steps else Alias.apply(input)


class FillFromSetitem(Fill):
    """``x[...] = 5``: a fill; PyTorch wraps the number in a 0-d tensor first, hence another name."""

    node_name = "FillBackward3"


def setitem(input: Tensor, index, value) -> None:
    """``input[index] = value``: value is a number or a tensor, broadcast and cast to input's dtype."""
    if not isinstance(value, (Tensor, bool, int, float, np.number, np.bool_)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"can't assign a {name} to a torch.{input.dtype._c_name}Tensor")
    steps, key = _parse_index(input, index, keep_full_slice=False)
    target = _apply_steps(input, steps)  # a view of input (or input itself): the part that is written
    if key is None:
        result = copy_from(target, value) if isinstance(value, Tensor) else FillFromSetitem.apply(target, value)
    else:
        if isinstance(value, Tensor):
            values = value if value.dtype is target.dtype else value.to(target.dtype)
        else:
            values = _as_operand(value, target.dtype)
        result = IndexPut.apply(target, values, key)
    inplace.assign(target, result)


# ---------------------------------------------------------------------------------- gather / scatter
def _along_dim_key(index: np.ndarray, dim: int) -> tuple:
    """The NumPy index of gather / scatter: ``index`` itself in position ``dim`` and an open grid of
    positions (0..n-1 along each other dim), so element ``[i, j]`` of the key reads
    ``a[i, index[i, j]]`` for dim=1."""
    grid = list(np.ix_(*(np.arange(n) for n in index.shape)))
    grid[dim] = index
    return tuple(grid)


def _index_array(index, name: str, allow_int32: bool = True) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    allowed = (np.int64, np.int32) if allow_int32 else (np.int64,)
    if index._data.dtype not in allowed:
        raise RuntimeError(f"{name}(): Expected dtype {'int32/' if allow_int32 else ''}int64 for index")
    return index._data.astype(np.int64, copy=False)


def _check_bounds(index: np.ndarray, size: int, dim: int, error=RuntimeError) -> None:
    bad = (index < 0) | (index >= size)
    if bad.any():
        raise error(f"index {index[bad].flat[0]} is out of bounds for dimension {dim} with size {size}")


class Gather(NumpyFunction):
    """out[i][j] = a[i][index[i][j]] for dim=1 (index picks along ``dim``; elsewhere positions match).

    grad: each picked element of a gets the gradients of the outputs that picked it, summed.
    """

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.key = a.shape, _along_dim_key(index, dim)
        return a[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _accumulate_at(ctx.shape, ctx.key, grad), None, None


class Scatter(NumpyFunction):
    """out = a copy of a with out[i][index[i][j]] = src[i][j] for dim=1 (src's first index.shape part).

    grad: a gets the gradient with the written positions zeroed; src gets the gradient gathered from
    where each of its elements was written (zero where src was not used).
    """

    @staticmethod
    def forward(ctx, a, src, dim, index):
        ctx.key = _along_dim_key(index, dim)
        ctx.used = tuple(slice(n) for n in index.shape)
        ctx.src_shape = src.shape
        out = a.copy()
        out[ctx.key] = src[ctx.used]
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.key] = 0
        grad_src = np.zeros(ctx.src_shape, dtype=grad.dtype)
        grad_src[ctx.used] = grad[ctx.key]
        return grad_a, grad_src, None, None


class ScatterValue(NumpyFunction):
    """out = a copy of a with ``value`` at the positions ``index`` points to along ``dim``.
    grad: the gradient with those positions zeroed."""

    node_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.key = _along_dim_key(index, dim)
        out = a.copy()
        out[ctx.key] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.key] = 0
        return grad_a, None, None, None


class ScatterReduce(NumpyFunction):
    """out = a with src added to (``reduce='add'``) or multiplied into (``'multiply'``) the positions
    ``index`` points to; repeated positions combine all their values. Not differentiable (PyTorch
    records a ``NotImplemented`` node too)."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, a, src, dim, index, reduce):
        positions = np.arange(a.size).reshape(a.shape)[_along_dim_key(index, dim)]
        values = src[tuple(slice(n) for n in index.shape)] if src.ndim else np.broadcast_to(src, index.shape)
        out = a.copy().reshape(-1)
        ufunc = np.add if reduce == "add" else np.multiply
        ufunc.at(out, positions.reshape(-1), values.reshape(-1))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative for 'scatter' with reduce= is not implemented (in PyTorch neither); "
                           "use scatter_add or compute the sum with index_put / gather")


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Pick along ``dim`` with a same-rank index: ``out[i][j] = input[i][index[i][j]]`` for dim=1."""
    dim = _wrap_dim(dim, input.dim())
    idx = _index_array(index, "gather")
    if idx.ndim != input.dim():
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > input.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be no "
                               f"larger than self {list(input.shape)} apart from dimension {dim}")
    _check_bounds(idx, input.shape[dim], dim)
    return Gather.apply(input, dim, idx)


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """The inverse of gather: ``out[i][index[i][j]] = src[i][j]`` for dim=1 (``src`` a tensor, or a
    number given as ``src`` or ``value``). ``reduce='add' / 'multiply'`` combines instead of writing."""
    if src is None and value is None:
        raise TypeError("scatter() missing the value to write: pass src (a tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    dim = _wrap_dim(dim, input.dim())
    idx = _index_array(index, "scatter")
    if idx.ndim != input.dim():
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    too_big = any(d != dim and idx.shape[d] > input.shape[d] for d in range(idx.ndim))
    if src is not None:
        if src.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if too_big or any(i > s for i, s in zip(idx.shape, src.shape)):
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(input.shape)} "
                               f"apart from dimension {dim} and to be no larger size than src {list(src.shape)}")
    elif too_big:
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(input.shape)} "
                           f"apart from dimension {dim}")
    _check_bounds(idx, input.shape[dim], dim)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if src is not None:
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed "
                          "in a future PyTorch release. Use torch.scatter_reduce instead for more reduction "
                          "options.", UserWarning, stacklevel=2)
        values = src if src is not None else _as_operand(value, input.dtype)
        return ScatterReduce.apply(input, values, dim, idx, reduce)
    if src is not None:
        return Scatter.apply(input, src, dim, idx)
    return ScatterValue.apply(input, dim, idx, value)


# ------------------------------------------------------------------------------------- index_select
class IndexSelect(NumpyFunction):
    """out = the slices of a at positions ``index`` along ``dim`` (a copy).
    grad: each slice's gradient added back at its position (summed when selected twice)."""

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.key = a.shape, (slice(None),) * dim + (index,)
        return a[ctx.key]

    @staticmethod
    def backward(ctx, grad):
        return _accumulate_at(ctx.shape, ctx.key, grad), None, None


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices ``index`` (a 1-D integer tensor) along ``dim``: ``x.index_select(0, i)`` is ``x[i]``."""
    if input.dim() == 0:
        return input.clone()
    dim = _wrap_dim(dim, input.dim())
    if isinstance(index, Tensor) and index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = _index_array(index, "index_select").reshape(-1)
    _check_bounds(idx, input.shape[dim], dim)
    return IndexSelect.apply(input, dim, idx)


# ------------------------------------------------------------------------------ masks and index_fill
def _fill_value(value, name: str):
    """A number, or a 0-d tensor (then it is differentiable and passed to the op as a tensor)."""
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError(f"{name} only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.dim()} dimension(s).")
    return value


class MaskedFill(NumpyFunction):
    """out = value where mask else a (mask broadcast against a).
    grad: a gets the gradient where the mask is False (filled elements no longer depend on a)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value).astype(a.dtype), a)

    @staticmethod
    def backward(ctx, grad):
        return grad * ~ctx.mask, None, None


class MaskedFillTensor(NumpyFunction):
    """masked_fill with a 0-d tensor value.   grad: a as in MaskedFill; value gets the sum of the
    gradient over the filled elements (it was copied to each of them)."""

    node_name = "MaskedFillBackward1"
    double_backward = True

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask, value.astype(a.dtype), a)

    @staticmethod
    def backward(ctx, grad):
        # value's gradient is returned in the output's shape; the engine sums it down to ().
        return grad * ~ctx.mask, None, grad * ctx.mask


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``value`` (a number or 0-d tensor) where the bool ``mask`` is True, ``input`` elsewhere."""
    if mask.dtype._name != "bool":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype._c_name.lower()}")
    value = _fill_value(value, "masked_fill_")
    try:
        np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({mask.shape[-1]}) must match the size of tensor b "
                           f"({input.shape[-1]}) at non-singleton dimension {input.dim() - 1}: cannot "
                           f"broadcast mask {list(mask.shape)} to {list(input.shape)}") from None
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, mask._data, value)
    return MaskedFill.apply(input, mask._data, value)


class MaskedSelect(NumpyFunction):
    """out = the elements of a where mask is True, as a 1-D copy (a and mask broadcast together).
    grad: each output gradient placed back at its element's position."""

    @staticmethod
    def forward(ctx, a, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape)
        ctx.shape, ctx.mask = shape, np.broadcast_to(mask, shape)
        return np.broadcast_to(a, shape)[ctx.mask]

    @staticmethod
    def backward(ctx, grad):
        grad_a = np.zeros(ctx.shape, dtype=grad.dtype)
        grad_a[ctx.mask] = grad
        return grad_a, None  # summed down to a's shape by the engine if a was broadcast


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements where the bool ``mask`` is True, flattened to 1-D."""
    if mask.dtype._name != "bool":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        np.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise RuntimeError(f"masked_select: shape mismatch: mask {list(mask.shape)} cannot be broadcast to "
                           f"input {list(input.shape)}") from None
    return MaskedSelect.apply(input, mask._data)


class IndexFill(NumpyFunction):
    """out = a copy of a whose slices ``index`` along ``dim`` are all ``value``.
    grad: a gets the gradient with those slices zeroed."""

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.key = (slice(None),) * dim + (index,)
        out = a.copy()
        out[ctx.key] = np.asarray(value).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.key] = 0
        return grad_a, None, None, None


class IndexFillTensor(IndexFill):
    """index_fill with a 0-d tensor value.   grad: value gets the sum of the gradient over the filled
    slices, each counted once even if listed twice in ``index``."""

    node_name = "IndexFillBackward1"

    @staticmethod
    def backward(ctx, grad):
        grad_a = grad.copy()
        grad_a[ctx.key] = 0
        return grad_a, None, None, grad - grad_a  # the engine sums it down to value's shape ()


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """Set the slices ``index`` along ``dim`` to ``value`` (a number or a 0-d tensor)."""
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.dim() > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    value = _fill_value(value, "index_fill_")
    dim = _wrap_dim(dim, input.dim())
    size = input.shape[dim] if input.dim() else 1
    idx = index._data.reshape(-1)
    _check_bounds(np.where(idx < 0, idx + size, idx), size, dim, IndexError)
    idx = np.where(idx < 0, idx + size, idx)
    if isinstance(value, Tensor):
        return IndexFillTensor.apply(input, dim, idx, value)
    return IndexFill.apply(input, dim, idx, value)


# ------------------------------------------------------------------------------------------- nonzero
def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Positions of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    if as_tuple:
        return tuple(Tensor._make(p.astype(np.int64)) for p in np.nonzero(np.atleast_1d(input._data)))
    return Tensor._make(np.argwhere(input._data).astype(np.int64))


__all__ = ["getitem", "setitem", "gather", "scatter", "index_select", "masked_fill", "masked_select",
           "index_fill", "nonzero"]
