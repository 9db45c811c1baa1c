"""Elementwise math of issue 18 (ops/pointwise_math.py): parity with PyTorch (values, dtypes, shapes,
grad_fn names, gradients, errors), finite-difference gradients in float64, erf/erfc/erfinv accuracy at
many points, in-place forms, bit shifts and their operators."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck, gradgradcheck
from tests.conftest import assert_raises_like_torch, assert_same


def _name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def check_parity(torch, fn, arrays, rtol=1e-5, atol=1e-6, grad=True):
    """``fn(module, *xs)`` on edutorch and PyTorch: same values, dtype, shape, grad_fn name and (for
    float inputs) the same gradients for a random upstream gradient."""
    results = []
    for module in (edutorch, torch):
        xs = []
        for a in arrays:
            a = np.asarray(a)
            x = module.tensor(a.astype(np.float32) if a.dtype == np.float64 else a)
            xs.append(x.requires_grad_(True) if grad and a.dtype.kind == "f" else x)
        results.append((fn(module, *xs), xs))
    (ours, our_xs), (theirs, their_xs) = results
    assert_same(ours, theirs, rtol=rtol, atol=atol)
    assert _name(ours) == _name(theirs), (_name(ours), _name(theirs))
    needs = [i for i, x in enumerate(their_xs) if x.requires_grad]
    if needs and theirs.requires_grad:
        up = np.random.default_rng(1).standard_normal(tuple(theirs.shape)).astype(np.float32)
        g_ours = edutorch.autograd.grad(ours, [our_xs[i] for i in needs], edutorch.tensor(up), allow_unused=True)
        g_theirs = torch.autograd.grad(theirs, [their_xs[i] for i in needs], torch.tensor(up), allow_unused=True)
        for a, b in zip(g_ours, g_theirs):
            assert (a is None) == (b is None)
            if a is not None:
                assert_same(a, b, rtol=rtol * 10, atol=atol * 10)
    return ours, theirs


def _rng(seed=0):
    return np.random.default_rng(seed)


def _uniform(lo, hi, shape=(3, 4), seed=0):
    return _rng(seed).uniform(lo, hi, shape)


# name -> (fn(module, *xs), input arrays (float64; cast to float32 for parity))
UNARY = {
    "asin": (lambda t, x: t.asin(x), [_uniform(-0.95, 0.95)]),
    "arcsin_method": (lambda t, x: x.arcsin(), [_uniform(-0.95, 0.95)]),
    "acos": (lambda t, x: t.acos(x), [_uniform(-0.95, 0.95)]),
    "arccos": (lambda t, x: t.arccos(x), [_uniform(-0.95, 0.95)]),
    "sinh": (lambda t, x: t.sinh(x), [_uniform(-3, 3)]),
    "cosh": (lambda t, x: x.cosh(), [_uniform(-3, 3)]),
    "asinh": (lambda t, x: t.asinh(x), [_uniform(-5, 5)]),
    "arcsinh": (lambda t, x: t.arcsinh(x), [_uniform(-5, 5)]),
    "acosh": (lambda t, x: t.acosh(x), [_uniform(1.1, 5)]),
    "arccosh_method": (lambda t, x: x.arccosh(), [_uniform(1.1, 5)]),
    "atanh": (lambda t, x: t.atanh(x), [_uniform(-0.9, 0.9)]),
    "arctanh": (lambda t, x: t.arctanh(x), [_uniform(-0.9, 0.9)]),
    "erf": (lambda t, x: t.erf(x), [_uniform(-3, 3)]),
    "erfc": (lambda t, x: x.erfc(), [_uniform(-3, 3)]),
    "erfinv": (lambda t, x: t.erfinv(x), [_uniform(-0.99, 0.99)]),
    "exp2": (lambda t, x: t.exp2(x), [_uniform(-4, 4)]),
    "logit": (lambda t, x: t.logit(x), [_uniform(0.05, 0.95)]),
    "logit_eps": (lambda t, x: t.logit(x, eps=0.2), [_uniform(0.0, 1.0, (4, 5))]),
    "logit_method_eps": (lambda t, x: x.logit(0.3), [_uniform(0.0, 1.0, (4, 5))]),
    "sinc": (lambda t, x: t.sinc(x), [np.array([0.0, 0.25, -1.5, 2.0, 3.3, -0.7])]),
    "deg2rad": (lambda t, x: t.deg2rad(x), [_uniform(-360, 360)]),
    "rad2deg": (lambda t, x: x.rad2deg(), [_uniform(-6, 6)]),
    "nan_to_num": (lambda t, x: t.nan_to_num(x), [np.array([1.0, np.nan, np.inf, -np.inf, -2.5])]),
    "nan_to_num_values": (lambda t, x: t.nan_to_num(x, nan=2.0, posinf=9.0, neginf=-9.0),
                          [np.array([[1.0, np.nan], [np.inf, -np.inf]])]),
    "nan_to_num_method": (lambda t, x: x.nan_to_num(posinf=1e3), [np.array([np.inf, np.nan, 3.0])]),
    "scalar_0d": (lambda t, x: t.asinh(x), [np.array(0.7)]),
    "empty": (lambda t, x: t.erf(x), [np.zeros((0, 3))]),
}

BINARY = {
    "atan2": (lambda t, a, b: t.atan2(a, b), [_uniform(-2, 2), _uniform(-2, 2, seed=1)]),
    "arctan2_broadcast": (lambda t, a, b: t.arctan2(a, b), [_uniform(-2, 2, (3, 1)), _uniform(-2, 2, (4,), 1)]),
    "atan2_method": (lambda t, a, b: a.atan2(b), [_uniform(-2, 2), _uniform(-2, 2, seed=1)]),
    "hypot": (lambda t, a, b: t.hypot(a, b), [_uniform(-3, 3), _uniform(-3, 3, seed=1)]),
    "hypot_broadcast": (lambda t, a, b: a.hypot(b), [_uniform(-3, 3, (2, 1, 3)), _uniform(-3, 3, (4, 1), 1)]),
    "logaddexp": (lambda t, a, b: t.logaddexp(a, b), [_uniform(-3, 3), _uniform(-3, 3, seed=1)]),
    "logaddexp_large": (lambda t, a, b: t.logaddexp(a, b), [np.array([1000.0, -1000.0, 5.0]),
                                                              np.array([1000.0, -999.0, -80.0])]),
    "logaddexp2": (lambda t, a, b: a.logaddexp2(b), [_uniform(-3, 3), _uniform(-3, 3, (4,), 1)]),
    "xlogy": (lambda t, a, b: t.xlogy(a, b), [_uniform(-2, 2), _uniform(0.1, 3, seed=1)]),
    "xlogy_zeros": (lambda t, a, b: t.xlogy(a, b), [np.array([0.0, 0.0, 1.0, 0.0]),
                                                    np.array([0.0, np.nan, 2.0, 3.0])]),
    "xlogy_scalar_other": (lambda t, a: t.xlogy(a, 3.0), [_uniform(-2, 2)]),
    "xlogy_scalar_self": (lambda t, b: t.xlogy(2.0, b), [_uniform(0.1, 3)]),
    "addcmul": (lambda t, a, b, c: t.addcmul(a, b, c), [_uniform(-1, 1), _uniform(-1, 1, seed=1),
                                                         _uniform(-1, 1, seed=2)]),
    "addcmul_value_broadcast": (lambda t, a, b, c: t.addcmul(a, b, c, value=-0.5),
                                [_uniform(-1, 1, (4,)), _uniform(-1, 1, (3, 1), 1), _uniform(-1, 1, (3, 4), 2)]),
    "addcdiv": (lambda t, a, b, c: a.addcdiv(b, c, value=2), [_uniform(-1, 1), _uniform(-1, 1, seed=1),
                                                              _uniform(0.5, 2, seed=2)]),
}


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(BINARY))
def test_parity(torch, name):
    fn, arrays = {**UNARY, **BINARY}[name]
    check_parity(torch, fn, arrays)


@pytest.mark.parametrize("name", sorted(UNARY) + sorted(BINARY))
def test_gradcheck(name):
    fn, arrays = {**UNARY, **BINARY}[name]
    if "nan_to_num" in name or "zeros" in name or "large" in name:
        arrays = [np.where(np.isfinite(a), a, 0.5) if a.ndim else a for a in arrays]  # away from kinks
        arrays = [np.where(a == 0, 0.3, a) for a in arrays]
    if "eps" in name:  # keep away from the clamp's edges, where the slope jumps
        arrays = [np.where(np.abs(a - 0.25) < 0.02, 0.5, a) for a in arrays]
    xs = [edutorch.tensor(a, requires_grad=True) for a in arrays]
    if sum(x.numel() for x in xs) == 0:
        return
    assert gradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))


# ops whose backward is itself differentiable (create_graph=True)
DOUBLE = ["asin", "acos", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc", "erfinv", "exp2",
          "hypot", "logaddexp", "logaddexp2", "addcmul", "addcdiv", "deg2rad", "rad2deg"]


@pytest.mark.parametrize("name", DOUBLE)
def test_double_backward(torch, name):
    fn, arrays = {**UNARY, **BINARY}[name]
    xs = [edutorch.tensor(a, requires_grad=True) for a in arrays]
    assert gradgradcheck(lambda *ts: fn(edutorch, *ts), tuple(xs))
    results = []  # and the second derivatives are PyTorch's
    for module in (edutorch, torch):
        ts = [module.tensor(a, requires_grad=True) for a in arrays]
        grads = module.autograd.grad(fn(module, *ts).sum(), ts, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        if not total.requires_grad:  # a linear op (deg2rad): its second derivative is 0
            results.append([np.zeros(a.shape) for a in arrays])
            continue
        second = module.autograd.grad(total, ts, allow_unused=True)
        results.append([np.zeros(a.shape) if g is None else g.detach().numpy().copy() for a, g in zip(arrays, second)])
    rtol = 1e-9
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-10)


# ------------------------------------------------------------------- erf, erfc, erfinv accuracy
def _ulps(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Distance in float32 units in the last place (0 where both are the same nan or inf)."""
    a, b = ours.astype(np.float32).view(np.int32).astype(np.int64), theirs.view(np.int32).astype(np.int64)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    return np.where(same, 0, np.abs(a - b))


