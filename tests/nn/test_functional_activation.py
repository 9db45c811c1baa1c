"""nn.functional activations: finite-difference gradients, and parity with PyTorch (values, dtypes,
grad_fn names, input and weight gradients, in-place forms, errors)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from edutorch.ops.activation import _erfc
from tests.conftest import assert_same

# name -> (call with (functional module, x), PyTorch's grad_fn name)
ACTIVATIONS = {
    "relu": (lambda F, x: F.relu(x), "ReluBackward0"),
    "relu6": (lambda F, x: F.relu6(x), "HardtanhBackward0"),
    "leaky_relu": (lambda F, x: F.leaky_relu(x), "LeakyReluBackward0"),
    "leaky_relu_0.2": (lambda F, x: F.leaky_relu(x, 0.2), "LeakyReluBackward0"),
    "elu": (lambda F, x: F.elu(x), "EluBackward0"),
    "elu_alpha": (lambda F, x: F.elu(x, alpha=0.5), "EluBackward0"),
    "selu": (lambda F, x: F.selu(x), "EluBackward0"),
    "celu": (lambda F, x: F.celu(x, 0.7), "CeluBackward0"),
    "gelu": (lambda F, x: F.gelu(x), "GeluBackward0"),
    "gelu_tanh": (lambda F, x: F.gelu(x, approximate="tanh"), "GeluBackward0"),
    "silu": (lambda F, x: F.silu(x), "SiluBackward0"),
    "mish": (lambda F, x: F.mish(x), "MishBackward0"),
    "sigmoid": (lambda F, x: F.sigmoid(x), "SigmoidBackward0"),
    "tanh": (lambda F, x: F.tanh(x), "TanhBackward0"),
    "hardtanh": (lambda F, x: F.hardtanh(x), "HardtanhBackward0"),
    "hardtanh_range": (lambda F, x: F.hardtanh(x, -0.5, 2.0), "HardtanhBackward0"),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x), "HardsigmoidBackward0"),
    "hardswish": (lambda F, x: F.hardswish(x), "HardswishBackward0"),
    "softplus": (lambda F, x: F.softplus(x), "SoftplusBackward0"),
    "softplus_beta": (lambda F, x: F.softplus(x, beta=2.0, threshold=3.0), "SoftplusBackward0"),
    "softsign": (lambda F, x: F.softsign(x), "DivBackward0"),
    "threshold": (lambda F, x: F.threshold(x, 0.3, -2.0), "ThresholdBackward0"),
    "logsigmoid": (lambda F, x: F.logsigmoid(x), "LogSigmoidBackward0"),
    "hardshrink": (lambda F, x: F.hardshrink(x), "HardshrinkBackward0"),
    "softshrink": (lambda F, x: F.softshrink(x, 0.3), "SoftshrinkBackward0"),
    "tanhshrink": (lambda F, x: F.tanhshrink(x), "SubBackward0"),
    "softmax": (lambda F, x: F.softmax(x, dim=1), "SoftmaxBackward0"),
    "log_softmax": (lambda F, x: F.log_softmax(x, dim=-1), "LogSoftmaxBackward0"),
    "softmin": (lambda F, x: F.softmin(x, dim=1), "SoftmaxBackward0"),
}


def _data(shape=(4, 6), scale=3.0, seed=0, dtype=np.float32):
    # Keep points away from the kinks (0, +-3, thresholds), where finite differences straddle two pieces.
    x = np.random.default_rng(seed).standard_normal(shape) * scale
    x[np.abs(x) < 0.05] += 0.2
    for kink in (3.0, -3.0, 0.3, -0.3, 0.5, -0.5, 1.0, -1.0, 2.0, 1.5, 6.0):
        x[np.abs(x - kink) < 0.02] += 0.05
    return x.astype(dtype)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_gradcheck(name):
    fn, _ = ACTIVATIONS[name]
    x = edutorch.tensor(_data(dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda a: fn(F, a), (x,))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_parity_with_torch(name, torch):
    fn, node = ACTIVATIONS[name]
    data = _data(seed=1)
    ours_x, theirs_x = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = fn(F, ours_x), fn(torch.nn.functional, theirs_x)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == node
    upstream = np.random.default_rng(2).standard_normal(data.shape).astype(np.float32)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_float64_stays_float64(name, torch):
    fn, _ = ACTIVATIONS[name]
    data = _data(seed=3, dtype=np.float64)
    ours, theirs = fn(F, edutorch.tensor(data)), fn(torch.nn.functional, torch.tensor(data))
    assert_same(ours, theirs, rtol=1e-6, atol=1e-7)  # our erfc is a float32-accurate fit


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_extreme_inputs_stay_finite(name, torch):
    fn, _ = ACTIVATIONS[name]
    data = np.array([[-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4]], dtype=np.float32)
    ours_x, theirs_x = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = fn(F, ours_x), fn(torch.nn.functional, theirs_x)
    assert np.isfinite(ours.detach().numpy()).all()
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
    ours.sum().backward()
    theirs.sum().backward()
    assert np.isfinite(ours_x.grad.numpy()).all()
    assert_same(ours_x.grad, theirs_x.grad, atol=1e-5)


def test_gradients_at_the_kinks_match_torch(torch):
    """Where the derivative jumps, PyTorch picks a side: we pick the same one."""
    data = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0], dtype=np.float32)
    for name in ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "hardtanh", "hardsigmoid",
                 "hardswish", "threshold", "hardshrink", "softshrink"]:
        fn, _ = ACTIVATIONS[name]
        ours_x, theirs_x = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        fn(F, ours_x).sum().backward()
        fn(torch.nn.functional, theirs_x).sum().backward()
        assert_same(ours_x.grad, theirs_x.grad), name


INPLACE = {
    "relu": (lambda F, x: F.relu(x, inplace=True), "ReluBackward0"),
    "relu_": (lambda F, x: F.relu_(x), "ReluBackward0"),
    "relu6": (lambda F, x: F.relu6(x, inplace=True), "HardtanhBackward0"),
    "leaky_relu": (lambda F, x: F.leaky_relu(x, 0.1, inplace=True), "LeakyReluBackward1"),
    "elu": (lambda F, x: F.elu(x, inplace=True), "EluBackward1"),
    "selu": (lambda F, x: F.selu(x, inplace=True), "EluBackward1"),
    "celu": (lambda F, x: F.celu(x, inplace=True), "CeluBackward1"),
    "silu": (lambda F, x: F.silu(x, inplace=True), "SiluBackward0"),
    "mish": (lambda F, x: F.mish(x, inplace=True), "MishBackward0"),
    "hardtanh": (lambda F, x: F.hardtanh(x, inplace=True), "HardtanhBackward0"),
    "hardsigmoid": (lambda F, x: F.hardsigmoid(x, inplace=True), "HardsigmoidBackward0"),
    "hardswish": (lambda F, x: F.hardswish(x, inplace=True), "HardswishBackward0"),
    "threshold": (lambda F, x: F.threshold(x, 0.1, 5.0, inplace=True), "ThresholdBackward1"),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms(name, torch):
    fn, node = INPLACE[name]
    data = _data(seed=4)
    ours_leaf, theirs_leaf = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours_x, theirs_x = ours_leaf * 1, theirs_leaf * 1
    version = ours_x._version
    ours, theirs = fn(F, ours_x), fn(torch.nn.functional, theirs_x)
    assert ours is ours_x and theirs is theirs_x
    assert ours_x._version == version + 1
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == node
    ours.sum().backward()
    theirs.sum().backward()
    assert_same(ours_leaf.grad, theirs_leaf.grad)


def test_inplace_on_a_leaf_that_requires_grad_raises(torch):
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(edutorch.ones(3, requires_grad=True), inplace=True)
    with pytest.raises(RuntimeError):
        torch.nn.functional.relu(torch.ones(3, requires_grad=True), inplace=True)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "gelu", "silu", "softplus", "hardsigmoid"])
def test_integer_inputs_are_rejected_like_torch(name, torch):
    fn, _ = ACTIVATIONS[name]
    with pytest.raises(NotImplementedError):
        fn(torch.nn.functional, torch.arange(4))
    with pytest.raises(NotImplementedError):
        fn(F, edutorch.arange(4))


def test_integer_inputs_that_torch_accepts(torch):
    for call in (lambda F, x: F.relu(x), lambda F, x: F.hardtanh(x), lambda F, x: F.relu6(x),
                 lambda F, x: F.threshold(x, 1, 7)):
        data = np.arange(-3, 9)
        assert_same(call(F, edutorch.tensor(data)), call(torch.nn.functional, torch.tensor(data)))


def test_gelu_rejects_unknown_approximation(torch):
    with pytest.raises(RuntimeError, match="none or tanh"):
        F.gelu(edutorch.ones(2), approximate="erf")
    with pytest.raises(RuntimeError):
        torch.nn.functional.gelu(torch.ones(2), approximate="erf")


def test_erfc_matches_math():
    xs = np.linspace(-6, 6, 241)
    expected = np.array([math.erfc(v) for v in xs])
    np.testing.assert_allclose(_erfc(xs), expected, rtol=2e-7, atol=1e-12)


# ------------------------------------------------------------------- prelu
@pytest.mark.parametrize("shape, n_weights", [((4, 3), 3), ((4, 3), 1), ((2, 3, 5, 5), 3), ((2, 3, 4), 1),
                                              ((5,), 1), ((), 1)])
def test_prelu_parity(shape, n_weights, torch):
    rng = np.random.default_rng(5)
    data = rng.standard_normal(shape).astype(np.float32)
    w = rng.uniform(0.1, 0.5, n_weights).astype(np.float32)
    ours_x, ours_w = edutorch.tensor(data, requires_grad=True), edutorch.tensor(w, requires_grad=True)
    theirs_x, theirs_w = torch.tensor(data, requires_grad=True), torch.tensor(w, requires_grad=True)
    ours, theirs = F.prelu(ours_x, ours_w), torch.nn.functional.prelu(theirs_x, theirs_w)
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == "PreluKernelBackward0"
    ours.sum().backward() if ours.dim() == 0 else (ours * ours).sum().backward()
    theirs.sum().backward() if theirs.dim() == 0 else (theirs * theirs).sum().backward()
    assert_same(ours_x.grad, theirs_x.grad)
    assert_same(ours_w.grad, theirs_w.grad, rtol=1e-4)


def test_prelu_gradcheck():
    x = edutorch.tensor(_data((2, 3, 4), dtype=np.float64), requires_grad=True)
    w = edutorch.tensor(np.array([0.1, 0.25, -0.3]), requires_grad=True)
    assert gradcheck(F.prelu, (x, w))


def test_prelu_errors(torch):
    with pytest.raises(RuntimeError, match="channel size = 3"):
        F.prelu(edutorch.randn(2, 3), edutorch.ones(2))
    with pytest.raises(RuntimeError):
        torch.nn.functional.prelu(torch.randn(2, 3), torch.ones(2))


# ------------------------------------------------------------------- softmax family through F
def test_softmax_without_dim_warns_and_picks_torchs_dim(torch):
    data = np.random.default_rng(6).standard_normal((2, 3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        with pytest.warns(UserWarning, match="Implicit dimension"):
            ours = getattr(F, name)(edutorch.tensor(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn.functional, name)(torch.tensor(data))
        assert_same(ours, theirs)


def test_softmax_dtype_argument(torch):
    data = np.random.default_rng(7).standard_normal((3, 4)).astype(np.float32)
    ours = F.softmax(edutorch.tensor(data), dim=1, dtype=edutorch.float64)
    theirs = torch.nn.functional.softmax(torch.tensor(data), dim=1, dtype=torch.float64)
    assert_same(ours, theirs)


def test_glu_and_normalize(torch):
    data = _data((4, 6), seed=8)
    for call in (lambda F, x: F.glu(x), lambda F, x: F.glu(x, 0), lambda F, x: F.normalize(x),
                 lambda F, x: F.normalize(x, p=1.0, dim=0)):
        ours_x, theirs_x = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        ours, theirs = call(F, ours_x), call(torch.nn.functional, theirs_x)
        assert_same(ours, theirs)
        (ours * ours).sum().backward()
        (theirs * theirs).sum().backward()
        assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="even"):
        F.glu(edutorch.ones(3, 5))


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=0, max_size=4), seed=st.integers(0, 100))
def test_elementwise_activations_keep_shape_and_dtype(shape, seed):
    x = edutorch.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))
    for name in ("relu", "leaky_relu", "elu", "gelu", "gelu_tanh", "silu", "mish", "softplus",
                 "hardswish", "hardsigmoid", "celu", "selu", "logsigmoid"):
        out = ACTIVATIONS[name][0](F, x)
        assert tuple(out.shape) == tuple(shape) and out.dtype is edutorch.float32, name


def test_softmin_rejects_integers(torch):
    with pytest.raises(NotImplementedError):
        torch.nn.functional.softmin(torch.arange(4), 0)
    with pytest.raises(NotImplementedError):
        F.softmin(edutorch.arange(4), 0)
