"""softmax and log_softmax: finite-difference gradients (first and second order), stability at extreme
inputs, and parity with PyTorch (values, dtypes, grad_fn names, gradients, errors)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from edutorch.ops.activation import implicit_softmax_dim
from tests.conftest import assert_same

OPS = {
    "softmax": lambda t, x, dim: t.softmax(x, dim),
    "log_softmax": lambda t, x, dim: t.log_softmax(x, dim),
    "softmax_method": lambda t, x, dim: x.softmax(dim),
    "log_softmax_method": lambda t, x, dim: x.log_softmax(dim),
}
NODE = {"softmax": "SoftmaxBackward0", "log_softmax": "LogSoftmaxBackward0"}


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradcheck(name, dim):
    x = edutorch.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda a: OPS[name](edutorch, a, dim), (x,))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, -1])
def test_double_backward(name, dim):
    x = edutorch.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    assert gradgradcheck(lambda a: OPS[name](edutorch, a, dim), (x,))


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("shape, dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -2),
                                        ((2, 1, 3), 1)])
def test_parity_with_torch(name, shape, dim, torch):
    rng = np.random.default_rng(2)
    data = (rng.standard_normal(shape) * 3).astype(np.float32)
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours, theirs = OPS[name](edutorch, ours_x, dim), OPS[name](torch, theirs_x, dim)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == NODE[name.replace("_method", "")]
    upstream = rng.standard_normal(shape).astype(np.float32)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad)


def test_softmax_rows_are_probabilities():
    out = edutorch.softmax(edutorch.randn(4, 7) * 10, dim=1)
    np.testing.assert_allclose(out.sum(1).numpy(), np.ones(4), rtol=1e-6)
    assert (out.numpy() >= 0).all()


def test_log_softmax_is_log_of_softmax():
    x = edutorch.randn(3, 5)
    np.testing.assert_allclose(edutorch.log_softmax(x, 1).exp().numpy(), edutorch.softmax(x, 1).numpy(),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("row", [
    [1000.0, 1001.0, 999.0],      # exp would overflow without the max-subtract
    [-1000.0, -1001.0, -999.0],   # exp would underflow to 0 / 0
    [-np.inf, 0.0, 1.0],          # a masked-out logit
    [-np.inf, -np.inf, -np.inf],  # everything masked: nan in PyTorch too
    [np.inf, 0.0, 1.0],
    [50.0, -50.0, 0.0],
])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_extreme_inputs_match_torch(row, name, torch):
    data = np.array([row], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf in the all-masked rows
        ours = OPS[name](edutorch, edutorch.tensor(data), 1)
    assert_same(ours, OPS[name](torch, torch.tensor(data), 1))


def test_large_logits_stay_finite_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = edutorch.softmax(edutorch.tensor([1000.0, 1001.0]), 0)
        log_out = edutorch.log_softmax(edutorch.tensor([0.0, -200.0]), 0)
    np.testing.assert_allclose(out.numpy(), [0.26894142, 0.73105858], rtol=1e-6)
    assert np.isfinite(log_out.numpy()).all()  # log(softmax) would give log(0) = -inf here
    assert log_out.numpy()[1] == pytest.approx(-200.0)


def test_masked_logit_gets_zero_gradient(torch):
    data = np.array([[-np.inf, 0.0, 1.0]], dtype=np.float32)
    for name in ("softmax", "log_softmax"):
        ours_x = edutorch.tensor(data, requires_grad=True)
        theirs_x = torch.tensor(data, requires_grad=True)
        upstream = np.array([[0.3, -1.0, 2.0]], dtype=np.float32)
        OPS[name](edutorch, ours_x, 1).backward(edutorch.tensor(upstream))
        OPS[name](torch, theirs_x, 1).backward(torch.tensor(upstream))
        assert_same(ours_x.grad, theirs_x.grad)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_dtype_argument_casts_first(name, torch):
    data = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours = getattr(edutorch, name)(ours_x, 1, dtype=edutorch.float64)
    theirs = getattr(torch, name)(theirs_x, 1, dtype=torch.float64)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
    assert ours.grad_fn.next_functions[0][0].name() == type(theirs.grad_fn.next_functions[0][0]).__name__
    ours.sum().backward()
    theirs.sum().backward()
    assert_same(ours_x.grad, theirs_x.grad)  # back to float32, like the input


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_integer_input(name, torch):
    ints = [1, 2, 3]
    with pytest.raises(NotImplementedError):
        getattr(torch, name)(torch.tensor(ints), 0)
    with pytest.raises(NotImplementedError, match="dtype=torch.float32"):
        getattr(edutorch, name)(edutorch.tensor(ints), 0)
    assert_same(getattr(edutorch, name)(edutorch.tensor(ints), 0, dtype=edutorch.float32),
                getattr(torch, name)(torch.tensor(ints), 0, dtype=torch.float32))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("call, kind", [
    (lambda f, t, x: f(x, 2), IndexError),
    (lambda f, t, x: f(x, -3), IndexError),
    (lambda f, t, x: f(x, None), TypeError),
    (lambda f, t, x: f(x), TypeError),
])
def test_errors_match_torch(name, call, kind, torch):
    with pytest.raises(kind):
        call(getattr(torch, name), torch, torch.randn(2, 3))
    with pytest.raises(kind) as info:
        call(getattr(edutorch, name), edutorch, edutorch.randn(2, 3))
    if kind is IndexError:
        assert "Dimension out of range" in str(info.value)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_zero_dim_and_empty(name, torch):
    for data, dim in ((np.float32(0.7), 0), (np.float32(0.7), -1), (np.zeros((0, 3), np.float32), 0),
                      (np.zeros((0, 3), np.float32), 1)):
        ours_x = edutorch.tensor(data, requires_grad=True)
        theirs_x = torch.tensor(data, requires_grad=True)
        ours, theirs = getattr(edutorch, name)(ours_x, dim), getattr(torch, name)(theirs_x, dim)
        assert_same(ours, theirs)
        ours.sum().backward()
        theirs.sum().backward()
        assert_same(ours_x.grad, theirs_x.grad)


def test_implicit_dim_matches_torch_legacy_rule(torch):
    for ndim in range(5):
        data = np.ones((2,) * ndim, dtype=np.float32)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            dim = implicit_softmax_dim("softmax", ndim)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.functional.softmax(torch.tensor(data).cumsum(0) if ndim else
                                                 torch.tensor(data))
        assert_same(edutorch.softmax(edutorch.tensor(data).cumsum(0) if ndim else edutorch.tensor(data),
                                     dim), theirs)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 7),
       st.sampled_from(["softmax", "log_softmax"]))
def test_random_shapes_and_dims_match_torch(shape, dim_seed, name):
    torch = pytest.importorskip("torch")
    dim = dim_seed % (2 * len(shape)) - len(shape)  # negative and positive dims
    rng = np.random.default_rng(4)
    data = (rng.standard_normal(shape) * 5).astype(np.float32)
    ours_x = edutorch.tensor(data, requires_grad=True)
    theirs_x = torch.tensor(data, requires_grad=True)
    ours, theirs = OPS[name](edutorch, ours_x, dim), OPS[name](torch, theirs_x, dim)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-6)
    upstream = rng.standard_normal(shape).astype(np.float32)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-5)
