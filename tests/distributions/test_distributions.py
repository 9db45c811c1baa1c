"""Normal, Uniform, Bernoulli, Categorical, Independent against torch.distributions: values, gradients,
shapes, validation errors; samples by shape, dtype and statistics (the RNGs differ); finite differences."""
from __future__ import annotations

import math

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

LOC = np.array([[0.0, 1.0, -2.0], [0.5, -0.5, 3.0]], np.float32)
SCALE = np.array([1.0, 0.5, 2.0], np.float32)  # broadcasts over LOC's rows
LOW, HIGH = np.array([-1.0, 0.0, 2.0], np.float32), np.array([1.0, 0.5, 5.0], np.float32)
PROBS = np.array([[0.1, 0.6, 0.3, 0.5], [0.9, 0.2, 0.5, 0.05]], np.float32)
LOGITS = np.array([[1.0, -0.5, 2.0, 0.0], [0.3, 0.3, -1.0, 4.0]], np.float32)

# name -> (constructor kwargs as arrays, a valid value for log_prob)
SPECS = {
    "Normal": ({"loc": LOC, "scale": SCALE}, np.array([[0.3, 1.2, -5.0], [0.0, 0.0, 2.5]], np.float32)),
    "Uniform": ({"low": LOW, "high": HIGH}, np.array([0.0, 0.25, 4.9], np.float32)),
    "Bernoulli-probs": ({"probs": PROBS}, np.array([[1, 0, 1, 0], [1, 1, 0, 0]], np.float32)),
    "Bernoulli-logits": ({"logits": LOGITS}, np.array([[1, 0, 1, 0], [1, 1, 0, 0]], np.float32)),
    "Categorical-probs": ({"probs": PROBS}, np.array([1, 3])),
    "Categorical-logits": ({"logits": LOGITS}, np.array([[2, 0], [3, 1], [0, 0]])),  # a sample dim in front
}


def _make(lib, name, dtype="float32", requires_grad=True):
    """The distribution ``name`` in ``lib`` with leaf parameters; returns (distribution, parameters)."""
    kwargs, _ = SPECS[name]
    params = {k: lib.tensor(v.astype(dtype), requires_grad=requires_grad) for k, v in kwargs.items()}
    return getattr(lib.distributions, name.split("-")[0])(**params), params


def _value(lib, name, dtype="float32"):
    v = SPECS[name][1]
    return lib.tensor(v if v.dtype.kind == "i" else v.astype(dtype))


@pytest.mark.parametrize("name", list(SPECS))
def test_values_and_gradients_match_torch(torch, name):
    """log_prob, entropy and the moments, with the gradients of log_prob + entropy w.r.t. the parameters."""
    results = []
    for lib in (edutorch, torch):
        d, params = _make(lib, name)
        log_prob = d.log_prob(_value(lib, name))
        entropy = d.entropy()
        (log_prob.sum() + entropy.sum()).backward()
        results.append([log_prob, entropy, d.mean, d.variance, d.stddev, d.mode]
                       + [p.grad for p in params.values()])
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(SPECS))
def test_shapes_repr_and_constraints_match_torch(torch, name):
    seen = []
    for lib in (edutorch, torch):
        d, _ = _make(lib, name, requires_grad=False)
        support = d.support
        seen.append((tuple(d.batch_shape), tuple(d.event_shape), repr(d), d.has_rsample, d.has_enumerate_support,
                     {k: type(c).__name__ for k, c in d.arg_constraints.items()}, type(support).__name__,
                     support.is_discrete, support.event_dim, tuple(d.sample().shape), str(d.sample().dtype)))
    assert seen[0] == seen[1]


def test_scalar_parameters_make_an_empty_batch_shape(torch):
    for lib in (edutorch, torch):
        D = lib.distributions
        assert D.Normal(0.0, 1.0).batch_shape == D.Uniform(0, 1).batch_shape == D.Bernoulli(0.3).batch_shape == ()
        assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
        assert D.Normal(0.0, lib.ones(4)).batch_shape == (4,)
        assert D.Categorical(lib.ones(5)).batch_shape == () and D.Categorical(lib.ones(5)).event_shape == ()


