"""Matrix functions and decompositions behind ``torch.linalg``: inv, det, slogdet, solve, lstsq, lu,
svd, qr, eigh, cholesky, pinv, matrix_exp and cross.

Every op acts on the last two dims and treats the others as a batch: (*, n, n) in, (*, ...) out, each
matrix on its own, all of them in one vectorised NumPy (LAPACK) call.

Their gradients all come from one identity. Differentiate the defining equation, not the algorithm:

    inv:    A X = I          dA X + A dX = 0           dX = -X dA X            gA = -X^T g X^T
    solve:  A X = B          dA X + A dX = dB           dX = A^-1 (dB - dA X)   gB = A^-T g,  gA = -gB X^T
    det:    d det A = det A tr(A^-1 dA)                                        gA = g det(A) A^-T

and for a decomposition (A = U S V^T, A = Q R, A = V diag(L) V^T, A = L L^T) the same step gives a
small linear system for the factors' differentials whose structure (orthogonal, triangular, diagonal)
solves it in closed form; each class's docstring states the result.

Backwards written with ``@``, ``_mT`` and the array-or-tensor helpers ``_solve`` / ``_cross`` work on
arrays (a plain backward) and on tensors (``create_graph=True``), so inv, solve, pinv and cross can be
differentiated twice (``double_backward = True``); the others support one backward.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from .linalg import _check_tensors, _mT


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a matrix the operation cannot handle (singular, not positive-definite).
    A RuntimeError, as in PyTorch, so ``except RuntimeError`` catches it too."""


# ------------------------------------------------------------------------------------ argument checks
def _check_float(op: str, *tensors: Tensor) -> None:
    for t in tensors:
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                               f"{t.dtype._c_name}")
        if t.dtype is _dtype.float16:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")


def _check_matrix(op: str, A: Tensor, square: bool = True, name: str = "A") -> None:
    """A must be a floating tensor of (batches of) matrices, square if ``square``: PyTorch's errors."""
    _check_tensors(op.replace(".", "_"), **{name: A})  # PyTorch names the binding: linalg_inv()
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    _check_float(op, A)
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(a: np.ndarray, failed: np.ndarray) -> str:
    """'(Batch element i): ' naming the first failed matrix of a batch (flat index), as PyTorch does."""
    if a.ndim <= 2:
        return ""
    return f"(Batch element {int(np.flatnonzero(failed.reshape(-1))[0])}): "


def _lu_array(a: np.ndarray) -> tuple:
    """LU factorisation with partial pivoting, as LAPACK's getrf computes it: the packed LU (L's
    multipliers below the diagonal, U on and above it), the pivots (row j was swapped with row
    pivots[j] - 1, 1-based, int32) and the permutation perm (row i of P^T A is row perm[i] of A).
    One elimination step per column, for the whole batch at once."""
    m, n = a.shape[-2:]
    k = min(m, n)
    lu = a.reshape(-1, m, n).copy()
    rows = np.arange(lu.shape[0])
    pivots = np.zeros((lu.shape[0], k), dtype=np.int32)
    perm = np.tile(np.arange(m), (lu.shape[0], 1))
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)  # the pivot row: the largest entry of column j
        pivots[:, j] = p + 1
        lu[rows, j], lu[rows, p] = lu[rows, p], lu[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
        pivot = lu[:, j, j]
        # a zero pivot has only zeros below it (it is the largest): leave them, as LAPACK does
        factors = lu[:, j + 1:, j] / np.where(pivot == 0, 1, pivot)[:, None]
        lu[:, j + 1:, j] = factors
        lu[:, j + 1:, j + 1:] -= factors[:, :, None] * lu[:, j:j + 1, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), pivots.reshape(batch + (k,)), perm.reshape(batch + (m,))


def _first_zero_pivot(a: np.ndarray) -> np.ndarray:
    """For each matrix: the (1-based) index of the first zero on U's diagonal, 0 if none -- the
    ``info`` LAPACK's getrf reports (only run to explain an error, or for the ``_ex`` functions)."""
    lu = _lu_array(a)[0]
    zero = np.diagonal(lu, axis1=-2, axis2=-1) == 0
    return np.where(zero.any(axis=-1), np.argmax(zero, axis=-1) + 1, 0).astype(np.int32)


def _raise_singular_inv(op: str, a: np.ndarray):
    info = _first_zero_pivot(a)
    k = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]]) if info.any() else a.shape[-1]
    raise LinAlgError(f"{op}: {_batch_prefix(a, info != 0)}The diagonal element {k} is zero, the inversion "
                      "could not be completed because the input matrix is singular.")


