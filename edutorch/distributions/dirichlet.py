"""``Dirichlet``: random probability vectors on the simplex."""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from ..nn import functional as F
from ..ops.arithmetic import where
from ..ops.pointwise_math import xlogy
from . import constraints
from ._samplers import dirichlet_grad_array, sample_dirichlet_array
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class _Dirichlet(NumpyFunction):
    r"""``torch._sample_dirichlet(α)``: x = g / Σ g with g_i ~ Gamma(α_i, 1) (PyTorch's draws).

    Backward (implicit reparameterisation, as PyTorch): with ∂x_i/∂α_i from the Beta(α_i, Σα - α_i)
    marginal (``dirichlet_grad_array``, scaled by 1/(1 - x_i)) and the simplex constraint,
    grad_α = G ⊙ (grad_x - ⟨x, grad_x⟩)."""

    node_name = "_DirichletBackward"

    @staticmethod
    def forward(ctx, concentration):
        x = sample_dirichlet_array(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    def backward(ctx, grad):
        x, concentration = ctx.saved_tensors
        total = concentration.sum(-1, keepdims=True)
        g = dirichlet_grad_array(x, concentration, total)
        return g * (grad - (x * grad).sum(-1, keepdims=True))


class Dirichlet(ExponentialFamily):
    r"""The Dirichlet distribution over probability vectors x (x_i ≥ 0, Σ x_i = 1) with ``concentration``
    α (positive, last dimension K = the event).

    .. math::
        \log p(x) = \sum_i (α_i - 1) \log x_i + \log Γ(α_0) - \sum_i \log Γ(α_i), \qquad α_0 = \sum_i α_i

    - ``rsample``: x = g / Σ g with g_i ~ Gamma(α_i, 1) (PyTorch's sampler, same draws), differentiable
      in α by implicit reparameterisation (:class:`_Dirichlet`).
    - mean α/α₀, variance α(α₀ - α)/(α₀²(α₀ + 1)), mode (α - 1)₊ / Σ(α - 1)₊ (a vertex when all α_i < 1);
      entropy Σ log Γ(α_i) - log Γ(α₀) - (K - α₀) ψ(α₀) - Σ (α_i - 1) ψ(α_i).
    - K = 2 is the :class:`Beta` distribution; α = 1 is uniform on the simplex.

    Args:
        concentration (Tensor): α, at least one-dimensional.
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) + tuple(self.event_shape))
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return _Dirichlet.apply(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration - 1.0, value).sum(-1) + self.concentration.sum(-1).lgamma()
                - self.concentration.lgamma().sum(-1))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        # all α_i < 1: the density is unbounded at the vertices; PyTorch picks argmax of the NaN-filled mode
        all_below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        vertex = F.one_hot(mode.argmax(dim=-1), concentrationm1.shape[-1]).to(mode.dtype)
        return where(all_below_one, vertex, mode)

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Tensor:
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (self.concentration.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((self.concentration - 1.0) * self.concentration.digamma()).sum(-1))

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.lgamma().sum(-1) - x.sum(-1).lgamma()
