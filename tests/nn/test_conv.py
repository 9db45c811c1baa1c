"""Convolution, transposed convolution, unfold / fold and pad: finite differences and PyTorch parity."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

rng = np.random.default_rng(0)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on even kernels


def _pair(torch, shape, dtype=np.float64, gen=None):
    a = (gen or rng).standard_normal(shape).astype(dtype)
    return edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _run_both(torch, name, x_shape, w_shape, n_bias, dtype=np.float64, rtol=1e-7, atol=1e-9, gen=None, **kw):
    """Forward + backward of F.<name> in both libraries; compares output, grad_fn and every gradient."""
    (ex, tx), (ew, tw) = _pair(torch, x_shape, dtype, gen), _pair(torch, w_shape, dtype, gen)
    eb, tb = _pair(torch, (n_bias,), dtype, gen) if n_bias else (None, None)
    eo = getattr(F, name)(ex, ew, eb, **kw)
    to = getattr(torch.nn.functional, name)(tx, tw, tb, **kw)
    assert_same(eo, to, rtol=rtol, atol=atol)
    assert eo.grad_fn.name() == to.grad_fn.name()
    g = (gen or rng).standard_normal(tuple(to.shape)).astype(dtype)
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))
    for ours, theirs in [(ex, tx), (ew, tw)] + ([(eb, tb)] if n_bias else []):
        assert_same(ours.grad, theirs.grad, rtol=rtol, atol=atol)


# (x shape, w shape, kwargs): strides, paddings, dilations, groups (incl. depthwise), non-square kernels, odd sizes
CONV2D_GRID = [
    ((2, 3, 7, 6), (4, 3, 3, 2), {}),
    ((2, 4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ((2, 4, 9, 8), (4, 1, 3, 3), dict(stride=2, padding=1, groups=4)),  # depthwise
    ((1, 4, 9, 8), (8, 1, 3, 3), dict(padding=1, groups=4)),  # depthwise, channel multiplier 2
    ((1, 3, 8, 7), (5, 3, 4, 3), dict(padding="same", dilation=2)),
    ((3, 8, 8), (5, 3, 4, 3), dict(padding="valid", stride=3)),  # unbatched
    ((2, 2, 5, 5), (3, 2, 5, 5), dict(padding=(0, 1), stride=(1, 3))),
    # padding wider than the kernel's span: the input gradient's transposed convolution crops grad_out
    ((2, 3, 5, 6), (4, 3, 1, 2), dict(stride=2, padding=(2, 3))),
]


@pytest.mark.parametrize("x_shape,w_shape,kw", CONV2D_GRID)
def test_conv2d_parity(torch, x_shape, w_shape, kw):
    _run_both(torch, "conv2d", x_shape, w_shape, w_shape[0], **kw)


@pytest.mark.parametrize("x_shape,w_shape,kw", CONV2D_GRID[:5])
def test_conv2d_gradcheck(x_shape, w_shape, kw):
    x = edutorch.randn(*x_shape, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(*w_shape, dtype=edutorch.float64, requires_grad=True)
    b = edutorch.randn(w_shape[0], dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), (x, w, b))


def test_conv2d_gradcheck_padding_wider_than_kernel():
    x = edutorch.randn(2, 3, 5, 6, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(4, 3, 1, 2, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=(2, 3)), (x, w))


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_conv2d_random_configs(torch, data):
    """Random shapes / strides / paddings / dilations / groups, forward and all gradients against PyTorch."""
    d = st.integers
    groups = data.draw(d(1, 3))
    cg, og = data.draw(d(1, 2)), data.draw(d(1, 2))
    kh, kw, dh, dw = data.draw(d(1, 3)), data.draw(d(1, 3)), data.draw(d(1, 2)), data.draw(d(1, 2))
    sh, sw, ph, pw = data.draw(d(1, 3)), data.draw(d(1, 3)), data.draw(d(0, 2)), data.draw(d(0, 2))
    h = data.draw(d(max(1, dh * (kh - 1) + 1 - 2 * ph), 7))
    w = data.draw(d(max(1, dw * (kw - 1) + 1 - 2 * pw), 7))
    _run_both(torch, "conv2d", (data.draw(d(1, 2)), cg * groups, h, w), (og * groups, cg, kh, kw), og * groups,
              stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=groups)


def test_conv2d_float32_cifar_shape(torch):
    # float32 sums of up to 4096 terms (the weight gradient): compare at float32's accuracy, data fixed
    _run_both(torch, "conv2d", (4, 3, 32, 32), (32, 3, 5, 5), 32, dtype=np.float32, rtol=1e-4, atol=1e-3,
              gen=np.random.default_rng(1), padding=2)
    x = edutorch.randn(2, 3, 8, 8)
    assert F.conv2d(x, edutorch.randn(4, 3, 3, 3)).dtype == edutorch.float32


def test_conv2d_no_bias_and_input_without_grad(torch):
    _run_both(torch, "conv2d", (2, 3, 6, 6), (4, 3, 3, 3), 0, stride=2)
    x = edutorch.randn(2, 3, 6, 6)  # like a data batch: only the weight needs a gradient
    w = edutorch.randn(4, 3, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == w.shape


@pytest.mark.parametrize("x_shape,w_shape,kw", [
    ((2, 4, 9), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    ((4, 9), (6, 4, 4), dict(padding="same")),
    ((2, 3, 10), (3, 1, 3), dict(groups=3, padding="valid")),
])
def test_conv1d(torch, x_shape, w_shape, kw):
    _run_both(torch, "conv1d", x_shape, w_shape, w_shape[0], **kw)
    x = edutorch.randn(*x_shape, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(*w_shape, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv1d(x, w, **kw), (x, w))


TRANSPOSED_GRID = [
    ((2, 3, 5, 4), (3, 4, 3, 2), {}),
    ((2, 4, 5, 4), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2,
                                      dilation=(1, 2))),
    ((4, 5, 4), (4, 3, 3, 3), dict(stride=2, padding=1, dilation=2, output_padding=1)),
]


@pytest.mark.parametrize("x_shape,w_shape,kw", TRANSPOSED_GRID)
def test_conv_transpose2d(torch, x_shape, w_shape, kw):
    _run_both(torch, "conv_transpose2d", x_shape, w_shape, w_shape[1] * kw.get("groups", 1), **kw)
    x = edutorch.randn(*x_shape, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(*w_shape, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv_transpose2d(x, w, **kw), (x, w))


@pytest.mark.parametrize("x_shape,w_shape,kw", [
    ((2, 4, 7), (4, 3, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((4, 7), (4, 3, 3), {}),
])
def test_conv_transpose1d(torch, x_shape, w_shape, kw):
    _run_both(torch, "conv_transpose1d", x_shape, w_shape, w_shape[1] * kw.get("groups", 1), **kw)
    x = edutorch.randn(*x_shape, dtype=edutorch.float64, requires_grad=True)
    w = edutorch.randn(*w_shape, dtype=edutorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv_transpose1d(x, w, **kw), (x, w))


@pytest.mark.parametrize("args", [
    dict(x=(64, 1, 32, 32), w=(32, 3, 5, 5)),  # wrong in_channels
    dict(x=(1, 3, 3, 3), w=(2, 3, 5, 5)),  # kernel larger than the padded input
    dict(x=(1, 4, 3, 3), w=(3, 2, 1, 1), groups=2),  # groups not dividing out channels
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), stride=2, padding="same"),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), padding="foo"),
    dict(x=(3, 8, 8, 8, 8), w=(2, 3, 3, 3)),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), b=(3,)),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), stride=0),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), padding=-1),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), stride=(1, 1, 1)),
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), dtypes=("float32", "float64", None)),  # no silent upcast
    dict(x=(1, 3, 8, 8), w=(2, 3, 3, 3), b=(2,), dtypes=("float32", "float32", "float64")),
])
def test_conv2d_errors_like_torch(torch, args):
    args = dict(args)
    x, w, b = args.pop("x"), args.pop("w"), args.pop("b", None)
    dtypes = args.pop("dtypes", ("float32",) * 3)
    ours = [None if s is None else edutorch.zeros(*s, dtype=getattr(edutorch, d)) for s, d in zip((x, w, b), dtypes)]
    theirs = [None if s is None else torch.zeros(*s, dtype=getattr(torch, d)) for s, d in zip((x, w, b), dtypes)]
    with pytest.raises(Exception) as expected:
        torch.nn.functional.conv2d(*theirs, **args)
    with pytest.raises(type(expected.value)) as got:
        F.conv2d(*ours, **args)
    assert str(got.value) == str(expected.value)


# ====================================================================== unfold / fold / pad
@pytest.mark.parametrize("fn,shape,args,kw", [
    ("unfold", (2, 3, 7, 6), ((3, 2),), dict(dilation=(1, 2), padding=(1, 0), stride=(2, 1))),
    ("unfold", (3, 5, 5), (2,), {}),
    ("fold", (2, 12, 28), ((6, 7), (2, 3)), dict(padding=1, stride=(2, 1))),
    ("fold", (8, 9), ((4, 4), 2), {}),
    ("pad", (2, 3, 5, 4), ((-1, 2, 0, -2),), dict(value=2.5)),
    ("pad", (2, 3, 5, 4), ((3, 4, 3, 4, 1, 1, 1, 1),), {}),
] + [("pad", shape, (p,), dict(mode=m)) for m in ("constant", "reflect", "replicate", "circular")
     for shape, p in [((2, 3, 5, 4), (1, 2, 3, 1)), ((3, 5, 4), (2, 1)), ((1, 2, 4, 3, 3), (2, 1, 1, 1, 2, 0))]])
def test_unfold_fold_pad(torch, fn, shape, args, kw):
    ex, tx = _pair(torch, shape)
    eo, to = getattr(F, fn)(ex, *args, **kw), getattr(torch.nn.functional, fn)(tx, *args, **kw)
    assert_same(eo, to)
    assert eo.grad_fn.name() == to.grad_fn.name().replace("torch::autograd::", "")
    g = rng.standard_normal(tuple(to.shape))
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))
    assert_same(ex.grad, tx.grad)
    assert gradcheck(lambda x: getattr(F, fn)(x, *args, **kw), (edutorch.randn(*shape, dtype=edutorch.float64,
                                                                                  requires_grad=True),))


def test_unfold_matmul_is_conv2d():
    x, w = edutorch.randn(2, 3, 6, 5), edutorch.randn(4, 3, 3, 3)
    cols = F.unfold(x, 3, padding=1)  # (2, 27, 30)
    out = (w.view(4, -1) @ cols).view(2, 4, 6, 5)
    np.testing.assert_allclose(out.numpy(), F.conv2d(x, w, padding=1).numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda F, t: F.unfold(t.zeros(5, 5), 2),
    lambda F, t: F.unfold(t.zeros(1, 1, 2, 2), 3),
    lambda F, t: F.fold(t.zeros(1, 5, 9), (4, 4), 2),
    lambda F, t: F.fold(t.zeros(1, 8, 5), (4, 4), 2),
    lambda F, t: F.pad(t.zeros(1, 2, 5, 5), (5, 5, 0, 0), mode="reflect"),
    lambda F, t: F.pad(t.zeros(1, 2, 5, 5), (6, 5, 0, 0), mode="circular"),
    lambda F, t: F.pad(t.zeros(5), (1, 1), mode="reflect"),
    lambda F, t: F.pad(t.zeros(2, 5), (1, 1, 1, 1, 1, 1)),
    lambda F, t: F.pad(t.zeros(2, 5), (1, 1, 1)),
    lambda F, t: F.pad(t.zeros(2, 5), (1, 1), mode="foo"),
])
def test_unfold_fold_pad_errors(torch, call):
    with pytest.raises(Exception) as expected:
        call(torch.nn.functional, torch)
    with pytest.raises(type(expected.value)) as got:
        call(F, edutorch)
    assert str(got.value) == str(expected.value)


# ====================================================================== modules
def _copy_params(ours, theirs):
    for name, p in theirs.named_parameters():
        getattr(ours, name).data = edutorch.tensor(p.detach().numpy())


@pytest.mark.parametrize("cls,args,kw", [
    ("Conv2d", (3, 32, 5), dict(padding=2)),
    ("Conv2d", (3, 32, (3, 5)), dict(stride=2, padding=1, dilation=2, bias=False, padding_mode="reflect")),
    ("Conv2d", (4, 8, 3), dict(padding="same", groups=4, padding_mode="circular")),
    ("Conv2d", (4, 6, 3), dict(padding="valid", padding_mode="replicate")),
    ("Conv1d", (3, 6, 3), dict(padding="same", groups=3)),
    ("Conv1d", (3, 6, 4), dict(padding=2, padding_mode="reflect", stride=2)),
    ("ConvTranspose2d", (3, 6, 3), dict(stride=2, output_padding=1)),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(stride=(2, 1), padding=1, groups=2, dilation=2, bias=False)),
    ("ConvTranspose1d", (3, 6, 3), {}),
])
def test_conv_modules_parity(torch, cls, args, kw):
    theirs = getattr(torch.nn, cls)(*args, **kw).double()
    ours = getattr(nn, cls)(*args, **kw)
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    n = 1 if "1d" in cls else 2
    for shape in [(2, args[0]) + (9,) * n, (args[0],) + (8,) * n]:  # batched and unbatched
        ex, tx = _pair(torch, shape)
        eo, to = ours(ex), theirs(tx)
        assert_same(eo, to, rtol=1e-7, atol=1e-9)
        assert eo.grad_fn.name() == to.grad_fn.name()
        eo.sum().backward()
        to.sum().backward()
        assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)
    for name, p in theirs.named_parameters():
        assert_same(getattr(ours, name).grad, p.grad, rtol=1e-7, atol=1e-9)


def test_conv_default_init_bounds():
    m = nn.Conv2d(8, 64, 3)  # fan_in = 8 * 9 = 72
    bound = 1 / math.sqrt(72)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert m.weight.dtype == edutorch.float32 and w.shape == (64, 8, 3, 3)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # U(-a, a) has std a / sqrt(3)
    t = nn.ConvTranspose2d(4, 6, 3, groups=2)  # weight (4, 3, 3, 3): fan_in = 3 * 9
    assert t.weight.shape == (4, 3, 3, 3)
    assert np.abs(t.bias.detach().numpy()).max() <= 1 / math.sqrt(27)
    assert len(list(nn.Conv2d(3, 32, 5).parameters())) == 2
    assert sum(p.numel() for p in nn.Conv2d(3, 32, 5).parameters()) == 32 * 3 * 25 + 32


def test_conv_transpose_output_size(torch):
    theirs = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1).double()
    ours = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1)
    _copy_params(ours, theirs)
    ex, tx = _pair(torch, (1, 3, 5, 5))
    for size in [(10, 10), (1, 4, 9, 10), [9, 9]]:
        assert_same(ours(ex, output_size=size), theirs(tx, output_size=size), rtol=1e-7, atol=1e-9)
    for bad in [(12, 12), (10,)]:
        with pytest.raises(ValueError) as expected:
            theirs(tx, output_size=bad)
        with pytest.raises(ValueError) as got:
            ours(ex, output_size=bad)
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("kw", [dict(groups=4), dict(groups=0), dict(stride=2, padding="same"),
                                dict(padding_mode="foo"), dict(padding="bar")])
def test_conv_module_errors(torch, kw):
    with pytest.raises(ValueError) as expected:
        torch.nn.Conv2d(4, 6, 3, **kw)
    with pytest.raises(ValueError) as got:
        nn.Conv2d(4, 6, 3, **kw)
    # the messages list a Python set, whose order varies between runs: compare the words before it
    assert str(got.value).split("{")[0] == str(expected.value).split("{")[0]
    with pytest.raises(ValueError):
        nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")


def test_wrong_channels_message_names_shapes():
    with pytest.raises(RuntimeError, match=r"expected input\[64, 1, 32, 32\] to have 3 channels, but got 1 "
                                           r"channels instead"):
        nn.Conv2d(3, 32, 5, padding=2)(edutorch.zeros(64, 1, 32, 32))


def test_unfold_fold_modules(torch):
    assert repr(nn.Unfold(2, stride=2)) == repr(torch.nn.Unfold(2, stride=2))
    assert repr(nn.Fold((4, 4), 2)) == repr(torch.nn.Fold((4, 4), 2))
    ex, tx = _pair(torch, (2, 3, 4, 4))
    assert_same(nn.Fold((4, 4), 2, stride=2)(nn.Unfold(2, stride=2)(ex)),
                torch.nn.Fold((4, 4), 2, stride=2)(torch.nn.Unfold(2, stride=2)(tx)))


def test_inplace_change_of_input_is_detected(torch):
    for lib, F_ in ((torch, torch.nn.functional), (edutorch, F)):
        x = lib.randn(1, 2, 5, 5).requires_grad_() * 1  # a non-leaf, so in-place ops are allowed
        w = lib.randn(3, 2, 3, 3).requires_grad_()
        out = F_.conv2d(x, w)
        x.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
