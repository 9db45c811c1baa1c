"""Shape ops: view / reshape, squeeze, permute / transpose, expand, repeat, flip, roll, cat / stack, split.

None of these changes a number; they only move numbers around, so every backward moves the gradient
back: a reshape's gradient is reshaped back, a transpose's is transposed back, ``cat``'s is split.

Many of them are *views*: the output shares the input's storage, exactly as in PyTorch, so
``x.view(12)[0] = 5`` changes ``x``. Their classes set ``is_view = True`` and their ``forward`` returns a
NumPy view of the input. ``forward`` must be *replayable*: run again on another array shaped like the
base it gives the matching view, which is how a write through a view is routed back into the base's
gradient (``replay_view`` in autograd/function.py).

Backwards written with methods that NumPy arrays and tensors share (``reshape``, ``swapaxes``, ``T``)
or with the small ``_permute`` / ``_cat`` ... helpers below have ``double_backward = True``: with
``create_graph=True`` the same code runs on tensors and is differentiated again.
"""
from __future__ import annotations

import math
import warnings
import operator

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction
from .arithmetic import clone


# ----------------------------------------------------------------------------- array-or-tensor helpers
# Each does the same thing to a NumPy array (single backward) or a tensor (double backward).
def _permute(x, dims):
    return x.permute(*dims) if isinstance(x, Tensor) else x.transpose(dims)


def _flip(x, dims):
    return flip(x, dims) if isinstance(x, Tensor) else np.flip(x, dims)


def _roll(x, shifts, dims):
    return roll(x, shifts, dims) if isinstance(x, Tensor) else np.roll(x, shifts, dims)


def _cat(pieces, dim):
    return cat(list(pieces), dim) if isinstance(pieces[0], Tensor) else np.concatenate(pieces, axis=dim)


def _stack(pieces, dim):
    return stack(list(pieces), dim) if isinstance(pieces[0], Tensor) else np.stack(pieces, axis=dim)


def _split(x, sizes, dim):
    if isinstance(x, Tensor):
        return split(x, list(sizes), dim)
    return np.split(x, np.cumsum(sizes)[:-1], axis=dim)


def _place(x, shape, key):
    """A zero array of ``shape`` holding ``x`` at ``[key]``: the backward of every slicing view."""
    if isinstance(x, Tensor):
        return PlaceInZeros.apply(x, tuple(shape), key)
    out = np.zeros(shape, dtype=x.dtype)
    out[key] = x
    return out


