"""Linear, Bilinear, Identity, Flatten/Unflatten and the activation modules: default initialisation,
reprs, outputs and gradients against PyTorch, finite differences through the functional forms."""
from __future__ import annotations

import math

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _rand(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _copy_params(ours, theirs):
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        p.data = edutorch.tensor(tp.detach().numpy())


# ------------------------------------------------------------------- F.linear / F.bilinear
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3), (3,), (2, 2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(x_shape, bias):
    x = edutorch.tensor(_rand(x_shape, 0, np.float64), requires_grad=True)
    w = edutorch.tensor(_rand((2, 3), 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(2, 2, np.float64), requires_grad=True)
    if bias:
        assert gradcheck(F.linear, (x, w, b))
    else:
        assert gradcheck(F.linear, (x, w))


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3), (3,), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_parity(x_shape, bias, torch):
    data, w, b = _rand(x_shape), _rand((2, 3), 1), _rand(2, 2)
    ours_in = [edutorch.tensor(a, requires_grad=True) for a in (data, w, b)]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (data, w, b)]
    n = 3 if bias else 2
    ours, theirs = F.linear(*ours_in[:n]), torch.nn.functional.linear(*theirs_in[:n])
    assert_same(ours, theirs)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__
    up = _rand(tuple(theirs.shape), 3)
    ours.backward(edutorch.tensor(up))
    theirs.backward(torch.tensor(up))
    for o, t in zip(ours_in[:n], theirs_in[:n]):
        assert_same(o.grad, t.grad, rtol=1e-5, atol=1e-5)


def test_linear_errors(torch):
    cases = [((2, 3), (4, 5), None), ((3,), (4, 5), None), ((2, 3), (4, 3), (5,))]
    for x, w, b in cases:
        with pytest.raises(RuntimeError):
            torch.nn.functional.linear(torch.randn(*x), torch.randn(*w), None if b is None else torch.randn(*b))
        with pytest.raises(RuntimeError):
            F.linear(edutorch.randn(*x), edutorch.randn(*w), None if b is None else edutorch.randn(*b))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)"):
        F.linear(edutorch.randn(2, 3), edutorch.randn(4, 5), edutorch.randn(4))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(edutorch.randn(2, 3).double(), edutorch.randn(4, 3), edutorch.randn(4))


