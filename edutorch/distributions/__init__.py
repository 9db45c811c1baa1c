r"""``edutorch.distributions``: probability distributions, as ``torch.distributions``.

Each distribution object holds parameters (tensors, possibly requiring grad) and answers:

    d = Normal(loc, scale)
    d.sample((n,))        # n draws, no gradient          d.rsample((n,))   # draws with gradient
    d.log_prob(x)         # log p(x), differentiable       d.entropy(), d.mean, d.variance, d.cdf(x)
    kl_divergence(p, q)   # KL(p ‖ q) in closed form

Losses are log-likelihoods in disguise: cross-entropy is ``-Categorical(logits=z).log_prob(y).mean()``,
BCE-with-logits is ``-Bernoulli(logits=z).log_prob(y).mean()``, and MSE is ``-Normal(μ, σ).log_prob(y)``
up to a scale and a constant.
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Independent", "Normal", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
