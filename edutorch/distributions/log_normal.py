"""``LogNormal``: X = exp(Y) with Y normal — positive quantities that multiply rather than add."""
from __future__ import annotations

from .._tensor import Tensor
from . import constraints
from .distribution import Distribution
from .normal import Normal

__all__ = ["LogNormal"]


class LogNormal(Distribution):
    r"""The log-normal distribution: X = e^Y with Y ~ N(μ, σ²) (``base_dist``, a :class:`Normal`).

    PyTorch builds it as ``TransformedDistribution(Normal(loc, scale), ExpTransform())``; here the
    change of variables is written out. With y = log x and dy/dx = 1/x:

    .. math::
        \log p(x) = \log p_Y(\log x) - \log x

    - ``sample``/``rsample``: exp of the base Normal's draw (the same random numbers as PyTorch).
    - cdf F(x) = Φ((log x - μ)/σ), icdf exp(F_Y⁻¹(p)); mean e^{μ + σ²/2}, mode e^{μ - σ²},
      variance (e^{σ²} - 1) e^{2μ + σ²}, entropy H(Y) + μ.

    Args:
        loc (float or Tensor): mean μ of log X.
        scale (float or Tensor): standard deviation σ of log X (must be positive).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogNormal, _instance)
        new.base_dist = self.base_dist.expand(batch_shape)
        super(LogNormal, new).__init__(new.base_dist.batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def sample(self, sample_shape=()) -> Tensor:
        return self.base_dist.sample(sample_shape).exp()

    def rsample(self, sample_shape=()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = value.log()
        return -y + self.base_dist.log_prob(y)  # the Jacobian term first, as PyTorch sums them

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.base_dist.cdf(value.log())

    def icdf(self, value: Tensor) -> Tensor:
        return self.base_dist.icdf(value).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc
