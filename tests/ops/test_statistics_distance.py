"""Statistics and distances of issue 18 (ops/statistics.py, ops/distance.py): nansum, nanmean, std_mean,
var_mean, cov, corrcoef, dist, cdist. Parity with PyTorch (values, dtypes, shapes, gradients, errors)
and finite-difference gradients in float64."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_raises_like_torch, assert_same
from tests.ops.test_pointwise_math import check_parity


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


NAN = np.nan
WITH_NAN = np.array([[1.0, NAN, 2.0], [NAN, NAN, NAN], [0.5, -1.0, 3.0]])

# name -> (fn(module, *xs), arrays)
CASES = {
    "nansum_all": (lambda t, x: t.nansum(x), [WITH_NAN]),
    "nansum_dim": (lambda t, x: t.nansum(x, 1), [WITH_NAN]),
    "nansum_dims_keepdim": (lambda t, x: x.nansum((0, 1), keepdim=True), [WITH_NAN]),
    "nansum_dtype": (lambda t, x: t.nansum(x, 0, dtype=t.float64), [WITH_NAN]),
    "nanmean_all": (lambda t, x: t.nanmean(x), [WITH_NAN]),
    "nanmean_dim": (lambda t, x: x.nanmean(0), [WITH_NAN]),
    "nanmean_dim_keepdim": (lambda t, x: t.nanmean(x, -1, True), [WITH_NAN]),
    "std_mean_all": (lambda t, x: t.stack(t.std_mean(x)), [_rand(3, 4)]),
    "std_mean_dim": (lambda t, x: t.cat(t.std_mean(x, 1)), [_rand(3, 4)]),
    "std_mean_correction_keepdim": (lambda t, x: t.cat(t.std_mean(x, 0, correction=0, keepdim=True)), [_rand(3, 4)]),
    "std_mean_unbiased_overload": (lambda t, x: t.stack(t.std_mean(x, False)), [_rand(5)]),
    "var_mean_all": (lambda t, x: t.stack(t.var_mean(x)), [_rand(3, 4)]),
    "var_mean_dims": (lambda t, x: t.cat(t.var_mean(x, (0, 2))), [_rand(2, 3, 4)]),
    "var_mean_unbiased": (lambda t, x: t.cat(t.var_mean(x, 1, unbiased=False)), [_rand(3, 4)]),
    "cov": (lambda t, x: t.cov(x), [_rand(3, 6)]),
    "cov_1d": (lambda t, x: t.cov(x), [_rand(6)]),
    "cov_correction0": (lambda t, x: x.cov(correction=0), [_rand(2, 5)]),
    "cov_correction2": (lambda t, x: t.cov(x, correction=2), [_rand(2, 5)]),
    "corrcoef": (lambda t, x: t.corrcoef(x), [_rand(3, 8)]),
    "corrcoef_method": (lambda t, x: x.corrcoef(), [_rand(2, 5)]),
    "corrcoef_1d": (lambda t, x: t.corrcoef(x), [_rand(5)]),
    "dist": (lambda t, a, b: t.dist(a, b), [_rand(3, 4), _rand(3, 4, seed=1)]),
    "dist_p1_broadcast": (lambda t, a, b: t.dist(a, b, 1), [_rand(3, 4), _rand(4, seed=1)]),
    "dist_p3": (lambda t, a, b: a.dist(b, p=3), [_rand(5), _rand(5, seed=1)]),
    "dist_pinf": (lambda t, a, b: t.dist(a, b, float("inf")), [_rand(5), _rand(5, seed=1)]),
    "dist_p0": (lambda t, a, b: t.dist(a, b, 0), [_rand(5), _rand(5, seed=1)]),
    "dist_p_half": (lambda t, a, b: t.dist(a, b, 0.5), [_rand(5), _rand(5, seed=1)]),
    "cdist": (lambda t, a, b: t.cdist(a, b), [_rand(4, 3), _rand(5, 3, seed=1)]),
    "cdist_p1": (lambda t, a, b: t.cdist(a, b, p=1), [_rand(4, 3), _rand(5, 3, seed=1)]),
    "cdist_p3": (lambda t, a, b: t.cdist(a, b, 3.0), [_rand(4, 2), _rand(2, 2, seed=1)]),
    "cdist_pinf": (lambda t, a, b: t.cdist(a, b, float("inf")), [_rand(4, 3), _rand(5, 3, seed=1)]),
    "cdist_p0": (lambda t, a, b: t.cdist(a, b, 0), [_rand(4, 3), _rand(5, 3, seed=1)]),
    "cdist_batched": (lambda t, a, b: t.cdist(a, b), [_rand(2, 1, 4, 3), _rand(3, 5, 3, seed=1)]),
    "cdist_many_points_mm": (lambda t, a, b: t.cdist(a, b), [_rand(30, 3), _rand(7, 3, seed=1)]),
    "cdist_force_mm": (lambda t, a, b: t.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
                       [_rand(4, 3), _rand(5, 3, seed=1)]),
    "cdist_no_mm": (lambda t, a, b: t.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
                    [_rand(30, 3), _rand(27, 3, seed=1)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_parity(torch, name):
    fn, arrays = CASES[name]
    # the matmul trick loses float32 digits to cancellation, the same way in both engines
    tol = 1e-4 if "mm" in name or "many" in name else 1e-5
    _parity_without_names(torch, fn, arrays, tol, grads=not name.endswith("p0"))  # p = 0 counts: no gradient


def _parity_without_names(torch, fn, arrays, tol, grads=True):
    """check_parity, except for the grad_fn name (these ops are compositions; PyTorch fuses some)."""
    results = []
    for module in (edutorch, torch):
        xs = [module.tensor(np.asarray(a, dtype=np.float32), requires_grad=True) for a in arrays]
        results.append((fn(module, *xs), xs))
    (ours, our_xs), (theirs, their_xs) = results
    assert_same(ours, theirs, rtol=tol, atol=tol)
    if grads:
        up = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
        g_ours = edutorch.autograd.grad(ours, our_xs, edutorch.tensor(up), allow_unused=True)
        g_theirs = torch.autograd.grad(theirs, their_xs, torch.tensor(up), allow_unused=True)
        for a, b in zip(g_ours, g_theirs):
            if b is None:
                assert a is None or not a.numpy().any()
            else:
                assert_same(a, b, rtol=tol * 10, atol=tol * 10)
    return ours, theirs


@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.endswith("p0")))
def test_gradcheck(name):
    fn, arrays = CASES[name]
    if name.startswith("nanmean"):  # a slice of only nan has mean 0/0: no gradient to check there
        arrays = [WITH_NAN[[0, 2]]]
    xs = [edutorch.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))


def test_nansum_node_name(torch):
    check_parity(torch, lambda t, x: t.nansum(x, 0), [WITH_NAN])


def test_cdist_gradient_at_zero_distance_is_zero(torch):
    """A point against itself: distance 0, where the norm has a kink; both engines give gradient 0."""
    data = _rand(3, 2)
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        module.cdist(x, x.detach()).sum().backward()
        g = x.grad.numpy().copy()
        if module is edutorch:
            ours = g
    np.testing.assert_allclose(ours, g, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------------- cov's weights
COV_WEIGHTS = [
    dict(fweights=np.array([1, 2, 1, 3, 1])),
    dict(aweights=np.array([0.5, 1.0, 2.0, 0.1, 1.0])),
    dict(fweights=np.array([1, 2, 1, 3, 1]), aweights=np.array([0.5, 1.0, 2.0, 0.1, 1.0])),
    dict(fweights=np.array([1, 2, 1, 3, 1]), aweights=np.array([0.5, 1.0, 2.0, 0.1, 1.0]), correction=0),
    dict(aweights=np.array([0.5, 1.0, 2.0, 0.1, 1.0]), correction=3),
]


@pytest.mark.parametrize("i", range(len(COV_WEIGHTS)))
def test_cov_weights_match_torch(torch, i):
    data = _rand(3, 5)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        kwargs = {k: module.tensor(v) if isinstance(v, np.ndarray) else v for k, v in COV_WEIGHTS[i].items()}
        out = module.cov(x, **kwargs)
        (g,) = module.autograd.grad((out * out).sum(), x)
        results.append((out, g))
    assert_same(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
    assert_same(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_cov_corrcoef_of_integers(torch, dtype):
    data = np.array([[1, 2, 4, 0], [3, 1, 0, 2]]).astype(dtype)
    for name in ("cov", "corrcoef"):
        assert_same(getattr(edutorch, name)(edutorch.tensor(data)), getattr(torch, name)(torch.tensor(data)))


def test_cov_with_too_few_observations_warns_like_torch(torch):
    for module in (edutorch, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            out = module.cov(module.tensor([[1.0], [2.0]]))
        assert np.isnan(out.numpy()).all() or np.isinf(out.numpy()).any()


# ------------------------------------------------------------------------------------------ errors
ERRORS = [
    lambda t: t.nanmean(t.tensor([1, 2])),
    lambda t: t.cdist(t.ones(3, 2), t.ones(4, 3)),
    lambda t: t.cdist(t.ones(3), t.ones(4, 3)),
    lambda t: t.cdist(t.ones(3, 2), t.ones(4, 2), p=-1),
    lambda t: t.cdist(t.ones(3, 2, dtype=t.long), t.ones(4, 2, dtype=t.long)),
    lambda t: t.cdist(t.ones(3, 2), t.ones(4, 2, dtype=t.float64)),
    lambda t: t.cdist(t.ones(3, 2), t.ones(4, 2), compute_mode="x"),
    lambda t: t.dist(t.tensor([1, 2]), t.tensor([1, 5])),
    lambda t: t.dist(t.ones(2), t.ones(3)),
    lambda t: t.cov(t.ones(2, 2, 2)),
    lambda t: t.cov(t.ones(2, 3), fweights=t.tensor([1.0, 2.0, 1.0])),
    lambda t: t.cov(t.ones(2, 3), fweights=t.tensor([1, 2])),
    lambda t: t.cov(t.ones(2, 3), aweights=t.tensor([1, 2, 3])),
    lambda t: t.cov(t.ones(2, 3), aweights=t.tensor([1.0, -2.0, 3.0])),
    lambda t: t.cov(t.ones(2, 3), fweights=t.tensor([[1, 2, 3]])),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(torch, i):
    assert_raises_like_torch(ERRORS[i], torch)


@pytest.mark.parametrize("fn, exc, message", [
    (lambda t: t.cdist(t.ones(3, 2), t.ones(4, 3)), RuntimeError,
     "X1 and X2 must have the same number of columns. X1: 2 X2: 3"),
    (lambda t: t.cdist(t.ones(3), t.ones(4, 3)), RuntimeError, "cdist only supports at least 2D tensors, X1 got: 1D"),
    (lambda t: t.nanmean(t.tensor([1, 2])), RuntimeError,
     "nanmean\\(\\): expected input to have floating point or complex dtype but got Long"),
])
def test_error_messages_match_torch(torch, fn, exc, message):
    for module in (edutorch, torch):
        with pytest.raises(exc, match=message):
            fn(module)
