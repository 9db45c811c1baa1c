"""Indexing: ``x[...]`` and ``x[...] = v``, gather / scatter, index_select, masked_fill, nonzero; the
message-passing ops index_add / scatter_add / scatter_reduce / index_put (accumulate); unique.

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
from ..autograd import grad_mode
from ..autograd.function import NumpyFunction, _mark_view, _ScratchCtx
from . import inplace
from .arithmetic import Fill, _as_operand, copy_from
from .shape import Unsqueeze, _place


def _accumulate_at(shape: tuple, key: tuple, values: np.ndarray) -> np.ndarray:
    """zeros(shape) with ``values`` ADDED at ``[key]``: a position indexed twice receives both values.

    Done as a 1-D ``np.add.at`` over flat positions: NumPy has a fast path for a 1-D integer index,
    which beat both ``np.add.at`` with the index tuple and ``np.bincount`` at every size we measured
    (benchmarks/README.md, "Choices inside ops").
    """
    positions = _flat_positions(shape, key)
    out = np.zeros(math.prod(shape), dtype=values.dtype)
    np.add.at(out, positions.reshape(-1), np.broadcast_to(values, positions.shape).reshape(-1))
    return out.reshape(shape)


def _flat_positions(shape: tuple, key: tuple) -> np.ndarray:
    """The flat (row-major) position, in an array of ``shape``, of every element ``[key]`` selects."""
    return np.arange(math.prod(shape)).reshape(shape)[key]


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
    if isinstance(item, range):  # x[range(n), target]: a list of ints, so advanced indexing (a copy)
        return np.arange(item.start, item.stop, item.step, dtype=np.int64)
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
    whole index, ``x[:]``, which PyTorch keeps as a slice; an index of full slices only is an alias.)
    ``key`` is None, or a NumPy index of integer
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


def _select_outside_graph(input: Tensor, index: int) -> Tensor:
    """``x[i]`` when no graph is recorded (what a Dataset's ``__getitem__`` does once per sample): the
    view ``Select.apply`` makes, with its base and version counter, without building the unused graph
    node — 4x cheaper, which a DataLoader over in-memory tensors pays twice per sample."""
    size = input._data.shape[0]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension 0 with size {size}")
    args = (0, index % size)
    out = Tensor._make(Select.forward(_ScratchCtx(), input._data, *args))
    _mark_view(out, input, (Select, args, {}, None))
    return out


def getitem(input: Tensor, index) -> Tensor:
    """``input[index]``: a view for ints / slices / None / ``...``, a copy when tensors or lists index."""
    if type(index) is int and input.dim() > 0 and not (input.requires_grad and grad_mode.is_grad_enabled()):
        return _select_outside_graph(input, index)
    steps, key = _parse_index(input, index, keep_full_slice=isinstance(index, slice))
    out = _apply_steps(input, steps)
    if key is not None:
        return Index.apply(out, key)
    return out if steps else Alias.apply(input)


class FillFromSetitem(Fill):
    """``x[...] = 5``: a fill; PyTorch wraps the number in a 0-d tensor first, hence another name."""

    node_name = "FillBackward3"


def _drop_leading_ones(value: Tensor, target: Tensor) -> Tensor:
    """PyTorch's setitem first drops a value's leading size-1 dims (``x[0] = t`` with t of shape (1,)
    writes one element), then the value must broadcast to the target."""
    ones = 0
    while ones < value.dim() and value.shape[ones] == 1:
        ones += 1
    value = value.reshape(tuple(value.shape[ones:])) if ones else value
    if value.dim() > target.dim():
        raise RuntimeError(
            f"expand(torch.{value.dtype._c_name}Tensor{{{list(value.shape)}}}, size={list(target.shape)}): the "
            f"number of sizes provided ({target.dim()}) must be greater or equal to the number of dimensions in "
            f"the tensor ({value.dim()})")
    return value


def setitem(input: Tensor, index, value) -> None:
    """``input[index] = value``: value is a number or a tensor, broadcast and cast to input's dtype."""
    if not isinstance(value, (Tensor, bool, int, float, np.number, np.bool_)):
        kind = type(value)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"can't assign a {name} to a torch.{input.dtype._c_name}Tensor")
    steps, key = _parse_index(input, index, keep_full_slice=False)
    target = _apply_steps(input, steps)  # a view of input (or input itself): the part that is written
    if key is None and isinstance(value, Tensor):
        result = copy_from(target, _drop_leading_ones(value, target))
    elif key is None:
        result = FillFromSetitem.apply(target, value)
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


