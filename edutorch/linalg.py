"""``torch.linalg``: norms, inverses, determinants, solvers and decompositions of (batches of) matrices.

Every function takes matrices in the last two dims, (*, m, n), and treats the dims before them as a
batch, as PyTorch does. float32 in, float32 out. The differentiable ones are Functions in
``edutorch/ops/linalg_decomp.py``, whose docstrings derive each gradient; the rest (norms, vecdot,
logdet, cholesky_solve...) are compositions of differentiable ops, so their gradients come for free.

    x = torch.linalg.solve(A, b)        # A x = b, without forming A^-1 (better than inv(A) @ b)
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    torch.linalg.norm(A)                # the Frobenius norm

Matrices the operation cannot handle (singular for inv / solve, not positive-definite for cholesky)
raise ``torch.linalg.LinAlgError``, a RuntimeError.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from . import _dtype, return_types
from ._tensor import Tensor, _wrap_dim
from .ops import reduction as _red
from .ops.arithmetic import where
from .ops.diag_tri import diagonal as _diagonal
from .ops.linalg import _check_tensors, matmul
from .ops.linalg_decomp import (LinAlgError, LinalgCholesky, LinalgCross, LinalgDet, LinalgEigh, LinalgEigvalsh,
                                LinalgInv, LinalgLstsq, LinalgLu, LinalgLuFactor, LinalgMatrixExp, LinalgPinv,
                                LinalgQr, LinalgSlogdet, LinalgSolve, LinalgSvd, LinalgSvdvals, _batch_prefix,
                                _check_float, _check_matrix, _first_zero_pivot, _not_positive_definite_order,
                                _raise_not_positive_definite, _raise_singular_inv)
from .ops.shape import cat

__all__ = ["norm", "vector_norm", "matrix_norm", "vecdot", "matmul", "multi_dot", "matrix_power", "diagonal",
           "inv", "inv_ex", "det", "slogdet", "pinv", "matrix_rank", "cond", "solve", "solve_ex", "solve_triangular",
           "lstsq", "svd", "svdvals", "qr", "eigh", "eigvalsh", "cholesky", "cholesky_ex", "matrix_exp", "cross",
           "vander", "tensorinv", "tensorsolve", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "LinAlgError"]


def _check_matrix_shape(op: str, A: Tensor) -> None:
    """Square matrices of any dtype (matrix_power works on integers too)."""
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


def _eps(A: Tensor) -> float:
    return float(np.finfo(A._data.dtype).eps)


def _number(value) -> float | None:
    """A tolerance given as a number or a 0-d tensor."""
    return None if value is None else float(value)


# ------------------------------------------------------------------------------------------- norms
def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """(sum_i |x_i|^ord)^(1/ord) over ``dim`` (every element when None): ord 2 is the length of a
    vector, 1 the sum of |x_i|, inf the largest |x_i|, 0 the number of nonzeros."""
    _check_tensors("linalg_vector_norm", x=x)
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' (position 2) must be Number, not str")
    return _red.norm(x, ord, dim, keepdim, dtype)


def _with_kept_dims(out: Tensor, shape: tuple, dims: tuple) -> Tensor:
    """A reduction over ``dims`` reshaped as keepdim=True leaves it: size 1 in each reduced dim."""
    return out.reshape([1 if d in dims else n for d, n in enumerate(shape)])


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """A norm of each matrix over the two dims ``dim``:

    'fro'   sqrt(sum a_ij^2)            'nuc'    sum of singular values
    2 / -2  largest / smallest singular value
    1 / -1  largest / smallest column sum of |a_ij|     inf / -inf  the same over rows
    """
    op = "linalg.matrix_norm"
    _check_tensors("linalg_matrix_norm", A=A)
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {A.dtype._c_name}")
    if len(tuple(dim)) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = (_wrap_dim(d, A.dim()) for d in dim)
    if rows == cols:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return _red.norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(A.movedim((rows, cols), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        return _with_kept_dims(out, tuple(A.shape), (rows, cols)) if keepdim else out
    # 1-norms sum over the rows (a column sum), inf-norms over the columns; then the max (or min)
    summed, compared = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdim=keepdim)
    if not keepdim and summed < compared:
        compared -= 1  # the summed dim is gone
    return sums.amax(compared, keepdim=keepdim) if ord > 0 else sums.amin(compared, keepdim=keepdim)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a 2-D input);
    with neither ``ord`` nor ``dim``, the 2-norm of all elements (for a matrix: the Frobenius norm)."""
    _check_tensors("linalg_norm", A=A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.dim() not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.dim()}D.")
    if A.dim() == 2 or isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of the vectors along ``dim`` (other dims broadcast): sum(x * y, dim)."""
    _check_tensors("linalg_vecdot", x=x, y=y)
    _check_float("linalg.vecdot", x)
    return (x * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.diagonal`` with the last two dims as the default matrix dims (a view)."""
    return _diagonal(A, offset, dim1, dim2)