# --------------------------------------------------------------------- array-or-tensor helpers
def _solve(a, b):
    """Solve a X = b for matrices b (..., n, k), on arrays or on tensors (then recorded)."""
    return LinalgSolve.apply(a, b, False) if isinstance(a, Tensor) else np.linalg.solve(a, b)


def _unsqueeze(x, dim):
    return x.unsqueeze(dim) if isinstance(x, Tensor) else np.expand_dims(x, dim)


# ---------------------------------------------------------------------------------------------- inv
class LinalgInv(NumpyFunction):
    """X = A^-1 for each (n x n) matrix of the batch.

    From A X = I: dA X + A dX = 0, so dX = -X dA X, and the gradient is the adjoint map:
        gA = -X^T g X^T      (= -A^-T g A^-T)
    """

    node_name = "LinalgInvExBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, op="linalg.inv"):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            _raise_singular_inv(op, a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        x_t = _mT(x)
        return -(x_t @ grad @ x_t), None


# ---------------------------------------------------------------------------------------------- det
class LinalgDet(NumpyFunction):
    """out = det A for each (n x n) matrix of the batch.

    Jacobi's formula: d det A = tr(adj(A) dA), so gA = g adj(A)^T = g det(A) A^-T (the cofactor matrix).
    ``A^-T`` does not exist for a singular A but the cofactors do: with A = U S V^T,
        adj(A)^T = det(U) det(V) U diag(prod_{j != i} s_j) V^T,
    which is how it is computed here, so a singular matrix gets its true (finite) gradient.
    """

    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.det(a), dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        u, s, vh = np.linalg.svd(a)
        n = s.shape[-1]
        others = np.where(np.eye(n, dtype=bool), 1, s[..., None, :])  # row i: s with s_i replaced by 1
        cofactor_s = others.prod(axis=-1)  # prod_{j != i} s_j
        sign = np.linalg.det(u) * np.linalg.det(vh)
        cofactor = (sign[..., None, None] * (u * cofactor_s[..., None, :])) @ vh
        return grad[..., None, None] * cofactor


# ------------------------------------------------------------------------------------------ slogdet
class LinalgSlogdet(NumpyFunction):
    """(sign, logabsdet) with det A = sign * exp(logabsdet): the log of |det| without overflow.

    The sign is piecewise constant (no gradient); d log|det A| = tr(A^-1 dA), so gA = g A^-T.
    """

    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        sign, logabsdet = np.linalg.slogdet(a)
        sign, logabsdet = np.asarray(sign, dtype=a.dtype), np.asarray(logabsdet, dtype=a.dtype)
        ctx.save_for_backward(a)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, grad_sign, grad_logabsdet):
        (a,) = ctx.saved_tensors
        return grad_logabsdet[..., None, None] * _mT(np.linalg.inv(a))


# -------------------------------------------------------------------------------------------- solve
class LinalgSolve(NumpyFunction):
    """X = A^-1 B, the solution of A X = B (A: (*, n, n), B: (*, n, k), or (*, n) when ``vector``),
    without forming A^-1 (one LU factorisation). ``left=False`` solves X A = B, which is
    A^T X^T = B^T: the same solve (and gradients) on transposes.

    From A X = B: dA X + A dX = dB, so dX = A^-1 (dB - dA X); the adjoint system gives
        gB = A^-T g       (one more solve, with A transposed),     gA = -gB X^T
    """

    node_name = "LinalgSolveExBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, b, vector, left=True):
        ctx.vector, ctx.left = vector, left
        a_, b_ = (a, b) if left else (_mT(a), _mT(b))  # X A = B is A^T X^T = B^T
        try:
            x = np.linalg.solve(a_, b_[..., None] if vector else b_)
        except np.linalg.LinAlgError:
            failed = _first_zero_pivot(a) != 0
            raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(a, failed)}The solver failed because "
                              "the input matrix is singular.") from None
        x = x[..., 0] if vector else x
        out = x if left else _mT(x)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        if not ctx.left:  # the gradients of the transposed system A^T X^T = B^T, transposed back below
            a, x, grad = _mT(a), _mT(x), _mT(grad)
        if ctx.vector:  # as matrices with one column
            grad, x = _unsqueeze(grad, -1), _unsqueeze(x, -1)
        grad_b = _solve(_mT(a), grad)  # A^T gB = g
        grad_a = -(grad_b @ _mT(x))
        if ctx.vector:
            grad_b = grad_b[..., 0]
        if not ctx.left:
            grad_a, grad_b = _mT(grad_a), _mT(grad_b)
        return grad_a, grad_b, None, None


