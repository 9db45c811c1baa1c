"""nn.utils.clip_grad_norm_ / clip_grad_value_ / parameters_to_vector / vector_to_parameters against PyTorch."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from tests.conftest import assert_same

G_W = np.array([[0.5, -3.0, 2.0], [1.0, 0.25, -0.75]], dtype=np.float32)
G_B = np.array([4.0, -0.5, 0.0], dtype=np.float32)


def _params_with_grads(lib, grads=(G_W, G_B), dtype="float32"):
    """Parameters whose .grad holds the given arrays, plus one parameter without a gradient."""
    params = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(*g.shape, dtype=getattr(lib, dtype)))
        p.grad = lib.tensor(g.astype(dtype))
        params.append(p)
    params.append(lib.nn.Parameter(lib.ones(2, dtype=getattr(lib, dtype))))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, -math.inf, 0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1000.0])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    norm_type = float(norm_type)
    results = []
    for lib in (edutorch, torch):
        params = _params_with_grads(lib)
        total = lib.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        results.append((total, [p.grad for p in params[:2]], params[2].grad))
    (ours_total, ours_grads, ours_none), (theirs_total, theirs_grads, theirs_none) = results
    assert_same(ours_total, theirs_total)
    assert ours_total.shape == () and ours_none is None and theirs_none is None
    for a, b in zip(ours_grads, theirs_grads):
        assert_same(a, b)


def test_clip_grad_norm_actually_clips_to_max_norm():
    params = _params_with_grads(edutorch)
    total = edutorch.nn.utils.clip_grad_norm_(params, 1.0)
    expected = np.sqrt((G_W ** 2).sum() + (G_B ** 2).sum())
    np.testing.assert_allclose(total.item(), expected, rtol=1e-6)
    clipped = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in params[:2]))
    np.testing.assert_allclose(clipped, 1.0, rtol=1e-5)
    # direction kept: every gradient was scaled by the same factor
    np.testing.assert_allclose(params[0].grad.numpy() * expected, G_W, rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_float64_and_single_tensor(torch):
    results = []
    for lib in (edutorch, torch):
        p = _params_with_grads(lib, dtype="float64")[0]
        total = lib.nn.utils.clip_grad_norm_(p, 0.1)
        results.append((total, p.grad))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


def test_clip_grad_norm_nonfinite(torch):
    for lib in (edutorch, torch):
        grads = (np.array([1.0, np.inf], dtype=np.float32), G_B)
        with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                               "non-finite, so it cannot be clipped"):
            lib.nn.utils.clip_grad_norm_(_params_with_grads(lib, grads), 1.0, error_if_nonfinite=True)
        total = lib.nn.utils.clip_grad_norm_(_params_with_grads(lib, grads), 1.0)  # allowed by default
        assert math.isinf(float(total))


def test_clip_grad_norm_without_any_grad(torch):
    for lib in (edutorch, torch):
        total = lib.nn.utils.clip_grad_norm_([lib.nn.Parameter(lib.ones(3))], 1.0)
        assert float(total) == 0.0 and total.dtype == lib.float32 and total.shape == ()
        with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
            lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_is_not_recorded_by_autograd():
    p = edutorch.nn.Parameter(edutorch.tensor([3.0, 4.0]))
    (p * p).sum().backward()
    total = edutorch.nn.utils.clip_grad_norm_([p], 1.0)
    assert total.grad_fn is None and not total.requires_grad and p.grad.grad_fn is None


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=4),
       st.floats(0.01, 10.0), st.sampled_from([1.0, 2.0, 3.0, math.inf]), st.integers(0, 2 ** 31 - 1))
def test_clip_grad_norm_hypothesis(shapes, max_norm, norm_type, seed):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    grads = tuple(rng.normal(size=s).astype(np.float32) for s in shapes)
    results = []
    for lib in (edutorch, torch):
        params = _params_with_grads(lib, grads)
        total = lib.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        results.append((total, [p.grad for p in params[:-1]]))
    assert_same(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        assert_same(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("clip_value", [0.6, 2, 10.0])
def test_clip_grad_value_matches_torch(torch, clip_value):
    results = []
    for lib in (edutorch, torch):
        params = _params_with_grads(lib)
        assert lib.nn.utils.clip_grad_value_(params, clip_value) is None
        results.append([p.grad for p in params[:2]])
        assert params[2].grad is None
    for a, b in zip(*results):
        assert_same(a, b)
    assert np.abs(results[0][0].numpy()).max() <= clip_value


def test_clip_grad_value_single_tensor(torch):
    results = []
    for lib in (edutorch, torch):
        p = _params_with_grads(lib)[0]
        lib.nn.utils.clip_grad_value_(p, 1.0)
        results.append(p.grad)
    assert_same(*results)


def test_parameters_to_vector_matches_torch_and_is_differentiable(torch):
    results = []
    for lib in (edutorch, torch):
        w = lib.nn.Parameter(lib.tensor(G_W))
        b = lib.nn.Parameter(lib.tensor(G_B))
        vec = lib.nn.utils.parameters_to_vector([w, b])
        (vec * lib.arange(9, dtype=lib.float32)).sum().backward()
        results.append((vec, w.grad, b.grad))
    for a, b in zip(*results):
        assert_same(a, b)


def test_vector_to_parameters_matches_torch_and_shares_memory(torch):
    results = []
    for lib in (edutorch, torch):
        w = lib.nn.Parameter(lib.zeros(2, 3))
        b = lib.nn.Parameter(lib.zeros(3))
        vec = lib.arange(9, dtype=lib.float32)
        lib.nn.utils.vector_to_parameters(vec, [w, b])
        vec[0] = 100.0  # the parameters now view the vector's storage
        results.append((w.detach().clone(), b.detach().clone()))
        assert w.requires_grad and isinstance(w, lib.nn.Parameter)
        assert float(w.detach()[0, 0]) == 100.0
    for a, b in zip(*results):
        assert_same(a, b)


def test_vector_to_parameters_type_error(torch):
    for lib in (edutorch, torch):
        with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
            lib.nn.utils.vector_to_parameters([1.0, 2.0], [lib.nn.Parameter(lib.zeros(2))])


def test_round_trip_vector_parameters():
    params = [edutorch.nn.Parameter(edutorch.randn(3, 2)), edutorch.nn.Parameter(edutorch.randn(4))]
    before = [p.detach().numpy().copy() for p in params]
    vec = edutorch.nn.utils.parameters_to_vector(params).detach() * 2
    edutorch.nn.utils.vector_to_parameters(vec, params)
    for p, v in zip(params, before):
        np.testing.assert_array_equal(p.detach().numpy(), 2 * v)