# ------------------------------------------------------------------------ inverses and determinants
def inv(A: Tensor) -> Tensor:
    """A^-1 for each square matrix; a singular one raises LinAlgError (solve A X = B instead of
    computing inv(A) @ B: it is faster and more accurate)."""
    _check_matrix("linalg.inv", A)
    return LinalgInv.apply(A, "linalg.inv")


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """(inverse, info): ``info`` (int32, one per matrix) is 0, or k > 0 when pivot k of the LU
    factorisation is zero (A is singular, and its ``inverse`` entries are nan). Raises only if
    ``check_errors``."""
    _check_matrix("linalg.inv_ex", A)
    info = _first_zero_pivot(A._data)
    if not info.any():
        inverse = LinalgInv.apply(A, "linalg.inv_ex")
    elif check_errors:
        _raise_singular_inv("linalg.inv_ex", A._data)
    else:
        singular = (info != 0)[..., None, None]
        safe = np.where(singular, np.eye(A.shape[-1], dtype=A._data.dtype), A._data)
        inverse = Tensor._make(np.where(singular, np.nan, np.linalg.inv(safe)).astype(A._data.dtype))
    return return_types.linalg_inv_ex(inverse, Tensor._make(np.asarray(info, dtype=np.int32)))


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix: (*, n, n) -> (*)."""
    _check_matrix("linalg.det", A)
    return LinalgDet.apply(A)


def slogdet(A: Tensor):
    """(sign, logabsdet) with det A = sign * exp(logabsdet): for large matrices whose det overflows."""
    _check_matrix("linalg.slogdet", A)
    return return_types.linalg_slogdet(*LinalgSlogdet.apply(A))


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The pseudo-inverse A^+ (n x m for an m x n A), from the SVD: singular values at most
    max(atol, rtol * s_max) count as 0 (default rtol: eps * max(m, n) when neither is given)."""
    _check_tensors("linalg_pinv", A=A)
    if A.dim() < 2 or not A.dtype.is_floating_point or A.dtype is _dtype.float16:
        raise RuntimeError(f"linalg.pinv({A.dtype._c_name}{{{list(A.shape)}}}): expected a tensor with 2 or "
                           "more dimensions of float, double, cfloat or cdouble types")
    atol, rtol = _number(atol), _number(rtol)
    if rtol is None:
        rtol = _eps(A) * max(A.shape[-2:]) if atol is None or atol <= 0 else 0.0
    return LinalgPinv.apply(A, 0.0 if atol is None else atol, rtol)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None) -> Tensor:
    """The number of singular values above max(atol, rtol * s_max) (default rtol: eps * max(m, n)),
    as int64, one per matrix. ``tol`` is the older name of ``atol``."""
    _check_tensors("linalg_matrix_rank", A=A)
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _check_float("linalg.matrix_rank", A)
    atol = _number(tol if atol is None else atol)
    rtol = _number(rtol)
    if rtol is None:
        rtol = _eps(A) * max(A.shape[-2:]) if atol is None or atol <= 0 else 0.0
    s = np.linalg.svd(A._data, compute_uv=False)
    cutoff = np.maximum(0.0 if atol is None else atol, rtol * s.max(axis=-1, keepdims=True, initial=0))
    return Tensor._make(np.asarray((s > cutoff).sum(axis=-1), dtype=np.int64))