# ---------------------------------------------------------------------------------------------- lu
def _unpack_lu(lu, k: int):
    """L (unit lower, m x k) and U (upper, k x n) from a packed LU."""
    m = lu.shape[-2]
    low = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    return low, np.triu(lu[..., :k, :])


def _tri_inv_t(t):
    """(T^-1)^T for a triangular T (square)."""
    return _mT(np.linalg.inv(t))


def _lu_grad(p, low, up, grad_l, grad_u):
    """Gradient of A = P L U (see LinalgLu) for square, tall and wide A."""
    m, n = low.shape[-2], up.shape[-1]
    k = min(m, n)
    if m > n:  # L = [L1; L2] with L2 = A2 U^-1: L2's gradient reaches A2 directly and U through L2
        low, low2, grad_l, grad_l2 = low[..., :k, :], low[..., k:, :], grad_l[..., :k, :], grad_l[..., k:, :]
        grad_a2 = grad_l2 @ _tri_inv_t(up)
        grad_u = grad_u - _mT(low2) @ grad_a2
    if m < n:  # U = [U1 | U2] with U2 = L^-1 P^T A2: the same, the other way round
        up, up2, grad_u, grad_u2 = up[..., :k], up[..., k:], grad_u[..., :k], grad_u[..., k:]
        grad_a2 = _tri_inv_t(low) @ grad_u2
        grad_l = grad_l - grad_a2 @ _mT(up2)
    inner = np.tril(_mT(low) @ grad_l, -1) + np.triu(grad_u @ _mT(up))
    grad_a = _tri_inv_t(low) @ inner @ _tri_inv_t(up)  # in P^T A's row order
    if m > n:
        grad_a = np.concatenate([grad_a, grad_a2], axis=-2)
    if m < n:
        grad_a = np.concatenate([grad_a, grad_a2], axis=-1)
    return p @ grad_a


class LinalgLu(NumpyFunction):
    """A = P L U: P a permutation (the row swaps of partial pivoting), L unit lower triangular
    (m x k), U upper triangular (k x n), k = min(m, n) -- Gaussian elimination, written down.

    For square A, from P^T dA = dL U + L dU, L^-1 P^T dA U^-1 = L^-1 dL + dU U^-1 splits into a strictly
    lower part (L^-1 dL) and an upper part (dU U^-1), so
        gA = P L^-T ( tril(L^T gL, -1) + triu(gU U^T) ) U^-T.
    A tall A adds L's extra rows (L2 = A2 U^-1), a wide A U's extra columns (U2 = L^-1 P^T A2).
    P is piecewise constant: no gradient.
    """

    node_name = "LinalgLuBackward0"

    @staticmethod
    def forward(ctx, a):
        lu, _, perm = _lu_array(a)
        low, up = _unpack_lu(lu, min(a.shape[-2:]))
        p = np.ascontiguousarray(_mT(np.eye(a.shape[-2], dtype=a.dtype)[perm]))  # P[perm[i], i] = 1
        ctx.mark_non_differentiable(p)
        ctx.save_for_backward(p, low, up)
        return p, low, up

    @staticmethod
    def backward(ctx, grad_p, grad_l, grad_u):
        p, low, up = ctx.saved_tensors
        return _lu_grad(p, low, up, grad_l, grad_u)


class LinalgLuFactor(NumpyFunction):
    """(LU, pivots): L and U packed into one matrix (L's unit diagonal not stored) and the row swaps,
    LAPACK's compact form for ``lu_solve``. Gradient: LinalgLu's, with gL and gU read from gLU."""

    node_name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx, a):
        lu, pivots, perm = _lu_array(a)
        ctx.perm = perm
        ctx.save_for_backward(lu)
        return lu, pivots

    @staticmethod
    def backward(ctx, grad_lu, grad_pivots):
        (lu,) = ctx.saved_tensors
        k = min(lu.shape[-2:])
        low, up = _unpack_lu(lu, k)
        p = _mT(np.eye(lu.shape[-2], dtype=lu.dtype)[ctx.perm])
        return _lu_grad(p, low, up, np.tril(grad_lu[..., :, :k], -1), np.triu(grad_lu[..., :k, :]))


