"""PyTorch's rejection samplers for Gamma, Dirichlet, Poisson and Binomial, draw for draw, and the implicit
reparameterisation gradients of Gamma and Dirichlet samples.

PyTorch's CPU kernels (``aten/src/ATen/native/Distributions.{h,cpp}``) visit the elements one after the
other, and each element draws as many numbers as its rejection loop needs: how many draws element i
takes depends on what it drew, so element i + 1's numbers cannot be known before element i is done.
That is why these samplers are plain loops over elements (the one place in edutorch that loops per
element to draw): vectorised rejection rounds would give the right *distribution* but other numbers.
Each element draws from the same two scalar streams PyTorch uses (``_ScalarStream``):

* ``uniform()``: one 53-bit float64 uniform in [0, 1) (``at::uniform_real_distribution<double>``);
* ``normal()``: one float64 normal from the scalar Box–Muller, which caches the spare sine value in the
  generator (``at::normal_distribution<double>``; edutorch's ``_sample_normal_serial``).
"""
from __future__ import annotations

import copy
import math

import numpy as np

from .. import random as _random
from ..ops.special_math import _digamma_array

__all__ = ["binomial_array", "dirichlet_grad_array", "poisson_array", "sample_dirichlet_array",
           "standard_gamma_array", "standard_gamma_grad_array"]

_FLOAT32_ONE_THIRD = float(np.float32(1.0) / np.float32(3.0))  # PyTorch writes 1.0f / 3.0f
_F_0331 = float(np.float32(0.0331))  # 0.0331f, a float constant used in double arithmetic


class _ScalarStream:
    """PyTorch's two scalar streams over a generator, fast: ``uniform()`` (one 64-bit word → 53-bit
    float64 in [0, 1)) and ``normal()`` (scalar Box–Muller, caching the spare sine like
    ``at::normal_distribution<double>``). Fetching one word per Python call is slow, so words are read
    ahead in blocks; ``close()`` rewinds the engine to where it was and advances it by exactly the
    words used, so the generator ends where PyTorch's would (cached normal included).

    Use it as a context manager: ``with _ScalarStream(gen) as stream: ...``.
    """

    def __init__(self, gen) -> None:
        self.gen = gen
        self._start = copy.deepcopy(gen._engine)
        self._spare = gen._next_double_normal
        self._words: list[float] = []
        self._pos = 0
        self._used = 0
        self._block = 64

    def uniform(self) -> float:
        if self._pos == len(self._words):
            words = self.gen.random64(self._block)
            self._words = ((words & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53).tolist()
            self._pos = 0
            self._block = min(self._block * 2, 1 << 16)
        self._pos += 1
        self._used += 1
        return self._words[self._pos - 1]

    def normal(self) -> float:
        if self._spare is not None:
            value, self._spare = self._spare, None
            return value
        u1 = self.uniform()
        u2 = self.uniform()
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self._spare = radius * math.sin(theta)
        return radius * math.cos(theta)

    def __enter__(self) -> "_ScalarStream":
        return self

    def __exit__(self, *exc) -> None:
        self.gen._engine = self._start  # rewind, then consume exactly what was used
        if self._used:
            self.gen.random64(self._used)
        self.gen._next_double_normal = self._spare


def _sample_gamma_one(alpha, stream, alpha_is_float32: bool) -> float:
    r"""One Gamma(α, 1) draw by Marsaglia and Tsang (2000), as PyTorch's ``sample_gamma``.

    For α ≥ 1, with d = α - 1/3 and c = 1/√(9d): draw x ~ N(0, 1) until y = 1 + c x > 0, set v = y³ and
    u ~ U(0, 1]; accept d·v if u < 1 - 0.0331 x⁴ (a cheap squeeze) or log u < x²/2 + d (1 - v + log v),
    else start again. For α < 1, draw G ~ Gamma(α + 1) and return G · U^{1/α} (the "boost").
    ``alpha`` is kept in its dtype: for float32 tensors PyTorch adds 1 and subtracts 1/3 in float32.
    """
    to_alpha = np.float32 if alpha_is_float32 else float
    alpha = to_alpha(alpha)
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= math.pow(1 - stream.uniform(), float(to_alpha(1.0) / alpha))
        alpha = to_alpha(alpha + to_alpha(1.0))
    d = float(to_alpha(alpha - to_alpha(_FLOAT32_ONE_THIRD)))
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = stream.normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - stream.uniform()
        xx = x * x
        if u < 1.0 - _F_0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def standard_gamma_array(alpha: np.ndarray, generator=None) -> np.ndarray:
    """``torch._standard_gamma(alpha)``: one Gamma(α_i, 1) draw per element, in memory order, each
    at least the dtype's smallest normal number (so log x stays finite)."""
    is_f32 = alpha.dtype == np.float32
    flat = np.ascontiguousarray(alpha).reshape(-1)
    with _ScalarStream(_random._gen(generator)) as stream:
        out = np.array([_sample_gamma_one(a, stream, is_f32) for a in flat.tolist()], dtype=alpha.dtype)
    return np.maximum(out, np.finfo(alpha.dtype).tiny).reshape(alpha.shape)


def sample_dirichlet_array(alpha: np.ndarray, generator=None) -> np.ndarray:
    """``torch._sample_dirichlet(alpha)``: float64 Gamma(α_i) draws g_i (α taken as float64), then
    x = g / Σ g over the last dimension, kept inside [tiny, largest float below 1] of alpha's dtype."""
    flat = np.ascontiguousarray(alpha).reshape(-1)
    with _ScalarStream(_random._gen(generator)) as stream:
        gammas = np.array([_sample_gamma_one(float(a), stream, False) for a in flat.tolist()], dtype=np.float64)
    gammas = np.maximum(gammas, np.finfo(np.float64).tiny).reshape(alpha.shape)
    x = (gammas / gammas.sum(-1, keepdims=True)).astype(alpha.dtype)
    return np.clip(x, np.finfo(alpha.dtype).tiny, np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0)))


