"""Elementwise arithmetic: finite-difference gradients, and parity with PyTorch (values, dtypes,
gradients, grad_fn names, errors), including broadcasting shapes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

# name -> (function of tensors, number of tensor inputs, input domain: 'any' | 'pos' (x > 0))
UNARY = {
    "neg": (lambda t, x: -x, "any"),
    "abs": (lambda t, x: t.abs(x), "nonzero"),
    "exp": (lambda t, x: t.exp(x), "any"),
    "expm1": (lambda t, x: t.expm1(x), "any"),
    "log": (lambda t, x: t.log(x), "pos"),
    "log1p": (lambda t, x: t.log1p(x), "pos"),
    "log2": (lambda t, x: t.log2(x), "pos"),
    "log10": (lambda t, x: t.log10(x), "pos"),
    "sqrt": (lambda t, x: t.sqrt(x), "pos"),
    "rsqrt": (lambda t, x: t.rsqrt(x), "pos"),
    "reciprocal": (lambda t, x: t.reciprocal(x), "pos"),
    "sin": (lambda t, x: t.sin(x), "any"),
    "cos": (lambda t, x: t.cos(x), "any"),
    "tan": (lambda t, x: t.tan(x), "small"),
    "atan": (lambda t, x: t.atan(x), "any"),
    "arctan": (lambda t, x: x.arctan(), "any"),
    "tanh": (lambda t, x: t.tanh(x), "any"),
    "sigmoid": (lambda t, x: t.sigmoid(x), "any"),
    "relu": (lambda t, x: t.relu(x), "nonzero"),
    "square": (lambda t, x: t.square(x), "any"),
    "pow_scalar": (lambda t, x: x ** 3, "any"),
    "pow_frac": (lambda t, x: x ** 0.5, "pos"),
    "rpow": (lambda t, x: 2.0 ** x, "any"),
    "clamp": (lambda t, x: t.clamp(x, -0.5, 0.5), "nonzero"),
    "clamp_min": (lambda t, x: t.clamp(x, min=0.1), "nonzero"),
    "sign": (lambda t, x: t.sign(x), "nonzero"),
    "floor": (lambda t, x: t.floor(x), "any"),
    "ceil": (lambda t, x: t.ceil(x), "any"),
    "round": (lambda t, x: t.round(x), "any"),
    "trunc": (lambda t, x: t.trunc(x), "any"),
    "scalar_ops": (lambda t, x: (3 - x) * 2 / 4 + 1, "any"),
    "rdiv": (lambda t, x: 1 / x, "pos"),
}

BINARY = {
    "add": lambda t, a, b: a + b,
    "add_alpha": lambda t, a, b: t.add(a, b, alpha=2.5),
    "sub": lambda t, a, b: a - b,
    "sub_alpha": lambda t, a, b: t.sub(a, b, alpha=0.5),
    "mul": lambda t, a, b: a * b,
    "div": lambda t, a, b: a / b,
    "pow": lambda t, a, b: a.abs() ** b,
    "maximum": lambda t, a, b: t.maximum(a, b),
    "minimum": lambda t, a, b: t.minimum(a, b),
    "where": lambda t, a, b: t.where(a > b, a, b),
    "lerp": lambda t, a, b: t.lerp(a, b, 0.3),
    "lerp_tensor": lambda t, a, b: t.lerp(a, b, b.sigmoid()),
    "remainder": lambda t, a, b: t.remainder(a, b.abs() + 0.5),
}

BROADCAST_SHAPES = [((3,), (3,)), ((3, 1), (1, 4)), ((5,), (2, 3, 5)), ((2, 1, 4), (3, 1)), ((), (2, 3))]


def _sample(shape, domain, rng):
    x = rng.standard_normal(shape)
    if domain == "pos":
        x = np.abs(x) + 0.5
    elif domain == "nonzero":
        x = np.where(np.abs(x) < 0.05, 0.3, x)  # keep away from kinks, where differences straddle
    elif domain == "small":
        x = np.clip(x, -1.0, 1.0)
    return x


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck(name):
    fn, domain = UNARY[name]
    x = edutorch.tensor(_sample((2, 3), domain, np.random.default_rng(1)), requires_grad=True)
    assert gradcheck(lambda x: fn(edutorch, x), (x,))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_matches_torch(name, torch):
    fn, domain = UNARY[name]
    data = _sample((2, 3), domain, np.random.default_rng(2)).astype(np.float32)
    x, tx = edutorch.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = fn(edutorch, x), fn(torch, tx)
    assert_same(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    g = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)
    y.backward(edutorch.tensor(g))
    ty.backward(torch.tensor(g))
    assert_same(x.grad, tx.grad)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_binary_gradcheck(name, shapes):
    rng = np.random.default_rng(4)
    a = edutorch.tensor(rng.standard_normal(shapes[0]) + 0.1, requires_grad=True)
    b = edutorch.tensor(rng.standard_normal(shapes[1]) + 0.1, requires_grad=True)
    assert gradcheck(lambda a, b: BINARY[name](edutorch, a, b), (a, b))


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_binary_matches_torch(name, shapes, torch):
    rng = np.random.default_rng(5)
    da = (rng.standard_normal(shapes[0]) + 0.1).astype(np.float32)
    db = (rng.standard_normal(shapes[1]) + 0.1).astype(np.float32)
    a, b = edutorch.tensor(da, requires_grad=True), edutorch.tensor(db, requires_grad=True)
    ta, tb = torch.tensor(da, requires_grad=True), torch.tensor(db, requires_grad=True)
    y, ty = BINARY[name](edutorch, a, b), BINARY[name](torch, ta, tb)
    assert_same(y, ty)
    assert y.grad_fn.name() == ty.grad_fn.name()
    y.sum if False else None
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    y.backward(edutorch.tensor(g))
    ty.backward(torch.tensor(g))
    assert_same(a.grad, ta.grad, rtol=1e-4, atol=1e-5)
    assert_same(b.grad, tb.grad, rtol=1e-4, atol=1e-5)


def test_ties_split_the_gradient_in_maximum_and_minimum(torch):
    for op in ("maximum", "minimum"):
        a = edutorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = edutorch.tensor([1.0, 0.0, 5.0], requires_grad=True)
        ta, tb = torch.tensor([1.0, 2.0, 3.0], requires_grad=True), torch.tensor([1.0, 0.0, 5.0], requires_grad=True)
        getattr(edutorch, op)(a, b).backward(edutorch.ones(3))
        getattr(torch, op)(ta, tb).backward(torch.ones(3))
        assert_same(a.grad, ta.grad)
        assert_same(b.grad, tb.grad)
        assert a.grad.tolist()[0] == 0.5


_dtypes = ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]
_scalars = st.one_of(st.integers(-3, 3), st.floats(-3, 3, allow_nan=False, width=32), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_dtypes), st.sampled_from(_dtypes), st.booleans(), _scalars)
def test_type_promotion_matches_torch(da, db, b_is_zero_dim, scalar):
    torch = pytest.importorskip("torch")
    shape_b = () if b_is_zero_dim else (2,)
    a = edutorch.ones(2, dtype=getattr(edutorch, da if da != "bool" else "bool"))
    b = edutorch.ones(shape_b, dtype=getattr(edutorch, db))
    ta = torch.ones(2, dtype=getattr(torch, da))
    tb = torch.ones(shape_b, dtype=getattr(torch, db))
    assert repr(edutorch.result_type(a, b)) == repr(torch.result_type(ta, tb))
    assert repr((a * b).dtype) == repr((ta * tb).dtype)
    if da != "bool" or not isinstance(scalar, bool):
        assert repr((a * scalar).dtype) == repr((ta * scalar).dtype)
    assert repr((a / b).dtype) == repr((ta / tb).dtype)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int64, hnp.array_shapes(max_dims=2, max_side=4), elements=st.integers(-20, 20)),
       st.integers(1, 7))
def test_integer_division_and_modulus_match_torch(values, divisor):
    torch = pytest.importorskip("torch")
    x, tx = edutorch.tensor(values), torch.tensor(values)
    for op in (lambda v: v // divisor, lambda v: v % divisor, lambda v: v % -divisor, lambda v: v / divisor,
               lambda v: divisor // (v.abs() + 1)):
        assert_same(op(x), op(tx))


def test_uint8_wraps_like_torch(torch):
    assert (edutorch.tensor([250], dtype=edutorch.uint8) + 10).tolist() == \
        (torch.tensor([250], dtype=torch.uint8) + 10).tolist()


@pytest.mark.parametrize("bad", [
    lambda t: t.ones(3) + t.ones(4),
    lambda t: t.ones(2, 3) * t.ones(3, 2),
    lambda t: t.tensor([True]) - t.tensor([True]),
    lambda t: -t.tensor([True]),
    lambda t: t.tensor([1, 2]) ** -1,
    lambda t: t.clamp(t.ones(2)),
    lambda t: t.div(t.ones(2), 2, rounding_mode="bad"),
    lambda t: t.where(t.ones(2), t.ones(2), t.zeros(2)),
])
def test_errors_have_torch_types(bad, torch):
    with pytest.raises(Exception) as theirs:
        bad(torch)
    with pytest.raises(Exception) as ours:
        bad(edutorch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


def test_shape_mismatch_message_names_shapes():
    message = r"\[3\].*\[4\]|size of tensor a \(3\) must match the size of tensor b \(4\)"
    with pytest.raises(RuntimeError, match=message):
        edutorch.ones(3) + edutorch.ones(4)


@pytest.mark.parametrize("name", ["add", "mul", "div", "sub", "pow"])
def test_double_backward(name):
    fns = {"add": lambda a, b: a * a + b * a, "mul": lambda a, b: a * b * a, "div": lambda a, b: a / (b * b + 1),
           "sub": lambda a, b: (a - b) * (a - b), "pow": lambda a, b: (a * a + 1) ** 1.5 * b}
    rng = np.random.default_rng(6)
    a = edutorch.tensor(rng.standard_normal(3), requires_grad=True)
    b = edutorch.tensor(rng.standard_normal(3), requires_grad=True)
    assert edutorch.autograd.gradgradcheck(fns[name], (a, b))


@pytest.mark.parametrize("name", ["exp", "log", "sin", "cos", "tanh", "sigmoid", "sqrt", "relu", "abs"])
def test_double_backward_unary(name):
    fn, domain = UNARY[name]
    x = edutorch.tensor(_sample((4,), domain, np.random.default_rng(7)), requires_grad=True)
    assert edutorch.autograd.gradgradcheck(lambda x: fn(edutorch, x), (x,))


def test_float32_is_kept():
    x = edutorch.ones(3)
    for y in (x + 1.5, x * 2, x / 3, x.exp(), x.sqrt(), x ** 2, 2 ** x, x.sigmoid(), edutorch.tensor([1, 2]) / 2,
              edutorch.tensor([1, 2]).exp()):
        assert y.dtype is edutorch.float32


def test_sigmoid_is_accurate_far_from_zero(torch):
    values = [-80.0, -30.0, -20.0, -10.0, 0.0, 10.0, 30.0]
    # relative accuracy down to e^-80 ~ 1.8e-35 (PyTorch flushes float32 subnormals below that to 0)
    assert_same(edutorch.sigmoid(edutorch.tensor(values)), torch.sigmoid(torch.tensor(values)), rtol=1e-5, atol=0)


def test_inf_and_nan_results_are_silent_like_torch():
    import warnings

    x = edutorch.tensor([0.0, 1.0, -1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any NumPy RuntimeWarning would fail the test
        y = x.log() + x.sqrt() + 1 / x + x.reciprocal() + x ** -1 + x.rsqrt() + x / 0
        y.sum().backward()
    assert np.isnan(y.tolist()[0]) and np.isinf(edutorch.log(edutorch.tensor(0.0)).item())


def test_float64_divided_by_a_python_float_stays_exact(torch):
    """The number is not rounded to float32 first (it was: a 5e-8 relative error)."""
    ours = edutorch.tensor([1.0, 2.0, -7.5], dtype=edutorch.float64) / 1.1283791670955126
    theirs = torch.tensor([1.0, 2.0, -7.5], dtype=torch.float64) / 1.1283791670955126
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def _grads_and_nodes(lib, program):
    a = lib.tensor([3.5, -2.5, 7.25], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([2.0, 3.0, -1.5], dtype=lib.float64, requires_grad=True)
    y = program(lib, a, b)
    grads = lib.autograd.grad(y.sum(), [a, b], allow_unused=True)
    return type(y.grad_fn).__name__, [None if g is None else g.tolist() for g in grads], y.tolist()


@pytest.mark.parametrize("program", [
    lambda t, a, b: t.div(a, b, rounding_mode="floor"),
    lambda t, a, b: t.div(a, 2.0, rounding_mode="trunc"),
    lambda t, a, b: t.fmod(a, b),
    lambda t, a, b: t.fmod(a, 2.0),
    lambda t, a, b: (a * 1).div_(b, rounding_mode="floor"),  # was silently the identity's gradient
])
def test_rounding_division_and_fmod_gradients_match_pytorch(program, torch):
    assert _grads_and_nodes(edutorch, program) == _grads_and_nodes(torch, program)


def test_fmod_gradcheck_and_floor_divide_has_no_derivative(torch):
    a = edutorch.tensor([3.5, -2.5, 7.25], dtype=edutorch.float64, requires_grad=True)
    b = edutorch.tensor([2.0, 3.0, -1.5], dtype=edutorch.float64, requires_grad=True)
    assert edutorch.autograd.gradcheck(edutorch.fmod, (a, b))
    for lib in (edutorch, torch):
        x = lib.tensor([3.5, -2.5], requires_grad=True)
        y = x // 2
        assert y.requires_grad and type(y.grad_fn).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
            y.sum().backward()


@pytest.mark.parametrize("program", [
    lambda t: t.tensor([1, 5]).clamp(0.5, 2.5),      # int tensor, float bounds: floats (was truncated)
    lambda t: t.tensor([1, 5]).clamp(min=2),
    lambda t: t.tensor([1, 5]).clamp(max=2.5),
    lambda t: t.tensor([True, False]).clamp(0, 1),
    lambda t: t.tensor([1.0, 2.0]).clamp(float("nan"), 2),
    lambda t: t.tensor([1, 2]).clamp(0, float("nan")),
    lambda t: t.tensor([1.0, 5.0], dtype=t.float64).clamp(0.5, 2.5),
    lambda t: t.tensor([-4, 3]).clamp(0.001, t.tensor(-1)),  # a number bound beside a tensor bound
])
def test_clamp_with_number_bounds_promotes_as_pytorch(program, torch):
    assert_same(program(edutorch), program(torch))


@pytest.mark.parametrize("program", [
    lambda t: t.square(t.tensor([True, False])),                           # int64, not int8
    lambda t: t.tensor([True, False]) ** 3,
    lambda t: t.tensor([True, False]) ** 0.5,
    lambda t: t.pow(t.tensor([True, False]), False),
    lambda t: t.pow(t.tensor([True, False]), True),
    lambda t: t.add(t.tensor([True, False]), t.tensor([False, True]), alpha=2),  # bool "or", not int64
    lambda t: t.add(t.tensor([True, False]), t.tensor([True, True]), alpha=0),
    lambda t: t.sign(t.tensor([float("nan"), -0.0, 2.0])),                 # sign(nan) is 0
    lambda t: t.sign(t.tensor([float("nan"), -1.0], dtype=t.float64)),
])
def test_bool_arithmetic_and_sign_of_nan_as_pytorch(program, torch):
    assert_same(program(edutorch), program(torch))
