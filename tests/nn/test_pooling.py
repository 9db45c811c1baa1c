"""Pooling, unpooling, interpolate and pixel shuffle: gradcheck in float64 and parity with PyTorch."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _pair_of(torch, shape, seed=0, dtype=np.float32, ties=False):
    """The same random input as an edutorch and a torch tensor, both requiring grad."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, shape) if ties else rng.standard_normal(shape)
    a = a.astype(dtype)
    return edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check_grads(torch, ours, theirs, x, tx, seed=1):
    """Backprop the same random upstream gradient through both and compare the input gradients."""
    g = np.random.default_rng(seed).standard_normal(tuple(theirs.shape)).astype(np.float32)
    ours.backward(edutorch.tensor(g))
    theirs.backward(torch.tensor(g))
    assert_same(x.grad, tx.grad, atol=1e-5)


# ---------------------------------------------------------------- max_pool2d / avg_pool2d
MAX_GRID = [
    # shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 8, 8), 2, None, 0, 1, False),        # the 2x2 fast path
    ((2, 3, 7, 9), 2, None, 0, 1, False),        # odd sizes: last row/col dropped
    ((2, 3, 7, 9), 2, None, 0, 1, True),         # ... or kept with ceil_mode
    ((1, 2, 7, 6), 3, 1, 1, 1, False),           # overlapping windows
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 1), (1, 2), True),
    ((2, 1, 10, 7), 3, 2, 1, 2, True),           # dilation
    ((3, 5, 6), 3, 2, 1, 1, True),               # unbatched
    ((1, 1, 5, 5), 2, 2, 1, 1, True),            # ceil window starting in the right padding dropped
    ((1, 2, 6, 11), (1, 4), (1, 3), (0, 2), 1, False),
]


@pytest.mark.parametrize("shape,k,s,p,d,ceil", MAX_GRID)
def test_max_pool2d_matches_torch(torch, shape, k, s, p, d, ceil):
    x, tx = _pair_of(torch, shape)
    out, idx = F.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    tout, tidx = torch.nn.functional.max_pool2d(tx, k, s, p, d, ceil, return_indices=True)
    assert_same(out, tout)
    assert_same(idx, tidx)
    assert out.grad_fn.name() == tout.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    _check_grads(torch, out, tout, x, tx)


@pytest.mark.parametrize("shape,k,s,p,d,ceil", MAX_GRID[:6])
def test_max_pool2d_ties_and_overlap(torch, shape, k, s, p, d, ceil):
    # small integers: many ties; torch picks the first maximum of each window
    x, tx = _pair_of(torch, shape, ties=True)
    out, idx = F.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    tout, tidx = torch.nn.functional.max_pool2d(tx, k, s, p, d, ceil, return_indices=True)
    assert_same(idx, tidx)
    _check_grads(torch, out, tout, x, tx)


def test_max_pool2d_all_minus_inf_and_nan(torch):
    a = np.full((1, 1, 4, 4), -np.inf, dtype=np.float32)
    a[0, 0, 2, 3] = np.nan
    for pad in (0, 1):
        out, idx = F.max_pool2d(edutorch.tensor(a), 2, padding=pad, return_indices=True)
        tout, tidx = torch.nn.functional.max_pool2d(torch.tensor(a), 2, padding=pad, return_indices=True)
        assert_same(out, tout)
        assert_same(idx, tidx)


AVG_GRID = [
    # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((2, 3, 7, 9), 2, None, 0, True, True, None),
    ((1, 2, 7, 6), 3, 1, 1, False, True, None),
    ((1, 2, 7, 6), 3, 1, 1, False, False, None),
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 1), True, False, None),
    ((1, 2, 9, 8), (3, 2), (2, 1), (1, 1), True, True, None),
    ((2, 1, 10, 7), 3, 2, 1, True, True, 5),
    ((3, 5, 6), 3, 2, 1, True, False, None),
]


@pytest.mark.parametrize("shape,k,s,p,ceil,cip,div", AVG_GRID)
def test_avg_pool2d_matches_torch(torch, shape, k, s, p, ceil, cip, div):
    x, tx = _pair_of(torch, shape)
    out = F.avg_pool2d(x, k, s, p, ceil, cip, div)
    tout = torch.nn.functional.avg_pool2d(tx, k, s, p, ceil, cip, div)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name() == "AvgPool2DBackward0"
    _check_grads(torch, out, tout, x, tx)


@pytest.mark.parametrize("ceil,cip,ret", list(itertools.product([False, True], [False, True], [False, True])))
def test_pool2d_gradcheck(ceil, cip, ret):
    x = edutorch.randn(2, 2, 7, 6, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda t: F.max_pool2d(t, (3, 2), (2, 1), 1, (1, 2), ceil, return_indices=ret)[0]
                     if ret else F.max_pool2d(t, (3, 2), (2, 1), 1, (1, 2), ceil), (x,))
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil, cip), (x,))
    assert gradcheck(lambda t: F.avg_pool2d(t, 2, 1, 1, ceil, cip, divisor_override=3), (x,))


