"""``Poisson``: counts of rare events at a known average rate."""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from ..autograd import no_grad
from ..ops.creation import tensor
from . import constraints
from ._samplers import poisson_array
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson", "poisson"]


def poisson(input: Tensor, generator=None) -> Tensor:
    """``torch.poisson(rates)``: one Poisson(λ) count per element, as floats of the rates' dtype, drawn by
    PyTorch's sampler (same numbers after ``manual_seed``; see ``_samplers._sample_poisson_one``)."""
    counts = poisson_array(input.detach().numpy(), generator)
    return tensor(counts, dtype=input.dtype)


class Poisson(ExponentialFamily):
    r"""The Poisson distribution over counts k = 0, 1, 2, … with ``rate`` λ ≥ 0.

    .. math::
        \log p(k) = k \log λ - λ - \log k!

    - mean = variance = λ, mode ⌊λ⌋; no ``rsample`` (the values are integers).
    - ``sample`` calls :func:`poisson` (PyTorch's draws: Knuth's product of uniforms for λ < 10,
      Hörmann's transformed rejection for λ ≥ 10).
    - An exponential family with θ = log λ and F(θ) = e^θ.

    Args:
        rate (float or Tensor): λ (non-negative).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(Size() if not isinstance(rate, Tensor) else self.rate.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Poisson, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return poisson(self.rate.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.rate.log(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.exp()
