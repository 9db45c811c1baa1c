"""``ExponentialFamily``: distributions whose log-density is linear in natural parameters."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    r"""The exponential family: densities of the form

    .. math::
        p(x; θ) = \exp\big(⟨t(x), θ⟩ - F(θ) + k(x)\big)

    with θ the natural parameters (``_natural_params``), t(x) the sufficient statistic, F the log
    normaliser (``_log_normalizer``) and k(x) the carrier measure. Normal (θ = (μ/σ², -1/(2σ²))) and
    Bernoulli (θ = logit p) are members. Because E[t(X)] = ∇F(θ), two quantities follow from F alone,
    with autograd computing ∇F:

        entropy  H = F(θ) - ⟨θ, ∇F(θ)⟩ - E[k(X)]
        KL(p‖q)  = F(θ_q) - F(θ_p) - ⟨θ_q - θ_p, ∇F(θ_p)⟩      (a Bregman divergence of F)
    """

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """H = F(θ) - ⟨θ, ∇F(θ)⟩ - E[k(X)], with ∇F by autograd (subclasses usually give a closed form)."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for theta, g in zip(nparams, gradients):
            result = result - (theta * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