class ScatterWithReduce(NumpyFunction):
    """``scatter(..., reduce=)``: out = a with src added to (``reduce='add'``) or multiplied into
    (``'multiply'``) the positions ``index`` points to; repeated positions combine all their values. Not
    differentiable (PyTorch records a ``NotImplemented`` node too); see ``scatter_reduce`` for the
    differentiable successor."""

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
        return ScatterWithReduce.apply(input, values, dim, idx, reduce)
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


# ---------------------------------------------------------- index_add / scatter_add: message passing
# A graph network sends one message along every edge and sums the messages arriving at each node:
# ``out.index_add_(0, edge_index[1], messages)``. Many edges share a destination, so the same row is
# written many times: the ops below ADD at flat positions (np.add.at), they never assign, so a repeated
# index receives every value. No Python loop runs over the edges.
def _sum_at(positions: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """A flat array of ``size`` zeros with ``values[k]`` added at ``positions[k]`` (repeats add up)."""
    out = np.zeros(size, dtype=values.dtype)
    np.add.at(out, positions, values)
    return out


class IndexAdd(NumpyFunction):
    """out = a with alpha * source[k] added to slice index[k] along ``dim``, for every k.

    For dim=0: ``out[index[k]] += alpha * source[k]``; an index listed twice receives both slices.
    grad: a gets the gradient unchanged (it was only added to); source slice k gets
    alpha * grad[index[k]], i.e. ``alpha * grad.index_select(dim, index)``.
    Shapes: a (..., n, ...), index (m,), source (..., m, ...), n and m at position ``dim``.
    """

    @staticmethod
    def forward(ctx, a, dim, index, source, alpha):
        ctx.key, ctx.alpha = (slice(None),) * dim + (index,), alpha
        # A 0-d a (and source) behave as one element along dim 0.
        a1, source1 = a.reshape(a.shape or (1,)), source.reshape(source.shape or (1,))
        added = _accumulate_at(a1.shape, ctx.key, source1 if alpha == 1 else source1 * alpha)
        return (a1 + added).astype(a.dtype, copy=False).reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        grad_source = grad.reshape(grad.shape or (1,))[ctx.key]  # the engine sums (1,) down to a 0-d source
        return grad, None, None, grad_source if ctx.alpha == 1 else grad_source * ctx.alpha, None


def _vector_index(index, name: str) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 3) must be Tensor, not {type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index but got: {index.dtype._c_name}")
    if index.dim() > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {index.dim()} with type: "
                         f"{index.dtype._c_name} and size: {list(index.shape)}")
    return index._data.reshape(-1).astype(np.int64, copy=False)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """Add ``alpha * source`` into the slices ``index`` (1-D) along ``dim``: for dim=0,
    ``out[index[k]] += alpha * source[k]``. Repeated indices accumulate (a node summing its messages)."""
    dim = _wrap_dim(dim, input.dim())
    idx = _vector_index(index, "index_add_")
    if not isinstance(source, Tensor):
        raise TypeError(f"index_add(): argument 'source' (position 4) must be Tensor, not {type(source).__name__}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({input.dtype._c_name}) and source ({source.dtype._c_name}) must "
                           "have the same scalar type")
    along = source.shape[dim] if source.dim() > dim else 1
    if idx.size != along:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({along}), for dim: {dim}")
    if source.dim() != input.dim() or any(s != n for d, (s, n) in enumerate(zip(source.shape, input.shape))
                                          if d != dim):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")
    _check_bounds(idx, input.shape[dim] if input.dim() else 1, dim)
    return IndexAdd.apply(input, dim, idx, source, alpha)


