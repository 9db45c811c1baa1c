"""``nn.utils.parametrizations``: weight normalisation and spectral normalisation as parametrizations.

Both are built on :mod:`.parametrize`: the module's ``weight`` becomes a property computed from the
tensors stored under ``parametrizations.weight`` (see that module's docstring for the mechanics).
"""
from __future__ import annotations

import numpy as np

from ... import linalg
from ..._tensor import Tensor
from ...autograd import no_grad
from ...ops.creation import eye, randn, zeros_like
from ...ops.shape import cat
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """‖v‖₂ over every dimension except ``dim`` (kept, the others of size 1): one norm per output unit
    when ``dim=0``. ``dim=-1`` means the norm of the whole tensor (a 0-d tensor), as in PyTorch."""
    if dim == -1:
        return v.norm()
    dim = dim % v.ndim
    rows = v.transpose(0, dim).reshape(v.shape[dim], -1)  # one row per index of ``dim``
    shape = [1] * v.ndim
    shape[dim] = v.shape[dim]
    return rows.norm(2, dim=1).reshape(shape)


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """w = g · v / ‖v‖: the direction from v, the length from g."""
    return v * (g / _norm_except_dim(v, dim))


class _WeightNorm(Module):
    r"""w = g · v / ‖v‖ (Salimans & Kingma, 2016), the norm taken over all dimensions except ``dim``.

    ``right_inverse(w)`` splits a weight into ``(g, v) = (‖w‖, w)``, which the parametrization stores as
    ``original0`` and ``original1``: at registration the module computes exactly the weight it had.
    """

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    r"""Weight normalisation: ``module.<name>`` becomes g · v / ‖v‖, with g and v trained separately.

    Separating the length g from the direction v makes gradient descent better conditioned. The
    parameters become ``parametrizations.<name>.original0`` (g: shape ``(out, 1, ...)`` for ``dim=0``)
    and ``parametrizations.<name>.original1`` (v: the weight's shape). A checkpoint of the legacy
    :func:`torch.nn.utils.weight_norm` (``<name>_g``, ``<name>_v``) still loads.

    Args:
        module (Module): the module to modify.
        name (str): the parameter's name (default: ``"weight"``).
        dim (int, optional): the dimension kept by the norm (one g per output unit for 0); ``None``
            normalises the whole tensor (default: 0).

    Example:
        >>> m = weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.parametrizations.weight.original0.size()
        torch.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    r"""W / σ(W), σ the largest singular value, estimated by power iteration (Miyato et al., 2018).

    W is seen as a matrix (``dim`` first, the rest flattened). Buffers u, v approximate the top left
    and right singular vectors; each forward in training mode refines them::

        v ← normalize(Wᵀu),   u ← normalize(W v)   (n_power_iterations times, without gradient)
        σ = uᵀ W v

    and the gradient flows through σ = uᵀWv with u, v held fixed. A 1-d weight is just normalised.
    """

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)  # start from good estimates

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(weight_mat.t().mv(self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()  # copies: the next power iteration writes into the buffers
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value  # any W is its own preimage: W / σ(W) is what the forward computes from it


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    r"""Spectral normalisation: ``module.<name>`` becomes W / σ(W), so the layer is 1-Lipschitz.

    Used to stabilise GAN discriminators. The original weight is stored as
    ``parametrizations.<name>.original``; the power-iteration vectors are buffers
    ``parametrizations.<name>.0._u`` and ``._v`` (updated by every read of the weight in training mode).

    Args:
        module (Module): the module to modify.
        name (str): the weight's name (default: ``"weight"``).
        n_power_iterations (int): power iterations per forward (default: 1).
        eps (float): added to norms for numerical stability (default: 1e-12).
        dim (int, optional): the output dimension (default: 0, or 1 for ConvTranspose modules).

    Example:
        >>> snm = spectral_norm(nn.Linear(20, 40))
        >>> torch.linalg.matrix_norm(snm.weight, 2)      # ≈ 1
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# ---------------------------------------------------------------------- orthogonal
def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """Q = H₁H₂…H_k, first k columns, with Hᵢ = I - τᵢ vᵢvᵢᵀ and vᵢ = (0, …, 0, 1, A[i+1:, i]): the Q a
    QR decomposition stores as reflectors (``torch.linalg.householder_product``). Built from
    differentiable ops, one reflector at a time."""
    n, k = A.shape[-2], A.shape[-1]
    Q = eye(n, dtype=A.dtype).expand(*A.shape[:-2], n, n)
    rows = np.arange(n)
    for i in range(k):
        below = Tensor._make((rows > i).astype(A._data.dtype))
        v = A[..., :, i] * below + Tensor._make((rows == i).astype(A._data.dtype))  # (…, n)
        Qv = (Q @ v.unsqueeze(-1))  # (…, n, 1)
        Q = Q - tau[..., i, None, None] * (Qv @ v.unsqueeze(-2))  # Q Hᵢ = Q - τ (Qv) vᵀ
    return Q[..., :k]


