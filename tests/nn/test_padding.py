"""Padding modules (ZeroPad / ConstantPad / ReflectionPad / ReplicationPad / CircularPad, 1-d to 3-d) and the
F.pad modes behind them: reprs, values, gradients and errors against PyTorch, finite differences."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch import nn
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

# (class name, constructor args, input shape): every class, batched and unbatched, int and tuple paddings
CASES = [
    ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ZeroPad1d", ((0, 3),), (3, 5)),
    ("ZeroPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ("ZeroPad2d", ((-1, 2, 1, -2),), (3, 4, 5)),  # negative amounts crop
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 3)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)),
    ("ConstantPad2d", ((1, 0, 2, 1), -1), (3, 4, 4)),
    ("ConstantPad3d", ((1, 0, 2, 1, 0, 2), 0.5), (2, 2, 3, 3, 2)),
    ("ReflectionPad1d", (3,), (2, 3, 5)),
    ("ReflectionPad1d", ((1, 2),), (3, 4)),
    ("ReflectionPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ReflectionPad2d", (2,), (3, 4, 4)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 3)),
    ("ReflectionPad3d", ((2, 0, 1, 1, 0, 1),), (2, 3, 3, 3)),
    ("ReplicationPad1d", ((1, 4),), (2, 3, 3)),
    ("ReplicationPad2d", (2,), (2, 3, 3, 4)),
    ("ReplicationPad2d", ((0, 1, 3, 2),), (3, 2, 2)),
    ("ReplicationPad3d", (2,), (1, 2, 2, 3, 3)),
    ("CircularPad1d", (2,), (2, 3, 5)),
    ("CircularPad1d", ((1, 3),), (3, 4)),
    ("CircularPad2d", ((1, 0, 2, 1),), (2, 3, 4, 5)),
    ("CircularPad2d", (3,), (2, 3, 3)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 3)),
    # negative amounts crop that side first (circular then wraps around what is left)
    ("ReflectionPad1d", ((-1, 2),), (2, 3, 6)),
    ("ReplicationPad2d", ((3, -2, -1, 1),), (1, 2, 4, 5)),
    ("CircularPad1d", ((-1, 2),), (2, 6)),
    ("CircularPad2d", ((-2, 1, 2, -1),), (1, 2, 5, 6)),
]


@pytest.mark.parametrize("name,args,shape", CASES)
def test_padding_module_matches_torch(torch, name, args, shape):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    a = np.random.default_rng(0).standard_normal(shape)
    x, tx = edutorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = ours(x), theirs(tx)
    assert_same(out, tout)
    assert out.grad_fn.name() == tout.grad_fn.name().replace("torch::autograd::", "")
    g = np.random.default_rng(1).standard_normal(tuple(tout.shape))
    out.backward(edutorch.tensor(g))
    tout.backward(torch.tensor(g))
    assert_same(x.grad, tx.grad)  # copies of a pixel send their gradients back to it, summed
    assert gradcheck(ours, (edutorch.randn(*shape, dtype=edutorch.float64, requires_grad=True),))


def test_modes_on_a_row():
    row = edutorch.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    assert nn.ReflectionPad1d(2)(row).tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0]]]
    assert nn.ReplicationPad1d(2)(row).tolist() == [[[1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 4.0, 4.0]]]
    assert nn.CircularPad1d(2)(row).tolist() == [[[3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0, 2.0]]]
    assert nn.ConstantPad1d(2, 9.0)(row).tolist() == [[[9.0, 9.0, 1.0, 2.0, 3.0, 4.0, 9.0, 9.0]]]
    assert nn.ConstantPad1d(1, 9.0)(row).dtype == edutorch.float32


@pytest.mark.parametrize("call", [
    lambda nn, t: nn.ReflectionPad1d(3)(t.zeros(1, 2, 3)),  # reflect by as much as the dim
    lambda nn, t: nn.ReflectionPad2d((0, 0, 4, 0))(t.zeros(1, 2, 3, 5)),
    lambda nn, t: nn.CircularPad1d(4)(t.zeros(1, 2, 3)),  # wrapping around more than once
    lambda nn, t: nn.CircularPad2d(1)(t.zeros(3, 3)),  # 2-D input to a 2-D circular pad
    lambda nn, t: nn.CircularPad1d(1)(t.zeros(1, 2, 3, 3)),
    lambda nn, t: nn.ReflectionPad2d(1)(t.zeros(3, 3)),
    lambda nn, t: nn.ReplicationPad3d(1)(t.zeros(3, 3, 3)),
    lambda nn, t: nn.ReplicationPad1d(1)(t.zeros(2, 0)),
    lambda nn, t: nn.ZeroPad2d(1)(t.zeros(3)),
    lambda nn, t: nn.ReplicationPad2d(1)(t.zeros(2, 0, 3)),
    lambda nn, t: nn.ReflectionPad3d((0, 0, 0, 0, 3, 0))(t.zeros(1, 2, 3, 4, 4)),
])
def test_padding_errors_match_torch(torch, call):
    with pytest.raises(Exception) as expected:
        call(torch.nn, torch)
    with pytest.raises(type(expected.value)) as got:
        call(nn, edutorch)
    assert str(got.value) == str(expected.value)


def test_pad_modes_keep_float32_and_gradcheck_each_mode():
    x = edutorch.randn(2, 3, 4, 5)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert F.pad(x, (1, 2, 3, 1), mode=mode).dtype == edutorch.float32
        x64 = edutorch.randn(1, 2, 3, 4, 3, dtype=edutorch.float64, requires_grad=True)
        assert gradcheck(lambda t, m=mode: F.pad(t, (1, 2, 2, 1, 1, 2), mode=m), (x64,))