def _scatter_args(input: Tensor, dim: int, index, src, name: str) -> tuple:
    """Check the arguments of scatter_add / scatter_reduce as PyTorch does; return (dim, index array).

    A 0-d self, index or src counts as 1-D with one element; an empty index skips every check."""
    dim = _wrap_dim(dim, input.dim())
    if not isinstance(src, Tensor):
        raise TypeError(f"{name}(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}")
    idx = _index_array(index, "scatter")
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    ndim = max(input.dim(), 1)
    if idx.size == 0:
        return dim, np.zeros((0,) * ndim, dtype=np.int64)
    if max(idx.ndim, 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if max(src.dim(), 1) != ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    idx = idx.reshape(idx.shape or (1,))
    self_shape, src_shape = input.shape or (1,), src.shape or (1,)
    if any(idx.shape[d] > self_shape[d] for d in range(ndim) if d != dim) \
            or any(i > s for i, s in zip(idx.shape, src_shape)):
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(input.shape)} apart "
                           f"from dimension {dim} and to be no larger size than src {list(src.shape)}")
    _check_bounds(idx, self_shape[dim], dim)
    return dim, idx


class ScatterAdd(NumpyFunction):
    """out = a with src added at the positions ``index`` points to along ``dim``:
    ``out[index[i][j]][j] += src[i][j]`` for dim=0 (src's first index.shape part is used; a position hit
    twice gets both values).
    grad: a gets the gradient unchanged; src[i][j] gets grad[index[i][j]][j] (a gather), 0 where unused.
    """

    @staticmethod
    def forward(ctx, a, src, dim, index):
        a1, src1 = a.reshape(a.shape or (1,)), src.reshape(src.shape or (1,))
        ctx.key, ctx.src_shape = _along_dim_key(index, dim), src1.shape
        ctx.used = tuple(slice(n) for n in index.shape)  # the part of src that is scattered
        return (a1 + _accumulate_at(a1.shape, ctx.key, src1[ctx.used])).reshape(a.shape)

    @staticmethod
    def backward(ctx, grad):
        grad_src = np.zeros(ctx.src_shape, dtype=grad.dtype)
        grad_src[ctx.used] = grad.reshape(grad.shape or (1,))[ctx.key]
        return grad, grad_src, None, None


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``out[index[i][j]][j] += src[i][j]`` for dim=0 (and likewise for other dims); repeats accumulate."""
    dim, idx = _scatter_args(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, src, dim, idx)


# ------------------------------------------------------------------------------------ scatter_reduce
_REDUCTIONS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _reduction_identity(reduce: str, dtype: np.dtype):
    """The value that leaves a reduction unchanged: where include_self=False, a's value is replaced by it."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    lowest, highest = (False, True) if dtype.kind == "b" else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    return lowest if reduce == "amax" else highest


def _scatter_reduce_flat(a: np.ndarray, positions: np.ndarray, values: np.ndarray, reduce: str,
                         include_self: bool) -> np.ndarray:
    """The flat result of scatter_reduce: ``values[k]`` reduced into ``a.flat[positions[k]]``."""
    out = a.reshape(-1).copy()
    if not include_self:
        out[positions] = _reduction_identity(reduce, a.dtype)
    _REDUCTIONS[reduce].at(out, positions, values)
    if reduce == "mean":
        count = np.bincount(positions, minlength=out.size) + include_self
        count = np.maximum(count, 1).astype(out.dtype)  # untouched without self: keep a's value (/ 1)
        out = out / count if out.dtype.kind == "f" else out // count  # integers: floor, as PyTorch
    return out


