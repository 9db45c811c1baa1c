"""3-D layers (videos, volumes): conv3d / conv_transpose3d, max / avg / adaptive-avg pool3d, BatchNorm3d and
InstanceNorm3d: finite differences in float64 and parity with PyTorch (values, indices, gradients, grad_fn
names, reprs, state_dict, errors)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import edutorch
import edutorch.nn.functional as F
from edutorch import nn
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on even kernels


def _pair(torch, shape, seed=0, dtype=np.float64, ties=False):
    rng = np.random.default_rng(seed)
    a = (rng.integers(-3, 4, shape) if ties else rng.standard_normal(shape)).astype(dtype)
    return edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _backward_both(torch, eo, to, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(to.shape)).astype(to.detach().numpy().dtype)
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))


def _rand64(*shape):
    return edutorch.randn(*shape, dtype=edutorch.float64, requires_grad=True)


# ====================================================================== conv3d / conv_transpose3d
CONV3D_GRID = [
    ((2, 3, 5, 6, 7), (4, 3, 3, 2, 3), {}),
    ((2, 4, 5, 6, 7), (6, 2, 3, 2, 3), {"stride": (1, 2, 1), "padding": (1, 0, 2), "dilation": (2, 1, 1), "groups": 2}),
    ((1, 4, 6, 5, 5), (4, 1, 3, 3, 3), {"stride": 2, "padding": 1, "groups": 4}),  # depthwise
    ((3, 5, 6, 4), (2, 3, 2, 3, 2), {"padding": "same", "dilation": (1, 2, 1)}),  # unbatched, even kernels
    ((1, 2, 4, 5, 6), (3, 2, 1, 1, 1), {"padding": "valid", "stride": (2, 3, 1)}),  # 1x1x1 kernel
]


@pytest.mark.parametrize("x_shape,w_shape,kw", CONV3D_GRID)
def test_conv3d_parity(torch, x_shape, w_shape, kw):
    (ex, tx), (ew, tw), (eb, tb) = _pair(torch, x_shape), _pair(torch, w_shape, 1), _pair(torch, w_shape[:1], 2)
    eo, to = F.conv3d(ex, ew, eb, **kw), torch.nn.functional.conv3d(tx, tw, tb, **kw)
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    assert eo.grad_fn.name() == to.grad_fn.name()
    _backward_both(torch, eo, to)
    for ours, theirs in ((ex, tx), (ew, tw), (eb, tb)):
        assert_same(ours.grad, theirs.grad, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("x_shape,w_shape,kw", CONV3D_GRID[:4])
def test_conv3d_gradcheck(x_shape, w_shape, kw):
    x, w, b = _rand64(*x_shape), _rand64(*w_shape), _rand64(w_shape[0])
    assert gradcheck(lambda x, w, b: F.conv3d(x, w, b, **kw), (x, w, b))


def test_conv3d_is_conv2d_on_a_single_frame(torch):
    # a depth-1 volume and a depth-1 kernel: conv3d must reduce to conv2d of that frame
    x, w = edutorch.randn(2, 3, 1, 6, 5), edutorch.randn(4, 3, 1, 3, 3)
    np.testing.assert_allclose(F.conv3d(x, w, padding=(0, 1, 1)).numpy()[:, :, 0],
                               F.conv2d(x[:, :, 0], w[:, :, 0], padding=1).numpy(), rtol=1e-5, atol=1e-5)
    assert F.conv3d(x, w).dtype == edutorch.float32


TRANSPOSED3D_GRID = [
    ((2, 3, 3, 4, 3), (3, 4, 2, 3, 2), {}),
    ((2, 4, 3, 4, 3), (4, 3, 3, 2, 2), {"stride": (2, 1, 3), "padding": (1, 0, 1), "output_padding": (1, 0, 2),
                                         "groups": 2, "dilation": (1, 2, 1)}),
    ((4, 3, 3, 2), (4, 2, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),  # unbatched
]


@pytest.mark.parametrize("x_shape,w_shape,kw", TRANSPOSED3D_GRID)
def test_conv_transpose3d(torch, x_shape, w_shape, kw):
    n_bias = (w_shape[1] * kw.get("groups", 1),)
    (ex, tx), (ew, tw), (eb, tb) = _pair(torch, x_shape), _pair(torch, w_shape, 1), _pair(torch, n_bias, 2)
    eo, to = F.conv_transpose3d(ex, ew, eb, **kw), torch.nn.functional.conv_transpose3d(tx, tw, tb, **kw)
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    assert eo.grad_fn.name() == to.grad_fn.name()
    _backward_both(torch, eo, to)
    for ours, theirs in ((ex, tx), (ew, tw), (eb, tb)):
        assert_same(ours.grad, theirs.grad, rtol=1e-7, atol=1e-9)
    assert gradcheck(lambda x, w: F.conv_transpose3d(x, w, **kw), (_rand64(*x_shape), _rand64(*w_shape)))


@pytest.mark.parametrize("args", [
    {"x": (1, 2, 4, 4, 4), "w": (3, 3, 2, 2, 2)},  # wrong in_channels
    {"x": (1, 3, 2, 4, 4), "w": (2, 3, 3, 3, 3)},  # kernel deeper than the input
    {"x": (1, 3, 4, 4), "w": (2, 3, 3, 3, 3), "padding": "same", "stride": 2},
    {"x": (3, 4, 4), "w": (2, 3, 3, 3, 3)},  # 3-D input
    {"x": (1, 3, 4, 4, 4), "w": (2, 3, 3, 3, 3), "stride": (1, 1)},
    {"x": (1, 3, 4, 4, 4), "w": (2, 3, 3, 3, 3), "b": (3,)},
    {"x": (1, 3, 4, 4, 4), "w": (2, 3, 3, 3, 3), "padding": -1},
])
def test_conv3d_errors_like_torch(torch, args):
    args = dict(args)
    shapes = args.pop("x"), args.pop("w"), args.pop("b", None)
    ours = [None if s is None else edutorch.zeros(*s) for s in shapes]
    theirs = [None if s is None else torch.zeros(*s) for s in shapes]
    with pytest.raises(Exception) as expected:
        torch.nn.functional.conv3d(*theirs, **args)
    with pytest.raises(type(expected.value)) as got:
        F.conv3d(*ours, **args)
    assert str(got.value) == str(expected.value)


def _copy_params(ours, theirs):
    for name, p in theirs.named_parameters():
        getattr(ours, name).data = edutorch.tensor(p.detach().numpy())


@pytest.mark.parametrize("cls,args,kw", [
    ("Conv3d", (3, 4, 3), {"padding": 1}),
    ("Conv3d", (4, 6, (1, 3, 2)), {"padding": "same", "groups": 2, "bias": False}),
    ("Conv3d", (4, 6, (1, 3, 2)), {"stride": (1, 2, 1), "padding": (0, 1, 1), "dilation": (1, 2, 1), "groups": 2}),
    ("Conv3d", (3, 4, 3), {"padding": (1, 2, 1), "padding_mode": "reflect"}),
    ("Conv3d", (3, 4, 2), {"padding": "same", "padding_mode": "circular", "dilation": 2}),
    ("Conv3d", (3, 4, 3), {"padding": 1, "padding_mode": "replicate", "stride": 2}),
    ("ConvTranspose3d", (3, 4, 3), {"stride": 2, "output_padding": 1}),
    ("ConvTranspose3d", (4, 6, (2, 3, 2)), {"stride": (2, 1, 1), "padding": 1, "groups": 2, "bias": False}),
])
def test_conv3d_modules_parity(torch, cls, args, kw):
    theirs = getattr(torch.nn, cls)(*args, **kw).double()
    ours = getattr(nn, cls)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    _copy_params(ours, theirs)
    for shape in [(2, args[0], 5, 6, 5), (args[0], 4, 5, 6)]:  # batched and unbatched
        ex, tx = _pair(torch, shape)
        eo, to = ours(ex), theirs(tx)
        assert_same(eo, to, rtol=1e-7, atol=1e-9)
        eo.sum().backward()
        to.sum().backward()
        assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)
    for name, p in theirs.named_parameters():
        assert_same(getattr(ours, name).grad, p.grad, rtol=1e-7, atol=1e-9)


def test_conv3d_default_init_bounds():
    m = nn.Conv3d(4, 16, (2, 3, 3))  # fan_in = 4 * 18 = 72
    bound = 1 / np.sqrt(72)
    w = m.weight.detach().numpy()
    assert w.shape == (16, 4, 2, 3, 3) and m.weight.dtype == edutorch.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


# ====================================================================== pooling
MAX3D_GRID = [
    # shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 4, 6, 6), 2, None, 0, 1, False),  # the 2x2x2 reshape fast path
    ((2, 2, 5, 7, 6), 2, None, 0, 1, True),  # odd sizes, ceil_mode keeps the last windows
    ((1, 2, 5, 6, 7), (3, 2, 3), (2, 1, 2), (1, 1, 1), (1, 2, 1), True),
    ((1, 2, 6, 5, 5), (1, 2, 2), None, 0, 1, False),  # pool space only, keep the frames
    ((2, 5, 6, 7), 3, 2, 1, 2, False),  # unbatched, dilation
]


@pytest.mark.parametrize("shape,k,s,p,d,ceil", MAX3D_GRID)
def test_max_pool3d_matches_torch(torch, shape, k, s, p, d, ceil):
    for ties in (False, True):  # small integers: many ties, torch picks the first maximum
        x, tx = _pair(torch, shape, dtype=np.float32, ties=ties)
        out, idx = F.max_pool3d(x, k, s, p, d, ceil, return_indices=True)
        tout, tidx = torch.nn.functional.max_pool3d(tx, k, s, p, d, ceil, return_indices=True)
        assert_same(out, tout)
        assert_same(idx, tidx)
        assert out.grad_fn.name() == tout.grad_fn.name() == "MaxPool3DWithIndicesBackward0"
        _backward_both(torch, out, tout)
        assert_same(x.grad, tx.grad, atol=1e-5)


AVG3D_GRID = [
    # shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    ((2, 3, 4, 6, 6), 2, None, 0, False, True, None),
    ((1, 2, 5, 7, 6), (3, 2, 3), (2, 1, 2), (1, 1, 1), True, False, None),
    ((1, 2, 5, 7, 6), (3, 2, 3), (2, 1, 2), (1, 1, 1), True, True, None),
    ((2, 5, 6, 7), 3, 2, 1, False, True, 7),  # unbatched
]


@pytest.mark.parametrize("shape,k,s,p,ceil,cip,div", AVG3D_GRID)
def test_avg_pool3d_matches_torch(torch, shape, k, s, p, ceil, cip, div):
    x, tx = _pair(torch, shape, dtype=np.float32)
    out = F.avg_pool3d(x, k, s, p, ceil, cip, div)
    tout = torch.nn.functional.avg_pool3d(tx, k, s, p, ceil, cip, div)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name() == "AvgPool3DBackward0"
    _backward_both(torch, out, tout)
    assert_same(x.grad, tx.grad, atol=1e-5)


@pytest.mark.parametrize("size", [(2, 3, 2), (3, None, 1), 1, (4, 5, 3)])
def test_adaptive_avg_pool3d_matches_torch(torch, size):
    x, tx = _pair(torch, (2, 3, 5, 7, 3))
    out, tout = F.adaptive_avg_pool3d(x, size), torch.nn.functional.adaptive_avg_pool3d(tx, size)
    assert_same(out, tout, rtol=1e-7, atol=1e-9)
    assert out.grad_fn.name() == tout.grad_fn.name()
    _backward_both(torch, out, tout)
    assert_same(x.grad, tx.grad, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("ceil", [False, True])
def test_pool3d_gradcheck(ceil):
    x = _rand64(2, 2, 5, 4, 5)
    assert gradcheck(lambda t: F.max_pool3d(t, (3, 2, 2), (2, 1, 2), 1, (1, 2, 1), ceil), (x,))
    assert gradcheck(lambda t: F.max_pool3d(t, 2, 1, 1, 1, ceil, return_indices=True)[0], (x,))
    assert gradcheck(lambda t: F.avg_pool3d(t, 3, 2, 1, ceil, False), (x,))
    assert gradcheck(lambda t: F.avg_pool3d(t, 2, 1, 1, ceil, True, divisor_override=3), (x,))
    assert gradcheck(lambda t: F.adaptive_avg_pool3d(t, (2, 3, 2)), (x,))


@pytest.mark.parametrize("call", [
    lambda F, x: F.max_pool3d(x, 2, padding=2),  # pad > half of the effective kernel
    lambda F, x: F.max_pool3d(x, 2, padding=2, dilation=4),  # pad > half of the kernel
    lambda F, x: F.max_pool3d(x, (4, 2, 2)),  # output too small
    lambda F, x: F.avg_pool3d(x, (4, 2, 2)),  # input smaller than the kernel
    lambda F, x: F.max_pool3d(x[0, 0], 2),  # 3-D input
    lambda F, x: F.max_pool3d(x, 2, stride=0),
    lambda F, x: F.max_pool3d(x, 0, stride=1),
    lambda F, x: F.max_pool3d(x, 2, dilation=0),
    lambda F, x: F.avg_pool3d(x, 2, padding=-1),
    lambda F, x: F.max_pool3d(x, (2, 2)),
    lambda F, x: F.max_pool3d(x, 2, stride=(1, 1)),
    lambda F, x: F.max_pool3d(x, 2, dilation=(1, 1)),
    lambda F, x: F.avg_pool3d(x, (2, 2)),
    lambda F, x: F.avg_pool3d(x, 2, stride=(1, 1)),
    lambda F, x: F.avg_pool3d(x, 2, padding=(1, 1)),
    lambda F, x: F.avg_pool3d(x, 2, divisor_override=0),
    lambda F, x: F.max_pool3d(x[:, :, :, :0], 2),  # an empty dim
    lambda F, x: F.avg_pool3d(x[:, :, :0], 2),
    lambda F, x: F.adaptive_avg_pool3d(x[0, 0, 0], 2),
    lambda F, x: F.adaptive_avg_pool3d(x, (2, 2)),
])
def test_pool3d_errors_match_torch(torch, call):
    x, tx = edutorch.randn(1, 2, 3, 6, 6), torch.randn(1, 2, 3, 6, 6)
    with pytest.raises(Exception) as theirs:
        call(torch.nn.functional, tx)
    with pytest.raises(type(theirs.value)) as ours:
        call(F, x)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("make", [
    lambda nn: nn.MaxPool3d(2),
    lambda nn: nn.MaxPool3d((1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), ceil_mode=True),
    lambda nn: nn.AvgPool3d((2, 3, 3), stride=1, padding=1, count_include_pad=False),
    lambda nn: nn.AvgPool3d(2, divisor_override=3),
    lambda nn: nn.AdaptiveAvgPool3d((2, None, 3)),
    lambda nn: nn.AdaptiveAvgPool3d(1),
])
def test_pool3d_modules(torch, make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    x, tx = _pair(torch, (2, 3, 4, 7, 6), dtype=np.float32)
    assert_same(ours(x), theirs(tx))
    _out, idx = nn.MaxPool3d(2, return_indices=True)(x)
    _tout, tidx = torch.nn.MaxPool3d(2, return_indices=True)(tx)
    assert_same(idx, tidx)


# ====================================================================== BatchNorm3d / InstanceNorm3d
def test_batchnorm3d_training_then_eval(torch):
    ours, theirs = nn.BatchNorm3d(3, momentum=0.3), torch.nn.BatchNorm3d(3, momentum=0.3)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    for seed in range(2):
        x, tx = _pair(torch, (2, 3, 3, 4, 5), seed, dtype=np.float32)
        eo, to = ours(x), theirs(tx)
        assert_same(eo, to, atol=1e-5)
        _backward_both(torch, eo, to)
        assert_same(x.grad, tx.grad, atol=1e-5)
    assert_same(ours.weight.grad, theirs.weight.grad, atol=1e-4)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        assert_same(getattr(ours, name), getattr(theirs, name))
    ours.eval(), theirs.eval()
    x, tx = _pair(torch, (1, 3, 2, 2, 2), 5, dtype=np.float32)
    assert_same(ours(x), theirs(tx), atol=1e-6)
    x = _rand64(2, 3, 2, 3, 2)
    assert gradcheck(lambda t: F.batch_norm(t, None, None, training=True), (x,))
    for bad in ((2, 3, 4, 4), (3, 4, 4, 4, 4, 1)):
        with pytest.raises(ValueError) as expected:
            theirs(torch.zeros(*bad))
        with pytest.raises(ValueError) as got:
            ours(edutorch.zeros(*bad))
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("kw", [{}, {"affine": True, "track_running_stats": True}])
def test_instancenorm3d(torch, kw):
    ours, theirs = nn.InstanceNorm3d(3, **kw), torch.nn.InstanceNorm3d(3, **kw)
    assert repr(ours) == repr(theirs)
    for shape in ((2, 3, 3, 4, 5), (3, 2, 4, 3)):  # batched and unbatched
        x, tx = _pair(torch, shape, dtype=np.float32)
        eo, to = ours(x), theirs(tx)
        assert_same(eo, to, atol=1e-5)
        _backward_both(torch, eo, to)
        assert_same(x.grad, tx.grad, atol=1e-5)
    with pytest.raises(ValueError) as expected:
        theirs(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError) as got:
        ours(edutorch.zeros(3, 4, 4))
    assert str(got.value) == str(expected.value)


def test_interpolate_area_of_a_volume_is_adaptive_avg_pool3d(torch):
    x, tx = _pair(torch, (2, 3, 5, 7, 6))
    for kw in ({"size": (2, 3, 4)}, {"scale_factor": 0.5}):
        out = F.interpolate(x, mode="area", **kw)
        tout = torch.nn.functional.interpolate(tx, mode="area", **kw)
        assert_same(out, tout, rtol=1e-7, atol=1e-9)
        assert out.grad_fn.name() == tout.grad_fn.name()


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_conv3d_and_pool3d_random_configs(torch, data):
    """Random shapes / strides / paddings / dilations / groups: conv3d and max/avg pool3d, values and all
    gradients against PyTorch."""
    d = st.integers
    groups, cg, og = data.draw(d(1, 2)), data.draw(d(1, 2)), data.draw(d(1, 2))
    k = [data.draw(d(1, 3)) for _ in range(3)]
    dil = [data.draw(d(1, 2)) for _ in range(3)]
    s = [data.draw(d(1, 2)) for _ in range(3)]
    p = [data.draw(d(0, 1)) for _ in range(3)]
    size = [data.draw(d(max(1, di * (ki - 1) + 1 - 2 * pi), 5)) for ki, di, pi in zip(k, dil, p)]
    kw = {"stride": s, "padding": p, "dilation": dil, "groups": groups}
    shape = (data.draw(d(1, 2)), cg * groups, *size)
    (ex, tx), (ew, tw) = _pair(torch, shape, 3), _pair(torch, (og * groups, cg, *k), 4)
    eo, to = F.conv3d(ex, ew, **kw), torch.nn.functional.conv3d(tx, tw, **kw)
    assert_same(eo, to, rtol=1e-7, atol=1e-9)
    _backward_both(torch, eo, to)
    assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)
    assert_same(ew.grad, tw.grad, rtol=1e-7, atol=1e-9)
    # pooling: padding at most half the kernel, windows that fit
    pk = [data.draw(d(1, 3)) for _ in range(3)]
    pp = [data.draw(d(0, ki // 2)) for ki in pk]
    ceil = data.draw(st.booleans())
    shape = (2, 2, *(data.draw(d(ki, 6)) for ki in pk))
    count_include_pad = data.draw(st.booleans())
    for name, args in (("max_pool3d", (pk, s, pp, 1, ceil)), ("avg_pool3d", (pk, s, pp, ceil, count_include_pad))):
        ex, tx = _pair(torch, shape, 5)
        eo, to = getattr(F, name)(ex, *args), getattr(torch.nn.functional, name)(tx, *args)
        assert_same(eo, to, rtol=1e-7, atol=1e-9)
        _backward_both(torch, eo, to)
        assert_same(ex.grad, tx.grad, rtol=1e-7, atol=1e-9)
