"""F.interpolate and nn.Upsample*: parity with PyTorch (values, gradients, grad_fn, reprs, errors) and
float64 gradcheck."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
import edutorch.nn as nn
import edutorch.nn.functional as F
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _pair_of(torch, shape, seed=0, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _compare(torch, shape, seed=0, **kw):
    """Forward, grad_fn name and input gradient of ours vs torch's interpolate with the same args."""
    x, tx = _pair_of(torch, shape, seed)
    out = F.interpolate(x, **kw)
    tout = torch.nn.functional.interpolate(tx, **kw)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name()
    g = np.random.default_rng(seed + 1).standard_normal(tuple(tout.shape)).astype(np.float32)
    out.backward(edutorch.tensor(g))
    tout.backward(torch.tensor(g))
    assert_same(x.grad, tx.grad, atol=1e-5)
    return out


SIZES_2D = [(4, 4), (8, 8), (3, 5), (7, 2), (1, 1), (1, 9), (5, 3), (2, 2), (13, 11)]


@pytest.mark.parametrize("size", SIZES_2D)
@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("bilinear", False), ("bilinear", True)])
def test_interpolate_size_2d(torch, size, mode, align_corners):
    _compare(torch, (2, 3, 4, 5), size=size, mode=mode, align_corners=align_corners)


SCALES = [2, 3, 0.5, 1.5, 0.3, 1.7, (2, 0.75), (1.25, 3.3), 1.0, 2.5]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("recompute", [None, True])
@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("bilinear", False), ("bilinear", True)])
def test_interpolate_scale_2d(torch, scale, recompute, mode, align_corners):
    # with a scale factor (and no recompute) torch samples at 1/scale, not in/out: e.g. 5 * 1.7
    _compare(torch, (2, 2, 5, 7), scale_factor=scale, mode=mode, align_corners=align_corners,
             recompute_scale_factor=recompute)


@pytest.mark.parametrize("kw", [dict(size=9), dict(size=3), dict(size=1), dict(scale_factor=2),
                                dict(scale_factor=1.3), dict(scale_factor=0.4),
                                dict(scale_factor=2.2, recompute_scale_factor=True)])
@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("linear", False), ("linear", True)])
def test_interpolate_1d(torch, kw, mode, align_corners):
    _compare(torch, (2, 3, 6), mode=mode, align_corners=align_corners, **kw)


def test_grad_fn_names(torch):
    x = edutorch.randn(1, 2, 3, 3, requires_grad=True)
    assert F.interpolate(x, scale_factor=2).grad_fn.name() == "UpsampleNearest2DBackward0"
    assert F.interpolate(x, size=5, mode="bilinear").grad_fn.name() == "UpsampleBilinear2DBackward0"
    assert F.interpolate(x[0], size=5).grad_fn.name() == "UpsampleNearest1DBackward0"
    assert F.interpolate(x[0], size=5, mode="linear").grad_fn.name() == "UpsampleLinear1DBackward0"


def test_random_sizes_and_scales_match_torch(torch):
    # a broad sweep of the pixel choice: sizes and non-round scale factors, both modes
    rng = np.random.default_rng(3)
    for trial in range(120):
        h, w = (int(v) for v in rng.integers(3, 10, 2))  # >= 3: scale >= 0.35 keeps >= 1 pixel
        a = rng.standard_normal((1, 2, h, w)).astype(np.float32)
        mode = ("nearest", "bilinear")[trial % 2]
        ac = None if mode == "nearest" else bool(trial % 4 == 1)
        if trial % 3 == 0:
            kw = dict(size=tuple(int(v) for v in rng.integers(1, 14, 2)))
        else:
            kw = dict(scale_factor=tuple(float(round(v, 3)) for v in rng.uniform(0.35, 3.5, 2)))
        theirs = torch.nn.functional.interpolate(torch.tensor(a), mode=mode, align_corners=ac, **kw)
        ours = F.interpolate(edutorch.tensor(a), mode=mode, align_corners=ac, **kw)
        assert_same(ours, theirs)


def test_dtypes(torch):
    a = np.random.default_rng(0).standard_normal((1, 1, 3, 4))
    for dt in (np.float32, np.float64):
        for mode in ("nearest", "bilinear"):
            assert_same(F.interpolate(edutorch.tensor(a.astype(dt)), scale_factor=1.5, mode=mode),
                        torch.nn.functional.interpolate(torch.tensor(a.astype(dt)), scale_factor=1.5,
                                                        mode=mode))
    u8 = np.arange(12, dtype=np.uint8).reshape(1, 1, 3, 4)
    assert_same(F.interpolate(edutorch.tensor(u8), size=(5, 7)),
                torch.nn.functional.interpolate(torch.tensor(u8), size=(5, 7)))
    with pytest.raises(NotImplementedError):
        F.interpolate(edutorch.tensor(u8.astype(np.int64)), size=3)
    with pytest.raises(NotImplementedError):
        torch.nn.functional.interpolate(torch.tensor(u8.astype(np.int64)), size=3)


