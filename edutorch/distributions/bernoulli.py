"""``Bernoulli``: a coin that lands 1 with probability p."""
from __future__ import annotations

import math

from .._size import Size
from .._tensor import Tensor
from ..autograd import no_grad
from ..nn import functional as F
from ..ops.arithmetic import where
from ..ops.creation import arange, bernoulli
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(ExponentialFamily):
    r"""The Bernoulli distribution: P(X = 1) = p, P(X = 0) = 1 - p. Give ``probs`` p or ``logits``
    z = log(p / (1 - p)) (p = sigmoid(z)), not both; the other one is computed when first used.

    .. math::
        \log p(x) = x \log p + (1 - x) \log(1 - p) = -\text{BCEWithLogits}(z, x)

    so binary cross-entropy is exactly the negative log-likelihood of a Bernoulli, computed from logits
    for numerical stability. mean p, variance p(1 - p), mode 1 if p > ½ (NaN at ½),
    entropy H = -p log p - (1 - p) log(1 - p) = BCEWithLogits(z, p).

    Args:
        probs (Number, Tensor): the probability of sampling 1.
        logits (Number, Tensor): the log-odds of sampling 1.
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).

    Example:
        >>> m = Bernoulli(torch.tensor([0.3]))
        >>> m.sample()          # 30% chance 1; 70% chance 0
        tensor([ 0.])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = not isinstance(probs, Tensor)
            (self.probs,) = broadcast_all(probs)
        else:
            is_scalar = not isinstance(logits, Tensor)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(Size() if is_scalar else self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(Bernoulli, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

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
        return self.probs

    @property
    def mode(self) -> Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return where(self.probs == 0.5, math.nan, mode)  # a fair coin has no mode

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return bernoulli(self.probs.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    # as an exponential family: θ = logit p = log p - log(1 - p), F(θ) = log(1 + e^θ)
    _mean_carrier_measure = 0

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.probs.log() - (-self.probs).log1p(),)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.exp().log1p()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The values 0 and 1, shaped ``(2,) + batch_shape`` (or ``(2, 1, …)`` without ``expand``)."""
        values = arange(2, dtype=self._param.dtype).view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