def test_pool2d_keeps_float32_and_int64(torch):
    x = edutorch.arange(32).reshape(1, 2, 4, 4)
    tx = torch.arange(32).reshape(1, 2, 4, 4)
    assert_same(F.max_pool2d(x, 2), torch.nn.functional.max_pool2d(tx, 2))
    assert F.max_pool2d(edutorch.randn(1, 1, 4, 4), 2).dtype == edutorch.float32
    assert F.avg_pool2d(edutorch.randn(1, 1, 4, 4), 2).dtype == edutorch.float32


@pytest.mark.parametrize("call", [
    lambda F, x: F.max_pool2d(x, 2, padding=2),       # pad > half of the effective kernel
    lambda F, x: F.max_pool2d(x, 2, padding=2, dilation=3),  # pad > half of the kernel
    lambda F, x: F.max_pool2d(x, 8),                  # output too small
    lambda F, x: F.avg_pool2d(x, 3, padding=2),
    lambda F, x: F.avg_pool2d(x, 8),
    lambda F, x: F.max_pool2d(x[0, 0], 2),            # 2-D input
    lambda F, x: F.max_pool2d(x, 2, stride=0),
    lambda F, x: F.max_pool2d(x, 2, dilation=0),
    lambda F, x: F.max_pool2d(x, 2, padding=-1),
    lambda F, x: F.max_pool2d(x, (2, 2, 2)),
    lambda F, x: F.avg_pool2d(x, 2, divisor_override=0),
    lambda F, x: F.max_pool1d(x, 2),                  # 4-D input to a 1-D pool
])
def test_pool_errors_match_torch(torch, call):
    x, tx = edutorch.randn(1, 2, 6, 6), torch.randn(1, 2, 6, 6)
    with pytest.raises(Exception) as theirs:
        call(torch.nn.functional, tx)
    with pytest.raises(type(theirs.value)):
        call(F, x)


# ---------------------------------------------------------------- 1-D pools
@pytest.mark.parametrize("shape,k,s,p,ceil", [((2, 3, 9), 2, None, 0, False), ((3, 11), 3, 2, 1, True),
                                               ((1, 2, 10), 4, 3, 2, True)])
def test_pool1d_matches_torch(torch, shape, k, s, p, ceil):
    x, tx = _pair_of(torch, shape)
    out, idx = F.max_pool1d(x, k, s, p, 1, ceil, return_indices=True)
    tout, tidx = torch.nn.functional.max_pool1d(tx, k, s, p, 1, ceil, return_indices=True)
    assert_same(out, tout)
    assert_same(idx, tidx)
    assert out.grad_fn.name() == tout.grad_fn.name()
    _check_grads(torch, out, tout, x, tx)
    x, tx = _pair_of(torch, shape)
    out = F.avg_pool1d(x, k, s, p, ceil, False)
    tout = torch.nn.functional.avg_pool1d(tx, k, s, p, ceil, False)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name()
    _check_grads(torch, out, tout, x, tx)


# ---------------------------------------------------------------- modules
MODULES = [
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((2, 3), 1, 1, 2, False, True),
    lambda nn: nn.AvgPool2d(2),
    lambda nn: nn.AvgPool2d((2, 3), 1, 1, True, False, 3),
    lambda nn: nn.MaxPool1d(2),
    lambda nn: nn.AvgPool1d(3),
]


