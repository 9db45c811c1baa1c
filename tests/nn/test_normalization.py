"""Normalisation: batch_norm (training/eval, running statistics, momentum incl. None), layer_norm,
group_norm, instance_norm, against finite differences and PyTorch (values, gradients, grad_fn names,
running statistics, reprs, errors)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _pair(data, torch, requires_grad=True):
    return edutorch.tensor(data, requires_grad=requires_grad), torch.tensor(data, requires_grad=requires_grad)


def _rand(shape, seed=0, dtype=np.float32, scale=1.0, shift=0.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


# ------------------------------------------------------------------- gradcheck (float64)
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 5), (3, 2, 3, 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_gradcheck_training(shape, affine):
    x = edutorch.tensor(_rand(shape, dtype=np.float64), requires_grad=True)
    c = shape[1]
    w = edutorch.tensor(_rand(c, 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(c, 2, np.float64), requires_grad=True)
    if affine:
        assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    else:
        assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_gradcheck_eval():
    x = edutorch.tensor(_rand((4, 3, 2), dtype=np.float64), requires_grad=True)
    w = edutorch.tensor(_rand(3, 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(3, 2, np.float64), requires_grad=True)
    rm, rv = edutorch.tensor(_rand(3, 3, np.float64)), edutorch.tensor(np.array([0.5, 1.0, 2.0]))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((3, 4), (3, 4))])
def test_layer_norm_gradcheck(shape, normalized):
    x = edutorch.tensor(_rand(shape, dtype=np.float64), requires_grad=True)
    w = edutorch.tensor(_rand(normalized, 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(normalized, 2, np.float64), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, normalized, w, b), (x, w, b))
    assert gradcheck(lambda x: F.layer_norm(x, normalized), (x,))


@pytest.mark.parametrize("shape, groups", [((2, 6, 3), 3), ((2, 4, 2, 2), 2), ((3, 4), 4), ((2, 4, 3), 1)])
def test_group_norm_gradcheck(shape, groups):
    x = edutorch.tensor(_rand(shape, dtype=np.float64), requires_grad=True)
    w = edutorch.tensor(_rand(shape[1], 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(shape[1], 2, np.float64), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b), (x, w, b))


def test_instance_norm_gradcheck():
    x = edutorch.tensor(_rand((2, 3, 2, 3), dtype=np.float64), requires_grad=True)
    w = edutorch.tensor(_rand(3, 1, np.float64), requires_grad=True)
    b = edutorch.tensor(_rand(3, 2, np.float64), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), (x, w, b))


# ------------------------------------------------------------------- functional parity
def _check_parity(ours_fn, theirs_fn, inputs, torch, node, rtol=1e-4, atol=1e-5):
    pairs = [_pair(a, torch) for a in inputs]
    ours = ours_fn(*[p[0] for p in pairs])
    theirs = theirs_fn(*[p[1] for p in pairs])
    assert_same(ours, theirs, rtol=rtol, atol=atol)
    assert ours.grad_fn.name() == type(theirs.grad_fn).__name__ == node
    upstream = _rand(tuple(ours.shape), 99)
    ours.backward(edutorch.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    for o, t in pairs:
        assert_same(o.grad, t.grad, rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_parity(shape, training, torch):
    c = shape[1]
    rm_data, rv_data = _rand(c, 5), np.abs(_rand(c, 6)) + 0.5
    ours_rm, ours_rv = edutorch.tensor(rm_data), edutorch.tensor(rv_data)
    theirs_rm, theirs_rv = torch.tensor(rm_data), torch.tensor(rv_data)
    _check_parity(lambda x, w, b: F.batch_norm(x, ours_rm, ours_rv, w, b, training, 0.3, 1e-3),
                  lambda x, w, b: torch.nn.functional.batch_norm(x, theirs_rm, theirs_rv, w, b, training, 0.3, 1e-3),
                  [_rand(shape, 1, scale=2.0, shift=1.0), _rand(c, 2), _rand(c, 3)], torch,
                  "NativeBatchNormBackward0")
    assert_same(ours_rm, theirs_rm)
    assert_same(ours_rv, theirs_rv)  # the unbiased variance goes into the running estimate


def test_batch_norm_updates_running_stats_in_place_and_bumps_version(torch):
    rm, rv = edutorch.zeros(3), edutorch.ones(3)
    before = rm._version
    F.batch_norm(edutorch.randn(4, 3), rm, rv, training=True)
    assert rm._version == before + 1
    F.batch_norm(edutorch.randn(4, 3), rm, rv, training=False)
    assert rm._version == before + 1


def test_batch_norm_errors(torch):
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(edutorch.randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError):
        torch.nn.functional.batch_norm(torch.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined"):
        F.batch_norm(edutorch.randn(4, 3), None, None, training=False)
    with pytest.raises(RuntimeError):
        torch.nn.functional.batch_norm(torch.randn(4, 3), None, None, training=False)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(edutorch.randn(4, 3), edutorch.zeros(4), edutorch.ones(4), training=True)
    with pytest.raises(RuntimeError):
        torch.nn.functional.batch_norm(torch.randn(4, 3), torch.zeros(4), torch.ones(4), training=True)


@pytest.mark.parametrize("shape, normalized", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), (4,))])
def test_layer_norm_parity(shape, normalized, torch):
    _check_parity(lambda x, w, b: F.layer_norm(x, normalized, w, b, 1e-4),
                  lambda x, w, b: torch.nn.functional.layer_norm(x, normalized, w, b, 1e-4),
                  [_rand(shape, 1, scale=3.0), _rand(normalized, 2), _rand(normalized, 3)], torch,
                  "NativeLayerNormBackward0")
    _check_parity(lambda x: F.layer_norm(x, normalized), lambda x: torch.nn.functional.layer_norm(x, normalized),
                  [_rand(shape, 4)], torch, "NativeLayerNormBackward0")


def test_layer_norm_errors(torch):
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*, 5\]"):
        F.layer_norm(edutorch.randn(3, 4), (5,))
    with pytest.raises(RuntimeError):
        torch.nn.functional.layer_norm(torch.randn(3, 4), (5,))


@pytest.mark.parametrize("shape, groups", [((2, 6, 3), 3), ((2, 4, 3, 3), 2), ((3, 4), 2), ((2, 4, 5), 4)])
def test_group_norm_parity(shape, groups, torch):
    c = shape[1]
    _check_parity(lambda x, w, b: F.group_norm(x, groups, w, b),
                  lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b),
                  [_rand(shape, 1, scale=2.0, shift=-1.0), _rand(c, 2), _rand(c, 3)], torch,
                  "NativeGroupNormBackward0")


def test_group_norm_errors(torch):
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(edutorch.randn(2, 6, 4), 4)
    with pytest.raises(RuntimeError):
        torch.nn.functional.group_norm(torch.randn(2, 6, 4), 4)


@pytest.mark.parametrize("affine", [True, False])
def test_instance_norm_parity(affine, torch):
    shape = (2, 3, 4, 5)
    inputs = [_rand(shape, 1, scale=2.0, shift=1.0)] + ([_rand(3, 2), _rand(3, 3)] if affine else [])
    _check_parity(lambda x, *wb: F.instance_norm(x, None, None, *wb),
                  lambda x, *wb: torch.nn.functional.instance_norm(x, None, None, *wb),
                  inputs, torch, "ViewBackward0")


def test_instance_norm_running_stats(torch):
    data = _rand((4, 3, 5, 5), 1, shift=2.0)
    ours_rm, ours_rv = edutorch.zeros(3), edutorch.ones(3)
    theirs_rm, theirs_rv = torch.zeros(3), torch.ones(3)
    F.instance_norm(edutorch.tensor(data), ours_rm, ours_rv, momentum=0.2)
    torch.nn.functional.instance_norm(torch.tensor(data), theirs_rm, theirs_rv, momentum=0.2)
    assert_same(ours_rm, theirs_rm)
    assert_same(ours_rv, theirs_rv)


def test_batch_norm_keeps_float32_and_float64(torch):
    for dtype in (np.float32, np.float64):
        x = edutorch.tensor(_rand((4, 3), dtype=dtype))
        out = F.batch_norm(x, None, None, training=True)
        assert out.dtype is (edutorch.float32 if dtype == np.float32 else edutorch.float64)
        assert F.layer_norm(x, (3,)).dtype is out.dtype and F.group_norm(x, 3).dtype is out.dtype


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 4), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 3), max_size=2),
       seed=st.integers(0, 50))
def test_batch_norm_parity_random_shapes(n, c, spatial, seed, torch):
    data = _rand((n, c, *spatial), seed, scale=2.0)
    ours_x, theirs_x = _pair(data, torch)
    ours = F.batch_norm(ours_x, None, None, training=True)
    theirs = torch.nn.functional.batch_norm(theirs_x, None, None, training=True)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-4)
    (ours * ours_x).sum().backward()
    (theirs * theirs_x).sum().backward()
    assert_same(ours_x.grad, theirs_x.grad, rtol=1e-3, atol=1e-4)


# ------------------------------------------------------------------- modules
def _copy_params(ours, theirs):
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        p.data = edutorch.tensor(tp.detach().numpy())


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm2d_training_then_eval(momentum, torch):
    ours, theirs = nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
    _copy_params(ours, theirs)
    for step in range(3):
        data = _rand((4, 3, 2, 3), step, scale=step + 1.0, shift=step)
        ours_x, theirs_x = _pair(data, torch)
        o, t = ours(ours_x), theirs(theirs_x)
        assert_same(o, t, rtol=1e-4, atol=1e-5)
        (o * o).sum().backward()
        (t * t).sum().backward()
        assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-4)
    assert_same(ours.weight.grad, theirs.weight.grad, rtol=1e-4, atol=1e-4)
    assert_same(ours.bias.grad, theirs.bias.grad, rtol=1e-4, atol=1e-4)
    assert_same(ours.running_mean, theirs.running_mean)
    assert_same(ours.running_var, theirs.running_var)
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 3
    ours.eval()
    theirs.eval()
    data = _rand((2, 3, 2, 2), 7)
    assert_same(ours(edutorch.tensor(data)), theirs(torch.tensor(data)), rtol=1e-4, atol=1e-5)
    assert int(ours.num_batches_tracked) == 3  # eval does not count batches


def test_batchnorm1d_without_running_stats_uses_batch_stats_in_eval(torch):
    ours = nn.BatchNorm1d(3, affine=False, track_running_stats=False).eval()
    theirs = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False).eval()
    data = _rand((5, 3, 4), 1, shift=3.0)
    assert_same(ours(edutorch.tensor(data)), theirs(torch.tensor(data)), rtol=1e-4, atol=1e-5)
    assert ours.running_mean is None and ours.num_batches_tracked is None
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


def test_batchnorm_state_dict_and_defaults(torch):
    ours, theirs = nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.num_batches_tracked.dtype is edutorch.int64
    assert (ours.weight.detach().numpy() == 1).all() and (ours.bias.detach().numpy() == 0).all()
    assert (ours.running_var.numpy() == 1).all() and (ours.running_mean.numpy() == 0).all()
    ours(edutorch.randn(3, 4))
    ours.reset_running_stats()
    assert int(ours.num_batches_tracked) == 0 and (ours.running_mean.numpy() == 0).all()


def test_batchnorm_input_checks(torch):
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(edutorch.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(edutorch.randn(2, 3))
    with pytest.raises(ValueError):
        torch.nn.BatchNorm2d(3)(torch.randn(2, 3))


@pytest.mark.parametrize("make", [
    lambda nn: nn.LayerNorm(5), lambda nn: nn.LayerNorm((3, 5), elementwise_affine=False),
    lambda nn: nn.LayerNorm(5, bias=False), lambda nn: nn.GroupNorm(3, 3), lambda nn: nn.GroupNorm(1, 3),
    lambda nn: nn.GroupNorm(3, 3, affine=False),
])
def test_layer_and_group_norm_modules(make, torch):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(-1, 1)
    _copy_params(ours, theirs)
    data = _rand((2, 3, 5), 1, scale=2.0)
    ours_x, theirs_x = _pair(data, torch)
    o, t = ours(ours_x), theirs(theirs_x)
    assert_same(o, t, rtol=1e-4, atol=1e-5)
    (o * o).sum().backward()
    (t * t).sum().backward()
    assert_same(ours_x.grad, theirs_x.grad, rtol=1e-4, atol=1e-4)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        assert_same(p.grad, tp.grad, rtol=1e-4, atol=1e-4)


def test_group_norm_module_error(torch):
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)


@pytest.mark.parametrize("kw", [{}, {"affine": True}, {"track_running_stats": True}])
def test_instancenorm2d_module(kw, torch):
    ours, theirs = nn.InstanceNorm2d(3, **kw), torch.nn.InstanceNorm2d(3, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for shape in [(2, 3, 4, 4), (3, 4, 4)]:
        data = _rand(shape, 1, shift=1.0)
        assert_same(ours(edutorch.tensor(data)), theirs(torch.tensor(data)), rtol=1e-4, atol=1e-5)
    if kw.get("track_running_stats"):
        assert_same(ours.running_mean, theirs.running_mean)
        ours.eval()
        theirs.eval()
        data = _rand((2, 3, 4, 4), 2)
        assert_same(ours(edutorch.tensor(data)), theirs(torch.tensor(data)), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        ours(edutorch.randn(3, 4))


@pytest.mark.parametrize("make", [
    lambda nn: nn.BatchNorm1d(4), lambda nn: nn.BatchNorm2d(3, eps=1e-3, momentum=None, affine=False,
                                                             track_running_stats=False),
    lambda nn: nn.BatchNorm2d(3, bias=False), lambda nn: nn.InstanceNorm1d(3),
])
def test_norm_reprs(make, torch):
    assert repr(make(nn)) == repr(make(torch.nn))
