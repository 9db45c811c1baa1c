"""ops/pointwise_more.py (frac, copysign, fmax/fmin, ldexp, float_power, angle, heaviside, nextafter,
gcd/lcm, positive, aminmax) against PyTorch, and a sweep of elementwise ops over integer and bool dtypes:
the same result dtype where PyTorch computes, the same exception type where it has no kernel."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck

_DTYPES = ["bool", "uint8", "int8", "int32", "int64"]
_UNARY = ["abs", "neg", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "floor", "ceil", "round", "trunc", "frac",
          "sign", "reciprocal", "rsqrt", "square", "sin", "erf", "log1p", "expm1", "exp2", "sinc", "logit", "cumsum",
          "cumprod", "sum", "mean", "prod", "argmax", "max", "softmax", "bitwise_not", "logical_not", "isnan", "angle",
          "positive", "lgamma", "digamma", "erfinv", "gelu", "silu", "hardtanh", "relu6", "log_softmax", "flip",
          "topk", "amax", "aminmax", "count_nonzero"]
_BINARY = ["add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "atan2", "maximum", "minimum",
           "fmax", "fmin", "hypot", "logaddexp", "copysign", "xlogy", "bitwise_and", "bitwise_or", "logical_and", "eq",
           "heaviside", "nextafter", "gcd", "lcm", "ldexp", "float_power", "bitwise_left_shift"]


def _unary(m, name, x):
    if name in ("cumsum", "cumprod", "softmax", "log_softmax"):
        return getattr(m, name)(x, 0)
    if name in ("gelu", "silu", "hardtanh", "relu6"):
        return getattr(m.nn.functional, name)(x)
    if name == "topk":
        return m.topk(x, 1)[0]
    if name == "flip":
        return m.flip(x, (0,))
    out = getattr(m, name)(x)
    return out[0] if isinstance(out, tuple) else out


def _outcome(fn):
    try:
        return "ok " + str(fn().dtype).removeprefix("torch.")
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return type(e).__name__


def _example(m, dtype):
    if dtype == "bool":
        return m.tensor([True, False, True, True])
    return m.tensor([3, 1, 2, 5], dtype=getattr(m, dtype))


@pytest.mark.parametrize("dtype", _DTYPES)
def test_integer_and_bool_kernels_like_pytorch(torch, dtype):
    differ = []
    for name in _UNARY:
        ours = _outcome(lambda: _unary(edutorch, name, _example(edutorch, dtype)))
        theirs = _outcome(lambda: _unary(torch, name, _example(torch, dtype)))
        if ours != theirs:
            differ.append((name, ours, theirs))
    for name in _BINARY:
        ours = _outcome(lambda: getattr(edutorch, name)(_example(edutorch, dtype), _example(edutorch, dtype)))
        theirs = _outcome(lambda: getattr(torch, name)(_example(torch, dtype), _example(torch, dtype)))
        if ours != theirs:
            differ.append((name, ours, theirs))
    assert not differ, differ


_X = np.array([-1.5, 0.0, 2.5, np.nan, -0.0, 3.0, -7.25])
_Y = np.array([1.0, -2.0, np.nan, 0.0, 1.0, 3.0, -0.5])

_FLOAT_CASES = {
    "frac": lambda m, x, y: x.frac(),
    "copysign": lambda m, x, y: m.copysign(x, y),
    "fmax": lambda m, x, y: m.fmax(x, y),
    "fmin": lambda m, x, y: m.fmin(x, y),
    "ldexp": lambda m, x, y: m.ldexp(x, y),
    "float_power": lambda m, x, y: m.float_power(x, 2),
    "float_power_tensor": lambda m, x, y: m.float_power(x.abs(), y),
    "angle": lambda m, x, y: m.angle(x),
    "positive": lambda m, x, y: m.positive(x),
}


@pytest.mark.parametrize("name", sorted(_FLOAT_CASES))
def test_values_gradients_and_names_equal_pytorch(torch, name):
    results = []
    for m in (edutorch, torch):
        x, y = m.tensor(_X, requires_grad=True), m.tensor(_Y, requires_grad=True)
        out = _FLOAT_CASES[name](m, x, y)
        out.sum().backward()
        grads = [None if t.grad is None else t.grad.numpy() for t in (x, y)]
        results.append((out.detach().numpy(), str(out.dtype), type(out.grad_fn).__name__, grads))
    (o1, d1, n1, g1), (o2, d2, n2, g2) = results
    np.testing.assert_allclose(o1, o2, rtol=1e-12, equal_nan=True)
    assert (d1.removeprefix("torch."), n1) == (d2.removeprefix("torch."), n2)
    for a, b in zip(g1, g2):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", ["frac", "copysign", "ldexp", "float_power", "fmax", "fmin"])
def test_finite_differences(name):
    x = edutorch.tensor([-1.3, 0.7, 2.2, -3.6], dtype=edutorch.float64, requires_grad=True)
    y = edutorch.tensor([0.6, -1.2, 2.9, -0.4], dtype=edutorch.float64, requires_grad=name in ("ldexp", "fmax", "fmin"))
    assert gradcheck(lambda a, b: _FLOAT_CASES[name](edutorch, a, b), (x, y))


def test_integer_functions_equal_pytorch(torch):
    for m_name in ("gcd", "lcm"):
        a, b = [12, -18, 0, 7, 0], [8, 12, 0, -21, 5]
        ours = getattr(edutorch, m_name)(edutorch.tensor(a), edutorch.tensor(b))
        theirs = getattr(torch, m_name)(torch.tensor(a), torch.tensor(b))
        assert ours.numpy().tolist() == theirs.numpy().tolist() and ours.dtype == edutorch.int64
    for m in (edutorch, torch):
        v = m.heaviside(m.tensor([-1.0, 0.0, 2.0]), m.tensor([0.5]))
        assert v.numpy().tolist() == [0.0, 0.5, 1.0]
        n = m.nextafter(m.tensor([1.0, 0.0]), m.tensor([2.0, -1.0]))
        assert n.numpy()[0] == np.nextafter(np.float32(1), np.float32(2))


def test_aminmax_like_pytorch(torch):
    x = [[3.0, 1.0], [2.0, 5.0]]
    for kw in ({}, {"dim": 0}, {"dim": 1, "keepdim": True}):
        ours, theirs = edutorch.aminmax(edutorch.tensor(x), **kw), torch.aminmax(torch.tensor(x), **kw)
        assert ours.min.numpy().tolist() == theirs.min.numpy().tolist()
        assert ours.max.numpy().tolist() == theirs.max.numpy().tolist()
    assert repr(edutorch.tensor(x).aminmax()).startswith("torch.return_types.aminmax(")


def test_positive_is_the_input_and_heaviside_has_no_derivative(torch):
    for m in (edutorch, torch):
        a = m.tensor([1.0])
        assert m.positive(a) is a
        out = m.heaviside(m.tensor([1.0], requires_grad=True), m.tensor([0.0]))
        with pytest.raises(RuntimeError, match="derivative for aten::heaviside is not implemented"):
            out.sum().backward()