# -------------------------------------------------------------------------------------------- pinv
def _pinv_array(a: np.ndarray, atol, rtol) -> np.ndarray:
    """The pseudo-inverse V diag(1/s_i) U^T, keeping only singular values s_i > max(atol, rtol s_max)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    s_max = s.max(axis=-1, keepdims=True, initial=0)
    keep = s > np.maximum(atol, rtol * s_max)
    s_inv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    return (_mT(vh) * s_inv[..., None, :]) @ _mT(u)


def _pinv_grad(a, p, grad):
    """Gradient of P = pinv(A) (Golub & Pereyra, for A of constant rank), with ``@`` and ``_mT`` only:
        gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)
    """
    p_t, g_t = _mT(p), _mT(grad)
    return (-(p_t @ grad @ p_t)
            + (g_t - a @ (p @ g_t)) @ (p @ p_t)
            + (p_t @ p) @ (g_t - (g_t @ p) @ a))


class LinalgPinv(NumpyFunction):
    """P = A^+, the Moore-Penrose pseudo-inverse of each (m x n) matrix: P = V diag(1/s_i) U^T over the
    singular values above the tolerance. ``A^+ b`` is the least-squares solution of A x = b.

    Gradient (A m x n of constant rank, P n x m):
        gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)
    The first term is inv's -X^T g X^T; the other two vanish for a square invertible A.
    """

    node_name = "LinalgPinvBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, atol, rtol):
        p = _pinv_array(a, atol, rtol)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        return _pinv_grad(a, p, grad), None, None


class LinalgLstsq(NumpyFunction):
    """X = A^+ B, the least-squares solution of A X = B (min ||A X - B||, the shortest such X):
    A (*, m, n), B (*, m, k) -> X (*, n, k), or B (*, m) -> X (*, n) when ``vector``.

    With P = A^+: gB = P^T g, and gA = pinv's gradient for gP = g B^T (see LinalgPinv).
    """

    node_name = "LinalgLstsqBackward0"

    @staticmethod
    def forward(ctx, a, b, rtol, vector):
        ctx.vector = vector
        p = _pinv_array(a, 0.0, rtol)
        ctx.save_for_backward(a, b, p)
        return (p @ b[..., None])[..., 0] if vector else p @ b

    @staticmethod
    def backward(ctx, grad):
        a, b, p = ctx.saved_tensors
        if ctx.vector:  # as matrices with one column
            grad, b = grad[..., None], b[..., None]
        grad_a = _pinv_grad(a, p, grad @ _mT(b)) if ctx.needs_input_grad[0] else None
        grad_b = _mT(p) @ grad
        return grad_a, grad_b[..., 0] if ctx.vector else grad_b, None, None


# ---------------------------------------------------------------------------------------------- svd
class LinalgSvd(NumpyFunction):
    """A = U diag(S) Vh, S descending >= 0, U and Vh^T with orthonormal columns (k = min(m, n)).

    Gradient (real case, Townsend's formulas; E_ij = s_j^2 - s_i^2 off the diagonal, skew(X) = X - X^T,
    gV = gVh^T):
        gA = U [ (skew(U^T gU) / E) S + S (skew(V^T gV) / E) + diag(gS) ] Vh
           + (I - U U^T) gU S^-1 Vh + U S^-1 gVh (I - V Vh)
    Only diag(gS) is left when just S is used (svdvals): gA = U diag(gS) Vh. U and Vh are defined up
    to a sign per column, and repeated singular values make 1/E infinite: a loss must not depend on
    those choices (PyTorch's caveat too). With full_matrices=True only the first k columns of U
    (rows of Vh) get a gradient.
    """

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, grad_u, grad_s, grad_vh):
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        u, vh, grad_u, grad_vh = u[..., :k], vh[..., :k, :], grad_u[..., :k], grad_vh[..., :k, :]
        s_col, s_row = s[..., :, None], s[..., None, :]
        e = s_row ** 2 - s_col ** 2
        off = ~np.eye(k, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(off, 1 / np.where(off, e, 1), 0)  # 1 / E, with 0 on the diagonal
        uhgu = _mT(u) @ grad_u
        vhgv = vh @ _mT(grad_vh)
        inner = ((uhgu - _mT(uhgu)) * f) * s_row + s_col * ((vhgv - _mT(vhgv)) * f)
        inner = inner + grad_s[..., None] * np.eye(k, dtype=s.dtype)
        grad_a = u @ inner @ vh
        if u.shape[-2] > k:  # tall A: the part of gU outside U's columns
            grad_a = grad_a + ((grad_u - u @ uhgu) / s_row) @ vh
        if vh.shape[-1] > k:  # wide A: the part of gVh outside Vh's rows
            grad_a = grad_a + u @ ((grad_vh - _mT(vhgv) @ vh) / s_col)
        return grad_a, None


class LinalgSvdvals(NumpyFunction):
    """S, the singular values (descending) of each matrix. gA = U diag(gS) Vh (see LinalgSvd)."""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s

    @staticmethod
    def backward(ctx, grad):
        u, vh = ctx.saved_tensors
        return (u * grad[..., None, :]) @ vh


# ----------------------------------------------------------------------------------------------- qr
def _qr_square_grad(q, r, grad_q, grad_r):
    """QR's gradient for m >= n (Q: m x n, R: n x n upper triangular):
        M = triu(gR R^T - Q^T gQ),   gA = (gQ + Q (M + M^T - diag M)) R^-T
    """
    m = np.triu(grad_r @ _mT(r) - _mT(q) @ grad_q)
    sym = m + _mT(m) - m * np.eye(m.shape[-1], dtype=m.dtype)
    return _mT(np.linalg.solve(r, _mT(grad_q + q @ sym)))  # Y R^-T, by a solve with R


class LinalgQr(NumpyFunction):
    """A = Q R with Q's columns orthonormal and R upper triangular (Householder, LAPACK's signs).

    Gradient for m >= n, from dA = dQ R + Q dR with Q^T dQ skew-symmetric and dR upper triangular:
        M = triu(gR R^T - Q^T gQ),   gA = (gQ + Q (M + M^T - diag M)) R^-T
    For m < n, A = [X | Y] with X square: R = [R_X | Q^T Y], so gY = Q gR_Y and X gets the square
    formula with gQ + Y gR_Y^T.
    """

    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode = mode
        if mode == "r":
            r = np.linalg.qr(a, mode="r")
            return np.zeros((0,), dtype=a.dtype), r
        q, r = np.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx, grad_q, grad_r):
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        if m >= n:
            return _qr_square_grad(q, r, grad_q, grad_r), None
        y, grad_r_y = a[..., m:], grad_r[..., m:]
        grad_x = _qr_square_grad(q, r[..., :m], grad_q + y @ _mT(grad_r_y), grad_r[..., :m])
        return np.concatenate([grad_x, q @ grad_r_y], axis=-1), None


# --------------------------------------------------------------------------------------------- eigh
class LinalgEigh(NumpyFunction):
    """A = V diag(L) V^T for a symmetric A: eigenvalues L ascending, eigenvectors the columns of V.
    Only the triangle ``UPLO`` names is read (the other is assumed to mirror it).

    Gradient (E_ij = L_j - L_i off the diagonal; V^T gV projected onto skew-symmetric matrices because
    V stays orthogonal):
        gA = V ( diag(gL) + (skew(V^T gV) / 2) / E ) V^T
    Only the diagonal term is left for eigvalsh. Repeated eigenvalues make 1/E infinite, and each
    eigenvector's sign is a choice: a loss must not depend on them.
    """

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo):
        eigenvalues, eigenvectors = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(eigenvalues, eigenvectors)
        return eigenvalues, eigenvectors

    @staticmethod
    def backward(ctx, grad_l, grad_v):
        eigenvalues, v = ctx.saved_tensors
        n = eigenvalues.shape[-1]
        e = eigenvalues[..., None, :] - eigenvalues[..., :, None]
        off = ~np.eye(n, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(off, 1 / np.where(off, e, 1), 0)
        vhgv = _mT(v) @ grad_v
        inner = 0.5 * (vhgv - _mT(vhgv)) * f + grad_l[..., None] * np.eye(n, dtype=v.dtype)
        return v @ inner @ _mT(v), None


class LinalgEigvalsh(NumpyFunction):
    """L, the eigenvalues (ascending) of a symmetric A. gA = V diag(gL) V^T (see LinalgEigh)."""

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo):
        eigenvalues, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(v)
        return eigenvalues

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return (v * grad[..., None, :]) @ _mT(v), None


# ----------------------------------------------------------------------------------------- cholesky
def _not_positive_definite_order(a: np.ndarray) -> np.ndarray:
    """For each matrix: the order k of its first leading minor (top-left k x k block) that is not
    positive-definite, 0 if none -- the ``info`` LAPACK's potrf reports."""
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    order = np.zeros(flat.shape[0], dtype=np.int32)
    for k in range(n, 0, -1):  # largest first, so that the smallest failing order wins
        smallest_eigenvalue = np.linalg.eigvalsh(flat[:, :k, :k], UPLO="L")[:, 0]
        order = np.where(smallest_eigenvalue <= 0, k, order).astype(np.int32)
    return order.reshape(a.shape[:-2])


