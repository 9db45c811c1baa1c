"""Fixes for disagreements the differential fuzzer found (issue 19; tests/fuzz/FINDINGS.md): errors that
leaked from NumPy with the wrong type, errors edutorch raised where PyTorch computes, and inputs edutorch
accepted where PyTorch refuses. Each case runs on both engines and compares the value or the exception."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch


def _outcome(program, module):
    """('value', dtype, shape, values) or ('raises', exception type, first line of the message)."""
    try:
        out = program(module)
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return ("raises", type(e).__name__, str(e).splitlines()[0][:60])
    if isinstance(out, (tuple, list)):
        return ("pieces", [tuple(t.shape) for t in out])
    return ("value", str(out.dtype), tuple(out.shape), out.detach().numpy().tolist())


CASES = {
    # integer powers with negative exponents: PyTorch's integer kernel (1, +-1, else 0)
    "int_pow_negative": lambda m: m.pow(m.tensor([3, -4, 4, 1, -1, -1, 0]), m.tensor([-1, -1, -1, -2, -3, -2, -1])),
    "int_pow_negative_int32": lambda m: m.tensor([2, -1, 1], dtype=m.int32) ** m.tensor([-1, -3, -5]),
    "bool_pow_negative": lambda m: m.tensor([True]) ** m.tensor([-1]),
    "int_pow_negative_number": lambda m: m.tensor([2, 1]) ** -1,
    "sign_bool": lambda m: m.sign(m.tensor([False, True])),
    "chunk_empty_dim": lambda m: m.chunk(m.zeros((2, 0, 0, 3)), 2, dim=2),
    "chunk_empty_dim_3": lambda m: m.zeros(2, 0).chunk(3, 1),
    "alpha_float_bool": lambda m: m.add(m.tensor(True), m.tensor(False), alpha=0.5),
    "alpha_float_int": lambda m: m.add(m.tensor([1]), m.tensor([2]), alpha=0.5),
    "alpha_float_sub": lambda m: m.sub(m.tensor([1]), m.tensor([2]), alpha=1.5),
    "alpha_float_promoted": lambda m: m.add(m.tensor([1]), 2.5, alpha=2),
    "alpha_float_float": lambda m: m.add(m.tensor([1.0]), m.tensor([2]), alpha=2.5),
    "alpha_bool_int": lambda m: m.add(m.tensor([1]), m.tensor([2]), alpha=True),
    "alpha_bool_bool": lambda m: m.add(m.tensor([True]), m.tensor([True]), alpha=True),
    "alpha_inplace": lambda m: m.tensor([1]).add_(m.tensor([2]), alpha=2.5),
    "lerp_end_dtype": lambda m: m.lerp(m.tensor(True), m.tensor(3), 0.0),
    "lerp_end_double": lambda m: m.lerp(m.tensor([1.0]), m.tensor([3.0], dtype=m.float64), 0.5),
    "lerp_weight_dtype": lambda m: m.lerp(m.tensor([1.0]), m.tensor([1.0]), m.tensor([0.5], dtype=m.float64)),
    "lerp_weight_0d_promotes": lambda m: m.lerp(m.tensor([True]), m.tensor([True]), m.tensor(0.5, dtype=m.float64)),
    "lerp_weight_0d_float": lambda m: m.lerp(m.tensor([1.0]), m.tensor([3.0]), m.tensor(0.5, dtype=m.float64)),
    "lerp_int_scalar": lambda m: m.lerp(m.tensor([1]), m.tensor([3]), 0.5),
    "lerp_int_tensor": lambda m: m.lerp(m.tensor([1]), m.tensor([3]), m.tensor([1])),
    "lerp_broadcast": lambda m: m.lerp(m.ones(2, 3), m.ones(4), 0.5),
    "lerp_broadcast_weight": lambda m: m.lerp(m.ones(2, 3), m.ones(3), m.ones(4)),
    "loss_weight_dtype": lambda m: m.nn.functional.cross_entropy(
        m.tensor([[-0.39, 1.67], [-2.0, -0.66]], dtype=m.float64), m.tensor([1, 0]), weight=m.tensor([0.25, 0.0])),
    "nll_weight_dtype": lambda m: m.nn.functional.nll_loss(
        m.tensor([[-0.39, 1.67]], dtype=m.float64), m.tensor([1]), weight=m.tensor([0.25, 0.0])),
    "softmax_empty_int": lambda m: m.nn.functional.log_softmax(m.zeros((4, 4, 0), dtype=m.int64), dim=-2),
    "softmax_empty_bool": lambda m: m.nn.functional.softmax(m.zeros((0,), dtype=m.bool), dim=0),
    "softmax_int": lambda m: m.nn.functional.softmax(m.zeros((2,), dtype=m.int64), dim=0),
    "label_smoothing_negative": lambda m: m.nn.functional.cross_entropy(
        m.tensor([[1.79, 0.2]]), m.tensor([1]), label_smoothing=-0.1),
    "label_smoothing_negative_probs": lambda m: m.nn.functional.cross_entropy(
        m.tensor([[1.79, 0.2]]), m.tensor([[0.3, 0.7]]), label_smoothing=-0.1),
    "label_smoothing_too_big": lambda m: m.nn.functional.cross_entropy(
        m.tensor([[1.79, 0.2]]), m.tensor([1]), label_smoothing=1.5),
    "eye_negative": lambda m: m.eye(-1),
    "eye_negative_m": lambda m: m.eye(2, -1),
    "div_broadcast": lambda m: m.div(m.ones(2, 3), m.ones(4)),
    "where_broadcast": lambda m: m.where(m.ones(2, 3) > 0, m.ones(4), m.ones(1)),
    "where_broadcast_condition": lambda m: m.where(m.ones(4) > 0, m.ones(2, 3), 1.0),
    "and_broadcast": lambda m: m.ones(2, 3, dtype=m.int64) & m.ones(4, dtype=m.int64),
    "bitwise_xor_broadcast": lambda m: m.bitwise_xor(m.tensor([1, 2]), m.ones(3, dtype=m.int64)),
    "copy_into_0d": lambda m: m.tensor(3.0).copy_(m.tensor([1.0])),
    "copy_grows_dst": lambda m: m.zeros(3).copy_(m.ones(2, 3)),
    "setitem_value_too_big": lambda m: _setitem(m.tensor([-2.3, 2.0]), -2, m.tensor([2.56, 1.4])),
    "setitem_leading_ones": lambda m: _setitem(m.tensor([-2.3, 2.0]), 0, m.tensor([5.0])),
    "setitem_leading_ones_row": lambda m: _setitem(m.zeros(2, 3), 0, m.ones(1, 1, 3)),
}


def _setitem(x, index, value):
    x[index] = value
    return x


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_outcome_as_pytorch(torch, name):
    ours, theirs = _outcome(CASES[name], edutorch), _outcome(CASES[name], torch)
    if ours[0] == "raises" or theirs[0] == "raises":
        assert ours[:2] == theirs[:2], (ours, theirs)
    elif ours[0] == "pieces":
        assert ours == theirs
    else:
        assert ours[:3] == theirs[:3], (ours, theirs)
        np.testing.assert_allclose(np.asarray(ours[3], dtype=float), np.asarray(theirs[3], dtype=float), rtol=1e-6)


def test_lerp_with_0d_weight_of_another_dtype_passes_its_gradient(torch):
    grads = []
    for m in (edutorch, torch):
        w = m.tensor(0.25, dtype=m.float64, requires_grad=True)
        a = m.tensor([1.0, 2.0], requires_grad=True)
        m.lerp(a, m.tensor([3.0, 5.0]), w).sum().backward()
        grads.append((w.grad.dtype == m.float64, w.grad.item(), a.grad.numpy().tolist()))
    assert grads[0] == grads[1]


def test_broadcast_errors_name_the_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 3\], \[4\]"):
        edutorch.div(edutorch.ones(2, 3), edutorch.ones(4))


def test_max_pool_input_written_in_place_before_backward_raises_like_pytorch(torch):
    """max_pool2d's node keeps its input as PyTorch's does, so writing to it before backward is an error."""
    def program(m):
        x = m.tensor([[[[-0.34, -0.39, 3.0, -2.52], [-2.14, 0.99, 1.61, 1.46]]]], dtype=m.float64,
                     requires_grad=True)
        v, _ = m.nn.functional.max_pool2d(x, (2, 2), stride=(1, 2), ceil_mode=True, return_indices=True)
        with m.no_grad():
            x.fill_(2.0)
        v.sum().backward()

    for m in (edutorch, torch):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            program(m)


@pytest.mark.parametrize("stride", [1, 2])
def test_max_pool_nonfinite_gradient_reaches_only_the_max(torch, stride):
    grads = []
    for m in (edutorch, torch):
        x = m.tensor([[[[1.0, 2.0, 5.0], [3.0, 4.0, 0.0], [7.0, -1.0, 2.0]]]], requires_grad=True)
        y = m.nn.functional.max_pool2d(x, 2, stride=stride)
        upstream = m.full(tuple(y.shape), 1.0)
        upstream[0, 0, 0, 0] = float("nan")
        upstream[0, 0, -1, -1] = float("inf")
        y.backward(upstream)
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
