r"""``edutorch.distributions``: probability distributions, as ``torch.distributions``.

Each distribution object holds parameters (tensors, possibly requiring grad) and answers:

    d = Normal(loc, scale)
    d.sample((n,))        # n draws, no gradient          d.rsample((n,))   # draws with gradient
    d.log_prob(x)         # log p(x), differentiable       d.entropy(), d.mean, d.variance, d.cdf(x)
    kl_divergence(p, q)   # KL(p ‖ q) in closed form

Losses are log-likelihoods in disguise: cross-entropy is ``-Categorical(logits=z).log_prob(y).mean()``,
BCE-with-logits is ``-Bernoulli(logits=z).log_prob(y).mean()``, and MSE is ``-Normal(μ, σ).log_prob(y)``
up to a scale and a constant.

Families: Normal, Uniform, Bernoulli, Categorical, Independent, Exponential, Laplace, LogNormal, Gumbel,
MultivariateNormal, OneHotCategorical(StraightThrough), Gamma, Beta, Dirichlet, Poisson, Binomial. After
``torch.manual_seed(s)`` every ``sample``/``rsample`` draws PyTorch's numbers (the rejection samplers of
Gamma, Beta, Dirichlet, Poisson and Binomial included: see ``_samplers.py``).
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .gumbel import Gumbel
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution", "Exponential",
           "ExponentialFamily", "Gamma", "Gumbel", "Independent", "Laplace", "LogNormal", "MultivariateNormal",
           "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson", "Uniform", "constraints",
           "kl_divergence", "register_kl"]