# ------------------------------------------------------------------------------------------ solvers
def _check_batches(a: tuple, b: tuple) -> None:
    """Batch dims must broadcast: PyTorch's message, naming the first dim (from the left) that fails."""
    ndim = max(len(a), len(b))
    a, b = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    for i, (n, m) in enumerate(zip(a, b)):
        if n != m and 1 not in (n, m):
            raise RuntimeError(f"The size of tensor a ({n}) must match the size of tensor b ({m}) at "
                               f"non-singleton dimension {i}")


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for square A (*, n, n) and B (*, n, k) or a batch of
    vectors (*, n); batch dims broadcast. Singular A raises LinAlgError."""
    _check_tensors("linalg_solve", A=A, B=B)
    _check_matrix("linalg.solve", A)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype._c_name} and B of type {B.dtype._c_name} instead")
    vector = left and (B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1])))
    rows, cols = (B.shape[-1], 1) if vector else (B.shape[-2], B.shape[-1]) if B.dim() >= 2 else (0, 0)
    if (rows if left else cols) != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and {rows}x{cols})")
    _check_batches(tuple(B.shape[:-1] if vector else B.shape[:-2]), tuple(A.shape[:-2]))
    return LinalgSolve.apply(A, B, vector, left)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares solution X of A X = B (min ||A X - B||; the shortest one if several): A
    (*, m, n), B (*, m, k) or (*, m) -> (solution, residuals, rank, singular_values), the last three
    filled in as the chosen LAPACK ``driver`` reports them (default 'gelsy': rank only)."""
    op = "torch.linalg.lstsq"
    _check_tensors("linalg_lstsq", A=A, B=B)
    _check_matrix("linalg.lstsq", A, square=False)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got input's dtype "
                           f"{A.dtype._c_name} and other's dtype {B.dtype._c_name}")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B.dim() == A.dim() - 1
    if B.shape[-1 if vector else -2] != A.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    rtol = _eps(A) * max(m, n) if rcond is None else float(rcond)
    solution = LinalgLstsq.apply(A, B, rtol, vector)
    s = np.linalg.svd(A._data, compute_uv=False)
    rank = (s > rtol * s.max(axis=-1, keepdims=True, initial=0)).sum(axis=-1)
    empty = np.zeros((0,), dtype=A._data.dtype)
    residuals = empty
    if driver != "gelsy" and m > n and (rank == n).all():
        b = B._data[..., None] if vector else B._data
        x = solution._data[..., None] if vector else solution._data
        residuals = ((A._data @ x - b) ** 2).sum(axis=-2)
    return return_types.linalg_lstsq(
        solution, Tensor._make(residuals),
        Tensor._make(np.asarray(rank, np.int64) if driver != "gels" else np.zeros((0,), np.int64)),
        Tensor._make(s if driver in ("gelsd", "gelss") else empty))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """(result, info): ``solve`` that reports a singular matrix in ``info`` (int32 per matrix: 0, or
    the LU pivot k that is zero; that matrix's result is nan) instead of raising, unless
    ``check_errors``."""
    _check_tensors("linalg_solve_ex", A=A, B=B)
    _check_matrix("linalg.solve_ex", A)
    info = _first_zero_pivot(A._data)
    if info.any() and check_errors:
        raise LinAlgError(f"torch.linalg.solve_ex: {_batch_prefix(A._data, info != 0)}The solver failed because the "
                          "input matrix is singular.")
    if not info.any():
        result = solve(A, B, left=left)
    else:
        singular = (info != 0)[..., None, None]
        safe = where(Tensor._make(singular), Tensor._make(np.eye(A.shape[-1], dtype=A._data.dtype)), A.detach())
        result = solve(safe, B.detach(), left=left)
        nan_mask = singular if result.dim() == A.dim() else singular[..., 0]
        result = where(Tensor._make(nan_mask), Tensor._make(np.asarray(np.nan, A._data.dtype)), result)
    return return_types.linalg_solve_ex(result, Tensor._make(np.asarray(info, dtype=np.int32)))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A: only A's upper (``upper=True``) or
    lower triangle is read, and with ``unitriangular`` its diagonal counts as ones. Composed as
    ``solve`` of that triangle, so the gradient reaches only the entries that were read."""
    _check_tensors("linalg_solve_triangular", A=A, B=B)
    _check_matrix("linalg.solve_triangular", A)
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    offset = 1 if unitriangular else 0
    triangle = A.triu(offset) if upper else A.tril(-offset)
    if unitriangular:
        triangle = triangle + Tensor._make(np.eye(A.shape[-1], dtype=A._data.dtype))
    return solve(triangle, B, left=left)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n for an integer n by repeated squaring (A^13 = A^8 A^4 A: 5 products, not 12); n < 0 uses
    inv(A)^|n|; n = 0 gives identity matrices."""
    _check_tensors("linalg_matrix_power", A=A)
    _check_matrix_shape("linalg.matrix_power", A)
    if n == 0:
        return Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
    if n < 0:
        A, n = inv(A), -n
    result, power = None, A
    while n:  # the binary digits of n, lowest first
        if n & 1:
            result = power if result is None else result @ power
        n >>= 1
        if n:
            power = power @ power
    return result


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices, tensors[0] @ tensors[1] @ ...; the first may be a row
    vector (1-D) and the last a column vector (1-D). (PyTorch also picks the cheapest order of the
    products; edutorch multiplies left to right: the same numbers up to rounding.)"""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        where_ = "the first tensor" if i == 0 else "the last tensor" if i == len(tensors) - 1 else f"tensor {i}"
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.dim() not in allowed:
            raise RuntimeError(f"multi_dot(): {where_} must be {'1D or 2D' if len(allowed) == 2 else '2D'} but got "
                               f"{t.dim()}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def vander(x: Tensor, N: int | None = None) -> Tensor:
    """The Vandermonde matrix: columns x^0, x^1, ..., x^(N-1) (default N = len(x)); (*, n) -> (*, n, N)."""
    _check_tensors("linalg_vander", x=x)
    if N is None:
        N = x.shape[-1] if x.dim() else 1
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = x.unsqueeze(-1) ** Tensor._make(np.arange(1, N, dtype=np.int64))  # x^1 ... x^(N-1)
    ones = Tensor._make(np.ones(tuple(x.shape) + (1,), dtype=powers._data.dtype))
    return cat([ones, powers], -1)


def cond(A: Tensor, p=None) -> Tensor:
    """The condition number ||A|| ||A^-1|| in the matrix norm ``p``: by default (p None or 2) the ratio
    of the largest to the smallest singular value -- how much solving A x = b can magnify errors in b.
    A singular matrix has condition number inf."""
    _check_tensors("linalg_cond", A=A)
    if p is None or p in (2, -2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    _check_matrix(f"linalg.cond(ord={p})", A)
    inverse, info = inv_ex(A)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    return where(Tensor._make(np.asarray(info._data != 0)), Tensor._make(np.asarray(np.inf, A._data.dtype)), result)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A seen as a linear map from its last dims to its first ``ind`` dims: for A of
    shape (*out, *in) with prod(out) == prod(in), X of shape (*in, *out) with tensordot(A, X, len(in))
    the identity. It is ``inv`` of A reshaped to a square matrix, reshaped back."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape, in_shape = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(out_shape), math.prod(in_shape)
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(in_shape + out_shape)


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B: A's first B.ndim dims match B, its other dims are X's shape
    (``dims``: dims of A moved to the end first). It is ``solve`` on A reshaped to a square matrix."""
    if dims is not None:
        dims = tuple(dims)
        A = A.movedim(dims, tuple(range(A.dim() - len(dims), A.dim())))
    x_shape = tuple(A.shape[B.dim():])
    rows, cols = B.numel(), math.prod(x_shape)
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(x_shape)


