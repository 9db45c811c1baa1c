"""Exponential, Laplace, LogNormal, Gumbel, MultivariateNormal, OneHotCategorical, Gamma, Beta, Dirichlet,
Poisson and Binomial against torch.distributions: values and gradients (float32 and float64), shapes and
repr, validation errors, KL pairs, finite differences, and samples drawn number for number after
``manual_seed`` (the same generator, the same primitives in the same order)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

A = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])  # a covariance matrix
MVN_LOC = np.array([[0.0, 1.0, -1.0], [0.5, 0.2, 0.3]])

# name -> (class, constructor kwargs as arrays, a valid value for log_prob, has cdf)
SPECS = {
    "Exponential": ("Exponential", {"rate": np.array([0.5, 1.0, 3.0])}, np.array([0.2, 1.5, 0.0]), True),
    "Laplace": ("Laplace", {"loc": np.array([0.0, 1.0, -2.0]), "scale": np.array([1.0, 0.5, 2.0])},
                np.array([0.3, 1.0, -5.0]), True),
    "LogNormal": ("LogNormal", {"loc": np.array([0.0, 1.0, -0.5]), "scale": np.array([1.0, 0.5, 2.0])},
                  np.array([0.3, 2.0, 5.0]), True),
    "Gumbel": ("Gumbel", {"loc": np.array([0.0, 1.0, -2.0]), "scale": np.array([1.0, 0.5, 2.0])},
               np.array([0.3, 1.2, -1.0]), True),
    "Gamma": ("Gamma", {"concentration": np.array([0.5, 1.0, 3.0, 9.0]), "rate": np.array([1.0, 2.0, 0.5, 1.5])},
              np.array([0.3, 1.0, 4.0, 7.0]), True),
    "Beta": ("Beta", {"concentration1": np.array([0.5, 2.0, 7.0]), "concentration0": np.array([1.5, 0.3, 8.0])},
             np.array([0.3, 0.9, 0.5]), False),
    "Dirichlet": ("Dirichlet", {"concentration": np.array([[0.5, 1.0, 3.0], [9.0, 2.0, 0.7]])},
                  np.array([0.2, 0.3, 0.5]), False),
    "Poisson": ("Poisson", {"rate": np.array([0.5, 4.0, 15.0])}, np.array([0.0, 3.0, 17.0]), False),
    "Binomial-probs": ("Binomial", {"total_count": 10, "probs": np.array([0.2, 0.5, 0.9])},
                       np.array([2.0, 5.0, 10.0]), False),
    "Binomial-logits": ("Binomial", {"total_count": 10, "logits": np.array([-1.0, 0.0, 3.0])},
                        np.array([2.0, 5.0, 10.0]), False),
    "MVN-cov": ("MultivariateNormal", {"loc": MVN_LOC, "covariance_matrix": A}, np.array([0.3, -0.2, 0.1]), False),
    "MVN-prec": ("MultivariateNormal", {"loc": MVN_LOC, "precision_matrix": A}, np.array([0.3, -0.2, 0.1]), False),
    "MVN-tril": ("MultivariateNormal", {"loc": MVN_LOC, "scale_tril": np.linalg.cholesky(A)},
                 np.array([[0.3, -0.2, 0.1]]), False),
    "OneHotCategorical": ("OneHotCategorical", {"logits": np.array([[1.0, -0.5, 2.0], [0.3, 0.3, -1.0]])},
                          np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), False),
}
CONTINUOUS_RSAMPLE = ["Exponential", "Laplace", "LogNormal", "Gumbel", "Gamma", "Beta", "Dirichlet", "MVN-cov",
                      "MVN-prec", "MVN-tril"]


def _make(lib, name, dtype="float32", requires_grad=True):
    """The distribution ``name`` in ``lib`` with leaf parameters; returns (distribution, parameters)."""
    cls, kwargs, _, _ = SPECS[name]
    params = {k: lib.tensor(v.astype(dtype), requires_grad=requires_grad) for k, v in kwargs.items()
              if isinstance(v, np.ndarray)}
    others = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    return getattr(lib.distributions, cls)(**params, **others), params


def _value(lib, name, dtype="float32"):
    return lib.tensor(SPECS[name][2].astype(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(SPECS))
def test_values_and_gradients_match_torch(torch, name, dtype):
    """log_prob, entropy, cdf and the moments, with the gradients of their sum w.r.t. the parameters."""
    results = []
    for lib in (edutorch, torch):
        d, params = _make(lib, name, dtype)
        log_prob = d.log_prob(_value(lib, name, dtype))
        if name == "Poisson":  # neither library has a closed form (no carrier measure)
            with pytest.raises(NotImplementedError):
                d.entropy()
            entropy = log_prob * 0
        else:
            entropy = d.entropy()
        total = log_prob.sum() + entropy.sum() + d.mean.sum() + d.variance.sum()
        seen = [log_prob, entropy, d.mean, d.variance, d.stddev, d.mode]
        if SPECS[name][3]:
            cdf = d.cdf(_value(lib, name, dtype))
            if name != "Gamma":  # PyTorch has no derivative of gammainc in the concentration
                total = total + cdf.sum()
            seen.append(cdf)
        total.backward()
        results.append(seen + [p.grad for p in params.values()])
    tol = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, **tol)


@pytest.mark.parametrize("name", ["Exponential", "Laplace", "LogNormal", "Gumbel"])
def test_icdf_matches_torch(torch, name):
    for dtype in ("float32", "float64"):
        q = np.array([0.1, 0.5, 0.95], dtype)
        ours = _make(edutorch, name, dtype, requires_grad=False)[0].icdf(edutorch.tensor(q))
        theirs = _make(torch, name, dtype, requires_grad=False)[0].icdf(torch.tensor(q))
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(SPECS))
def test_shapes_repr_and_constraints_match_torch(torch, name):
    seen = []
    for lib in (edutorch, torch):
        d, _ = _make(lib, name, requires_grad=False)
        support = d.support
        seen.append((tuple(d.batch_shape), tuple(d.event_shape), repr(d), d.has_rsample, d.has_enumerate_support,
                     {k: type(c).__name__ for k, c in d.arg_constraints.items()}, type(support).__name__,
                     support.is_discrete, support.event_dim, tuple(d.sample((2,)).shape), str(d.sample().dtype),
                     tuple(d.expand((4,) + tuple(d.batch_shape)).batch_shape)))
    assert seen[0] == seen[1]


SAMPLING = {  # name -> sample shapes to compare, number for number
    "Exponential": [(), (5,), (4, 7)], "Laplace": [(), (5,), (4, 7)], "LogNormal": [(), (5,), (4, 7)],
    "Gumbel": [(), (5,), (4, 7)], "Gamma": [(), (6,)], "Beta": [(), (6,)], "Dirichlet": [(), (5,)],
    "Poisson": [(), (6,)], "Binomial-probs": [(), (6,)], "MVN-cov": [(), (6,)], "MVN-tril": [(3, 2)],
    "OneHotCategorical": [(), (6,)],
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(SAMPLING))
def test_samples_match_torch_after_manual_seed(torch, name, dtype):
    """Same seed, same numbers: the draws are PyTorch's (transcendental functions may differ in the last
    bit, so continuous values are compared to a few ulps); the generator ends in the same state."""
    method = "rsample" if name in CONTINUOUS_RSAMPLE else "sample"
    for seed in (0, 7):
        for shape in SAMPLING[name]:
            drawn = []
            for lib in (edutorch, torch):
                d, _ = _make(lib, name, dtype, requires_grad=False)
                lib.manual_seed(seed)
                drawn.append((getattr(d, method)(shape), lib.rand(3)))
            (ours, ours_next), (theirs, theirs_next) = drawn
            rtol = 4e-6 if dtype == "float32" else 1e-13
            assert_same(ours, theirs, rtol=rtol, atol=rtol)
            assert_same(ours_next, theirs_next, rtol=0, atol=0)


def test_torch_poisson_and_standard_samplers_match_torch(torch):
    rates = np.array([0.0, 0.5, 3.0, 9.99, 10.0, 42.0, 500.0])
    alphas = np.array([0.01, 0.3, 1.0, 2.5, 40.0])
    for dtype in ("float32", "float64"):
        for lib in (edutorch, torch):
            lib.manual_seed(3)
        assert_same(edutorch.poisson(edutorch.tensor(np.tile(rates, 4).astype(dtype))),
                    torch.poisson(torch.tensor(np.tile(rates, 4).astype(dtype))), rtol=0, atol=0)
        ours = edutorch.distributions.gamma._standard_gamma(edutorch.tensor(np.tile(alphas, 4).astype(dtype)))
        theirs = torch._standard_gamma(torch.tensor(np.tile(alphas, 4).astype(dtype)))
        assert_same(ours, theirs, rtol=0, atol=0)


@pytest.mark.parametrize("name", CONTINUOUS_RSAMPLE)
def test_rsample_gradients_match_torch(torch, name):
    """d(Σ rsample · w)/dθ: the reparameterisation (and, for Gamma/Beta/Dirichlet, PyTorch's implicit
    gradients) on the same draws."""
    for dtype in ("float32", "float64"):
        grads = []
        for lib in (edutorch, torch):
            d, params = _make(lib, name, dtype)
            lib.manual_seed(11)
            x = d.rsample((4,))
            weights = lib.arange(x.numel(), dtype=x.dtype).reshape(x.shape) / x.numel()
            (x * weights).sum().backward()
            grads.append([p.grad for p in params.values()])
        tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-7, atol=1e-9)
        for ours, theirs in zip(*grads):
            assert_same(ours, theirs, **tol)


KL_PAIRS = [("Exponential", "Exponential"), ("Laplace", "Laplace"), ("Gumbel", "Gumbel"),
            ("LogNormal", "LogNormal"), ("Gamma", "Gamma"), ("Beta", "Beta"), ("Poisson", "Poisson"),
            ("Binomial-probs", "Binomial-logits"), ("Exponential", "Gamma"), ("Exponential", "Gumbel"),
            ("Gamma", "Exponential"), ("Gamma", "Gumbel"), ("Beta", "Exponential")]
SECOND = {  # the q of each pair: other parameters of the same shape
    "Exponential": {"rate": np.array([1.5, 0.3, 2.0])},
    "Laplace": {"loc": np.array([0.5, -1.0, 0.0]), "scale": np.array([2.0, 1.0, 0.7])},
    "Gumbel": {"loc": np.array([0.5, -1.0, 0.0]), "scale": np.array([2.0, 1.0, 0.7])},
    "LogNormal": {"loc": np.array([0.5, -1.0, 0.0]), "scale": np.array([2.0, 1.0, 0.7])},
    "Gamma": {"concentration": np.array([2.0, 0.7, 1.5]), "rate": np.array([1.0, 3.0, 0.5])},
    "Beta": {"concentration1": np.array([1.0, 3.0, 2.0]), "concentration0": np.array([2.0, 1.0, 4.0])},
    "Poisson": {"rate": np.array([1.0, 3.0, 20.0])},
    "Binomial-logits": {"total_count": 10, "logits": np.array([0.5, -2.0, 1.0])},
}


def _make_first(lib, name, dtype):
    cls, kwargs, _, _ = SPECS[name]
    params = {k: lib.tensor(v[..., :3].astype(dtype) if v.ndim == 1 else v.astype(dtype), requires_grad=True)
              for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    others = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    return getattr(lib.distributions, cls)(**params, **others), params


def _make_second(lib, name, dtype):
    cls = SPECS[name][0]
    params = {k: lib.tensor(v.astype(dtype), requires_grad=True) if isinstance(v, np.ndarray) else v
              for k, v in SECOND[name].items()}
    return getattr(lib.distributions, cls)(**params), [v for v in params.values() if not isinstance(v, int)]


@pytest.mark.parametrize("pair", KL_PAIRS + [("Laplace", "Exponential"), ("Exponential", "Beta")],
                         ids=lambda p: "-".join(p))
def test_kl_divergence_and_gradients_match_torch(torch, pair):
    for dtype in ("float32", "float64"):
        seen = []
        for lib in (edutorch, torch):
            p, p_params = _make_first(lib, pair[0], dtype)
            q, q_params = _make_second(lib, pair[1], dtype) if pair[1] in SECOND else _make_first(lib, pair[1], dtype)
            q_params = list(q_params.values()) if isinstance(q_params, dict) else q_params
            kl = lib.distributions.kl_divergence(p, q)
            if bool(lib.isfinite(kl).all()):
                kl.sum().backward()
            seen.append([kl] + [t.grad for t in list(p_params.values()) + q_params if t.grad is not None])
        assert len(seen[0]) == len(seen[1])
        tol = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
        for ours, theirs in zip(*seen):
            assert_same(ours, theirs, **tol)


def test_kl_of_multivariate_normals_dirichlets_and_one_hots_match_torch(torch):
    for dtype in ("float32", "float64"):
        seen = []
        for lib in (edutorch, torch):
            D = lib.distributions
            loc = lib.tensor(MVN_LOC.astype(dtype), requires_grad=True)
            cov = lib.tensor(A.astype(dtype), requires_grad=True)
            tril = lib.tensor(np.linalg.cholesky(A + np.eye(3)).astype(dtype), requires_grad=True)
            conc = lib.tensor(np.array([[0.5, 1.0, 3.0], [9.0, 2.0, 0.7]], dtype), requires_grad=True)
            logits = lib.tensor(np.array([[1.0, -0.5, 2.0], [0.3, 0.3, -1.0]], dtype), requires_grad=True)
            kls = [D.kl_divergence(D.MultivariateNormal(loc, cov), D.MultivariateNormal(loc[0].detach() * 2,
                                                                                       scale_tril=tril)),
                   D.kl_divergence(D.Dirichlet(conc), D.Dirichlet(conc.flip(-1))),
                   D.kl_divergence(D.OneHotCategorical(logits=logits), D.OneHotCategorical(logits=logits.flip(0)))]
            sum(k.sum() for k in kls).backward()
            seen.append(kls + [loc.grad, cov.grad, tril.grad, conc.grad, logits.grad])
        tol = dict(rtol=2e-5, atol=2e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-9)
        for ours, theirs in zip(*seen):
            assert_same(ours, theirs, **tol)


INVALID = [
    ("Exponential", {"rate": [-1.0, 1.0]}), ("Laplace", {"loc": [0.0], "scale": [0.0]}),
    ("LogNormal", {"loc": [0.0], "scale": [-1.0]}), ("Gumbel", {"loc": [float("nan")], "scale": [1.0]}),
    ("Gamma", {"concentration": [0.0], "rate": [1.0]}), ("Beta", {"concentration1": [1.0], "concentration0": [-2.0]}),
    ("Dirichlet", {"concentration": [1.0, -1.0]}), ("Poisson", {"rate": [-0.5]}),
    ("Binomial", {"total_count": 2.5, "probs": [0.5]}), ("Binomial", {"total_count": 3, "probs": [1.5]}),
    ("MultivariateNormal", {"loc": [0.0, 0.0], "covariance_matrix": [[1.0, 2.0], [2.0, 1.0]]}),
    ("MultivariateNormal", {"loc": [0.0, 0.0], "scale_tril": [[1.0, 0.5], [0.0, 1.0]]}),
    ("OneHotCategorical", {"probs": [-0.1, 1.1]}),
]


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c[0] + "-" + "-".join(c[1]))
def test_invalid_parameters_raise_torchs_error(torch, case):
    name, kwargs = case
    errors = []
    for lib in (edutorch, torch):
        args = {k: lib.tensor(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        with pytest.raises(Exception) as info:
            getattr(lib.distributions, name)(**args)
        errors.append(info.type)
    assert errors[0] is errors[1]


def test_argument_and_value_errors_match_torch(torch):
    for lib in (edutorch, torch):
        D = lib.distributions
        with pytest.raises(ValueError, match="loc must be at least one-dimensional."):
            D.MultivariateNormal(lib.tensor(0.0), lib.eye(1))
        with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"):
            D.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2))
        with pytest.raises(ValueError, match="scale_tril matrix must be at least two-dimensional"):
            D.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2))
        with pytest.raises(ValueError, match="`concentration` parameter must be at least one-dimensional."):
            D.Dirichlet(lib.tensor(1.0))
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
            D.Binomial(3)
        with pytest.raises(ValueError, match="Expected value argument"):
            D.Exponential(lib.ones(2)).log_prob(lib.tensor([-1.0, 1.0]))
        with pytest.raises(ValueError, match="Expected value argument"):
            D.Poisson(lib.ones(2)).log_prob(lib.tensor([0.5, 1.0]))
        with pytest.raises(ValueError, match="Expected value argument"):
            D.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.6, 0.1]))
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            D.Binomial(lib.tensor([2.0, 3.0]), lib.tensor([0.5, 0.5])).entropy()
        with pytest.raises(RuntimeError, match="invalid Poisson rate"):
            lib.poisson(lib.tensor([-1.0]))


def test_scalar_parameters_and_matrices(torch):
    for lib in (edutorch, torch):
        D = lib.distributions
        assert D.Exponential(2.0).batch_shape == D.Gamma(1.0, 2.0).batch_shape == D.Beta(1.0, 2.0).batch_shape == ()
        assert repr(D.Laplace(0.0, 1.0)) == "Laplace(loc: 0.0, scale: 1.0)"
        assert repr(D.LogNormal(0.0, 1.0)) == "LogNormal()" and repr(D.Beta(1.0, 2.0)) == "Beta()"
        m = D.MultivariateNormal(lib.zeros(4, 2), precision_matrix=lib.tensor([[2.0, 0.5], [0.5, 1.0]]))
        assert tuple(m.batch_shape) == (4,) and tuple(m.event_shape) == (2,)
        assert tuple(m.covariance_matrix.shape) == (4, 2, 2) and tuple(m.scale_tril.shape) == (4, 2, 2)
    P = np.array([[2.0, 0.5], [0.5, 1.0]])
    m = edutorch.distributions.MultivariateNormal(edutorch.zeros(2), precision_matrix=edutorch.tensor(P))
    np.testing.assert_allclose(m.covariance_matrix.numpy(), np.linalg.inv(P), rtol=1e-5)
    np.testing.assert_allclose(m.precision_matrix.numpy(), P, rtol=1e-5)


def test_one_hot_categorical_straight_through_and_enumerate_support(torch):
    seen = []
    for lib in (edutorch, torch):
        logits = lib.tensor([[1.0, -0.5, 2.0], [0.3, 0.3, -1.0]], requires_grad=True)
        d = lib.distributions.OneHotCategoricalStraightThrough(logits=logits)
        lib.manual_seed(2)
        x = d.rsample((3,))
        (x * lib.arange(3.0)).sum().backward()
        b = lib.distributions.Binomial(4, lib.tensor([0.2, 0.7]))
        seen.append((x, logits.grad, d.enumerate_support(), b.enumerate_support(), b.enumerate_support(False)))
    for ours, theirs in zip(*seen):
        assert_same(ours, theirs)


def test_sample_statistics_of_the_rejection_samplers():
    """The rejection samplers draw from the right distributions (moments of 4000 draws)."""
    D = edutorch.distributions
    g = D.Gamma(edutorch.tensor([0.4, 3.0]), edutorch.tensor([1.0, 2.0])).sample((4000,)).numpy()
    np.testing.assert_allclose(g.mean(0), [0.4, 1.5], rtol=0.08)
    p = D.Poisson(edutorch.tensor([2.0, 30.0])).sample((4000,)).numpy()
    np.testing.assert_allclose(p.mean(0), [2.0, 30.0], rtol=0.05)
    np.testing.assert_allclose(p.var(0), [2.0, 30.0], rtol=0.12)
    b = D.Binomial(50, edutorch.tensor([0.1, 0.6])).sample((4000,)).numpy()
    np.testing.assert_allclose(b.mean(0), [5.0, 30.0], rtol=0.05)


def _rsample_with_noise(make):
    """A deterministic function of the parameters: reseed before each rsample (fixed noise)."""
    def fn(*params):
        edutorch.manual_seed(5)
        return make(*params).rsample((3,))
    return fn


def test_gradcheck_rsample():
    D = edutorch.distributions
    loc = edutorch.tensor([0.3, -0.4], dtype=edutorch.float64, requires_grad=True)
    scale = edutorch.tensor([0.8, 1.7], dtype=edutorch.float64, requires_grad=True)
    for cls in (D.Laplace, D.LogNormal, D.Gumbel):
        assert gradcheck(_rsample_with_noise(cls), (loc, scale))
    assert gradcheck(_rsample_with_noise(D.Exponential), (scale,))
    tril = edutorch.tensor([[1.0, 0.0], [0.4, 0.7]], dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(_rsample_with_noise(lambda m, t: D.MultivariateNormal(m, scale_tril=t.tril())), (loc, tril))
    cov = edutorch.tensor([[1.0, 0.3], [0.3, 0.8]], dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(_rsample_with_noise(lambda m, c: D.MultivariateNormal(m, (c + c.mT) / 2)), (loc, cov))
    assert gradcheck(_rsample_with_noise(lambda r: D.Gamma(edutorch.tensor([1.5, 3.0], dtype=edutorch.float64), r)),
                     (scale,))


def test_gamma_implicit_gradient_is_the_quantile_derivative():
    """Finite differences of the sampler in α follow its rejection path, not the quantile, so check
    dx/dα = -(∂P(α, x)/∂α) / p(x; α) directly, with ∂P/∂α by central differences of the Gamma CDF."""
    from edutorch.distributions._samplers import standard_gamma_grad_array
    from edutorch.distributions.gamma import _gammainc_array
    alpha = np.array([0.3, 0.9, 1.5, 3.0, 6.0, 12.0, 12.0, 30.0])
    x = np.array([0.05, 1.2, 0.5, 4.0, 5.0, 12.5, 6.0, 35.0])
    h = 1e-6
    dP = (_gammainc_array(alpha + h, x) - _gammainc_array(alpha - h, x)) / (2 * h)
    pdf = np.exp((alpha - 1) * np.log(x) - x - np.array([math.lgamma(a) for a in alpha]))
    np.testing.assert_allclose(standard_gamma_grad_array(alpha, x), -dP / pdf, rtol=2e-3)


LOG_PROB_GRADCHECK = ["Exponential", "Laplace", "LogNormal", "Gumbel", "Gamma", "Beta", "Dirichlet", "Poisson",
                      "Binomial-probs", "Binomial-logits", "MVN-cov", "MVN-prec", "MVN-tril", "OneHotCategorical"]


@pytest.mark.parametrize("name", LOG_PROB_GRADCHECK)
def test_gradcheck_log_prob_and_entropy(name):
    _, params = _make(edutorch, name, "float64")
    value = _value(edutorch, name, "float64")
    cls, kwargs, _, _ = SPECS[name]
    others = {k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)}
    names = list(params)

    def fn(*tensors):
        args = dict(zip(names, tensors))
        if "covariance_matrix" in args:  # keep the perturbed matrix symmetric
            args["covariance_matrix"] = (args["covariance_matrix"] + args["covariance_matrix"].mT) / 2
        if "precision_matrix" in args:
            args["precision_matrix"] = (args["precision_matrix"] + args["precision_matrix"].mT) / 2
        if "scale_tril" in args:
            args["scale_tril"] = args["scale_tril"].tril()
        d = getattr(edutorch.distributions, cls)(**args, **others, validate_args=False)
        return d.log_prob(value).sum() + (d.entropy().sum() if cls != "Poisson" else 0)
    assert gradcheck(fn, tuple(params.values()))


def test_gradcheck_cdf_and_kl():
    D = edutorch.distributions
    rate = edutorch.tensor([0.7, 2.0], dtype=edutorch.float64, requires_grad=True)
    x = edutorch.tensor([0.4, 1.3], dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda r, v: D.Gamma(edutorch.tensor([0.5, 3.0], dtype=edutorch.float64), r).cdf(v), (rate, x))
    assert gradcheck(lambda r, v: D.Laplace(0.2, r).cdf(v), (rate, x))
    assert gradcheck(lambda r, v: D.Gumbel(r, 1.5).icdf(v / 2), (rate, x))
    assert gradcheck(lambda a, b: D.kl_divergence(D.Gamma(a, b), D.Gumbel(b, a)), (rate, x))
    assert gradcheck(lambda a, b: D.kl_divergence(D.Beta(a, b), D.Beta(b, a + 1)), (rate, x))


def _family(lib, name):
    t = lambda v: lib.tensor(np.array(v, "float64"))  # noqa: E731
    D = lib.distributions
    return {"Normal": lambda: D.Normal(t([0.3, -0.2]), t([1.2, 0.7])),
            "Uniform": lambda: D.Uniform(t([0.1, 0.2]), t([0.6, 0.9])),
            "UniformWide": lambda: D.Uniform(t([-0.1, 0.2]), t([0.6, 1.9])),
            "Exponential": lambda: D.Exponential(t([0.5, 2.0])),
            "Laplace": lambda: D.Laplace(t([0.3, -0.2]), t([1.2, 0.7])),
            "Gumbel": lambda: D.Gumbel(t([0.3, -0.2]), t([1.2, 0.7])),
            "Gamma": lambda: D.Gamma(t([0.5, 3.0]), t([1.0, 2.0])),
            "Beta": lambda: D.Beta(t([0.5, 3.0]), t([1.5, 2.0])),
            "Poisson": lambda: D.Poisson(t([0.5, 3.0])),
            "Bernoulli": lambda: D.Bernoulli(t([0.2, 0.7])),
            "Binomial": lambda: D.Binomial(5, t([0.2, 0.7]))}[name]()


def test_every_pair_of_families_has_torchs_kl_or_none(torch):
    """All 121 ordered pairs of 11 families: the same KL values (∞ included), or NotImplementedError on both."""
    names = ["Normal", "Uniform", "UniformWide", "Exponential", "Laplace", "Gumbel", "Gamma", "Beta", "Poisson",
             "Bernoulli", "Binomial"]
    for a in names:
        for b in names:
            results = []
            for lib in (edutorch, torch):
                try:
                    results.append(lib.distributions.kl_divergence(_family(lib, a), _family(lib, b)))
                except NotImplementedError:
                    results.append(None)
            assert (results[0] is None) == (results[1] is None), (a, b)
            if results[0] is not None:
                assert_same(results[0], results[1], rtol=1e-10, atol=1e-12)
