"""Issue 18: legacy tensor types (torch.FloatTensor ...), memory formats (torch.channels_last ...) and
torch.bfloat16, each against PyTorch."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import edutorch
from edutorch.autograd import gradcheck
from tests.conftest import assert_same


def _both(torch, expr: str):
    """repr of ``expr`` evaluated with each library as ``torch`` (or the exception type)."""
    out = []
    for m in (torch, edutorch):
        try:
            out.append(repr(eval(expr, {"torch": m})))
        except Exception as e:  # noqa: BLE001 - the type is what we compare
            out.append(type(e))
    return out


LEGACY = [
    "torch.FloatTensor(2, 3).shape", "torch.FloatTensor([1, 2])", "torch.LongTensor([1, 2])",
    "torch.LongTensor([1.7, 2])", "torch.IntTensor(2).dtype", "torch.BoolTensor([1, 0])", "torch.ByteTensor([1, 255])",
    "torch.HalfTensor([1.5])", "torch.DoubleTensor([[1, 2]])", "torch.FloatTensor()", "torch.FloatTensor((2, 3))",
    "torch.FloatTensor(torch.Size([2, 3])).shape", "torch.FloatTensor(torch.zeros(2))", "torch.BFloat16Tensor([1.3])",
    "torch.FloatTensor([1], device='cpu')",
    "isinstance(torch.zeros(2), torch.FloatTensor)", "isinstance(torch.zeros(2), torch.LongTensor)",
    "isinstance(torch.zeros(2, dtype=torch.long), torch.LongTensor)", "isinstance(3, torch.FloatTensor)",
    "isinstance(torch.nn.Parameter(torch.zeros(2)), torch.FloatTensor)", "issubclass(torch.FloatTensor, torch.Tensor)",
    "torch.FloatTensor", "torch.FloatTensor.dtype", "torch.FloatTensor.__name__", "torch.FloatTensor.__module__",
    "torch.zeros(2).type()", "torch.zeros(2, dtype=torch.uint8).type()", "torch.zeros(2).bfloat16().type()",
    "torch.zeros(2).type(torch.LongTensor)", "torch.zeros(2).type('torch.IntTensor')",
    "torch.zeros(2).type(torch.int32)",
    # errors
    "torch.FloatTensor(torch.zeros(2, dtype=torch.long))", "torch.FloatTensor(2.5)",
    "torch.FloatTensor([1], dtype=torch.float64)", "torch.FloatTensor(2, requires_grad=True)",
]


@pytest.mark.parametrize("expr", LEGACY)
def test_legacy_tensor_types(torch, expr):
    theirs, ours = _both(torch, expr)
    assert ours == theirs


def test_legacy_constructor_shares_and_is_uninitialised_shape():
    x = edutorch.zeros(3)
    assert edutorch.FloatTensor(x).data_ptr() == x.data_ptr()  # the same storage, as PyTorch
    y = edutorch.LongTensor(4, 2)
    assert tuple(y.shape) == (4, 2) and y.dtype == edutorch.int64 and y.is_leaf and not y.requires_grad


MEMORY_FORMAT = [
    "torch.channels_last", "torch.contiguous_format", "torch.preserve_format", "torch.channels_last_3d",
    "type(torch.channels_last)", "torch.memory_format",
    "torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last).is_contiguous()",
    "torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last).is_contiguous(memory_format=torch.channels_last)",
    "torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last).stride()",
    "torch.zeros(2, 3, 4, 5).to(torch.float64, memory_format=torch.channels_last).stride()",
    "torch.zeros(2, 3, 4, 5).contiguous(memory_format=torch.channels_last).stride()",
    "torch.zeros(2, 3, 4, 5, 6).contiguous(memory_format=torch.channels_last_3d).stride()",
    "torch.zeros(2, 3, 4, 5).is_contiguous(memory_format=torch.contiguous_format)",
    "torch.zeros(2, 3, 4, 5).is_contiguous(memory_format=torch.channels_last)",
    "torch.zeros(1, 3, 1, 1).to(memory_format=torch.channels_last).is_contiguous()",
    "torch.ones(2, 3, 4, 5).to(memory_format=torch.channels_last).is_contiguous(memory_format=torch.channels_last_3d)",
    "torch.empty_like(torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last)).stride()",
    "torch.zeros_like(torch.zeros(2, 3, 4, 5), memory_format=torch.channels_last).stride()",
    "torch.ones_like(torch.ones(2, 3, 4, 5).to(memory_format=torch.channels_last), "
    "memory_format=torch.contiguous_format).stride()",
    "torch.randn_like(torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last)).stride()",
    "torch.zeros(2, 3, 4, 5).clone(memory_format=torch.channels_last).stride()",
    "torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last).clone().stride()",
    "torch.zeros(2, 3, 4, 5).to(memory_format=torch.channels_last).contiguous().stride()",
    "torch.arange(24.).reshape(1, 2, 3, 4).to(memory_format=torch.channels_last)",
    "(torch.arange(24.).reshape(1, 2, 3, 4).to(memory_format=torch.channels_last) * 2).stride()",
    "torch.ones(2, 3, 4, 5, requires_grad=True).to(memory_format=torch.channels_last).grad_fn.name()",
    "torch.ones(2, 3, 4, 5, requires_grad=True).contiguous(memory_format=torch.channels_last).grad_fn.name()",
    "torch.empty(2, 3, 4, 5, memory_format=torch.channels_last).stride()",
    "torch.empty(2, 3, 4, 5, 6, memory_format=torch.channels_last_3d).stride()",
    # errors
    "torch.empty(2, 3, memory_format=torch.channels_last)",
    "torch.zeros(2, 3, 4).contiguous(memory_format=torch.channels_last)",
    "torch.zeros(2, 3, 4).to(memory_format=torch.channels_last)",
]


@pytest.mark.parametrize("expr", MEMORY_FORMAT)
def test_memory_format(torch, expr):
    theirs, ours = _both(torch, expr)
    assert ours == theirs


def test_channels_last_keeps_values_and_gradients(torch):
    x = edutorch.randn(2, 3, 4, 5, dtype=edutorch.float64, requires_grad=True)
    y = x.to(memory_format=edutorch.channels_last)
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy())
    assert gradcheck(lambda t: (t.contiguous(memory_format=edutorch.channels_last) * 2).sum(dim=1), (x,))
    conv = edutorch.nn.Conv2d(3, 2, 3).double()
    assert_same(conv(y), conv(x), rtol=1e-12, atol=1e-12)
    assert pickle.loads(pickle.dumps(edutorch.channels_last)) is edutorch.channels_last


BF16 = "torch.tensor([1.0, 3.14159, -2.71828, 100.7, 1e-3, 257.0])"
BFLOAT16 = [
    "torch.bfloat16", "torch.bfloat16.is_floating_point", "torch.promote_types(torch.bfloat16, torch.float16)",
    f"{BF16}.bfloat16()", f"{BF16}.to(torch.bfloat16)", "torch.tensor([0.1, 0.2], dtype=torch.bfloat16)",
    "torch.tensor([256.0, 257.0, 258.0], dtype=torch.bfloat16)", "torch.zeros(2, dtype=torch.bfloat16)",
    f"{BF16}.bfloat16().dtype", f"{BF16}.bfloat16().element_size()", f"{BF16}.bfloat16().tolist()",
    f"{BF16}.bfloat16()[1].item()", f"{BF16}.bfloat16().float()", f"{BF16}.bfloat16().half()",
    f"{BF16}.bfloat16().long()", "torch.tensor([1, 2]).bfloat16()",
    f"{BF16}.bfloat16() + {BF16}.bfloat16()", f"{BF16}.bfloat16() * 3", f"{BF16}.bfloat16() * 0.1",
    f"{BF16}.bfloat16() / 3", f"{BF16}.bfloat16() - 1", f"{BF16}.bfloat16() + {BF16}",
    "torch.tensor(1.0, dtype=torch.bfloat16) + 1e-3", f"{BF16}.bfloat16().sum()", f"{BF16}.bfloat16().mean()",
    "torch.ones(1000).bfloat16().sum()", "torch.ones(1000).bfloat16().mean()",  # summed in float32, then rounded
    "torch.ones(1000).bfloat16().cumsum(0)[-1]", "torch.ones(10, 300).bfloat16().sum(1)",
    f"{BF16}.bfloat16().exp()", f"{BF16}.bfloat16().sqrt()", f"{BF16}.bfloat16() > 1", f"{BF16}.bfloat16().max()",
    f"torch.relu({BF16}.bfloat16())", "torch.tensor([[1.1, 2.2], [3.3, 4.4]]).bfloat16() @ "
    "torch.tensor([[1.1, 2.2], [3.3, 4.4]]).bfloat16()", "torch.randn(3, dtype=torch.bfloat16).dtype",
    "torch.tensor([1.0, 2.0], requires_grad=True).bfloat16()",
    "torch.arange(18.).reshape(2, 3, 3).bfloat16() / 7 @ (torch.arange(6.).reshape(3, 2).bfloat16() / 3)",
    "torch.bmm(torch.arange(18.).reshape(2, 3, 3).bfloat16() / 7, torch.ones(2, 3, 1, dtype=torch.bfloat16))",
    "torch.tensor([3.0], dtype=torch.bfloat16, requires_grad=True) * 2",
]


@pytest.mark.parametrize("expr", BFLOAT16)
def test_bfloat16_rounds_and_prints_as_torch(torch, expr):
    theirs, ours = _both(torch, expr)
    assert ours == theirs


def test_bfloat16_linear_module(torch):
    """A Linear layer converted with .bfloat16(): weights, output and its dtype as PyTorch's."""
    outs = []
    for m in (torch, edutorch):
        lin = m.nn.Linear(3, 2)
        with m.no_grad():
            lin.weight.copy_(m.tensor([[0.3, -1.7, 2.2], [1.1, 0.01, -0.5]]))
            lin.bias.copy_(m.tensor([0.25, -3.3]))
        lin.bfloat16()
        outs.append((lin.weight.dtype, repr(lin(m.tensor([[1.5, 2.5, -0.7]], dtype=m.bfloat16)))))
    assert repr(outs[1][0]) == repr(outs[0][0]) and outs[1][1] == outs[0][1]


def test_bfloat16_gradient(torch):
    for m in (torch, edutorch):
        x = m.tensor([1.5, -2.25, 3.0], requires_grad=True)
        (x.bfloat16() * x.bfloat16()).sum().backward()
        if m is torch:
            theirs = x.grad
    assert_same(x.grad, theirs)