# ----------------------------------------------------------------------------------- decompositions
def svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """A = U diag(S) Vh: U (*, m, m), S (*, k), Vh (*, n, n) with k = min(m, n); with
    ``full_matrices=False``, U (*, m, k) and Vh (*, k, n) (use this when differentiating)."""
    _check_matrix("linalg.svd", A, square=False)
    return return_types.linalg_svd(*LinalgSvd.apply(A, full_matrices))


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """The singular values of each matrix, in descending order: (*, m, n) -> (*, min(m, n))."""
    _check_matrix("linalg.svdvals", A, square=False)
    return LinalgSvdvals.apply(A)


def qr(A: Tensor, mode: str = "reduced"):
    """A = Q R, Q with orthonormal columns, R upper triangular. mode 'reduced': Q (*, m, k), R (*, k, n);
    'complete': Q (*, m, m), R (*, m, n); 'r': R only (Q is an empty tensor)."""
    _check_matrix("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    return return_types.linalg_qr(*LinalgQr.apply(A, mode))


def _check_uplo(UPLO: str) -> None:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A: Tensor, UPLO: str = "L"):
    """(eigenvalues, eigenvectors) of symmetric matrices: A = V diag(L) V^T, L ascending; only the
    lower (UPLO='L') or upper ('U') triangle of A is read."""
    _check_matrix("linalg.eigh", A)
    _check_uplo(UPLO)
    return return_types.linalg_eigh(*LinalgEigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices, ascending: (*, n, n) -> (*, n)."""
    _check_matrix("linalg.eigvalsh", A)
    _check_uplo(UPLO)
    return LinalgEigvalsh.apply(A, UPLO)


def lu(A: Tensor, *, pivot: bool = True):
    """(P, L, U) with A = P L U: Gaussian elimination with partial pivoting (row swaps, in P), L unit
    lower triangular (*, m, k), U upper triangular (*, k, n), k = min(m, n)."""
    _check_lu_input("linalg.lu", A, pivot)
    return return_types.linalg_lu(*LinalgLu.apply(A))


def lu_factor(A: Tensor, *, pivot: bool = True):
    """(LU, pivots): ``lu``'s L and U packed into one matrix, and the row swaps as LAPACK records them
    (row i was swapped with row pivots[i], 1-based, int32). The input of ``lu_solve``."""
    LU, pivots, _ = _lu_factor("torch.linalg.lu_factor", A, pivot, check_errors=True)
    return return_types.linalg_lu_factor(LU, pivots)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """(LU, pivots, info): ``lu_factor`` that reports a zero on U's diagonal in ``info`` (int32 per
    matrix: 0, or the 1-based index k of the first U[k, k] that is 0) instead of raising."""
    return return_types.linalg_lu_factor_ex(*_lu_factor("torch.linalg.lu_factor_ex", A, pivot, check_errors))


def _lu_factor(op: str, A: Tensor, pivot: bool, check_errors: bool) -> tuple:
    _check_lu_input("torch.lu_factor", A, pivot)
    LU, pivots = LinalgLuFactor.apply(A)
    zero = np.diagonal(LU._data, axis1=-2, axis2=-1) == 0
    info = np.where(zero.any(axis=-1), np.argmax(zero, axis=-1) + 1, 0).astype(np.int32)
    if check_errors and info.any():
        k = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
        raise RuntimeError(f"{op}: {_batch_prefix(A._data, info != 0)}U[{k},{k}] is zero and using it on lu_solve "
                           "would result in a division by zero. If you still want to perform the factorization, "
                           "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return LU, pivots, Tensor._make(info)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """X with A X = B from A's ``lu_factor``: two triangular solves, L then U, after the row swaps
    (``adjoint``: A^T X = B; ``left=False``: X A = B). Composed from solve_triangular, so gradients
    reach LU and B."""
    _check_tensors("linalg_lu_solve", LU=LU, pivots=pivots, B=B)
    _check_matrix_shape("torch.linalg.lu_solve", LU)
    if B.dim() < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if not left:  # X A = B is A^T X^T = B^T
        return lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    n = LU.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'A^HX = B' if adjoint else 'AX = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    perm = _permutation_from_pivots(pivots._data, n)
    P = Tensor._make(np.ascontiguousarray(np.eye(n, dtype=LU._data.dtype)[perm].swapaxes(-1, -2)))
    if not adjoint:  # A = P L U:  X = U^-1 L^-1 P^T B
        y = solve_triangular(LU, P.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(LU, y, upper=True)
    # A^T = U^T L^T P^T:  X = P L^-T U^-T B
    z = solve_triangular(LU.mT, B, upper=False)
    return P @ solve_triangular(LU.mT, z, upper=True, unitriangular=True)


def _permutation_from_pivots(pivots: np.ndarray, m: int) -> np.ndarray:
    """Row i of P^T A is row perm[i] of A: LAPACK's pivots are swaps done one after another."""
    perm = np.broadcast_to(np.arange(m), pivots.shape[:-1] + (m,)).copy().reshape(-1, m)
    swaps = pivots.reshape(-1, pivots.shape[-1]).astype(np.int64) - 1
    rows = np.arange(perm.shape[0])
    for j in range(swaps.shape[-1]):  # one swap per column, for the whole batch at once
        p = swaps[:, j]
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
    return perm.reshape(pivots.shape[:-1] + (m,))


