"""Fused "scaled product plus input" ops (addmm, addmv, baddbmm, addbmm) and the tensor products
tensordot and kron.

    addmm(input, A, B)         = beta * input + alpha * (A @ B)              A: (n, m), B: (m, p)
    addmv(input, A, v)         = beta * input + alpha * (A @ v)              v: (m,)
    baddbmm(input, A, B)       = beta * input + alpha * (A[b] @ B[b])        one product per batch item b
    addbmm(input, A, B)        = beta * input + alpha * sum_b A[b] @ B[b]    the batch summed away

The gradient of a product is a product with the *other* factor (see ops/linalg.py), scaled by alpha;
``input`` gets beta * grad (summed over the dims it was broadcast along):

    grad_input = beta * G        grad_A = alpha * G @ B^T        grad_B = alpha * A^T @ G

With beta = 0, ``input`` is ignored, even where it holds nan or inf (PyTorch's rule: beta = 0 means
"do not read it", not "multiply it by 0"). ``addbmm`` needs no class of its own: laying the batch
side by side turns the sum of products into one product,

    sum_b A[b] @ B[b] = [A[0] A[1] ...] @ [B[0]; B[1]; ...]      (n, batch*m) @ (batch*m, p)

``tensordot`` and ``kron`` are written with permute, reshape, matmul and broadcasting multiplication,
so their gradients come from those ops.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .linalg import _check_tensors, _mT, _shape_str, mm


# ------------------------------------------------------------------------------------ the op classes
class AddmmScaled(NumpyFunction):
    """out = beta * input + alpha * (a @ b) for matrices (addmm) or batches of them (baddbmm).

    grad_input = beta * grad,   grad_a = alpha * grad @ b^T,   grad_b = alpha * a^T @ grad.
    """

    node_name = "AddmmBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, input, a, b, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b if ctx.needs_input_grad[1] else None)
        dtype = a.dtype
        out = (a @ b) * np.asarray(alpha).astype(dtype) if alpha != 1 else a @ b
        if beta != 0:  # beta = 0: input is not read at all (its nan or inf must not leak in)
            out = out + (input * np.asarray(beta).astype(dtype) if beta != 1 else input)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * ctx.beta if ctx.needs_input_grad[0] else None,
                grad @ _mT(b) * ctx.alpha if ctx.needs_input_grad[1] else None,
                _mT(a) @ grad * ctx.alpha if ctx.needs_input_grad[2] else None, None, None)


class Baddbmm(AddmmScaled):
    node_name = "BaddbmmBackward0"


class Addmv(NumpyFunction):
    """out = beta * input + alpha * (a @ v), a: (n, m), v: (m,).

    grad_input = beta * grad,   grad_a = alpha * outer(grad, v),   grad_v = alpha * a^T @ grad.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, input, a, v, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, v if ctx.needs_input_grad[1] else None)
        dtype = a.dtype
        out = (a @ v) * np.asarray(alpha).astype(dtype) if alpha != 1 else a @ v
        if beta != 0:
            out = out + (input * np.asarray(beta).astype(dtype) if beta != 1 else input)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        return (grad * ctx.beta if ctx.needs_input_grad[0] else None,
                grad.reshape(-1, 1) * v.reshape(1, -1) * ctx.alpha if ctx.needs_input_grad[1] else None,
                _mT(a) @ grad * ctx.alpha if ctx.needs_input_grad[2] else None, None, None)


# --------------------------------------------------------------------------------------- checks
def _check_same_dtype(input: Tensor, *others: Tensor) -> None:
    for t in others:
        if t.dtype is not input.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {input.dtype._c_name} and "
                               f"{t.dtype._c_name} (cast one of them, e.g. with .float())")


def _check_broadcast(input: Tensor, shape: tuple) -> None:
    """input must broadcast to the product's shape (it is expanded, never the product)."""
    padded = (1,) * (len(shape) - input.dim()) + tuple(input.shape)
    if input.dim() > len(shape) or any(s != 1 and s != t for s, t in zip(padded, shape)):
        bad = next((i for i, (s, t) in enumerate(zip(padded, shape)) if s != 1 and s != t), 0)
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[bad] if bad < len(shape) else 0}) must match the "
            f"existing size ({padded[bad]}) at non-singleton dimension {bad}.  Target sizes: {list(shape)}.  "
            f"Tensor sizes: {list(input.shape)}")