@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("name", list(SPECS))
def test_sample_shapes_and_dtypes(torch, name, sample_shape):
    shapes = []
    for lib in (edutorch, torch):
        d, _ = _make(lib, name)
        s = d.sample(sample_shape)
        assert not s.requires_grad
        shapes.append((tuple(s.shape), str(s.dtype).replace("torch.", "")))
        if d.has_rsample:
            r = d.rsample(sample_shape)
            assert r.requires_grad and r.grad_fn is not None
            shapes.append((tuple(r.shape), str(r.dtype).replace("torch.", "")))
    assert shapes[: len(shapes) // 2] == shapes[len(shapes) // 2:]


def test_sample_statistics():
    """20000 draws (seeded): mean, spread and frequencies within a few standard errors."""
    edutorch.manual_seed(0)
    D, n = edutorch.distributions, 20000
    x = D.Normal(edutorch.tensor([1.0, -2.0]), edutorch.tensor([0.5, 3.0])).sample((n,)).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -2.0], atol=0.07)
    np.testing.assert_allclose(x.std(0), [0.5, 3.0], rtol=0.03)
    x = D.Normal(edutorch.tensor([1.0, -2.0]), edutorch.tensor([0.5, 3.0])).rsample((n,)).detach().numpy()
    np.testing.assert_allclose(x.std(0), [0.5, 3.0], rtol=0.03)
    u = D.Uniform(edutorch.tensor(2.0), edutorch.tensor(5.0)).sample((n,)).numpy()
    assert u.min() >= 2.0 and u.max() < 5.0 and abs(u.mean() - 3.5) < 0.03 and abs(u.var() - 0.75) < 0.03
    b = D.Bernoulli(probs=edutorch.tensor([0.1, 0.7])).sample((n,)).numpy()
    assert set(np.unique(b)) == {0.0, 1.0}
    np.testing.assert_allclose(b.mean(0), [0.1, 0.7], atol=0.015)
    c = D.Categorical(logits=edutorch.tensor([0.0, math.log(2.0), math.log(5.0)])).sample((n,)).numpy()
    assert c.dtype == np.int64
    np.testing.assert_allclose(np.bincount(c, minlength=3) / n, [0.125, 0.25, 0.625], atol=0.015)


def test_rsample_is_the_reparameterisation_trick():
    """x = μ + σ ε: dx/dμ = 1 and dx/dσ = ε = (x - μ)/σ, drawn again with the same seed."""
    loc, scale = edutorch.tensor([1.0, -2.0], requires_grad=True), edutorch.tensor([0.5, 3.0], requires_grad=True)
    edutorch.manual_seed(3)
    x = edutorch.distributions.Normal(loc, scale).rsample((4,))
    x.sum().backward()
    eps = (x.detach().numpy() - [1.0, -2.0]) / [0.5, 3.0]
    np.testing.assert_allclose(loc.grad.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-5)
    assert abs(eps).max() > 0.1  # the noise is real


def _rsample_fixed_noise(cls, seed=1, shape=(3,)):
    def f(*params):
        edutorch.manual_seed(seed)  # the same ε on every call, so the map params -> sample is deterministic
        return cls(*params).rsample(shape)
    return f


def test_gradcheck_rsample():
    loc = edutorch.tensor(LOC[0].astype(np.float64), requires_grad=True)
    scale = edutorch.tensor(SCALE.astype(np.float64), requires_grad=True)
    assert gradcheck(_rsample_fixed_noise(edutorch.distributions.Normal), (loc, scale))
    low = edutorch.tensor(LOW.astype(np.float64), requires_grad=True)
    high = edutorch.tensor(HIGH.astype(np.float64), requires_grad=True)
    assert gradcheck(_rsample_fixed_noise(edutorch.distributions.Uniform), (low, high))


@pytest.mark.parametrize("name", list(SPECS))
def test_gradcheck_log_prob_and_entropy(name):
    """d log_prob / d parameters and d entropy / d parameters by central differences in float64."""
    d, params = _make(edutorch, name, dtype="float64")
    cls = type(d)
    value = _value(edutorch, name, dtype="float64")
    keys = list(params)

    def fn(*ps):
        made = cls(**dict(zip(keys, ps)))
        return made.log_prob(value).sum() + made.entropy().sum()
    assert gradcheck(fn, tuple(params.values()))