def _raise_not_positive_definite(a: np.ndarray, op: str = "linalg.cholesky"):
    """PyTorch's message, naming the first leading minor that is not positive-definite."""
    order = _not_positive_definite_order(a)
    failed = order != 0
    k = int(order[failed].reshape(-1)[0]) if failed.any() else a.shape[-1]
    raise LinAlgError(f"{op}: {_batch_prefix(a, failed)}The factorization could not be completed because the "
                      f"input is not positive-definite (the leading minor of order {k} is not positive-definite).")


class LinalgCholesky(NumpyFunction):
    """L with A = L L^T, L lower triangular with a positive diagonal (A symmetric positive-definite;
    only its lower triangle is read); ``upper``: U = L^T (A = U^T U).

    From dA = dL L^T + L dL^T: with Phi(X) = the lower triangle of X with its diagonal halved,
        S = L^-T Phi(L^T gL) L^-1,   gA = (S + S^T) / 2      (a symmetric gradient)
    """

    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        try:
            low = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            _raise_not_positive_definite(a)
        ctx.upper = upper
        ctx.save_for_backward(low)
        return np.ascontiguousarray(_mT(low)) if upper else low

    @staticmethod
    def backward(ctx, grad):
        (low,) = ctx.saved_tensors
        grad = _mT(grad) if ctx.upper else grad  # U = L^T: gL = gU^T
        n = low.shape[-1]
        phi = np.tril(_mT(low) @ grad) * np.where(np.eye(n, dtype=bool), 0.5, 1).astype(low.dtype)
        low_inv = np.linalg.inv(low)
        s = _mT(low_inv) @ phi @ low_inv
        return 0.5 * (s + _mT(s)), None


