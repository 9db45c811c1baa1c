"""``Exponential``: waiting times of a memoryless process with rate λ."""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from ..ops.creation import empty, zeros_like
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Exponential"]


class Exponential(ExponentialFamily):
    r"""The exponential distribution with ``rate`` λ > 0, on x ≥ 0.

    .. math::
        \log p(x) = \log λ - λ x, \qquad F(x) = 1 - e^{-λx}, \qquad F^{-1}(p) = -\log(1 - p) / λ

    - ``rsample``: x = e / λ with e ~ Exp(1) drawn by ``exponential_()`` (as PyTorch), so dx/dλ = -x/λ.
    - mean 1/λ, mode 0, variance 1/λ², stddev 1/λ, entropy 1 - log λ.
    - An exponential family with natural parameter θ = -λ and log normaliser F(θ) = -log(-θ).

    Args:
        rate (float or Tensor): rate λ = 1 / scale (must be positive).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if not isinstance(rate, Tensor) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Exponential, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return empty(shape, dtype=self.rate.dtype).exponential_() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return -(-x).log()
