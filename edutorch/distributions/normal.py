"""``Normal``: the Gaussian N(μ, σ²)."""
from __future__ import annotations

import math


from .._size import Size
from .._tensor import Tensor
from ..autograd import no_grad
from ..ops.creation import empty, normal
from ..ops.pointwise_math import erf, erfinv
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Normal"]

class Normal(ExponentialFamily):
    r"""The normal (Gaussian) distribution N(μ, σ²), with ``loc`` μ and ``scale`` σ > 0.

    .. math::
        \log p(x) = -\frac{(x - μ)^2}{2σ^2} - \log σ - \log\sqrt{2π}

    - ``rsample``: x = μ + σ ε with ε ~ N(0, 1) (the reparameterisation trick: dx/dμ = 1, dx/dσ = ε).
    - entropy H = ½ + ½ log(2π) + log σ;  cdf F(x) = ½ (1 + erf((x - μ) / (σ√2)));
      icdf F⁻¹(p) = μ + σ √2 erfinv(2p - 1).
    - With a fixed σ, -log p(x) = (x - μ)² / (2σ²) + const: maximum likelihood *is* least squares.
    - An exponential family (:class:`ExponentialFamily`) with natural parameters (μ/σ², -1/(2σ²)).

    Args:
        loc (float or Tensor): mean μ.
        scale (float or Tensor): standard deviation σ (must be positive).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).

    Example:
        >>> m = Normal(torch.tensor([0.0]), torch.tensor([1.0]))
        >>> m.sample()          # normally distributed with loc=0 and scale=1
        tensor([ 0.1046])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = not isinstance(loc, Tensor) and not isinstance(scale, Tensor)
        super().__init__(Size() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Normal, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
        super(Normal, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def sample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = empty(shape, dtype=self.loc.dtype).normal_()  # the noise carries no parameter
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    # as an exponential family: θ = (μ/σ², -1/(2σ²)), F(θ) = -θ₁²/(4θ₂) + ½ log(-π/θ₂)
    _mean_carrier_measure = 0

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal()

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()
