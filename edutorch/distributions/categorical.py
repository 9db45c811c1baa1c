"""``Categorical``: one of K classes, with probabilities p_0 … p_{K-1}."""
from __future__ import annotations

import math

import numpy as np

from .._size import Size
from .._tensor import Tensor
from ..ops.arithmetic import broadcast_shapes
from ..ops.creation import arange, full, multinomial
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    r"""A distribution over the classes {0, …, K-1}, K the size of the last dimension of ``probs`` or
    ``logits`` (the dimensions before it are the batch). Give one of the two, not both; they are
    normalised: probs p ← p / Σp, logits z ← z - logsumexp(z) = log softmax(z).

    .. math::
        \log p(k) = z_k - \log\sum_j e^{z_j} = \log \text{softmax}(z)_k

    so ``-Categorical(logits=z).log_prob(y).mean()`` is exactly ``F.cross_entropy(z, y)``: cross-entropy
    is the negative log-likelihood of the class. entropy H = -Σ p_k log p_k; mode argmax p; mean and
    variance are NaN (the classes are labels, not numbers).

    Args:
        probs (Tensor): non-negative event probabilities (any scale: they are normalised).
        logits (Tensor): unnormalised log-probabilities.
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).

    Example:
        >>> m = Categorical(torch.tensor([0.25, 0.25, 0.25, 0.25]))
        >>> m.sample()          # equal probability of 0, 1, 2, 3
        tensor(3)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.ndim > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = Size(batch_shape)
        param_shape = Size(tuple(batch_shape) + (self._num_events,))
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        super(Categorical, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape=()) -> Tensor:
        sample_shape = Size(sample_shape)
        probs_2d = self.probs.reshape(-1, self._num_events)  # one row per distribution of the batch
        samples_2d = multinomial(probs_2d, sample_shape.numel(), True).T
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        shape = broadcast_shapes(value.shape, self.logits.shape)  # value (..., 1) against (..., K)
        value = value.expand(tuple(shape[:-1]) + (1,))
        log_pmf = self.logits.expand(shape)
        return log_pmf.gather(-1, value).squeeze(-1)  # pick log p_k for each k

    def entropy(self) -> Tensor:
        min_real = float(np.finfo(self.logits.detach().numpy().dtype).min)
        logits = self.logits.clamp(min=min_real)  # log 0 = -inf would give 0 · -inf = NaN
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The classes 0 … K-1, shaped ``(K,) + batch_shape`` (or ``(K, 1, …)`` without ``expand``)."""
        values = arange(self._num_events).view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