@pytest.mark.parametrize("make", MODULES)
def test_module_repr_and_forward(torch, make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    shape = (2, 3, 11) if "1d" in repr(ours) else (2, 3, 7, 9)
    x, tx = _pair_of(torch, shape)
    assert_same(ours(x), theirs(tx))
    x, tx = _pair_of(torch, shape[1:])  # unbatched
    assert_same(ours(x), theirs(tx))


def test_maxpool2d_module_return_indices(torch):
    x, tx = _pair_of(torch, (2, 3, 6, 6))
    out, idx = nn.MaxPool2d(3, 2, 1, return_indices=True)(x)
    tout, tidx = torch.nn.MaxPool2d(3, 2, 1, return_indices=True)(tx)
    assert_same(out, tout)
    assert_same(idx, tidx)


# ---------------------------------------------------------------- adaptive, unpool, LP
@pytest.mark.parametrize("size", [(3, 4), (5, None), 1, (7, 10), (2, 6), (4, 3)])
def test_adaptive_pool2d_matches_torch(torch, size):
    for ties in (False, True):
        x, tx = _pair_of(torch, (2, 3, 7, 10), ties=ties)
        out, tout = F.adaptive_avg_pool2d(x, size), torch.nn.functional.adaptive_avg_pool2d(tx, size)
        assert_same(out, tout)
        assert out.grad_fn.name() == tout.grad_fn.name()
        _check_grads(torch, out, tout, x, tx)
        x, tx = _pair_of(torch, (2, 3, 7, 10), ties=ties)
        out, idx = F.adaptive_max_pool2d(x, size, return_indices=True)
        tout, tidx = torch.nn.functional.adaptive_max_pool2d(tx, size, return_indices=True)
        assert_same(out, tout)
        assert_same(idx, tidx)
        assert out.grad_fn.name() == tout.grad_fn.name()
        _check_grads(torch, out, tout, x, tx)


def test_adaptive_1d_and_unbatched(torch):
    x, tx = _pair_of(torch, (3, 11))
    assert_same(F.adaptive_avg_pool1d(x, 4), torch.nn.functional.adaptive_avg_pool1d(tx, 4))
    assert_same(F.adaptive_max_pool1d(x, 4), torch.nn.functional.adaptive_max_pool1d(tx, 4))
    x, tx = _pair_of(torch, (3, 7, 5))
    assert_same(F.adaptive_max_pool2d(x, 3), torch.nn.functional.adaptive_max_pool2d(tx, 3))
    with pytest.raises(RuntimeError):
        F.adaptive_avg_pool2d(x[0], 2)
    with pytest.raises(RuntimeError):
        F.adaptive_avg_pool2d(x, (1, 2, 3))


def test_adaptive_unpool_lp_gradcheck():
    x = edutorch.randn(2, 2, 7, 5, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 4)), (x,))
    assert gradcheck(lambda t: F.adaptive_max_pool2d(t, (3, 4)), (x,))
    assert gradcheck(lambda t: F.lp_pool2d(t, 2, 2, ceil_mode=True), (x,))
    _, idx = F.max_pool2d(x, 2, return_indices=True)
    y = edutorch.randn(2, 2, 3, 2, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda t: F.max_unpool2d(t, idx, 2, output_size=(7, 5)), (y,))


def test_max_unpool2d_and_lp_pool_match_torch(torch):
    x, tx = _pair_of(torch, (2, 3, 6, 6))
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    tout, tidx = torch.nn.functional.max_pool2d(tx, 2, return_indices=True)
    u, tu = nn.MaxUnpool2d(2)(out, idx), torch.nn.MaxUnpool2d(2)(tout, tidx)
    assert_same(u, tu)
    assert u.grad_fn.name() == tu.grad_fn.name()
    _check_grads(torch, u, tu, x, tx)
    with pytest.raises(RuntimeError):
        F.max_unpool2d(out, idx, 2, output_size=(3, 3))
    x, tx = _pair_of(torch, (2, 3, 7, 6))
    out, tout = nn.LPPool2d(2, 3, ceil_mode=True)(x), torch.nn.LPPool2d(2, 3, ceil_mode=True)(tx)
    assert_same(out, tout, atol=1e-5)
    assert out.grad_fn.name() == tout.grad_fn.name()
    _check_grads(torch, out, tout, x, tx)


@pytest.mark.parametrize("make", [
    lambda nn: nn.AdaptiveAvgPool2d((3, None)), lambda nn: nn.AdaptiveAvgPool1d(2),
    lambda nn: nn.AdaptiveMaxPool2d(3), lambda nn: nn.AdaptiveMaxPool1d(2), lambda nn: nn.MaxUnpool2d(2),
    lambda nn: nn.MaxUnpool1d(2), lambda nn: nn.LPPool2d(2, 3), lambda nn: nn.LPPool1d(2, 3),
])
def test_more_module_reprs(torch, make):
    assert repr(make(nn)) == repr(make(torch.nn))


# ---------------------------------------------------------------- pixel shuffle
@pytest.mark.parametrize("shape", [(2, 8, 3, 5), (12, 2, 3), (2, 1, 4, 2, 3)])
def test_pixel_shuffle_matches_torch(torch, shape):
    x, tx = _pair_of(torch, shape)
    ours, theirs = nn.PixelShuffle(2), torch.nn.PixelShuffle(2)
    assert repr(ours) == repr(theirs)
    out, tout = ours(x), theirs(tx)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name()
    _check_grads(torch, out, tout, x, tx)
    y, ty = _pair_of(torch, tuple(tout.shape))
    un, tun = nn.PixelUnshuffle(2)(y), torch.nn.PixelUnshuffle(2)(ty)
    assert repr(nn.PixelUnshuffle(2)) == repr(torch.nn.PixelUnshuffle(2))
    assert_same(un, tun)
    assert un.grad_fn.name() == tun.grad_fn.name()
    _check_grads(torch, un, tun, y, ty)
    d = edutorch.randn(*shape, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda t: F.pixel_unshuffle(F.pixel_shuffle(t, 2) * 2, 2), (d,))


def test_pixel_shuffle_errors(torch):
    for f in (lambda F, x: F.pixel_shuffle(x, 4), lambda F, x: F.pixel_unshuffle(x, 4)):
        with pytest.raises(RuntimeError):
            f(torch.nn.functional, torch.randn(1, 2, 6, 6))
        with pytest.raises(RuntimeError):
            f(F, edutorch.randn(1, 2, 6, 6))
