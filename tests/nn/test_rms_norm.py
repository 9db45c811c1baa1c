"""RMSNorm and F.rms_norm: finite differences and PyTorch parity."""
from __future__ import annotations

import numpy as np
import pytest

import edutorch
import edutorch.nn.functional as F
from edutorch import nn
from edutorch.autograd import gradcheck
from tests.conftest import assert_same

rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape,normalized,affine", [((3, 5), 5, True), ((2, 3, 4), (3, 4), True),
                                                     ((2, 4), 4, False)])
def test_rms_norm_gradcheck(shape, normalized, affine):
    x = edutorch.tensor(rng.standard_normal(shape), requires_grad=True)
    normalized_shape = (normalized,) if isinstance(normalized, int) else normalized
    w = edutorch.tensor(rng.standard_normal(normalized_shape), requires_grad=True) if affine else None
    inputs = (x, w) if affine else (x,)
    assert gradcheck(lambda x, w=None: F.rms_norm(x, normalized_shape, w, eps=1e-3), inputs)


@pytest.mark.parametrize("eps", [None, 1e-2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rms_norm_module_parity(torch, eps, dtype):
    ours, theirs = nn.RMSNorm([3, 4], eps=eps), torch.nn.RMSNorm([3, 4], eps=eps)
    assert repr(ours) == repr(theirs)
    ours, theirs = ours.to(getattr(edutorch, dtype)), theirs.to(getattr(torch, dtype))
    w = rng.standard_normal((3, 4)).astype(dtype)
    ours.weight.data.copy_(edutorch.tensor(w))
    theirs.weight.data.copy_(torch.tensor(w))
    # float64: small values, so that eps matters; float32: unit values (small ones cancel in the gradient)
    x = (rng.standard_normal((2, 5, 3, 4)) * (1e-3 if dtype == "float64" else 1.0)).astype(dtype)
    ex, tx = edutorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = ours(ex), theirs(tx)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    assert_same(eo, to, **tol)
    g = rng.standard_normal(x.shape).astype(dtype)
    eo.backward(edutorch.tensor(g))
    to.backward(torch.tensor(g))
    assert_same(ex.grad, tx.grad, **tol)
    assert_same(ours.weight.grad, theirs.weight.grad, **tol)


def test_rms_norm_errors_and_repr(torch):
    assert repr(nn.RMSNorm((2, 3), eps=1e-5, elementwise_affine=False)) == \
        repr(torch.nn.RMSNorm((2, 3), eps=1e-5, elementwise_affine=False))
    with pytest.raises(RuntimeError, match=r"expected input with shape \[\*8\], but got input of size\[3, 7\]"):
        nn.RMSNorm(8)(edutorch.randn(3, 7))
    with pytest.raises(RuntimeError):
        torch.nn.RMSNorm(8)(torch.randn(3, 7))