# --------------------------------------------------------------------------------------- functions
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2); ``input`` broadcasts to (n, p). nn.Linear is
    ``addmm(bias, x, weight.t())``."""
    _check_tensors("addmm", input=input, mat1=mat1, mat2=mat2)
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.dim() != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.dim()}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(mat1.shape)} and "
                           f"{_shape_str(mat2.shape)})")
    _check_same_dtype(input, mat1, mat2)
    _check_broadcast(input, (mat1.shape[0], mat2.shape[1]))
    # (ops/linalg.py's Addmm, nn.Linear's node, is this op with beta = alpha = 1; AddmmScaled also takes
    # beta and alpha and can be differentiated twice, so it serves every call here.)
    return AddmmScaled.apply(input, mat1, mat2, beta, alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (mat @ vec); ``input`` broadcasts to (n,)."""
    _check_tensors("addmv", input=input, mat=mat, vec=vec)
    if mat.dim() != 2 or vec.dim() != 1 or input.dim() > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}")
    if mat.shape[1] != vec.shape[0] or (input.dim() == 1 and input.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({_shape_str(input.shape) or 1}), mat "
                           f"({_shape_str(mat.shape)}), vec ({vec.shape[0]})")
    _check_same_dtype(input, mat, vec)
    return Addmv.apply(input, mat, vec, beta, alpha)


def addmv_(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place addmv: ``input`` becomes beta * input + alpha * (mat @ vec)."""
    return input._inplace(addmv(input, mat, vec, beta=beta, alpha=alpha))


def _check_batches(op: str, batch1: Tensor, batch2: Tensor) -> None:
    for name, b in (("batch1", batch1), ("batch2", batch2)):
        if b.dim() != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if op == "addbmm" and batch1.shape[0] == batch2.shape[0] and batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
                           f"{batch2.shape[1]}x{batch2.shape[2]})")
    if batch2.shape[:2] != (batch1.shape[0], batch1.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch1.shape[0]}, {batch1.shape[2]}] but got: [{batch2.shape[0]}, "
                           f"{batch2.shape[1]}].")


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * (batch1[b] @ batch2[b]) for each b: (B, n, m) and (B, m, p) -> (B, n, p)."""
    _check_tensors("baddbmm", input=input, batch1=batch1, batch2=batch2)
    _check_batches("baddbmm", batch1, batch2)
    _check_same_dtype(input, batch1, batch2)
    _check_broadcast(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    return Baddbmm.apply(input, batch1, batch2, beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]: (B, n, m) and (B, m, p) -> (n, p)."""
    _check_tensors("addbmm", input=input, batch1=batch1, batch2=batch2)
    _check_batches("addbmm", batch1, batch2)
    _check_same_dtype(input, batch1, batch2)
    batch, n, m = batch1.shape
    _check_broadcast(input, (n, batch2.shape[2]))
    side_by_side = batch1.permute(1, 0, 2).reshape(n, batch * m)  # [A[0] A[1] ...]
    stacked = batch2.reshape(batch * m, batch2.shape[2])  # [B[0]; B[1]; ...]
    return AddmmScaled.apply(input, side_by_side, stacked, beta, alpha)


# ------------------------------------------------------------------------------------- tensordot
def _dims_list(dims, ndim: int) -> list:
    return [int(d) % ndim if ndim else int(d) for d in (dims if isinstance(dims, (list, tuple)) else [dims])]


def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Sum of products over the given dims of ``a`` and ``b``: ``dims=k`` pairs a's last k dims with
    b's first k; ``dims=([1, 2], [0, 1])`` names them. The free dims of a, then of b, remain.

    Written as one matrix product: move a's contracted dims last and b's first, flatten each side to
    a matrix (free x contracted) @ (contracted x free), and unflatten the result.
    """
    _check_tensors("tensordot", a=a, b=b)
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
        shown_a = [d - a.dim() for d in dims_a]
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be a pair of dim lists or an int")
        dims_a, dims_b = _dims_list(dims[0], a.dim()), _dims_list(dims[1], b.dim())
        shown_a = list(dims[0]) if isinstance(dims[0], (list, tuple)) else [dims[0]]
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
    for i, (da, db) in enumerate(zip(dims_a, dims_b)):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{shown_a[i]} and second has size {b.shape[db]} in dim {db}")
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    k = int(np.prod([a.shape[d] for d in dims_a]))
    left = a.permute(*free_a, *dims_a).reshape(-1, k)
    right = b.permute(*dims_b, *free_b).reshape(k, -1)
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return mm(left, right).reshape(out_shape)


# ------------------------------------------------------------------------------------------- kron
def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times a whole copy of ``other``, the copies
    laid out in a grid: shape (a0 * b0, a1 * b1, ...) (the shorter shape padded with 1s in front).

    Written as a broadcast product: input as (a0, 1, a1, 1, ...) times other as (1, b0, 1, b1, ...)
    gives (a0, b0, a1, b1, ...), and merging each pair of dims gives the grid.
    """
    _check_tensors("kron", input=input, other=other)
    ndim = max(input.dim(), other.dim())
    a_shape = (1,) * (ndim - input.dim()) + tuple(input.shape)
    b_shape = (1,) * (ndim - other.dim()) + tuple(other.shape)
    spread_a = input.reshape([n for s in a_shape for n in (s, 1)])
    spread_b = other.reshape([n for s in b_shape for n in (1, s)])
    return (spread_a * spread_b).reshape([s * t for s, t in zip(a_shape, b_shape)])


__all__ = ["addbmm", "addmm", "addmv", "addmv_", "baddbmm", "kron", "tensordot"]
