"""``Beta``: random probabilities in [0, 1] — a two-class Dirichlet."""
from __future__ import annotations

import numbers

from .._tensor import Tensor
from ..ops.creation import tensor
from ..ops.shape import stack
from . import constraints
from .dirichlet import Dirichlet
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Beta"]


class Beta(ExponentialFamily):
    r"""The Beta distribution on [0, 1] with ``concentration1`` α > 0 and ``concentration0`` β > 0.

    .. math::
        \log p(x) = (α - 1) \log x + (β - 1) \log(1 - x) - \log B(α, β),
        \qquad B(α, β) = Γ(α)Γ(β)/Γ(α + β)

    As in PyTorch it *is* a :class:`Dirichlet` over (x, 1 - x) with concentration (α, β) (``_dirichlet``):
    ``rsample`` takes the first coordinate of the Dirichlet draw (same random numbers as PyTorch), and
    ``log_prob``/``entropy`` are the Dirichlet's.

    - mean α/(α + β), variance αβ/((α + β)²(α + β + 1)), mode (α - 1)/(α + β - 2) when α, β > 1.
    - The conjugate prior of a Bernoulli probability: after h heads and t tails, Beta(α + h, β + t).

    Args:
        concentration1 (float or Tensor): α (often "alpha").
        concentration0 (float or Tensor): β (often "beta").
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None) -> None:
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            both = tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        super(Beta, new).__init__(new._dirichlet.batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()) -> Tensor:
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        heads_tails = stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration1, self.concentration0

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return x.lgamma() + y.lgamma() - (x + y).lgamma()