def test_gradcheck_normal_cdf_icdf_and_kl():
    loc = edutorch.tensor([0.3, -1.0], dtype=edutorch.float64, requires_grad=True)
    scale = edutorch.tensor([0.7, 2.0], dtype=edutorch.float64, requires_grad=True)
    x = edutorch.tensor([0.5, 1.0], dtype=edutorch.float64, requires_grad=True)
    p = edutorch.tensor([0.2, 0.9], dtype=edutorch.float64, requires_grad=True)
    N = edutorch.distributions.Normal
    assert gradcheck(lambda m, s, v: N(m, s).cdf(v), (loc, scale, x))
    assert gradcheck(lambda m, s, q: N(m, s).icdf(q), (loc, scale, p))
    assert gradcheck(lambda m, s: edutorch.distributions.kl_divergence(N(m, s), N(0.5, 1.5)), (loc, scale))


def test_normal_cdf_icdf_match_torch(torch):
    results = []
    for lib in (edutorch, torch):
        loc, scale = lib.tensor([0.3, -1.0, 2.0], requires_grad=True), lib.tensor([0.7, 2.0, 0.1], requires_grad=True)
        d = lib.distributions.Normal(loc, scale)
        cdf = d.cdf(lib.tensor([0.5, 1.0, 2.05]))
        icdf = d.icdf(lib.tensor([0.2, 0.9, 0.5]))
        (cdf.sum() + icdf.sum()).backward()
        results.append((cdf, icdf, loc.grad, scale.grad))
        u = lib.distributions.Uniform(lib.tensor([0.0, 1.0]), lib.tensor([2.0, 3.0]))
        results[-1] += (u.cdf(lib.tensor([0.5, 1.5])), u.icdf(lib.tensor([0.25, 1.0])))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][1].detach().numpy()[2], 2.0)  # the median is the mean


def _bad_parameters(lib, case):
    D, t = lib.distributions, lib.tensor
    if case == "normal-negative-scale":
        return D.Normal(t([0.0, 1.0]), t([1.0, -1.0]))
    if case == "bernoulli-probs":
        return D.Bernoulli(probs=t([0.5, 1.5]))
    if case == "categorical-negative":
        return D.Categorical(probs=t([0.5, -0.1, 0.6]))
    if case == "uniform-low-high":
        return D.Uniform(t([0.0, 2.0]), t([1.0, 1.0]))
    return D.Normal(float("nan"), 1.0)


@pytest.mark.parametrize("case", ["normal-negative-scale", "bernoulli-probs", "categorical-negative",
                                  "uniform-low-high", "normal-nan-loc"])
def test_invalid_parameters_raise_torchs_value_error(torch, case):
    messages = []
    for lib in (edutorch, torch):
        with pytest.raises(ValueError, match="Expected parameter") as info:
            _bad_parameters(lib, case)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("case", ["bernoulli-half", "uniform-outside", "categorical-class", "normal-shape",
                                  "categorical-not-tensor"])
def test_invalid_values_raise_torchs_value_error(torch, case):
    messages = []
    for lib in (edutorch, torch):
        D = lib.distributions
        d, value = {"bernoulli-half": (D.Bernoulli(probs=lib.tensor([0.3, 0.4])), lib.tensor([1.0, 0.5])),
                    "uniform-outside": (D.Uniform(0.0, 1.0), lib.tensor([0.5, 1.5])),
                    "categorical-class": (D.Categorical(logits=lib.zeros(3)), lib.tensor([0, 3])),
                    "normal-shape": (D.Normal(lib.zeros(3), 1.0), lib.zeros(2)),
                    "categorical-not-tensor": (D.Categorical(logits=lib.zeros(3)), 1)}[case]
        with pytest.raises(ValueError) as info:
            d.log_prob(value)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_validation_can_be_switched_off(torch):
    for lib in (edutorch, torch):
        D = lib.distributions
        assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
        D.Distribution.set_default_validate_args(False)
        try:
            D.Bernoulli(probs=lib.tensor([1.5]))  # no error now
            assert D.Uniform(0.0, 1.0).log_prob(lib.tensor(2.0)).item() == -math.inf
        finally:
            D.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D.Bernoulli(probs=lib.tensor([1.5]))
        with pytest.raises(ValueError):
            D.Distribution.set_default_validate_args(1.5)