def _check_lu_input(op: str, A: Tensor, pivot: bool) -> None:
    _check_tensors("linalg_" + op.rsplit(".", 1)[-1], A=A)  # PyTorch names the binding: linalg_lu()
    if A.dim() < 2:
        raise RuntimeError(f"{op}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if not A.dtype.is_floating_point:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{A.dtype._c_name}'")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """(L, info): ``cholesky`` that reports a matrix that is not positive-definite in ``info`` (int32
    per matrix: 0, or the order of its first leading minor that is not; that matrix's L is nan)
    instead of raising, unless ``check_errors``."""
    _check_matrix("linalg.cholesky_ex", A)
    info = _not_positive_definite_order(A._data)
    if not info.any():
        low = LinalgCholesky.apply(A, upper)
    elif check_errors:
        _raise_not_positive_definite(A._data, "linalg.cholesky_ex")
    else:
        failed = (info != 0)[..., None, None]
        safe = np.where(failed, np.eye(A.shape[-1], dtype=A._data.dtype), A._data)
        low = np.where(failed, np.nan, np.linalg.cholesky(safe)).astype(A._data.dtype)
        low = Tensor._make(np.ascontiguousarray(low.swapaxes(-1, -2)) if upper else low)
    return return_types.linalg_cholesky_ex(low, Tensor._make(np.asarray(info, dtype=np.int32)))


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L with A = L L^T, lower triangular (``upper=True``: U = L^T with A = U^T U), for symmetric
    positive-definite A; otherwise LinAlgError."""
    _check_matrix("linalg.cholesky", A)
    return LinalgCholesky.apply(A, upper)


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = I + A + A^2/2! + ... for each square matrix (not the elementwise exp)."""
    _check_matrix("linalg.matrix_exp", A)
    return LinalgMatrixExp.apply(A)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of the 3-vectors along ``dim``; the other dims broadcast."""
    _check_tensors("linalg_cross", input=input, other=other)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._c_name} but found {other.dtype._c_name}")
    if input.dim() != other.dim():
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, but got "
                           f"{input.dim()} and {other.dim()}")
    d = _wrap_dim(dim, input.dim())
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} "
                           f"and {other.shape[d]}")
    np.broadcast_shapes(tuple(input.shape), tuple(other.shape))  # the same error as any broadcast
    if input.dtype is _dtype.bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    return LinalgCross.apply(input, other, d - input.dim())


# ------------------------------------------------------------ top-level (torch.*) functions
# PyTorch has these in ``torch``, not ``torch.linalg``: edutorch/__init__.py exports them under their
# public names (torch.logdet, torch.slogdet, torch.pinverse, torch.svd, torch.cross, torch.cholesky_solve).
def _torch_logdet(input: Tensor) -> Tensor:
    """log det A: nan where det A < 0, -inf where it is 0 (``torch.logdet``)."""
    _check_matrix("linalg.slogdet", input)
    sign, logabsdet = LinalgSlogdet.apply(input)
    return where(sign < 0, Tensor._make(np.asarray(np.nan, dtype=logabsdet._data.dtype)), logabsdet)


def _torch_slogdet(input: Tensor):
    """``torch.slogdet``: as linalg.slogdet, returned as ``torch.return_types.slogdet``."""
    return return_types.slogdet(*slogdet(input))


def _torch_pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: pinv with ``rcond`` as its relative tolerance."""
    return pinv(input, rtol=rcond)


def _torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """``torch.svd`` (the older API): (U, S, V) with A = U diag(S) V^T -- V, not Vh; ``some=True`` is
    the reduced SVD. Without ``compute_uv``, U and V are zeros (m x m and n x n)."""
    if not compute_uv:
        m, n = input.shape[-2:]
        zeros = [Tensor._make(np.zeros(tuple(input.shape[:-2]) + (k, k), dtype=input._data.dtype)) for k in (m, n)]
        return return_types.svd(zeros[0], svdvals(input), zeros[1])
    U, S, Vh = svd(input, full_matrices=not some)
    return return_types.svd(U, S, Vh.mT)


def _torch_cross(input: Tensor, other: Tensor, dim=None) -> Tensor:
    """``torch.cross``: like linalg.cross, but with no ``dim`` it uses the first dim of size 3 (and
    warns, as PyTorch does)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
                      "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
                      "change to agree with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((d for d, n in enumerate(shape) if n == 3), -1)
    return cross(input, other, dim=dim)


def _torch_cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B, given A's Cholesky factor L (A = L L^T; ``upper``: A = U^T U)."""
    A = L.mT @ L if upper else L @ L.mT
    return solve(A, B)