def test_erf_erfc_match_torch_at_many_points(torch):
    x = np.concatenate([np.linspace(-6, 6, 20001), np.logspace(-30, 1, 500), -np.logspace(-30, 1, 500),
                        [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(np.float32)
    ours = edutorch.erf(edutorch.tensor(x)).numpy()
    assert _ulps(ours, torch.erf(torch.tensor(x)).numpy()).max() <= 1
    ours = edutorch.erfc(edutorch.tensor(x)).numpy()
    assert _ulps(ours, torch.erfc(torch.tensor(x)).numpy()).max() <= 1


def test_erfinv_matches_torch_at_many_points(torch):
    y = np.concatenate([np.linspace(-1, 1, 20001), 1 - np.logspace(-7.2, -1, 300), np.logspace(-30, -1, 300),
                        [1.0, -1.0, 0.0, 1.5, -2.0, np.nan]]).astype(np.float32)
    ours = edutorch.erfinv(edutorch.tensor(y)).numpy()
    assert _ulps(ours, torch.erfinv(torch.tensor(y)).numpy()).max() <= 1
    # and it inverts erf
    x = np.linspace(-3, 3, 101)
    np.testing.assert_allclose(edutorch.erfinv(edutorch.erf(edutorch.tensor(x))).numpy(), x, rtol=1e-9, atol=1e-9)


def test_float64_erf_erfc_erfinv_are_accurate(torch):
    x = np.concatenate([np.linspace(-8, 8, 4001), np.logspace(-300, 0, 301)])
    for name, rtol in (("erf", 2e-15), ("erfc", 1e-13)):
        np.testing.assert_allclose(getattr(edutorch, name)(edutorch.tensor(x)).numpy(),
                                   getattr(torch, name)(torch.tensor(x)).numpy(), rtol=rtol, atol=0)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 4001), 1 - np.logspace(-15, -1, 50)])
    np.testing.assert_allclose(edutorch.erfinv(edutorch.tensor(y)).numpy(), torch.erfinv(torch.tensor(y)).numpy(),
                               rtol=1e-12, atol=0)


