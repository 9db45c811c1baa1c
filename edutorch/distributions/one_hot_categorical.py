"""``OneHotCategorical``: a Categorical whose draws are one-hot vectors instead of class indices."""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from ..nn import functional as F
from ..ops.creation import eye
from . import constraints
from .categorical import Categorical
from .distribution import Distribution

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategorical(Distribution):
    r"""A :class:`Categorical` over K classes whose values are one-hot vectors e_k ∈ {0,1}^K
    (event_shape (K,)): ``sample`` returns ``one_hot(Categorical.sample())`` and

    .. math::
        \log p(e_k) = \log p_k, \qquad \text{mean} = p, \qquad \text{variance} = p (1 - p)

    (each coordinate is a Bernoulli(p_k)); entropy -Σ p_k log p_k, mode = one_hot(argmax p).
    The draws are the Categorical's (same random numbers as PyTorch).

    Args:
        probs (Tensor): non-negative event probabilities (normalised over the last dimension).
        logits (Tensor): unnormalised log-probabilities.
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        super(OneHotCategorical, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self) -> Tensor:
        return self._categorical._param

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        return self._categorical.probs

    @property
    def mode(self) -> Tensor:
        probs = self._categorical.probs
        return F.one_hot(probs.argmax(dim=-1), num_classes=probs.shape[-1]).to(probs.dtype)

    @property
    def variance(self) -> Tensor:
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape=()) -> Tensor:
        probs = self._categorical.probs
        indices = self._categorical.sample(sample_shape)
        return F.one_hot(indices, self._categorical._num_events).to(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        indices = value.max(-1)[1]  # where the 1 is
        return self._categorical.log_prob(indices)

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The K one-hot vectors (rows of the identity), shaped ``(K,) + batch_shape + (K,)``."""
        n = self.event_shape[0]
        values = eye(n, dtype=self._param.dtype).view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    r"""A :class:`OneHotCategorical` with the straight-through gradient estimator (Bengio et al., 2013):
    ``rsample`` returns the one-hot draw s plus ``p - p.detach()`` — the value is s, but the gradient
    flows to the probabilities as if ds/dp = I."""

    has_rsample = True

    def rsample(self, sample_shape=()) -> Tensor:
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