def _sample_poisson_one(lam: float, stream) -> int:
    r"""One Poisson(λ) draw, as PyTorch's ``sample_poisson``.

    λ < 10: multiply uniforms until the product drops to e^{-λ} or below; the count of factors before
    that is the draw (Knuth). λ ≥ 10: the transformed rejection method PTRS (Hörmann, 1993): from
    U ~ U(-½, ½), V ~ U(0, 1) propose k = ⌊(2a/(½ - |U|) + b) U + λ + 0.43⌋, accept at once in the
    central region, else compare log V + log(α/(a/us² + b)) with log p(k) = -λ + k log λ - log k!.
    """
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = stream.uniform() - 0.5
            V = stream.uniform()
            us = 0.5 - abs(U)
            k = math.floor((2 * a / us + b) * U + lam + 0.43)
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b)
                    <= -lam + k * loglam - math.lgamma(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    count, prod = 0, 1.0
    while True:
        prod *= stream.uniform()
        if prod > enlam:
            count += 1
        else:
            return count


def poisson_array(rates: np.ndarray, generator=None) -> np.ndarray:
    """``torch.poisson(rates)``: one Poisson(λ_i) draw per element, in memory order, in rates' dtype."""
    flat = np.ascontiguousarray(rates).reshape(-1).astype(np.float64)
    if (flat < 0).any() or np.isnan(flat).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    with _ScalarStream(_random._gen(generator)) as stream:
        out = [_sample_poisson_one(lam, stream) for lam in flat.tolist()]
    return np.array(out, dtype=rates.dtype).reshape(rates.shape)


# ------------------------------------------------------------------ reparameterisation gradients
_GAMMA_GRAD_COEF = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07]])


