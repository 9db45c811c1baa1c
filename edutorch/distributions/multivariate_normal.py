"""``MultivariateNormal``: the Gaussian over vectors, N(μ, Σ), computed through Σ's Cholesky factor."""
from __future__ import annotations

import math

from .._size import Size
from .._tensor import Tensor
from ..linalg import cholesky, solve_triangular
from ..ops.arithmetic import broadcast_shapes
from ..ops.creation import empty, eye
from . import constraints
from .distribution import Distribution
from .utils import lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(L: Tensor, x: Tensor) -> Tensor:
    """The squared Mahalanobis distance xᵀ Σ⁻¹ x for Σ = L Lᵀ: solve L z = x (a triangular solve, no
    inverse), then xᵀ Σ⁻¹ x = xᵀ L⁻ᵀ L⁻¹ x = ‖z‖². ``L`` (..., n, n) broadcasts against ``x`` (..., n)."""
    batch = broadcast_shapes(L.shape[:-2], x.shape[:-1])
    n = x.shape[-1]
    z = solve_triangular(L.expand(tuple(batch) + (n, n)), x.expand(tuple(batch) + (n,)).unsqueeze(-1), upper=False)
    return z.squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(P: Tensor) -> Tensor:
    """The lower Cholesky factor L of Σ = P⁻¹, without inverting P, as PyTorch does it.

    Reversing rows and columns (the flip J, with J = Jᵀ = J⁻¹) turns a lower factor into an upper one:
    with J P J = L_f L_fᵀ, P = (J L_f J)(J L_f J)ᵀ = U Uᵀ with U = J L_f J upper-triangular. Then
    Σ = P⁻¹ = U⁻ᵀ U⁻¹, and L = U⁻ᵀ is lower-triangular: one triangular solve of Uᵀ L = I."""
    Lf = cholesky(P.flip((-2, -1)))
    L_inv = Lf.flip((-2, -1)).transpose(-2, -1)  # Uᵀ, lower-triangular
    identity = eye(P.shape[-1], dtype=P.dtype)
    return solve_triangular(L_inv, identity, upper=False)


class MultivariateNormal(Distribution):
    r"""The multivariate normal N(μ, Σ) over vectors of size k = ``loc.shape[-1]``.

    Give the mean ``loc`` and exactly one of ``covariance_matrix`` Σ, ``precision_matrix`` Σ⁻¹ or
    ``scale_tril`` L (lower-triangular with a positive diagonal, Σ = L Lᵀ). Everything is computed from
    L (the Cholesky factor of Σ, or of P⁻¹ by :func:`_precision_to_scale_tril`), never from Σ⁻¹:

    .. math::
        \log p(x) = -\tfrac12\big(k \log 2π + ‖L^{-1}(x - μ)‖^2\big) - \sum_i \log L_{ii}

    since log det Σ = 2 Σ_i log L_ii and (x - μ)ᵀ Σ⁻¹ (x - μ) = ‖L⁻¹(x - μ)‖² (a triangular solve).

    - ``rsample``: x = μ + L ε with ε ~ N(0, I) of shape ``sample_shape + batch_shape + (k,)`` (one
      ``normal_()`` call, as PyTorch), so Cov(x) = L E[εεᵀ] Lᵀ = Σ.
    - entropy H = ½ k (1 + log 2π) + Σ_i log L_ii; mean = mode = μ; variance diag Σ = Σ_j L_ij².
    - ``covariance_matrix`` = L Lᵀ and ``precision_matrix`` = (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ are computed on demand.

    Args:
        loc (Tensor): mean μ, shape (..., k).
        covariance_matrix (Tensor): positive-definite Σ, shape (..., k, k).
        precision_matrix (Tensor): positive-definite Σ⁻¹, shape (..., k, k).
        scale_tril (Tensor): lower-triangular L with positive diagonal, shape (..., k, k).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).

    Example:
        >>> m = MultivariateNormal(torch.zeros(2), torch.eye(2))
        >>> m.sample()  # normally distributed with mean=`[0,0]` and covariance_matrix=`I`
        tensor([-0.2102, -0.5429])
    """

    arg_constraints = {"loc": constraints.real_vector, "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite, "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, covariance_matrix: Tensor | None = None, precision_matrix: Tensor | None = None,
                 scale_tril: Tensor | None = None, validate_args: bool | None = None) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        given_name, given = next((name, m) for name, m in (("scale_tril", scale_tril),
                                                            ("covariance_matrix", covariance_matrix),
                                                            ("precision_matrix", precision_matrix)) if m is not None)
        if given.dim() < 2:
            article = "scale_tril matrix" if given_name == "scale_tril" else given_name
            raise ValueError(f"{article} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = broadcast_shapes(given.shape[:-2], loc.shape[:-1])
        setattr(self, given_name, given.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        # L is kept with the parameter's own (unbroadcast) batch shape: no copies for a shared Σ
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = Size(batch_shape)
        loc_shape = tuple(batch_shape) + tuple(self.event_shape)
        cov_shape = loc_shape + tuple(self.event_shape)
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        super(MultivariateNormal, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _matrix_shape(self) -> tuple:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        """Σ = L Lᵀ."""
        L = self._unbroadcasted_scale_tril
        return (L @ L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        """Σ⁻¹ = L⁻ᵀ L⁻¹, with L⁻¹ from a triangular solve (PyTorch's ``cholesky_inverse``)."""
        L = self._unbroadcasted_scale_tril
        L_inv = solve_triangular(L, eye(L.shape[-1], dtype=L.dtype), upper=False)
        return (L_inv.mT @ L_inv).expand(self._matrix_shape())

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(tuple(self._batch_shape)
                                                                     + tuple(self._event_shape))

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = empty(shape, dtype=self.loc.dtype).normal_()
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)  # μ + L ε

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        half_log_det = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