class PlaceInZeros(NumpyFunction):
    """out = zeros(shape); out[key] = a.   d/da = grad[key] (the backward of select / slice / narrow,
    written as an op of its own so that their gradients can be differentiated again)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, shape, key):
        ctx.key = key
        out = np.zeros(shape, dtype=a.dtype)
        out[key] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None


# ------------------------------------------------------------------------------------ argument parsing
def _int_list(args: tuple, name: str, what: str = "size") -> tuple:
    """``(2, 3)``, ``((2, 3),)``, ``([2, 3],)`` or ``(torch.Size([2, 3]),)`` -> ``(2, 3)``."""
    if not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "{what}"')
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for pos, a in enumerate(args):
        if isinstance(a, (bool, float)) or not hasattr(a, "__index__"):
            raise TypeError(f"{name}(): argument '{what}' must be tuple of ints, but found element of type "
                            f"{type(a).__name__} at pos {pos}")
        out.append(operator.index(a))
    return tuple(out)


def _dims(dims, ndim: int) -> tuple:
    """One dim or a sequence of dims, wrapped to non-negative, each at most once."""
    dims = (dims,) if not isinstance(dims, (tuple, list)) else tuple(dims)
    wrapped = tuple(_wrap_dim(operator.index(d), ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _infer_size(shape: tuple, numel: int) -> tuple:
    """Fill in a ``-1`` of ``shape`` so that it holds ``numel`` elements (PyTorch's infer_size)."""
    inferred = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if inferred is None:
        if known == numel:
            return shape
    elif known != 0 and numel % known == 0:
        return shape[:inferred] + (numel // known,) + shape[inferred + 1:]
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _can_view(a: np.ndarray, shape: tuple) -> bool:
    try:
        np.reshape(a, shape, copy=False)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------------------ view, reshape, flatten
class View(NumpyFunction):
    """out = a seen with another shape, same storage.   grad: reshaped back to a's shape."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        try:
            return np.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class UnsafeView(NumpyFunction):
    """reshape of a fresh copy (what ``reshape`` does when no view is possible).   grad: reshaped back."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


def view(input: Tensor, *shape) -> Tensor:
    """The same storage seen with another shape (one size may be -1: inferred). Raises when the strides
    do not allow it (e.g. after a transpose): use ``reshape``, which copies then."""
    shape = _infer_size(_int_list(shape, "view"), input.numel())
    return View.apply(input, shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """Like ``view`` when the storage allows it; otherwise a contiguous copy reshaped (as PyTorch:
    ``clone`` then ``_unsafe_view``, so the copy shows as ``UnsafeViewBackward0``)."""
    shape = _infer_size(_int_list(shape, "reshape", "shape"), input.numel())
    if _can_view(input._data, shape):
        return View.apply(input, shape)
    return UnsafeView.apply(clone(input), shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a view when possible, like ``reshape``)."""
    if input.dim() == 0:
        return reshape(input, 1)
    start, end = _wrap_dim(start_dim, input.dim()), _wrap_dim(end_dim, input.dim())
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input  # nothing to merge: PyTorch returns the input itself
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1); always a view."""
    dim = _wrap_dim(dim, input.dim())
    sizes = _int_list((sizes,), "unflatten", "sizes")
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[dim]
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred (-1) in sizes "
                           f"{list(sizes)}")
    if -1 in sizes:
        sizes = _infer_size(sizes, n)
    elif math.prod(sizes) != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({n}) in the input tensor")
    return View.apply(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


# ---------------------------------------------------------------------------------- squeeze, unsqueeze
class Squeeze(NumpyFunction):
    """out = a without the listed size-1 dims (a view).   grad: reshaped back to a's shape."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.in_shape = a.shape
        return np.squeeze(a, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"  # squeeze(dim)


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"  # squeeze((dim0, dim1))


class Unsqueeze(NumpyFunction):
    """out = a with a new size-1 dim at ``dim`` (a view).   grad: that dim removed again."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.in_shape = a.shape
        return np.expand_dims(a, dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape), None


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove size-1 dims: all of them, or only ``dim`` (an int or a tuple) where its size is 1."""
    shape = input.shape
    if dim is None:
        return Squeeze.apply(input, tuple(d for d, n in enumerate(shape) if n == 1))
    cls = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    dims = _dims(dim, input.dim())
    # A listed dim whose size is not 1 is silently kept, as in PyTorch.
    return cls.apply(input, tuple(d for d in dims if input.dim() > 0 and shape[d] == 1))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at position ``dim`` (in ``[-input.dim() - 1, input.dim()]``)."""
    return Unsqueeze.apply(input, _wrap_dim(dim, input.dim() + 1))


# ---------------------------------------------------------------------- permute, transpose, t, movedim
class Permute(NumpyFunction):
    """out = a with its dims reordered: out dim i is a's dim ``dims[i]`` (a view).
    grad: reordered by the inverse permutation, ``argsort(dims)``."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.inverse = tuple(np.argsort(dims).tolist())
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return _permute(grad, ctx.inverse), None


class Transpose(NumpyFunction):
    """out = a with dims ``dim0`` and ``dim1`` swapped (a view).   grad: swapped back."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return a.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.swapaxes(*ctx.dims), None, None


class T(NumpyFunction):
    """out = a transposed, for a <= 2-D (a view).   grad: transposed back."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a):
        return a.T

    @staticmethod
    def backward(ctx, grad):
        return grad.T


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder the dims: ``x.permute(2, 0, 1)`` turns HWC into CHW. ``dims`` as varargs or one tuple."""
    dims = _int_list(dims, "permute", "dims")
    if len(dims) != input.dim():
        raise RuntimeError(
            "permute(): number of dimensions in the tensor input does not match the length of the desired "
            f"ordering of dimensions i.e. input.dim() = {input.dim()} is not equal to len(dims) = {len(dims)}"
        )
    wrapped = tuple(_wrap_dim(d, input.dim()) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, wrapped)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    ndim = input.dim()
    return Transpose.apply(input, _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim))


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    """Transpose of a matrix; a 0-D or 1-D tensor is returned as it is (still a new view)."""
    if input.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.dim()}D")
    return T.apply(input)


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the other dims keep their order."""
    ndim = input.dim()
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({source} dims) should contain the same "
            f"number of dims as destination ({destination} dims)"
        )
    src = [_wrap_dim(d, ndim) for d in source]
    dst = [_wrap_dim(d, ndim) for d in destination]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    order = [-1] * ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(ndim) if d not in src)
    order = [o if o != -1 else next(rest) for o in order]
    return Permute.apply(input, tuple(order))


# --------------------------------------------------------------------------------- expand and repeat
class Expand(NumpyFunction):
    """out = a broadcast to ``shape`` without copying: a read-only view whose repeated elements all
    share one memory location.   grad: summed over the broadcast dims -- exactly what the engine's
    ``_unbroadcast`` does for every op, so backward just hands the gradient back."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, shape):
        # NumPy's broadcast view is read-only: writing into it would write one element many times.
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Repeat(NumpyFunction):
    """out = a tiled ``sizes[i]`` times along dim i (a copy; a is first padded with leading 1-dims).

    grad: out viewed as (r0, n0, r1, n1, ...) holds r0*r1*... copies of a, so a's gradient is the sum
    over the r axes.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, sizes):
        ctx.in_shape = a.shape
        ctx.sizes = sizes
        return np.tile(a, sizes)

    @staticmethod
    def backward(ctx, grad):
        sizes = ctx.sizes
        padded = (1,) * (len(sizes) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        interleaved = tuple(n for pair in zip(sizes, padded) for n in pair)
        repeat_axes = tuple(range(0, 2 * len(sizes), 2))
        return grad.reshape(interleaved).sum(repeat_axes).reshape(ctx.in_shape), None


def _expanded_shape(input: Tensor, sizes: tuple) -> tuple:
    """The target shape of ``expand(*sizes)``: -1 keeps a size, new dims may only be added in front."""
    ndim, lead = input.dim(), len(sizes) - input.dim()
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{(input.dtype)._c_name}Tensor{{{list(input.shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
            f"in the tensor ({ndim})"
        )
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            shape.append(s)
            continue
        have = input.shape[i - lead]
        if s == -1:
            s = have
        if have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(input.shape)}"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)}")
        shape.append(s)
    return tuple(shape)




def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast to a larger shape without copying (a read-only view; -1 keeps a dim's size)."""
    return Expand.apply(input, _expanded_shape(input, _int_list(sizes, "expand")))


def broadcast_to(input: Tensor, size) -> Tensor:
    """``expand`` under NumPy's name."""
    return expand(input, size)


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the data: ``x.repeat(2, 1)`` stacks two copies of x along dim 0 (a copy, unlike expand)."""
    sizes = _int_list(sizes, "repeat", "repeats")
    if len(sizes) < input.dim():
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    if any(s < 0 for s in sizes):
        padded = (1,) * (len(sizes) - input.dim()) + tuple(input.shape)
        shape = [n * s for n, s in zip(padded, sizes)]
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {shape}")
    return Repeat.apply(input, sizes)


def tile(input: Tensor, dims) -> Tensor:
    """``repeat`` that also accepts fewer sizes than dims (missing leading ones count as 1)."""
    dims = _int_list((dims,), "tile", "dims")
    return repeat(input, (1,) * (input.dim() - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (flattened first when dim is None):
    ``[1, 2].repeat_interleave(2) == [1, 1, 2, 2]``. ``repeats`` is an int or one count per element.
    ``repeat_interleave(counts)`` alone gives ``[0]*counts[0] + [1]*counts[1] + ...`` (PyTorch's form)."""
    if repeats is None:  # torch.repeat_interleave(repeats): the positions 0, 1, ... each repeated
        if input.dim() != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        repeats, input = input, Tensor._make(np.arange(input.shape[0], dtype=np.int64))
    x = flatten(input) if dim is None else input
    dim = 0 if dim is None else _wrap_dim(dim, input.dim())
    if isinstance(repeats, Tensor):
        if repeats.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats._data.dtype.kind not in "iu":
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for \'{repeats.dtype._c_name}\'')
        counts = repeats._data.reshape(-1)
        if counts.size == 1:
            counts = np.full(x.shape[dim], counts[0])
        if counts.size != x.shape[dim]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({dim}) = {x.shape[dim]}")
        if (counts < 0).any():
            raise RuntimeError("repeats can not be negative")
        if output_size is not None and output_size != counts.sum():
            raise RuntimeError("allocated size does not match required size")
        from .indexing import index_select

        return index_select(x, dim, Tensor._make(np.repeat(np.arange(x.shape[dim]), counts)))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != x.shape[dim] * repeats:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {x.shape[dim] * repeats} but got "
                           f"{output_size}")
    # As PyTorch: a new axis after ``dim``, broadcast to ``repeats``, copied, then merged into ``dim``.
    shape = x.shape
    widened = expand(unsqueeze(x, dim + 1), shape[:dim + 1] + (repeats,) + shape[dim + 1:])
    return view(clone(widened), shape[:dim] + (shape[dim] * repeats,) + shape[dim + 1:])