def standard_gamma_grad_array(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""dx/dα for x ~ Gamma(α, 1) held at a fixed quantile (implicit reparameterisation):
    dx/dα = -(∂F(x; α)/∂α) / p(x; α), F the CDF. PyTorch's ``standard_gamma_grad_one`` evaluates it with
    three approximations, reproduced here in float64:

    * x < 0.8: a 6-term Taylor series of F and ∂F/∂α in x;
    * α > 8: a Rice saddle-point expansion (a polynomial near x ≈ α);
    * otherwise: a bivariate rational fit in u = log(x/α), v = log α: exp(p(u, v) / q(u, v)).
    """
    a = alpha.astype(np.float64)
    xs = x.astype(np.float64)
    with np.errstate(all="ignore"):
        # Taylor series for small x
        numer, denom = np.ones_like(xs), a.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-xs / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = xs ** a
        gamma_pdf = xs ** (a - 1) * np.exp(-xs)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (np.log(xs) - _digamma_array(a)) * gamma_cdf - pow_x_alpha * series2
        small_x = -gamma_cdf_alpha / gamma_pdf
        small_x = np.where(np.isnan(small_x), 0.0, small_x)
        # Rice saddle point for large alpha: near the mode, then away from it
        numer_1 = 1 + 24 * a * (1 + 12 * a)
        numer_2 = 1440 * (a * a) + 6 * xs * (53 - 120 * xs) - 65 * xs * xs / a + a * (107 + 3600 * xs)
        near = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
        den = np.sqrt(8 * a)
        term2 = den / (a - xs)
        term3 = (xs - a - a * np.log(xs / a)) ** -1.5
        term23 = np.where(xs < a, term2 - term3, term2 + term3)
        term1 = np.log(xs / a) * term23 - np.sqrt(2 / a) * (a + xs) / ((a - xs) * (a - xs))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        far = -stirling * (xs * term1) / den
        large_alpha = np.where((0.9 * a <= xs) & (xs <= 1.1 * a), near, far)
        # rational approximation elsewhere
        u, v = np.log(xs / a), np.log(a)
        c = [_GAMMA_GRAD_COEF[0, i] + u * (_GAMMA_GRAD_COEF[1, i] + u * _GAMMA_GRAD_COEF[2, i]) for i in range(8)]
        p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
        q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
        rational = np.exp(p / q)
        out = np.where(xs < 0.8, small_x, np.where(a > 8.0, large_alpha, rational))
    return out.astype(alpha.dtype)


_DIRICHLET_GRAD_COEF = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _beta_grad_alpha_small(x, alpha, beta):
    """Taylor expansion of the Beta(α, β) reparameterisation gradient in α, for x near 0."""
    factor = _digamma_array(alpha) - _digamma_array(alpha + beta) - np.log(x)
    numer = np.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * (1 - x) ** -beta * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    """Taylor expansion of the Beta(α, β) reparameterisation gradient in β, for x near 0."""
    factor = _digamma_array(alpha + beta) - _digamma_array(beta)
    numer, betas, dbetas, series = np.ones_like(x), np.ones_like(x), np.zeros_like(x), factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -(1 - x) ** (1 - beta) * series
    return np.where(np.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    """Rice saddle-point expansion of the Beta reparameterisation gradient, for large α and β."""
    total = alpha + beta
    mean = alpha / total
    std = np.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / np.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / (np.sqrt(2 * alpha / beta) * total ** 1.5 * axbx * axbx)
    term2 = 0.5 * np.log(alpha / (total * x))
    term3 = np.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = (beta * np.log(beta / (total * (1 - x))) + alpha * np.log(alpha / (total * x))) ** -1.5
    far = stirling * prefactor * (term1 + term2 * (term3 + np.where(x < mean, term4, -term4)))
    return np.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def dirichlet_grad_array(x: np.ndarray, alpha: np.ndarray, total: np.ndarray) -> np.ndarray:
    r"""PyTorch's ``_dirichlet_grad``: for x ~ Beta(α, total - α) (one coordinate of a Dirichlet draw and
    the rest lumped together), the scaled implicit gradient -(∂F/∂α) / p(x) / (1 - x), F the Beta CDF.
    Four regimes, as ``dirichlet_grad_one``: Taylor series near x = 0 and near x = 1, a saddle-point
    expansion when α and β are both > 6, else a rational correction to x (ψ(total) - ψ(α)) / β."""
    dtype = x.dtype
    x, alpha, total = (np.broadcast_to(v, np.broadcast_shapes(x.shape, alpha.shape, total.shape)).astype(np.float64)
                       for v in (x, alpha, total))
    beta = total - alpha
    boundary = total * x * (1 - x)
    with np.errstate(all="ignore"):
        near_zero = _beta_grad_alpha_small(x, alpha, beta)
        near_one = -_beta_grad_beta_small(1 - x, beta, alpha)
        mid = _beta_grad_alpha_mid(x, alpha, beta)
        u = np.log(x)
        a = np.log(alpha) - u
        b = np.log(total) - a
        pow_u, pow_a = [np.ones_like(u), u, u * u], [np.ones_like(a), a, a * a]
        p, q = np.zeros_like(x), np.zeros_like(x)
        c = _DIRICHLET_GRAD_COEF
        for i in range(3):
            for j in range(3):
                ua = pow_u[i] * pow_a[j]
                p = p + ua * (c[0, i, j, 0] + b * (c[0, i, j, 1] + b * (c[0, i, j, 2] + b * c[0, i, j, 3])))
                q = q + ua * (c[1, i, j, 0] + b * (c[1, i, j, 1] + b * (c[1, i, j, 2] + b * c[1, i, j, 3])))
        approx = x * (_digamma_array(total) - _digamma_array(alpha)) / beta
        rational = p / q * approx
        out = np.where((x <= 0.5) & (boundary < 2.5), near_zero,
                       np.where((x >= 0.5) & (boundary < 0.75), near_one,
                                np.where((alpha > 6) & (beta > 6), mid, rational)))
    return out.astype(dtype)


# ------------------------------------------------------------------ binomial
_STIRLING_TAIL = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287]


def _stirling_approx_tail(k: float) -> float:
    """log k! - [(k + ½) log(k + 1) - (k + 1) + ½ log 2π]: a table up to 9, then its asymptotic series."""
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _binomial_inversion(count, prob, stream, to) -> float:
    """For small n·p: count geometric waiting times (trials to each success) until they pass n."""
    geom_sum, num_geom = 0.0, 0
    logprob = float(np.log1p(-to(prob)))
    while True:
        geom = math.ceil(math.log(stream.uniform()) / logprob)
        geom_sum += geom
        if geom_sum > count:
            return num_geom
        num_geom += 1


def _btrs(count, prob, stream, to) -> float:
    """For n·p ≥ 10: Hörmann's transformed rejection with squeeze (BTRS), as PyTorch writes it
    (``to`` is the sample dtype: PyTorch does some of the set-up arithmetic in it)."""
    count, prob = to(count), to(prob)
    stddev = float(np.sqrt(to(count * prob * (to(1) - prob))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob / (to(1) - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(np.floor((count + to(1)) * prob))
    count = float(count)
    while True:
        U = stream.uniform() - 0.5
        V = stream.uniform()
        us = 0.5 - abs(U)
        k = float(to(math.floor((2 * a / us + b) * U + c)))
        if k < 0 or k > count:
            continue
        if us >= 0.07 and V <= v_r:
            return k
        V = math.log(V * alpha / (a / (us * us) + b))
        upperbound = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                      + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                      + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                      + _stirling_approx_tail(m) + _stirling_approx_tail(count - m)
                      - _stirling_approx_tail(k) - _stirling_approx_tail(count - k))
        if V <= upperbound:
            return k


def _sample_binomial_one(count, prob, stream, to) -> float:
    r"""One Binomial(n, p) draw, as PyTorch's ``sample_binomial``: 0 if n ≤ 0 or p ≤ 0, n if p ≥ 1;
    otherwise with q = min(p, 1 - p) draw for q (inversion when n q < 10, BTRS above) and flip to n - k
    when p > ½."""
    count, prob = to(count), to(prob)
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return float(count)
    if prob <= 0.5:
        if count * prob >= 10.0:
            return _btrs(count, prob, stream, to)
        return _binomial_inversion(float(count), prob, stream, to)
    if prob > 0.5:
        qprob = to(to(1.0) - prob)
        if count * qprob >= 10.0:
            return float(count) - _btrs(count, qprob, stream, to)
        return float(count) - _binomial_inversion(float(count), qprob, stream, to)
    return math.nan


def binomial_array(count: np.ndarray, prob: np.ndarray, generator=None) -> np.ndarray:
    """``torch.binomial(count, prob)``: one Binomial(n_i, p_i) draw per element, in memory order."""
    to = np.float32 if count.dtype == np.float32 else float
    count, prob = np.broadcast_arrays(count, prob)
    pairs = zip(np.ascontiguousarray(count).reshape(-1).tolist(), np.ascontiguousarray(prob).reshape(-1).tolist())
    with _ScalarStream(_random._gen(generator)) as stream:
        out = [_sample_binomial_one(n, p, stream, to) for n, p in pairs]
    return np.array(out, dtype=count.dtype).reshape(count.shape)