class ScatterReduce(NumpyFunction):
    """out = a with the values of src reduced into the positions ``index`` points to along ``dim``
    (for dim=0, src[i][j] goes to out[index[i][j]][j]). ``reduce`` is 'sum', 'prod', 'mean', 'amax' or
    'amin'; include_self=False leaves a's own value out at the positions that receive values. 'mean'
    divides by the number of values reduced there (a's value included); integers use floor division.

    grad, g the output's gradient, N the number of values reduced at a position, gather(t) = t read at
    the position each src element went to:
        sum    a: g                src: gather(g)
        mean   a: g / N            src: gather(g / N)
        prod   a: g * out / a      src: gather(g * out) / src   (the product of the OTHER factors; where a
                                   single factor is 0 it is recomputed with that factor set to 1)
        amax / amin: every value equal to the result shares g evenly (ties split it, as PyTorch does):
               a: [a == out] g / M      src: gather([src == out] g / M), M = how many values equal out
    With include_self=False a gets 0 wherever values were received.
    """

    @staticmethod
    def forward(ctx, a, src, dim, index, reduce, include_self):
        a1, src1 = a.reshape(a.shape or (1,)), src.reshape(src.shape or (1,))
        ctx.used, ctx.src_shape = tuple(slice(n) for n in index.shape), src1.shape
        ctx.positions = _flat_positions(a1.shape, _along_dim_key(index, dim)).reshape(-1)
        ctx.reduce, ctx.include_self = reduce, include_self
        # PyTorch's forward still accepts the old names 'max' / 'min'; its backward does not.
        reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
        out = _scatter_reduce_flat(a1, ctx.positions, src1[ctx.used].reshape(-1), reduce, include_self)
        out = out.reshape(a.shape)
        if reduce in ("prod", "amax", "amin"):
            ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        pos, reduce, include_self = ctx.positions, ctx.reduce, ctx.include_self
        if reduce not in _REDUCTIONS:
            raise RuntimeError(f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got "
                               f"{reduce}.")
        g = grad.reshape(-1)
        if reduce == "sum":
            grad_a, grad_values = g.copy(), g[pos]
        elif reduce == "mean":
            count = np.maximum(np.bincount(pos, minlength=g.size) + include_self, 1).astype(g.dtype)
            grad_a = g / count
            grad_values = grad_a[pos]
        else:
            a, src, out = (t.reshape(-1) for t in ctx.saved_tensors)
            values = src.reshape(ctx.src_shape)[ctx.used].reshape(-1)
            if reduce == "prod":
                grad_a, grad_values = _prod_gradients(g, a, values, out, pos, include_self)
            else:
                a_is_out = (a == out).astype(g.dtype)
                value_is_out = (values == out[pos]).astype(g.dtype)
                share = g / (a_is_out + _sum_at(pos, value_is_out, g.size))
                grad_a, grad_values = a_is_out * share, value_is_out * share[pos]
        if not include_self:
            grad_a[pos] = 0  # a's old value was not part of the result there
        grad_src = np.zeros(ctx.src_shape, dtype=g.dtype)
        grad_src[ctx.used] = grad_values.reshape(grad_src[ctx.used].shape)
        return grad_a.reshape(grad.shape), grad_src, None, None, None, None