# ------------------------------------------------------------------------------ dtypes of int input
INT_INPUT = {
    "asin": lambda t, x: t.asin(x), "sinh": lambda t, x: t.sinh(x), "acosh": lambda t, x: t.acosh(x),
    "erf": lambda t, x: t.erf(x), "erfc": lambda t, x: t.erfc(x), "erfinv": lambda t, x: t.erfinv(x),
    "exp2": lambda t, x: t.exp2(x), "logit": lambda t, x: t.logit(x), "sinc": lambda t, x: t.sinc(x),
    "deg2rad": lambda t, x: t.deg2rad(x), "rad2deg": lambda t, x: t.rad2deg(x),
    "nan_to_num": lambda t, x: t.nan_to_num(x), "atan2": lambda t, x: t.atan2(x, x + 1),
    "xlogy": lambda t, x: t.xlogy(x, 3), "addcmul": lambda t, x: t.addcmul(x, x, x, value=3),
    "addcdiv_float": lambda t, x: t.addcdiv(x, x, x.float() + 1),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float64"])
@pytest.mark.parametrize("op", sorted(INT_INPUT))
def test_int_and_bool_inputs_match_torch(torch, op, dtype):
    a = np.array([0, 1, 2, 1]).astype(dtype)
    fn = INT_INPUT[op]
    try:
        theirs = fn(torch, torch.tensor(a))
    except Exception as e:  # noqa: BLE001 - PyTorch's refusal is the expected answer
        with pytest.raises(type(e)):
            fn(edutorch, edutorch.tensor(a))
        return
    assert_same(fn(edutorch, edutorch.tensor(a)), theirs)


# ---------------------------------------------------------------------------------------- in place
INPLACE = [
    ("asin_", (), _uniform(-0.9, 0.9)), ("arccos_", (), _uniform(-0.9, 0.9)), ("sinh_", (), _uniform(-2, 2)),
    ("cosh_", (), _uniform(-2, 2)), ("acos_", (), _uniform(-0.9, 0.9)), ("erf_", (), _uniform(-2, 2)),
    ("erfc_", (), _uniform(-2, 2)), ("erfinv_", (), _uniform(-0.9, 0.9)), ("exp2_", (), _uniform(-2, 2)),
    ("logit_", (0.1,), _uniform(0, 1)), ("sinc_", (), _uniform(-2, 2)), ("deg2rad_", (), _uniform(-90, 90)),
    ("rad2deg_", (), _uniform(-2, 2)), ("atan2_", ("other",), _uniform(-2, 2)),
    ("hypot_", ("other",), _uniform(-2, 2)), ("xlogy_", ("other_positive",), _uniform(-2, 2)),
    ("nan_to_num_", (), np.array([1.0, np.nan, np.inf])),
    ("addcmul_", ("other", "other"), _uniform(-2, 2)), ("addcdiv_", ("other", "other_positive"), _uniform(-2, 2)),
]


@pytest.mark.parametrize("method, args, data", INPLACE, ids=[m for m, _, _ in INPLACE])
def test_inplace_forms_match_torch(torch, method, args, data):
    other = _uniform(-2, 2, data.shape, seed=3)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data, requires_grad=True)
        o = module.tensor(other)
        call = [o if a == "other" else (o.abs() + 0.5 if a == "other_positive" else a) for a in args]
        y = x * 1
        out = getattr(y, method)(*call)
        assert out is y and y._version == 1
        y.backward(module.tensor(np.ones_like(data)))
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy(), y.grad_fn.name()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6, atol=1e-9)
    assert results[0][2] == results[1][2]


