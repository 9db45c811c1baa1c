"""nn.init: gains and fans as PyTorch computes them, the distributions' bounds and statistics, in-place
writes without recording, the global generator, and PyTorch's errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import edutorch
from edutorch.nn import init


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 0), ("selu",),
                                  ("conv_transpose3d",)])
def test_calculate_gain(args, torch):
    assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


def test_calculate_gain_errors(torch):
    for args in [("softmax",), ("leaky_relu", "x"), ("leaky_relu", True)]:
        with pytest.raises(ValueError):
            torch.nn.init.calculate_gain(*args)
        with pytest.raises(ValueError):
            init.calculate_gain(*args)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (2, 6, 3), (5, 1)])
def test_fans(shape, torch):
    ours = init._calculate_fan_in_and_fan_out(edutorch.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_errors(torch):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(edutorch.empty(5))
    with pytest.raises(ValueError):
        torch.nn.init.kaiming_uniform_(torch.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(edutorch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError):
        torch.nn.init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")


def _bound_and_std(name, shape, **kw):
    fan_in, fan_out = shape[1] * int(np.prod(shape[2:])), shape[0] * int(np.prod(shape[2:]))
    if name == "xavier":
        std = kw.get("gain", 1.0) * math.sqrt(2 / (fan_in + fan_out))
    else:
        fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
        std = init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)) / math.sqrt(fan)
    return math.sqrt(3) * std, std


@pytest.mark.parametrize("fn, family, kw", [
    (init.xavier_uniform_, "xavier", {}), (init.xavier_uniform_, "xavier", {"gain": 2.0}),
    (init.kaiming_uniform_, "kaiming", {}), (init.kaiming_uniform_, "kaiming", {"a": math.sqrt(5)}),
    (init.kaiming_uniform_, "kaiming", {"mode": "fan_out", "nonlinearity": "relu"}),
])
def test_uniform_families_stay_in_bounds_with_the_right_variance(fn, family, kw):
    shape = (200, 30, 3, 3)
    w = edutorch.empty(*shape)
    assert fn(w, **kw) is w
    bound, std = _bound_and_std(family, shape, **kw)
    values = w.numpy()
    assert values.min() >= -bound and values.max() <= bound
    assert values.max() > 0.99 * bound
    assert values.std() == pytest.approx(std, rel=0.02)
    assert w.dtype is edutorch.float32


@pytest.mark.parametrize("fn, family, kw", [
    (init.xavier_normal_, "xavier", {}), (init.kaiming_normal_, "kaiming", {"nonlinearity": "relu"}),
    (init.kaiming_normal_, "kaiming", {"mode": "fan_out"}),
])
def test_normal_families_have_the_right_std(fn, family, kw):
    shape = (200, 30, 3, 3)
    w = fn(edutorch.empty(*shape), **kw)
    _, std = _bound_and_std(family, shape, **kw)
    assert w.numpy().std() == pytest.approx(std, rel=0.02)
    assert abs(w.numpy().mean()) < 0.05 * std


def test_uniform_normal_constant():
    w = edutorch.empty(100, 100)
    init.uniform_(w, -2.0, 3.0)
    assert w.numpy().min() >= -2 and w.numpy().max() <= 3 and w.numpy().mean() == pytest.approx(0.5, abs=0.05)
    init.normal_(w, 1.0, 0.5)
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.02) and w.numpy().std() == pytest.approx(0.5, rel=0.03)
    assert (init.constant_(w, 0.3).numpy() == np.float32(0.3)).all()
    assert (init.ones_(w).numpy() == 1).all() and (init.zeros_(w).numpy() == 0).all()


def test_trunc_normal():
    w = init.trunc_normal_(edutorch.empty(200, 200), mean=0.5, std=1.0, a=-0.5, b=1.0)
    assert w.numpy().min() >= -0.5 and w.numpy().max() <= 1.0
    # the default cut at +-2 std: std of N(0,1) truncated to [-2, 2] is 0.8796
    w = init.trunc_normal_(edutorch.empty(300, 300))
    assert abs(w.numpy()).max() <= 2 and w.numpy().std() == pytest.approx(0.8796, rel=0.02)
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(edutorch.empty(3), mean=10.0)


def test_eye_and_dirac(torch):
    assert (init.eye_(edutorch.empty(3, 5)).numpy() == torch.nn.init.eye_(torch.empty(3, 5)).numpy()).all()
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(edutorch.empty(2, 2, 2))
    for shape, groups in [((4, 2, 3, 3), 1), ((6, 3, 5), 2), ((4, 4, 3, 3, 3), 2), ((2, 5, 3, 3), 1)]:
        ours = init.dirac_(edutorch.empty(*shape), groups)
        theirs = torch.nn.init.dirac_(torch.empty(*shape), groups)
        assert (ours.numpy() == theirs.numpy()).all()
    with pytest.raises(ValueError, match="3, 4, or 5"):
        init.dirac_(edutorch.empty(3, 3))
    with pytest.raises(ValueError, match="divisible by groups"):
        init.dirac_(edutorch.empty(3, 3, 3), groups=2)


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (4, 2, 3, 3)])
def test_orthogonal(shape):
    w = init.orthogonal_(edutorch.empty(*shape), gain=2.0)
    m = w.numpy().reshape(shape[0], -1).astype(np.float64)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="2 or more"):
        init.orthogonal_(edutorch.empty(4))


def test_writes_are_in_place_unrecorded_and_allowed_on_parameters():
    w = edutorch.empty(4, 3, requires_grad=True)
    version = w._version
    for fn in (init.kaiming_uniform_, init.xavier_normal_, init.orthogonal_, init.eye_, init.zeros_,
               init.trunc_normal_, lambda t: init.constant_(t, 2.0)):
        assert fn(w) is w
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w._version > version


def test_global_generator_and_explicit_generator():
    edutorch.manual_seed(3)
    a = init.kaiming_uniform_(edutorch.empty(5, 5)).numpy().copy()
    edutorch.manual_seed(3)
    b = init.kaiming_uniform_(edutorch.empty(5, 5)).numpy().copy()
    assert (a == b).all()
    g1, g2 = edutorch.Generator().manual_seed(7), edutorch.Generator().manual_seed(7)
    assert (init.normal_(edutorch.empty(4), generator=g1).numpy()
            == init.normal_(edutorch.empty(4), generator=g2).numpy()).all()


def test_zero_element_tensor_warns(torch):
    with pytest.warns(UserWarning, match="no-op"):
        init.kaiming_uniform_(edutorch.empty(0, 3))