def _prod_gradients(g, a, values, out, pos, include_self):
    """Gradients of a product reduction without dividing by zero (see ScatterReduce)."""
    a_or_one = np.where(a == 0, 1, a)
    # d out / d a = the product of the values received (a replaced by 1), exact even when a == 0.
    grad_a = g * _scatter_reduce_flat(a_or_one, pos, values, "prod", include_self) / a_or_one
    is_zero = values == 0
    zeros_there = _sum_at(pos, is_zero.astype(np.int64), g.size)[pos]
    lone_zero = is_zero & (zeros_there == 1)  # the only zero factor: its gradient is the others' product
    others = _scatter_reduce_flat(a, pos, np.where(lone_zero, 1, values), "prod", include_self)
    grad_values = np.where(lone_zero, (g * others)[pos], (g * out)[pos] / np.where(is_zero, 1, values))
    return grad_a, grad_values


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce src into input at the positions ``index`` points to along ``dim`` (as scatter_add does for
    'sum'): ``reduce`` in 'sum', 'prod', 'mean', 'amax', 'amin'; include_self decides whether input's
    own value takes part. Positions that receive nothing keep input's value."""
    if reduce not in _REDUCTIONS and reduce not in ("max", "min"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    dim, idx = _scatter_args(input, dim, index, src, "scatter_reduce")
    if reduce == "mean" and input.dtype._name == "bool":
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'")
    return ScatterReduce.apply(input, src, dim, idx, reduce, include_self)


# ----------------------------------------------------------------------------------------- index_put
class IndexPutAccumulate(NumpyFunction):
    """out = a copy of a with values ADDED at ``[key]`` (``index_put(..., accumulate=True)``): a position
    indexed twice receives both values.   grad: a gets the gradient unchanged; values get grad[key]
    (summed by the engine over the dims they were broadcast along)."""

    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, values, key):
        ctx.key = key
        positions = _flat_positions(a.shape, key)
        try:
            values = np.broadcast_to(values, positions.shape)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast "
                               f"to indexing result of shape {list(positions.shape)}") from None
        out = a.copy()
        np.add.at(out.reshape(-1), positions.reshape(-1), values.reshape(-1))
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, grad[ctx.key], None


def _index_put_key(input: Tensor, indices) -> tuple:
    """The NumPy key of ``index_put``: one index tensor per leading dim (a bool mask covers as many dims
    as it has). All are advanced indices, so they broadcast together."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 2) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    key, dim = [], 0
    for k, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 1, but got {type(t).__name__}")
        array = t._data
        if array.dtype == np.uint8:
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
                          "instead.", UserWarning, stacklevel=3)
            array = array.astype(bool)
        if array.dtype != np.bool_ and array.dtype not in (np.int64, np.int32):
            raise IndexError(_BAD_INDEX_DTYPE)
        width = array.ndim if array.dtype == np.bool_ else 1
        if dim + width > input.dim():
            raise IndexError(f"too many indices for tensor of dimension {input.dim()} (got {len(indices)})")
        if array.dtype == np.bool_:
            for j, n in enumerate(array.shape):
                if n != input.shape[dim + j]:
                    raise IndexError(f"The shape of the mask {list(array.shape)} at index {j} does not match the "
                                     f"shape of the indexed tensor {list(input.shape)} at index {dim + j}")
            key.extend(np.nonzero(array))
        else:
            size = input.shape[dim]
            bad = (array < -size) | (array >= size)
            if bad.any():
                raise IndexError(f"index {array[bad].flat[0]} is out of bounds for dimension {dim} with size {size}")
            key.append(np.where(array < 0, array + size, array).astype(np.int64))
        dim += width
    try:
        np.broadcast_shapes(*(a.shape for a in key))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(a.shape)) for a in key)) from None
    return tuple(key)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``out[indices] = values`` (a copy): ``indices`` is a tuple of index tensors, one per leading dim.
    With ``accumulate=True`` the values are ADDED, and a position listed twice receives both."""
    key = _index_put_key(input, indices)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not {type(values).__name__}")
    if values.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype._c_name} for the destination and {values.dtype._c_name} for the source.")
    if accumulate:
        return IndexPutAccumulate.apply(input, values, key)
    return IndexPut.apply(input, values, key)