def test_top_level_nan_to_num_():
    x = edutorch.tensor([np.nan, 1.0, -np.inf])
    assert edutorch.nan_to_num_(x, neginf=-5.0) is x
    assert x.tolist() == [0.0, 1.0, -5.0]


TOP_LEVEL_INPLACE = ["asin_", "acos_", "sinh_", "cosh_", "asinh_", "acosh_", "atanh_", "arcsin_", "arccos_",
                     "arcsinh_", "arccosh_", "arctanh_", "erf_", "erfc_", "exp2_", "logit_", "xlogy_", "sinc_",
                     "deg2rad_", "rad2deg_", "addmv_"]


@pytest.mark.parametrize("name", TOP_LEVEL_INPLACE)
def test_top_level_inplace_forms_match_torch(torch, name):
    """torch.erf_(x) and friends: x itself changes (same values as PyTorch), its version is bumped."""
    data = _uniform(0.1, 0.9, (2, 3)) + (1.0 if name in ("acosh_", "arccosh_") else 0.0)
    results = []
    for module in (edutorch, torch):
        x = module.tensor(data)
        extra = (module.tensor(data + 1),) if name == "xlogy_" else ()
        if name == "addmv_":
            x = module.tensor(data[0])
            out = module.addmv_(x, module.tensor(_uniform(-1, 1, (3, 4))), module.tensor(_uniform(-1, 1, (4,))),
                                beta=0.5)
        else:
            out = getattr(module, name)(x, *extra)
        assert out is x and x._version == 1
        results.append(x.numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


# ------------------------------------------------------------------------------------------ shifts
SHIFTS = [
    (lambda t, a, b: a << b, "int8"), (lambda t, a, b: a >> b, "int8"),
    (lambda t, a, b: t.bitwise_left_shift(a, b), "int64"), (lambda t, a, b: t.bitwise_right_shift(a, b), "int64"),
    (lambda t, a, b: a.bitwise_left_shift(b), "int32"), (lambda t, a, b: a.bitwise_right_shift(b), "uint8"),
    (lambda t, a, b: a << 3, "int16"), (lambda t, a, b: a >> 2, "int64"), (lambda t, a, b: 5 << b, "int64"),
    (lambda t, a, b: 100 >> b, "int32"), (lambda t, a, b: a.bool() << 1, "int64"),
]


@pytest.mark.parametrize("i", range(len(SHIFTS)))
def test_shifts_match_torch(torch, i):
    fn, dtype = SHIFTS[i]
    a = np.array([1, -8, 3, 127, -128, 5, 0, -1, 64]).astype(dtype)
    b = np.array([2, 1, 0, 8, 9, 70, 3, 63, 7]).astype(dtype)
    if dtype != "uint8":
        b[[4, 5]] = [-1, 64]
    assert_same(fn(edutorch, edutorch.tensor(a), edutorch.tensor(b)),
                fn(torch, torch.tensor(a), torch.tensor(b)), rtol=0, atol=0)


def test_inplace_shift_operators(torch):
    results = []
    for module in (edutorch, torch):
        x = module.tensor([1, 2, -16])
        x <<= 2
        y = module.tensor([64, 7, -9])
        y >>= module.tensor([1, 1, 2])
        x.bitwise_right_shift_(1)
        results.append((x.tolist(), y.tolist()))
    assert results[0] == results[1]


# ------------------------------------------------------------------------------------------ errors
ERRORS = [
    lambda t: t.tensor([1.5]) << 1,
    lambda t: t.tensor([1.5]) >> t.tensor([1]),
    lambda t: t.hypot(t.tensor([3]), t.tensor([4])),
    lambda t: t.logaddexp(t.tensor([1]), t.tensor([2])),
    lambda t: t.logaddexp2(t.tensor([1]), t.tensor([2])),
    lambda t: t.addcdiv(t.tensor([1]), t.tensor([1]), t.tensor([2])),
    lambda t: t.addcmul(t.ones(2), t.ones(3), t.ones(2)),
    lambda t: t.atan2(t.ones(2), t.ones(3)),
    lambda t: t.addcmul([1.0], t.ones(1), t.ones(1)),
    lambda t: t.ones(2, requires_grad=True).erf_(),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(torch, i):
    assert_raises_like_torch(ERRORS[i], torch)


@pytest.mark.parametrize("fn, exc, message", [
    (lambda t: t.hypot(t.tensor([3]), t.tensor([4])), NotImplementedError, "\"hypot_cpu\" not implemented for 'Long'"),
    (lambda t: t.tensor([1.5]) << 1, NotImplementedError, "\"lshift_cpu\" not implemented for 'Float'"),
    (lambda t: t.addcdiv(t.tensor([1]), t.tensor([1]), t.tensor([2])), RuntimeError,
     "Integer division with addcdiv is no longer supported"),
])
def test_error_messages_match_torch(torch, fn, exc, message):
    for module in (edutorch, torch):
        with pytest.raises(exc, match=message):
            fn(module)


def test_special_values_match_torch(torch):
    """Edges: asin outside [-1, 1] is nan, atanh(+-1) is +-inf, logit(0) = -inf, sinc(0) = 1, acosh(1) = 0."""
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, np.inf, -np.inf, np.nan], dtype=np.float32)
    for name in ["asin", "acos", "atanh", "acosh", "asinh", "sinh", "cosh", "logit", "sinc", "exp2", "erf",
                 "erfc", "erfinv"]:
        with np.errstate(all="ignore"):
            ours = getattr(edutorch, name)(edutorch.tensor(x))
        assert_same(ours, getattr(torch, name)(torch.tensor(x)))
