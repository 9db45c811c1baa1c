"""``Gamma``: positive quantities, the sum of α exponential waiting times."""
from __future__ import annotations


import numpy as np

from .._size import Size
from .._tensor import Tensor
from ..autograd.function import NumpyFunction
from ..ops.pointwise_math import xlogy
from ..ops.special_math import _lgamma_array
from . import constraints
from ._samplers import standard_gamma_array, standard_gamma_grad_array
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


class StandardGamma(NumpyFunction):
    r"""``torch._standard_gamma(α)``: x ~ Gamma(α, 1) per element (PyTorch's Marsaglia–Tsang sampler,
    draw for draw: see ``_samplers``).

    Backward, the implicit reparameterisation: x = F⁻¹(u; α) for a fixed uniform u, so differentiating
    F(x; α) = u gives dx/dα = -(∂F/∂α) / p(x; α) (``standard_gamma_grad_array``, PyTorch's approximations).
    """

    @staticmethod
    def forward(ctx, alpha):
        x = standard_gamma_array(alpha)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        alpha, x = ctx.saved_tensors
        return grad * standard_gamma_grad_array(alpha, x)


def _standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(α, 1) draws, one per element of ``concentration``, differentiable in α."""
    return StandardGamma.apply(concentration)


def _gammainc_array(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""The regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a) (the Gamma(a, 1) CDF), in float64:
    the series e^{-x} x^a Σ_n x^n / Γ(a + n + 1) for x < a + 1, else 1 - Q(a, x) with Q by the continued
    fraction (modified Lentz), both run for a fixed number of terms over the whole array."""
    a, x = np.broadcast_arrays(a.astype(np.float64), x.astype(np.float64))
    with np.errstate(all="ignore"):
        log_prefactor = a * np.log(x) - x - _lgamma_array(a)
        term = 1.0 / a  # the series
        total = term.copy()
        for n in range(1, 300):
            term = term * x / (a + n)
            total = total + term
        series = np.exp(log_prefactor) * total
        tiny = 1e-300  # the continued fraction for Q(a, x)
        b = x + 1 - a
        c = np.full_like(x, 1 / tiny)
        d = 1 / b
        h = d.copy()
        for i in range(1, 300):
            an = -i * (i - a)
            b = b + 2
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1 / d
            h = h * d * c
        upper = 1 - np.exp(log_prefactor) * h
        out = np.where(x < a + 1, series, upper)
    return np.where(x <= 0, 0.0, np.where(np.isinf(x), 1.0, out))


class GammaInc(NumpyFunction):
    """P(a, x), the regularised lower incomplete gamma. d/dx = x^{a-1} e^{-x} / Γ(a) (the Gamma pdf);
    the derivative in ``a`` is not implemented (PyTorch raises the same RuntimeError)."""

    node_name = "SpecialGammaincBackward0"

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        return _gammainc_array(a, x).astype(np.result_type(a, x))

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'self' is not implemented.")
        with np.errstate(all="ignore"):
            pdf = np.exp((a - 1) * np.log(x) - x - _lgamma_array(a))
        return None, (grad * pdf).astype(x.dtype)


class Gamma(ExponentialFamily):
    r"""The Gamma distribution with shape ``concentration`` α > 0 and ``rate`` β > 0 (scale 1/β), on x ≥ 0.

    .. math::
        \log p(x) = α \log β + (α - 1) \log x - β x - \log Γ(α)

    - ``rsample``: x = G / β with G ~ Gamma(α, 1) from PyTorch's rejection sampler (same draws as
      PyTorch after ``manual_seed``); gradients reach α through the implicit reparameterisation
      dG/dα = -(∂F/∂α)/p (:class:`StandardGamma`) and β through x = G / β.
    - mean α/β, mode max((α - 1)/β, 0), variance α/β²;
      entropy α - log β + log Γ(α) + (1 - α) ψ(α) (ψ = digamma); cdf P(α, βx) (regularised incomplete γ).
    - An exponential family with θ = (α - 1, -β), F(θ) = log Γ(θ₁ + 1) + (θ₁ + 1) log(-1/θ₂).
    - Exponential(β) is Gamma(1, β); χ²(k) is Gamma(k/2, 1/2).

    Args:
        concentration (float or Tensor): shape α (must be positive).
        rate (float or Tensor): rate β = 1 / scale (must be positive).
        validate_args (bool, optional): check the arguments (default: ``Distribution``'s setting).
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        numbers_only = not isinstance(concentration, Tensor) and not isinstance(rate, Tensor)
        super().__init__(Size() if numbers_only else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(batch_shape)
        new.concentration, new.rate = self.concentration.expand(batch_shape), self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = float(np.finfo(value.detach().numpy().dtype).tiny)
        value.detach().clamp_(min=tiny)  # keep log x finite; not recorded in the graph
        return value

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value)
                - self.rate * value - self.concentration.lgamma())

    def entropy(self) -> Tensor:
        return (self.concentration - self.rate.log() + self.concentration.lgamma()
                + (1.0 - self.concentration) * self.concentration.digamma())

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return GammaInc.apply(self.concentration, self.rate * value)

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()