# -------------------------------------------------------------------------------------------- unique
class Unique(NumpyFunction):
    """(values, inverse, counts): the distinct elements of a, sorted (or, consecutive=True, each run of
    equal neighbours collapsed), where each element of a went, and how many went there. With ``dim``
    the distinct slices along dim are compared whole.

    Found without a Python loop: sort (lexicographically, for slices), mark where a sorted row differs
    from the one before, and number the runs with a cumulative sum.
    Not differentiable (PyTorch's backward raises too); the integer outputs never require grad.
    """

    node_name = "Unique2Backward0"

    @staticmethod
    def forward(ctx, a, dim, consecutive):
        ctx.torch_name = "unique_consecutive" if consecutive else ("_unique2" if dim is None else "unique_dim")
        moved = a.reshape(-1) if dim is None else np.moveaxis(a, dim, 0)
        rows = moved.reshape(moved.shape[0], math.prod(moved.shape[1:]))
        if consecutive:
            order = np.arange(len(rows))
        else:  # np.lexsort takes its LAST key as the primary one: reverse the columns
            order = np.lexsort(rows.T[::-1]) if rows.shape[1] else np.arange(len(rows))
        ordered = rows[order]
        starts = np.ones(len(rows), dtype=bool)  # True where a new distinct row begins
        starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        inverse = np.empty(len(rows), dtype=np.int64)
        inverse[order] = np.cumsum(starts) - 1
        counts = np.diff(np.append(np.flatnonzero(starts), len(rows))).astype(np.int64)
        values = ordered[starts].reshape((-1,) + moved.shape[1:])
        if dim is None:
            return values, inverse.reshape(a.shape), counts
        return np.moveaxis(values, 0, dim), inverse, counts

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"the derivative for '{ctx.torch_name}' is not implemented.")


class UniqueDim(Unique):
    node_name = "UniqueDimBackward0"


class UniqueConsecutive(Unique):
    node_name = "UniqueConsecutiveBackward0"


def _unique_result(outputs: tuple, return_inverse: bool, return_counts: bool):
    values, inverse, counts = outputs
    if not (return_inverse or return_counts):
        return values
    return (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())