def test_nearest_copies_inf_and_nan(torch):
    a = np.array([[[[1.0, np.inf], [np.nan, 2.0]]]], dtype=np.float32)
    assert_same(F.interpolate(edutorch.tensor(a), size=(3, 5)),
                torch.nn.functional.interpolate(torch.tensor(a), size=(3, 5)))


def test_area_mode(torch):
    _compare(torch, (2, 3, 7, 5), size=(3, 2), mode="area")


@pytest.mark.parametrize("kw", [
    dict(size=(3, 5), mode="bilinear", align_corners=False),
    dict(size=(3, 5), mode="bilinear", align_corners=True),
    dict(scale_factor=1.7, mode="bilinear"),
    dict(scale_factor=(0.6, 2.0), mode="nearest"),
    dict(size=(6, 2), mode="nearest"),
])
def test_gradcheck_2d(kw):
    x = edutorch.tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, **kw), (x,))


@pytest.mark.parametrize("kw", [dict(size=7, mode="linear", align_corners=True),
                                dict(scale_factor=0.7, mode="linear"), dict(size=8)])
def test_gradcheck_1d(kw):
    x = edutorch.tensor(np.random.default_rng(1).standard_normal((2, 3, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, **kw), (x,))


ERRORS = [
    (dict(size=3, align_corners=True), (4, 4)),                       # align_corners with nearest
    (dict(size=3, scale_factor=2), (4, 4)),                           # both
    (dict(), (4, 4)),                                                 # neither
    (dict(size=(2,)), (4, 4)),                                        # wrong number of sizes
    (dict(scale_factor=(2,)), (4, 4)),
    (dict(size=(2.0, 3)), (4, 4)),                                    # non-integer size
    (dict(size=3, recompute_scale_factor=True), (4, 4)),
    (dict(size=3, antialias=True), (4, 4)),                           # antialias with nearest
    (dict(size=0), (4, 4)),                                           # empty output
    (dict(size=0), (4,)),
    (dict(scale_factor=0.1), (4, 4)),
    (dict(size=-1), (4, 4)),
    (dict(size=3, mode="bilinear"), (4,)),                            # 3-D input, bilinear
    (dict(size=3, mode="linear"), (4, 4)),                            # 4-D input, linear
    (dict(size=3, mode="trilinear"), (4, 4)),
    (dict(size=3), ()),                                               # 2-D input
    (dict(size=3, mode="foo"), (4, 4)),
]


@pytest.mark.parametrize("kw,spatial", ERRORS)
def test_errors_match_torch(torch, kw, spatial):
    a = np.zeros((1, 2, *spatial), dtype=np.float32)
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.interpolate(torch.tensor(a), **kw)
    with pytest.raises(type(theirs.value)) as ours:
        F.interpolate(edutorch.tensor(a), **kw)
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------- modules
MODULES = [
    ("Upsample", dict(scale_factor=2)),
    ("Upsample", dict(size=(3, 4), mode="bilinear")),
    ("Upsample", dict(size=5, mode="bilinear", align_corners=True)),
    ("Upsample", dict(scale_factor=(2, 1.5), mode="nearest")),
    ("Upsample", dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ("UpsamplingNearest2d", dict(scale_factor=3)),
    ("UpsamplingNearest2d", dict(size=(5, 7))),
    ("UpsamplingBilinear2d", dict(scale_factor=2)),
    ("UpsamplingBilinear2d", dict(size=(6, 3))),
    ("UpsamplingBilinear2d", dict(scale_factor=(2, 3))),
]


@pytest.mark.parametrize("name,kw", MODULES)
def test_upsample_modules_match_torch(torch, name, kw):
    ours, theirs = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    assert repr(ours) == repr(theirs)
    x, tx = _pair_of(torch, (2, 3, 4, 5))
    out, tout = ours(x), theirs(tx)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name()
    g = np.random.default_rng(2).standard_normal(tuple(tout.shape)).astype(np.float32)
    out.backward(edutorch.tensor(g))
    tout.backward(torch.tensor(g))
    assert_same(x.grad, tx.grad, atol=1e-5)


def test_upsample_repr_edge_cases(torch):
    for kw in (dict(scale_factor=0), dict(), dict(size=(3,), mode="linear"), dict(scale_factor=2.5)):
        assert repr(nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))


def test_upsample_1d_module(torch):
    ours, theirs = nn.Upsample(scale_factor=2.5, mode="linear"), torch.nn.Upsample(scale_factor=2.5, mode="linear")
    a = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    assert_same(ours(edutorch.tensor(a)), theirs(torch.tensor(a)))