def test_argument_errors_match_torch(torch):
    for lib in (edutorch, torch):
        D = lib.distributions
        for cls in (D.Bernoulli, D.Categorical):
            with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
                cls()
            with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
                cls(probs=lib.ones(2) / 2, logits=lib.zeros(2))
        with pytest.raises(ValueError, match="`probs` parameter must be at least one-dimensional."):
            D.Categorical(probs=lib.tensor(1.0))
        with pytest.raises(ValueError, match="Expected reinterpreted_batch_ndims <= len"):
            D.Independent(D.Normal(lib.zeros(3), 1.0), 2)
        with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Categorical "
                                                      "and q type Normal"):
            D.kl_divergence(D.Categorical(lib.ones(2)), D.Normal(0.0, 1.0))


def test_categorical_normalises_its_parameters(torch):
    for lib in (edutorch, torch):
        c = lib.distributions.Categorical(probs=lib.tensor([2.0, 6.0]))
        np.testing.assert_allclose(c.probs.numpy(), [0.25, 0.75])
        c = lib.distributions.Categorical(logits=lib.tensor([1.0, 1.0]))
        np.testing.assert_allclose(c.logits.numpy(), [math.log(0.5)] * 2, rtol=1e-6)
        np.testing.assert_allclose(c.probs.numpy(), [0.5, 0.5])


def test_losses_are_negative_log_likelihoods(torch):
    """The identities lesson 09 shows: cross-entropy, BCE-with-logits and (scaled) MSE are -log_prob."""
    z = edutorch.tensor(LOGITS)
    y = edutorch.tensor([2, 3])
    F, D = edutorch.nn.functional, edutorch.distributions
    np.testing.assert_allclose(-D.Categorical(logits=z).log_prob(y).mean().item(), F.cross_entropy(z, y).item(),
                               rtol=1e-6)
    t = edutorch.tensor(SPECS["Bernoulli-logits"][1])
    np.testing.assert_allclose(-D.Bernoulli(logits=z).log_prob(t).mean().item(),
                               F.binary_cross_entropy_with_logits(z, t).item(), rtol=1e-6)
    mu, x = edutorch.tensor(LOC), edutorch.tensor(SPECS["Normal"][1])
    nll = -D.Normal(mu, 1.0).log_prob(x).mean()
    np.testing.assert_allclose(nll.item(), 0.5 * F.mse_loss(mu, x).item() + 0.5 * math.log(2 * math.pi), rtol=1e-6)


def test_independent_matches_torch(torch):
    results = []
    for lib in (edutorch, torch):
        loc = lib.tensor(LOC, requires_grad=True)
        d = lib.distributions.Independent(lib.distributions.Normal(loc, lib.tensor(SCALE)), 1)
        lp = d.log_prob(lib.tensor(SPECS["Normal"][1]))
        lp.sum().backward()
        q = lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2, 3), 1.0), 1)
        results.append((lp, d.entropy(), loc.grad, lib.distributions.kl_divergence(d, q)))
        assert (tuple(d.batch_shape), tuple(d.event_shape), tuple(d.sample((4,)).shape)) == ((2,), (3,), (4, 2, 3))
        assert repr(d.support) == "IndependentConstraint(Real(), 1)"
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pair", ["normal", "uniform", "uniform-inf", "uniform-normal", "bernoulli", "bernoulli-edge",
                                  "categorical", "categorical-zero"])
def test_kl_divergence_matches_torch(torch, pair):
    results = []
    for lib in (edutorch, torch):
        D, t = lib.distributions, lib.tensor
        a, b = t([0.2, 0.5, 0.9], requires_grad=True), t([0.3, 0.1, 0.9], requires_grad=True)
        p, q = {"normal": (D.Normal(a, b + 1), D.Normal(b, a + 0.5)),
                "uniform": (D.Uniform(a, a + 1), D.Uniform(a - 1, b + 3)),
                "uniform-inf": (D.Uniform(a, a + 1), D.Uniform(b, b + 1)),
                "uniform-normal": (D.Uniform(a, a + 1), D.Normal(b, a + 1)),
                "bernoulli": (D.Bernoulli(a), D.Bernoulli(b)),
                "bernoulli-edge": (D.Bernoulli(t([0.0, 1.0, 0.5])), D.Bernoulli(t([0.5, 0.5, 1.0]))),
                "categorical": (D.Categorical(logits=lib.stack([a, b])), D.Categorical(logits=lib.stack([b, a]))),
                "categorical-zero": (D.Categorical(probs=t([0.5, 0.5, 0.0])), D.Categorical(probs=t([0.0, 0.5, 0.5])))
                }[pair]
        kl = D.kl_divergence(p, q)
        grads = ()
        if kl.requires_grad and bool(lib.isfinite(kl).all()):
            kl.sum().backward()
            grads = (a.grad, b.grad)
        results.append((kl,) + grads)
    assert len(results[0]) == len(results[1])
    for ours, theirs in zip(*results):
        if ours is not None or theirs is not None:
            assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
    assert (results[0][0].detach().numpy() >= 0).all()


