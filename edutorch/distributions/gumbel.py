"""``Gumbel``: the distribution of the maximum of many samples (and the Gumbel-max trick)."""
from __future__ import annotations

import math

import numpy as np

from .._size import Size
from .._tensor import Tensor
from ..ops.creation import rand
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Gumbel"]

_EULER_GAMMA = 0.57721566490153286060  # γ, the mean of the standard Gumbel


class Gumbel(Distribution):
    r"""The Gumbel (type-I extreme value) distribution with ``loc`` μ and ``scale`` β > 0.

    .. math::
        z = \frac{x - μ}{β}, \qquad \log p(x) = -z - e^{-z} - \log β, \qquad F(x) = e^{-e^{-z}}

    - ``rsample`` by the inverse CDF, as PyTorch (which builds Gumbel as a transformed Uniform):
      u = tiny + U(0,1) (1 - eps - tiny) (so log u and log(-log u) stay finite), x = μ - β log(-log u).
    - icdf F⁻¹(p) = μ - β log(-log p); mean μ + βγ (γ = Euler's constant), mode μ,
      stddev πβ/√6, entropy log β + 1 + γ.
    - ``argmax(logits + Gumbel(0, 1) noise)`` draws from ``Categorical(logits=logits)``: the Gumbel-max trick.

    Args:
        loc (float or Tensor): location μ.
        scale (float or Tensor): scale β (must be positive).
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
        new = self._get_checked_instance(Gumbel, _instance)
        batch_shape = Size(batch_shape)
        new.loc, new.scale = self.loc.expand(batch_shape), self.scale.expand(batch_shape)
        super(Gumbel, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        finfo = np.finfo(self.loc.detach().numpy().dtype)
        low, high = float(finfo.tiny), 1 - float(finfo.eps)
        u = low + rand(shape, dtype=self.loc.dtype) * (high - low)  # Uniform(tiny, 1 - eps).rsample
        return self.loc - self.scale * (-(u.log())).log()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale  # y = -z
        return (y - y.exp()) - self.scale.log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (-((self.loc - value) / self.scale).exp()).exp()

    def icdf(self, value: Tensor) -> Tensor:
        return self.loc - self.scale * (-(value.log())).log()

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER_GAMMA)
