"""``Binomial``: the number of successes in n independent trials with probability p."""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from ..autograd import no_grad
from ..ops.creation import arange, tensor
from . import constraints
from ._samplers import binomial_array
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Binomial", "binomial"]


def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """``torch.binomial(count, prob)``: one Binomial(n, p) draw per element (PyTorch's sampler, same
    numbers after ``manual_seed``: inversion for small n·p, BTRS rejection above)."""
    count, prob = broadcast_all(count, prob)
    return tensor(binomial_array(count.detach().numpy(), prob.detach().numpy(), generator), dtype=count.dtype)


def _clamp_by_zero(x: Tensor) -> Tensor:
    """max(x, 0), written so that its gradient at x = 0 is ½ (as PyTorch)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    r"""The Binomial distribution: k successes in ``total_count`` n trials of probability p (give ``probs``
    p or ``logits`` z = log(p/(1 - p)), not both).

    .. math::
        \log p(k) = \log\binom{n}{k} + k z - n \log(1 + e^{z})

    with log(1 + e^z) computed as max(z, 0) + log1p(e^{-|z|}) so it never overflows.

    - mean n p, variance n p (1 - p), mode ⌊(n + 1) p⌋ (at most n).
    - entropy by summing -p(k) log p(k) over k = 0 … n (needs one n for the whole batch).
    - ``sample`` calls :func:`binomial` (PyTorch's draws); no ``rsample`` (the values are integers).

    Args:
        total_count (int or Tensor): n, the number of trials (non-negative).
        probs (Tensor): success probability p.
        logits (Tensor): log-odds of success.
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Binomial, _instance)
        batch_shape = Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(Binomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = (self.total_count + 1).lgamma()
        log_factorial_k = (value + 1).lgamma()
        log_factorial_nmk = (self.total_count - value + 1).lgamma()
        # n log(1 + e^z) - log n!, with log(1 + e^z) = max(z, 0) + log1p(e^{-|z|})
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * (-self.logits.abs()).exp().log1p() - log_factorial_n)
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self) -> Tensor:
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The counts 0 … n, shaped ``(n + 1,) + batch_shape`` (or ``(n + 1, 1, …)`` without ``expand``)."""
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `enumerate_support`.")
        values = arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