def _unique(cls, input: Tensor, dim, consecutive: bool) -> tuple:
    if dim is not None:
        dim = _wrap_dim(dim, input.dim())
        if input.shape[dim] > 0 and any(n == 0 for d, n in enumerate(input.shape) if d != dim):
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    return cls.apply(input, dim, consecutive)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None):
    """The distinct elements of ``input`` (flattened), sorted; or its distinct slices along ``dim``.
    ``return_inverse``: where each element went (``values[inverse] == input``); ``return_counts``: how
    often each value occurs. (PyTorch on the CPU sorts even with sorted=False; so does edutorch.)"""
    cls = Unique if dim is None else UniqueDim
    return _unique_result(_unique(cls, input, dim, False), return_inverse, return_counts)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) to one:
    ``[1, 1, 2, 2, 3, 1]`` -> ``[1, 2, 3, 1]``, as the Unix ``uniq``."""
    return _unique_result(_unique(UniqueConsecutive, input, dim, True), return_inverse, return_counts)


__all__ = [
    "gather",
    "getitem",
    "index_add",
    "index_fill",
    "index_put",
    "index_select",
    "masked_fill",
    "masked_select",
    "nonzero",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "setitem",
    "unique",
    "unique_consecutive",
]


# ====================================================================== embedding (a row lookup)
class Embedding(NumpyFunction):
    """out[...] = weight[indices[...]]: a row lookup, (*) int -> (*, embedding_dim).

    backward: each looked-up row receives its output gradient; a row looked up k times receives the sum
    of k gradients (np.add.at accumulates repeated indices, where ``grad_w[idx] += g`` would keep only
    one). The padding_idx row gets no gradient; with scale_grad_by_freq each row's gradient is divided
    by how often it occurs in the batch.
    """

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.padding_idx, ctx.scale = indices, padding_idx, scale_grad_by_freq
        ctx.num_weights = weight.shape[0]
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        flat = ctx.indices.reshape(-1)
        rows = grad.reshape(flat.size, -1)
        if ctx.scale:
            counts = np.bincount(flat, minlength=ctx.num_weights)
            rows = rows / counts[flat, None].astype(rows.dtype)
        grad_w = np.zeros((ctx.num_weights, rows.shape[1]), dtype=grad.dtype)
        np.add.at(grad_w, flat, rows)
        if ctx.padding_idx is not None:
            grad_w[ctx.padding_idx] = 0
        return grad_w, None, None, None


class EmbeddingBag(NumpyFunction):
    """Bags of rows: out[b] = reduce over the entries i of bag b of  s_i * weight[indices[i]],  (B, D).

    reduce is 'sum', 'mean' (the sum divided by the number of entries in the bag) or 'max' (per column);
    s_i = per_sample_weights[i] ('sum' only; else 1). Entries equal to padding_idx are left out and not
    counted; an empty bag gives a row of zeros. bag[i] says which bag entry i belongs to (-1: none).

    backward, with g = grad_out (B, D) (each sum over the entries i, scattered with np.add.at):
        sum:   grad_weight[indices[i]] += s_i * g[bag_i]       grad_s[i] = weight[indices[i]] . g[bag_i]
        mean:  grad_weight[indices[i]] += g[bag_i] / count[bag_i]
        max:   grad_weight[row, d] += g[b, d]  for the row that gave the max of (b, d) (the first on ties)
    With scale_grad_by_freq each row's gradient is divided by how often its index occurs in the input.
    """

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(ctx, weight, per_sample_weights, indices, bag, n_bags, mode, padding_idx, scale_grad_by_freq):
        keep = bag >= 0
        if padding_idx is not None:
            keep &= indices != padding_idx
        idx, bag_k = indices[keep], bag[keep]
        rows = weight[idx]  # (K, D): the looked-up rows of the entries that count
        out = np.zeros((n_bags, weight.shape[1]), dtype=weight.dtype)
        ctx.conf = (keep, idx, bag_k, mode, weight.shape[0], scale_grad_by_freq, indices)
        if mode == "max":
            best = np.full(out.shape, -np.inf, dtype=weight.dtype)
            np.maximum.at(best, bag_k, rows)
            # the first entry of each bag that reaches the max, per column (len(idx) = none: an empty bag)
            entry = np.where(rows == best[bag_k], np.arange(len(idx))[:, None], len(idx))
            first = np.full(out.shape, len(idx))
            np.minimum.at(first, bag_k, entry)
            filled = first < len(idx)
            out[filled] = best[filled]
            ctx.max_rows = np.where(filled, np.append(idx, -1)[first], -1)  # the weight row behind each max
            return out
        np.add.at(out, bag_k, rows if per_sample_weights is None else rows * per_sample_weights[keep, None])
        if mode == "mean":
            ctx.count = np.maximum(np.bincount(bag_k, minlength=n_bags), 1).astype(weight.dtype)
            out /= ctx.count[:, None]
        ctx.save_for_backward(weight if ctx.needs_input_grad[1] else None, per_sample_weights)
        return out

    @staticmethod
    def backward(ctx, grad):
        keep, idx, bag_k, mode, num_weights, scale_grad_by_freq, indices = ctx.conf
        grad_weight = np.zeros((num_weights, grad.shape[1]), dtype=grad.dtype)
        if mode == "max":
            b, d = np.nonzero(ctx.max_rows >= 0)
            np.add.at(grad_weight, (ctx.max_rows[b, d], d), grad[b, d])
            return grad_weight, None, None, None, None, None, None, None
        weight, per_sample_weights = ctx.saved_tensors
        rows_grad = grad[bag_k]  # (K, D): the gradient each counted entry's row receives
        if mode == "mean":
            rows_grad = rows_grad / ctx.count[bag_k, None]
        grad_psw = None
        if ctx.needs_input_grad[1]:
            grad_psw = np.zeros(keep.shape, dtype=grad.dtype)
            grad_psw[keep] = (weight[idx] * rows_grad).sum(axis=1)
        if per_sample_weights is not None:
            rows_grad = rows_grad * per_sample_weights[keep, None]
        if scale_grad_by_freq:
            rows_grad = rows_grad / np.bincount(indices, minlength=num_weights)[idx, None].astype(grad.dtype)
        np.add.at(grad_weight, idx, rows_grad)
        return grad_weight, grad_psw, None, None, None, None, None, None