def test_bilinear_gradcheck_and_parity(torch):
    x1 = edutorch.tensor(_rand((4, 3), 0, np.float64), requires_grad=True)
    x2 = edutorch.tensor(_rand((4, 2), 1, np.float64), requires_grad=True)
    w = edutorch.tensor(_rand((5, 3, 2), 2, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(5, 3, np.float64), requires_grad=True)
    assert gradcheck(F.bilinear, (x1, x2, w, b))
    ours, theirs = nn.Bilinear(3, 2, 5), torch.nn.Bilinear(3, 2, 5)
    _copy_params(ours, theirs)
    d1, d2 = _rand((2, 4, 3), 4), _rand((2, 4, 2), 5)
    o1, o2 = edutorch.tensor(d1, requires_grad=True), edutorch.tensor(d2, requires_grad=True)
    t1, t2 = torch.tensor(d1, requires_grad=True), torch.tensor(d2, requires_grad=True)
    o, t = ours(o1, o2), theirs(t1, t2)
    assert_same(o, t, rtol=1e-5, atol=1e-5)
    (o * o).sum().backward()
    (t * t).sum().backward()
    for a, c in [(o1, t1), (o2, t2), (ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        assert_same(a.grad, c.grad, rtol=1e-4, atol=1e-4)
    with pytest.raises(RuntimeError):
        F.bilinear(edutorch.randn(4, 2), edutorch.randn(4, 2), edutorch.randn(5, 3, 2))


# ------------------------------------------------------------------- Linear module
def test_linear_default_init_bounds():
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (300, 400) and b.shape == (300,)
    assert abs(w).max() <= bound and abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert abs(b).max() <= bound
    assert m.weight.dtype is edutorch.float32 and m.weight.requires_grad and m.weight.is_leaf


def test_linear_module_parity(torch):
    for bias in (True, False):
        ours, theirs = nn.Linear(3, 4, bias=bias), torch.nn.Linear(3, 4, bias=bias)
        assert repr(ours) == repr(theirs)
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
        _copy_params(ours, theirs)
        data = _rand((5, 3))
        ox, tx = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        o, t = ours(ox), theirs(tx)
        assert_same(o, t)
        assert o.grad_fn.name() == type(t.grad_fn).__name__
        (o * o).sum().backward()
        (t * t).sum().backward()
        assert_same(ox.grad, tx.grad, atol=1e-5)
        for p, tp in zip(ours.parameters(), theirs.parameters()):
            assert_same(p.grad, tp.grad, atol=1e-5)
    assert nn.Linear(3, 4, dtype=edutorch.float64).weight.dtype is edutorch.float64


def test_bilinear_default_init():
    m = nn.Bilinear(100, 20, 30)
    bound = 1 / math.sqrt(100)
    assert tuple(m.weight.shape) == (30, 100, 20)
    assert abs(m.weight.detach().numpy()).max() <= bound and abs(m.bias.detach().numpy()).max() <= bound


def test_identity_flatten_unflatten(torch):
    x = edutorch.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=0.1)(x) is x
    assert repr(nn.Identity(3)) == repr(torch.nn.Identity(3)) == "Identity()"
    for ours, theirs in [(nn.Flatten(), torch.nn.Flatten()), (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
                         (nn.Unflatten(1, (3, 1)), torch.nn.Unflatten(1, (3, 1))),
                         (nn.Unflatten(-1, [5, 1]), torch.nn.Unflatten(-1, [5, 1]))]:
        assert repr(ours) == repr(theirs)
        assert_same(ours(x), theirs(torch.tensor(x.numpy())))
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (2, 2.5))
    with pytest.raises(TypeError):
        torch.nn.Unflatten(1, (2, 2.5))


# ------------------------------------------------------------------- activation modules
MODULES = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(True), lambda nn: nn.ReLU6(), lambda nn: nn.ReLU6(inplace=True),
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.ELU(),
    lambda nn: nn.ELU(0.5, True), lambda nn: nn.SELU(), lambda nn: nn.SELU(True), lambda nn: nn.CELU(),
    lambda nn: nn.CELU(2.0, True), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(),
    lambda nn: nn.SiLU(True), lambda nn: nn.Mish(), lambda nn: nn.Mish(True), lambda nn: nn.PReLU(),
    lambda nn: nn.PReLU(3, 0.1), lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.Hardtanh(),
    lambda nn: nn.Hardtanh(-2, 2, True), lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardsigmoid(True),
    lambda nn: nn.Hardswish(), lambda nn: nn.Hardswish(True), lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(2, 10), lambda nn: nn.Softsign(), lambda nn: nn.Softmax(1),
    lambda nn: nn.LogSoftmax(dim=-1), lambda nn: nn.Softmin(0), lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Threshold(0.1, 20, True), lambda nn: nn.LogSigmoid(), lambda nn: nn.Hardshrink(),
    lambda nn: nn.Softshrink(0.3), lambda nn: nn.Tanhshrink(), lambda nn: nn.GLU(),
]


@pytest.mark.parametrize("index", range(len(MODULES)))
def test_activation_modules(index, torch):
    ours, theirs = MODULES[index](nn), MODULES[index](torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _copy_params(ours, theirs)
    data = _rand((4, 3, 2), index) * 3
    ours_leaf, theirs_leaf = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours_x, theirs_x = ours_leaf * 1, theirs_leaf * 1  # a non-leaf, so inplace modules may write into it
    o, t = ours(ours_x), theirs(theirs_x)
    assert_same(o, t, atol=1e-5)
    assert o.grad_fn.name() == type(t.grad_fn).__name__
    if getattr(theirs, "inplace", False):
        assert o is ours_x
    (o * o).sum().backward()
    (t * t).sum().backward()
    assert_same(ours_leaf.grad, theirs_leaf.grad, rtol=1e-4, atol=1e-4)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        assert_same(p.grad, tp.grad, rtol=1e-4, atol=1e-4)


def test_prelu_default_init():
    m = nn.PReLU(4)
    assert tuple(m.weight.shape) == (4,) and (m.weight.detach().numpy() == np.float32(0.25)).all()
    assert [n for n, _ in m.named_parameters()] == ["weight"]


def test_a_small_model_prints_like_torch(torch):
    def build(nn):
        return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.BatchNorm1d(8), nn.ReLU(),
                             nn.Dropout(0.2), nn.Linear(8, 3), nn.LogSoftmax(dim=1))

    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: edutorch.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    ours.eval()
    theirs.eval()
    data = _rand((5, 3, 2, 2), 9)
    assert_same(ours(edutorch.tensor(data)), theirs(torch.tensor(data)), atol=1e-5)
