"""``torch.special``: special functions under SciPy's names.

Most are other names for functions edutorch has at the top level (``special.expit`` is ``sigmoid``,
``special.psi`` is ``digamma``); the new ones (ndtr, log_ndtr, ndtri, entr, erfcx, xlog1py, the gamma
family) are written in ``edutorch/ops/special_math.py`` with their formulas. The Bessel functions,
orthogonal polynomials, zeta and the incomplete gamma functions are not implemented: calling one says so
and points to ``torch.special``.
"""
from __future__ import annotations

from .nn.functional import log_softmax as _log_softmax, softmax as _softmax
from .ops.activation import sigmoid as expit
from .ops.pointwise_math import erf, erfc, erfinv, exp2, logit, sinc, xlogy
from .ops.special_math import digamma, entr, erfcx, log_ndtr, ndtr, ndtri, polygamma, xlog1py
from .ops.special_math import lgamma as gammaln, mvlgamma as _mvlgamma
from . import expm1, log1p, logsumexp, round

psi = digamma

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p",
           "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi",
           "round", "sinc", "softmax", "xlog1py", "xlogy"]


def multigammaln(input, p: int):
    """The multivariate log-gamma function of dimension p (``torch.mvlgamma``)."""
    return _mvlgamma(input, p)


def softmax(input, dim: int, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)


_NOT_HERE = {
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "i0", "i0e", "i1", "i1e",
    "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0", "zeta",
    "gammainc", "gammaincc", "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
}


def __getattr__(name: str):
    if name in _NOT_HERE:
        def not_implemented(*args, **kwargs):
            raise NotImplementedError(
                f"edutorch.special.{name} is not implemented in edutorch (Bessel functions, orthogonal "
                f"polynomials, zeta and the incomplete gamma functions are not part of this teaching engine); "
                f"use torch.special.{name} from real PyTorch.")
        not_implemented.__name__ = name
        return not_implemented
    raise AttributeError(f"module 'edutorch.special' has no attribute '{name}'")