# --------------------------------------------------------------------------------------- matrix_exp
def _expm_array(a: np.ndarray) -> np.ndarray:
    """exp(A) = sum_k A^k / k! by scaling and squaring: exp(A) = exp(A / 2^s)^(2^s), with s chosen per
    matrix so that ||A / 2^s|| <= 1/2, where 18 Taylor terms are exact to double precision."""
    x = a.astype(np.float64)
    norm = np.abs(x).sum(axis=-2).max(axis=-1, initial=0)  # the 1-norm of each matrix
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm, 1e-300) / 0.5))).astype(int)
    x = x / (2.0 ** s)[..., None, None]
    eye = np.eye(a.shape[-1])
    term, out = np.broadcast_to(eye, x.shape).copy(), np.broadcast_to(eye, x.shape).copy()
    for k in range(1, 19):
        term = term @ x / k
        out = out + term
    for i in range(int(s.max(initial=0))):  # squarings; a matrix stops squaring after its own s
        out = np.where((i < s)[..., None, None], out @ out, out)
    return out.astype(a.dtype)


class LinalgMatrixExp(NumpyFunction):
    """exp(A) = I + A + A^2/2! + ... for each (n x n) matrix.

    Gradient: gA = the top-right block of exp([[A^T, g], [0, A^T]]) (Mathias' block trick: the
    derivative of exp along dA is the corner of the exponential of a 2n x 2n block matrix).
    """

    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm_array(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        a_t = np.broadcast_to(_mT(a), grad.shape)
        block = np.concatenate([np.concatenate([a_t, grad], axis=-1),
                                np.concatenate([np.zeros_like(a_t), a_t], axis=-1)], axis=-2)
        return _expm_array(block)[..., :n, n:]


# -------------------------------------------------------------------------------------------- cross
def _cross(a, b, dim):
    return LinalgCross.apply(a, b, dim) if isinstance(a, Tensor) else np.cross(a, b, axis=dim)


class LinalgCross(NumpyFunction):
    """out = a x b, the cross product of 3-vectors along ``dim`` (other dims broadcast).

    a x b is linear in each operand and <g, a x b> = <b x g, a> = <g x a, b>, so
        ga = b x g,    gb = g x a
    """

    node_name = "LinalgCrossBackward0"
    double_backward = True

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        a, b = np.broadcast_arrays(a, b)
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (_cross(b, grad, ctx.dim) if ctx.needs_input_grad[0] else None,
                _cross(grad, a, ctx.dim) if ctx.needs_input_grad[1] else None, None)
