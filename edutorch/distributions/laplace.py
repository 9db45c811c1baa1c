"""``Laplace``: the double exponential, a Normal with heavier tails (the likelihood behind L1 loss)."""
from __future__ import annotations


import numpy as np

from .._size import Size
from .._tensor import Tensor
from ..ops.creation import empty
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    r"""The Laplace distribution with ``loc`` μ and ``scale`` b > 0.

    .. math::
        \log p(x) = -\log(2b) - \frac{|x - μ|}{b}, \qquad
        F(x) = ½ - ½\,\text{sign}(x - μ)\,\big(e^{-|x - μ|/b} - 1\big)

    - ``rsample`` by the inverse CDF: u ~ U(eps - 1, 1) (PyTorch's ``uniform_`` interval, which keeps
      |u| < 1), x = μ - b sign(u) log(1 - |u|). dx/dμ = 1, dx/db = (x - μ)/b.
    - icdf: with t = p - ½, F⁻¹(p) = μ - b sign(t) log(1 - 2|t|).
    - mean = mode = μ, variance 2b², stddev √2 b, entropy 1 + log(2b).
    - With a fixed b, -log p(x) = |x - μ|/b + const: maximum likelihood *is* least absolute deviations (L1).

    Args:
        loc (float or Tensor): mean μ.
        scale (float or Tensor): scale b (must be positive).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        numbers_only = not isinstance(loc, Tensor) and not isinstance(scale, Tensor)
        super().__init__(Size() if numbers_only else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Laplace, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
        super(Laplace, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = float(np.finfo(self.loc.detach().numpy().dtype).eps)
        u = empty(shape, dtype=self.loc.dtype).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