def _geqrf(A: Tensor) -> tuple[Tensor, Tensor]:
    """LAPACK's QR in reflector form (``torch.geqrf``): R on and above the diagonal, the Householder
    vectors below it, and their τ's. NumPy's ``qr(mode='raw')`` returns exactly that (transposed)."""
    h, tau = np.linalg.qr(A._data, mode="raw")
    return Tensor._make(np.ascontiguousarray(np.swapaxes(h, -1, -2))), Tensor._make(tau)


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * float(np.finfo(Q._data.dtype).eps)
    return bool(np.allclose(np.swapaxes(Q._data, -1, -2) @ Q._data, np.eye(k), atol=eps))


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A = QR with diag(R) ≥ 0 (unique for a full-rank tall A)."""
    Q, R = linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sign().unsqueeze(-2)


class _Orthogonal(Module):
    r"""A matrix with orthonormal columns (or rows, when wide): QᵀQ = I, computed from an unconstrained X.

    - ``matrix_exp``: Q = exp(A), A = X̃ - X̃ᵀ skew-symmetric (X̃ the lower triangle of X, padded square):
      the exponential of a skew-symmetric matrix is orthogonal.
    - ``cayley``: Q = (I - A/2)⁻¹ (I + A/2), the same A.
    - ``householder``: Q = H₁…H_k, the reflectors stored below X's diagonal (their signs from the diagonal).

    With ``use_trivialization`` (the default) the result is multiplied by a buffer ``base``: registering
    stores the current weight (made orthogonal) as ``base`` and an X that maps to the identity, so the
    optimizer moves from the current weight instead of from a fixed point.
    """

    def __init__(self, weight: Tensor, orthogonal_map: str, *, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:  # work with a tall matrix
            X, (n, k) = X.mT, (k, n)
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mT  # skew-symmetric
            if self.orthogonal_map == "matrix_exp":
                Q = linalg.matrix_exp(A)
            else:
                Id = eye(n, dtype=A.dtype)
                Q = linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q, (n, k) = Q.mT, (k, n)
            if not hasattr(self, "base"):
                if self.orthogonal_map in ("cayley", "matrix_exp"):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                A, tau = _geqrf(Q)  # the reflectors of Q itself; the diagonal keeps only signs
                diag = np.sign(np.diagonal(A._data, axis1=-2, axis2=-1)) * np.where(tau._data == 0, -1, 1)
                idx = np.arange(k)
                A._data[..., idx, idx] = diag
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:  # complete the columns to a square orthogonal base with random ones
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_Id = zeros_like(Q_init)  # maps to -I[:, :k]·(-1) = I: the layer keeps base
            idx = np.arange(min(neg_Id.shape[-2:]))
            neg_Id._data[..., idx, idx] = -1.0
            return neg_Id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    r"""Make ``module.<name>`` an orthogonal matrix (orthonormal columns, or rows when it is wide).

    Orthogonal weights keep the norm of what passes through them (‖Qx‖ = ‖x‖), so deep or recurrent
    networks neither explode nor vanish. The weight stays exactly orthogonal during training because it is
    *computed* as one (see :class:`_Orthogonal` for the three maps).

    Args:
        module (Module): the module to modify.
        name (str): the weight's name (default: ``"weight"``).
        orthogonal_map (str, optional): ``"matrix_exp"``, ``"cayley"`` or ``"householder"`` (default:
            ``"matrix_exp"`` for square matrices, ``"householder"`` otherwise).
        use_trivialization (bool): multiply by a ``base`` that holds the starting weight (default: True).

    Example:
        >>> orth_linear = orthogonal(nn.Linear(20, 40))
        >>> Q = orth_linear.weight
        >>> torch.dist(Q.T @ Q, torch.eye(20))      # ≈ 0
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in ("matrix_exp", "cayley", "householder"):
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