def test_register_kl_dispatches_to_the_most_specific_pair():
    D = edutorch.distributions

    class MyNormal(D.Normal):
        pass

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)).item() == pytest.approx(0.5)  # inherited rule

    @D.register_kl(MyNormal, D.Normal)
    def _kl_mine(p, q):
        return edutorch.tensor(-1.0)

    try:
        assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)).item() == -1.0
        assert D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 1.0)).item() == pytest.approx(0.5)
    finally:
        del D.kl._KL_REGISTRY[MyNormal, D.Normal]
        D.kl._KL_MEMOIZE.clear()
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Bernoulli-logits", "Categorical-probs"])
def test_expand_and_enumerate_support_match_torch(torch, name):
    results = []
    for lib in (edutorch, torch):
        d, _ = _make(lib, name, requires_grad=False)
        batch = (4,) + tuple(d.batch_shape)
        e = d.expand(batch)
        value = _value(lib, name)
        results.append([e.log_prob(value), e.mean if "Categorical" not in name else e.probs])
        assert tuple(e.batch_shape) == batch and tuple(e.sample().shape) == batch + tuple(d.event_shape)
        if d.has_enumerate_support:
            results[-1] += [d.enumerate_support(), d.enumerate_support(expand=False)]
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


def test_bernoulli_mode_and_perplexity(torch):
    results = []
    for lib in (edutorch, torch):
        b = lib.distributions.Bernoulli(probs=lib.tensor([0.2, 0.5, 0.8]))
        c = lib.distributions.Categorical(probs=lib.ones(4))
        results.append((b.mode, b.perplexity(), c.perplexity(), c.mean))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][2].numpy(), 4.0, rtol=1e-6)  # 4 equally likely classes


def test_sample_n_is_deprecated(torch):
    for lib in (edutorch, torch):
        with pytest.warns(FutureWarning, match=r"`sample_n\(n\)` will be deprecated. Use `sample\(\(n,\)\)` instead."):
            assert tuple(lib.distributions.Normal(lib.zeros(2), 1.0).sample_n(4).shape) == (4, 2)


def test_exponential_family_entropy_and_bregman_kl_match_torch(torch):
    """Normal and Bernoulli as exponential families: the entropy and KL that follow from the log normaliser
    (with ∇F by autograd) equal torch's, and equal the closed forms."""
    results = []
    for lib in (edutorch, torch):
        D = lib.distributions
        loc, probs = lib.tensor([0.3, -1.0], requires_grad=True), lib.tensor([0.2, 0.9], requires_grad=True)
        n, b = D.Normal(loc, lib.tensor([0.7, 2.0])), D.Bernoulli(probs)
        assert isinstance(n, D.ExponentialFamily) and isinstance(b, D.ExponentialFamily)
        assert not isinstance(D.Uniform(0.0, 1.0), D.ExponentialFamily)
        q_n, q_b = D.Normal(lib.tensor([0.0, 0.5]), lib.tensor([1.0, 1.0])), D.Bernoulli(lib.tensor([0.5, 0.4]))
        kl_n, kl_b = D.kl._kl_expfamily_expfamily(n, q_n), D.kl._kl_expfamily_expfamily(b, q_b)
        results.append((D.ExponentialFamily.entropy(n), D.ExponentialFamily.entropy(b), kl_n, kl_b))
        for bregman, closed in ((results[-1][0], n.entropy()), (results[-1][1], b.entropy()),
                                (kl_n, D.kl_divergence(n, q_n)), (kl_b, D.kl_divergence(b, q_b))):
            np.testing.assert_allclose(bregman.detach().numpy(), closed.detach().numpy(), rtol=1e-5, atol=1e-6)
        with pytest.raises(NotImplementedError, match="The cross KL-divergence between different exponential "
                                                      "families cannot"):
            D.kl_divergence(n, b)
    for ours, theirs in zip(*results):
        assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
