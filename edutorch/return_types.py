"""Named results of ops that return two tensors: ``torch.return_types.max(values=..., indices=...)``.

``torch.max(x, dim=1)`` gives both the largest values and where they are. PyTorch returns them as a
small named tuple, so both styles work::

    values, indices = torch.max(x, dim=1)     # unpack like a tuple
    result = torch.max(x, dim=1)
    result.values, result.indices             # or read the fields by name

Each type below is a ``collections.namedtuple`` that prints the way PyTorch prints it::

    torch.return_types.max(
    values=tensor([3., 2.]),
    indices=tensor([1, 0]))
"""
from __future__ import annotations

from collections import namedtuple


def _repr(self) -> str:
    # PyTorch puts every field on its own line, after the qualified type name.
    fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{fields})"


class max(namedtuple("max", ["values", "indices"])):  # noqa: A001 - PyTorch's name
    """``torch.max(input, dim)``: the largest values along ``dim`` and their (first) indices."""

    __slots__ = ()
    __repr__ = _repr


class min(namedtuple("min", ["values", "indices"])):  # noqa: A001 - PyTorch's name
    """``torch.min(input, dim)``: the smallest values along ``dim`` and their (first) indices."""

    __slots__ = ()
    __repr__ = _repr


class sort(namedtuple("sort", ["values", "indices"])):
    """``torch.sort(input, dim)``: the sorted values and the indices that sort ``input``."""

    __slots__ = ()
    __repr__ = _repr


class topk(namedtuple("topk", ["values", "indices"])):
    """``torch.topk(input, k, dim)``: the ``k`` largest (or smallest) values and their indices."""

    __slots__ = ()
    __repr__ = _repr


class aminmax(namedtuple("aminmax", ["min", "max"])):
    """``torch.aminmax(input, dim=None)``: the smallest and the largest values (over ``dim``, or all)."""

    __slots__ = ()
    __repr__ = _repr


# --- linear algebra (torch.linalg and its top-level aliases)
class linalg_inv_ex(namedtuple("linalg_inv_ex", ["inverse", "info"])):
    """``torch.linalg.inv_ex(A)``: the inverse and an int32 ``info`` (0, or k: pivot k of the LU is 0)."""

    __slots__ = ()
    __repr__ = _repr


class linalg_slogdet(namedtuple("linalg_slogdet", ["sign", "logabsdet"])):
    """``torch.linalg.slogdet(A)``: det A = sign * exp(logabsdet)."""

    __slots__ = ()
    __repr__ = _repr


class slogdet(namedtuple("slogdet", ["sign", "logabsdet"])):
    """``torch.slogdet(A)``: as ``linalg_slogdet``."""

    __slots__ = ()
    __repr__ = _repr


class linalg_svd(namedtuple("linalg_svd", ["U", "S", "Vh"])):
    """``torch.linalg.svd(A)``: A = U diag(S) Vh."""

    __slots__ = ()
    __repr__ = _repr


class svd(namedtuple("svd", ["U", "S", "V"])):
    """``torch.svd(A)`` (the older API): A = U diag(S) V^T -- V, not Vh."""

    __slots__ = ()
    __repr__ = _repr


class linalg_qr(namedtuple("linalg_qr", ["Q", "R"])):
    """``torch.linalg.qr(A)``: A = Q R."""

    __slots__ = ()
    __repr__ = _repr


class linalg_eigh(namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])):
    """``torch.linalg.eigh(A)``: A = V diag(eigenvalues) V^T, V = eigenvectors."""

    __slots__ = ()
    __repr__ = _repr


class linalg_lstsq(namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])):
    """``torch.linalg.lstsq(A, B)``: the least-squares solution and what the driver reports with it."""

    __slots__ = ()
    __repr__ = _repr


# --- order statistics and running extremes (edutorch/ops/order_stats.py)
class median(namedtuple("median", ["values", "indices"])):
    """``torch.median(input, dim)``: the lower median along ``dim`` and its index."""

    __slots__ = ()
    __repr__ = _repr


class nanmedian(namedtuple("nanmedian", ["values", "indices"])):
    """``torch.nanmedian(input, dim)``: the lower median of the non-nan values and its index."""

    __slots__ = ()
    __repr__ = _repr


class mode(namedtuple("mode", ["values", "indices"])):
    """``torch.mode(input, dim)``: the most frequent value along ``dim`` and its (last) index."""

    __slots__ = ()
    __repr__ = _repr


class kthvalue(namedtuple("kthvalue", ["values", "indices"])):
    """``torch.kthvalue(input, k, dim)``: the k-th smallest value along ``dim`` and its index."""

    __slots__ = ()
    __repr__ = _repr


class cummax(namedtuple("cummax", ["values", "indices"])):
    """``torch.cummax(input, dim)``: the running maximum along ``dim`` and where each was found."""

    __slots__ = ()
    __repr__ = _repr


class cummin(namedtuple("cummin", ["values", "indices"])):
    """``torch.cummin(input, dim)``: the running minimum along ``dim`` and where each was found."""

    __slots__ = ()
    __repr__ = _repr


# --- the same pairs returned by the out= forms (torch.max(x, 1, out=(v, i)) gives a max_out)
class max_out(namedtuple("max_out", ["values", "indices"])):
    """``torch.max(input, dim, out=(values, indices))``: the two ``out`` tensors, filled."""

    __slots__ = ()
    __repr__ = _repr


class min_out(namedtuple("min_out", ["values", "indices"])):
    """``torch.min(input, dim, out=(values, indices))``: the two ``out`` tensors, filled."""

    __slots__ = ()
    __repr__ = _repr


class sort_out(namedtuple("sort_out", ["values", "indices"])):
    """``torch.sort(input, dim, out=(values, indices))``: the two ``out`` tensors, filled."""

    __slots__ = ()
    __repr__ = _repr


class topk_out(namedtuple("topk_out", ["values", "indices"])):
    """``torch.topk(input, k, dim, out=(values, indices))``: the two ``out`` tensors, filled."""

    __slots__ = ()
    __repr__ = _repr


class linalg_solve_ex(namedtuple("linalg_solve_ex", ["result", "info"])):
    """``torch.linalg.solve_ex(A, B)``: the solution and an int32 ``info`` (0, or k: pivot k of the LU is 0)."""

    __slots__ = ()
    __repr__ = _repr


class linalg_cholesky_ex(namedtuple("linalg_cholesky_ex", ["L", "info"])):
    """``torch.linalg.cholesky_ex(A)``: the factor and an int32 ``info`` (0, or k: the leading minor of
    order k is not positive-definite)."""

    __slots__ = ()
    __repr__ = _repr


class linalg_lu(namedtuple("linalg_lu", ["P", "L", "U"])):
    """``torch.linalg.lu(A)``: A = P L U."""

    __slots__ = ()
    __repr__ = _repr


class linalg_lu_factor(namedtuple("linalg_lu_factor", ["LU", "pivots"])):
    """``torch.linalg.lu_factor(A)``: L and U packed in one matrix, and the row swaps (1-based)."""

    __slots__ = ()
    __repr__ = _repr


class linalg_lu_factor_ex(namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])):
    """``torch.linalg.lu_factor_ex(A)``: lu_factor's result and an int32 ``info`` (0, or k: U[k, k] is 0)."""

    __slots__ = ()
    __repr__ = _repr