# -------------------------------------------------------------------------------------- flip and roll
class Flip(NumpyFunction):
    """out = a reversed along ``dims`` (a copy, as in PyTorch).   grad: reversed back."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.flip(a, dims).copy()  # np.flip is a view; PyTorch's flip is not

    @staticmethod
    def backward(ctx, grad):
        return _flip(grad, ctx.dims), None


class Roll(NumpyFunction):
    """out = a shifted cyclically by ``shifts`` along ``dims`` (all elements, flattened, when dims is
    None).   grad: shifted back by ``-shifts``."""

    double_backward = True

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return _roll(grad, back, ctx.dims), None, None


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (an int or a sequence)."""
    return Flip.apply(input, _dims(dims, input.dim()))


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically; what falls off one end comes back at the other."""
    shifts = _int_list((shifts,), "roll", "shifts")
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    dims = tuple(_wrap_dim(d, input.dim()) for d in _int_list((dims,), "roll", "dims"))
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return Roll.apply(input, shifts, dims)


# ------------------------------------------------------------------------------------ cat and stack
class Cat(NumpyFunction):
    """out = the inputs joined along ``dim``.   grad: split back into pieces of the inputs' sizes."""

    double_backward = True

    @staticmethod
    def forward(ctx, dim, dtype, *arrays):
        ctx.dim, ctx.sizes = dim, [a.shape[dim] for a in arrays]
        return np.concatenate([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, None, *_split(grad, ctx.sizes, ctx.dim))


class Stack(NumpyFunction):
    """out = the inputs (all one shape) stacked along a new dim ``dim``.   grad: out's slice i along
    ``dim`` goes to input i."""

    double_backward = True

    @staticmethod
    def forward(ctx, dim, dtype, *arrays):
        ctx.dim, ctx.count = dim, len(arrays)
        return np.stack([a.astype(dtype, copy=False) for a in arrays], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        before = (slice(None),) * ctx.dim
        return (None, None, *(grad[before + (i, Ellipsis)] for i in range(ctx.count)))


def _tensor_list(tensors, name: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return list(tensors)


def _common_dtype(tensors: list) -> np.dtype:
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dtype.promote_types(dtype, t.dtype)
    return dtype.to_numpy()


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other sizes must match. Mixed dtypes are promoted."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dtype = _common_dtype(tensors)
    # PyTorch still skips 1-D empty tensors (legacy behaviour), whatever the other shapes.
    kept = [t for t in tensors if t.shape != (0,)] or tensors[:1]
    first = kept[0]
    for i, t in enumerate(tensors):
        if t.dim() == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dim = _wrap_dim(dim, first.dim())
    for i, t in enumerate(tensors):
        if not any(t is k for k in kept):
            continue
        if t.dim() != first.dim():
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.dim()} and {t.dim()}")
        for d in range(first.dim()):
            if d != dim and t.shape[d] != first.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {first.shape[d]} "
                    f"but got size {t.shape[d]} for tensor number {i} in the list."
                )
    return Cat.apply(dim, dtype, *kept)


concat = concatenate = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    dim = _wrap_dim(dim, tensors[0].dim() + 1)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    return Stack.apply(dim, _common_dtype(tensors), *tensors)


# ----------------------------------------------------------------------------- split, chunk, unbind
class Split(NumpyFunction):
    """outs = consecutive pieces of a along ``dim``, of the given sizes (views; one node, several
    outputs).   grad: the pieces' gradients joined back (zeros for a piece that was not used)."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, sizes, dim):
        ctx.dim = dim
        return tuple(np.split(a, np.cumsum(sizes)[:-1], axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return _cat(grads, ctx.dim), None, None


class SplitWithSizes(Split):
    pass  # split([2, 1]) is SplitWithSizesBackward0 in PyTorch, split(2) is SplitBackward0


class Unbind(NumpyFunction):
    """outs = the slices of a along ``dim``, each without that dim (views).   grad: stacked back."""

    is_view = True
    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        before = (slice(None),) * dim
        # ``..., i, ...`` with a trailing Ellipsis keeps even a 0-d piece an array view, not a scalar.
        return tuple(a[before + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return _stack(grads, ctx.dim), None


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Cut into pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the
    listed sizes. The pieces are views of ``tensor``."""
    dim = _wrap_dim(dim, tensor.dim())
    n = tensor.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = _int_list((split_size_or_sections,), "split", "split_size")
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {dim}), but got split_sizes={list(sizes)}"
            )
        return SplitWithSizes.apply(tensor, sizes, dim)
    size = operator.index(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = max(math.ceil(n / size), 1) if size else 1
    sizes = tuple(min(size, n - i * size) for i in range(count))
    return Split.apply(tensor, sizes, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Cut into ``chunks`` pieces of size ceil(n / chunks) (fewer pieces if n is too small)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input.shape[_wrap_dim(dim, input.dim())]
    if n == 0:  # an empty dimension: ``chunks`` empty pieces, as PyTorch
        return split(input, [0] * chunks, dim)
    return split(input, math.ceil(n / chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """All slices along ``dim``: ``x.unbind(0)`` is ``(x[0], x[1], ...)`` (views). ``for row in x``."""
    if input.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, _wrap_dim(dim, input.dim()))


# ----------------------------------------------------------------------------------------- narrow
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` elements from ``start`` along ``dim`` (a view, like ``x[:, start:start + length]``)."""
    from .indexing import Slice

    dim = _wrap_dim(dim, input.dim())
    n = input.shape[dim]
    start, length = operator.index(start), operator.index(length)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = start % n if start < 0 else start
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Slice.apply(input, dim, start, start + length, 1)


__all__ = ["view", "reshape", "flatten", "unflatten", "squeeze", "unsqueeze", "permute", "transpose",
           "swapaxes", "t", "movedim", "expand", "broadcast_to", "repeat", "tile", "repeat_interleave",
           "flip", "roll", "cat", "concat", "concatenate", "stack", "split", "chunk", "unbind", "narrow"]


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors: with ``indexing='ij'`` output k varies along dim k; with
    ``'xy'`` the first two dims are swapped (x along columns), as in NumPy and Matplotlib.

    Each grid is a reshape + expand of its input (a view), so gradients flow back to the 1-D inputs.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.dim()}D")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        order[0], order[1] = 1, 0  # the grid's dim 0 follows the second input
    sizes = [tensors[k].numel() for k in order]
    grids = []
    for k, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[order.index(k)] = -1
        grids.append(t.reshape(shape).expand(sizes))
    return tuple(grids)
